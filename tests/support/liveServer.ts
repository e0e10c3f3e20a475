import { afterEach, beforeEach } from 'vitest';
import type { AgentAccount } from '../../server/auth/AgentDirectory.js';
import type { Config } from '../../server/config.js';
import type { RunningServer } from '../../server/createServer.js';
import { SocketPool } from './sockets.js';
import { startTestServer } from './testServer.js';

/** What each test of a `serverPerTest` suite gets: its own server and socket pool. */
export interface LiveServer {
  server: RunningServer;
  pool: SocketPool;
}

/**
 * Starts a fresh real server on port 0 before each test of the enclosing suite and closes its
 * sockets and the server after it. Read the fields inside tests, not at suite definition time.
 */
export function serverPerTest(accounts: () => AgentAccount[], overrides: Partial<Config> = {}): LiveServer {
  const live = {} as LiveServer;
  beforeEach(async () => {
    live.server = await startTestServer(accounts(), overrides);
    live.pool = new SocketPool(live.server.url);
  });
  afterEach(async () => {
    live.pool?.closeAll();
    await live.server?.close();
  });
  return live;
}
