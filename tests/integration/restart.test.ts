import { describe, expect, it } from 'vitest';
import { connect, loginAgent, SocketPool } from '../support/sockets.js';
import { freshRecords } from '../support/testRecords.js';
import { startTestServer, testAgent } from '../support/testServer.js';

describe('a server restarted on the same records', () => {
  it('still knows an agent’s sign-in, and still refuses a token it never issued', async () => {
    const records = await freshRecords();
    const accounts = () => [testAgent('alice', ['csl'])];
    try {
      const first = await startTestServer(accounts(), {}, { records });
      const { token } = await loginAgent(first.url, 'alice');
      await first.close();

      const second = await startTestServer(accounts(), {}, { records });
      try {
        const pool = new SocketPool(second.url);
        const socket = pool.open({ token });
        await connect(socket);
        expect(socket.connected).toBe(true);
        const stranger = pool.open({ token: 'a'.repeat(32) });
        await expect(connect(stranger)).rejects.toThrow(/unknown or expired token|UNAUTHORIZED/);
        const guides = await fetch(`${second.url}/api/guides`, { headers: { authorization: `Bearer ${token}` } });
        expect(guides.status).toBe(200);
        pool.closeAll();
      } finally {
        await second.close();
      }
    } finally {
      await records.close();
    }
  });
});
