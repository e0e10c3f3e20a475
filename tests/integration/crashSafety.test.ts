import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/logger.js';
import { loadKeyring } from '../../server/records/keys.js';
import { migrate } from '../../server/records/migrations.js';
import { openPglite } from '../../server/records/pgliteDb.js';
import { SqlTicketJournal } from '../../server/records/SqlTicketJournal.js';
import { DataKeys } from '../../server/records/DataKeys.js';
import { SqlTranscriptStore } from '../../server/records/SqlTranscriptStore.js';
import { newMasterKeyText } from '../../server/records/sealing.js';
import { startServerProcess, type ServerProcess } from '../support/serverProcess.js';
import { call, openCall, SocketPool } from '../support/sockets.js';
import { testAgent } from '../support/testServer.js';

const log = createLogger('error');

describe('a server killed with SIGKILL in the middle of a call (embedded records, the default)', () => {
  const started: ServerProcess[] = [];
  let root = '';
  afterAll(async () => {
    for (const server of started) await server.stop(0);
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('loses no transcript line it acknowledged, keeps the ticket’s history, and starts again on the same folder', async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'signline-crash-'));
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      MEDIASOUP_WORKERS: '1',
      CAPTIONS: 'off',
      LOG_LEVEL: 'warn',
      RECORDS_DIR: path.join(root, 'records'),
      RECORDS_KEY: newMasterKeyText(),
      AGENT_ACCOUNTS: JSON.stringify([testAgent('alice', ['csl'])]),
    };
    // The first start creates the embedded database (initdb in WebAssembly): give it time on a busy machine.
    const first = await startServerProcess(env, 120_000);
    started.push(first);
    const pool = new SocketPool(first.url);
    const open = await openCall(pool, 'alice', { topic: 'Router keeps restarting' });
    const sent: string[] = [];
    for (let i = 0; i < 20; i++) {
      const [socket, who] = i % 2 ? [open.agent, 'agent'] : [open.customer, 'customer'];
      const text = `${who} line ${i} 路由器`;
      // The ack comes once the line is stored: from here on it must survive anything.
      await call(socket, 'text:chat', { sessionId: open.sessionId, clientId: `c${i}`, text });
      sent.push(text);
    }
    await first.stop(0);
    pool.closeAll();

    // The server comes back on the folder it crashed on (a stale lock, an unclean database) and serves again.
    const second = await startServerProcess(env, 120_000);
    started.push(second);
    const again = new SocketPool(second.url);
    await again.agent('alice');
    again.closeAll();
    await second.stop(5000);

    const db = await openPglite(env.RECORDS_DIR);
    try {
      await migrate(db);
      const keyring = loadKeyring({ key: env.RECORDS_KEY, defaultFile: undefined, embedded: true }, log);
      const lines = await new SqlTranscriptStore(db, new DataKeys(keyring)).lines(open.ticketId);
      expect(lines.filter((line) => line.kind === 'chat').map((line) => line.text)).toEqual(sent);
      expect(lines.map((line) => line.seq)).toEqual(lines.map((_line, i) => i + 1));
      const history = await new SqlTicketJournal(db, log).history(open.ticketId);
      expect(history.slice(0, 2).map((event) => [event.kind, event.actor])).toEqual([
        ['opened', 'customer'],
        ['in-call', 'agent:alice'],
      ]);
    } finally {
      await db.close();
    }
  }, 300_000);
});
