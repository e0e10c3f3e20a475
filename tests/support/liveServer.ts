import { afterEach, beforeEach } from 'vitest';
import type { AgentAccount } from '../../server/auth/AgentDirectory.js';
import type { Config } from '../../server/config.js';
import type { RunningServer } from '../../server/createServer.js';
import { SocketPool } from './sockets.js';
import type { RecordsDb } from '../../server/records/RecordsDb.js';
import { freshRecords } from './testRecords.js';
import { startTestServer } from './testServer.js';

/** What each test of a `serverPerTest` suite gets: its own server and socket pool. */
export interface LiveServer {
  server: RunningServer;
  pool: SocketPool;
  /** The server's records database, to look at what it wrote. */
  records: RecordsDb;
}

/**
 * Starts a fresh real server on port 0 before each test of the enclosing suite and closes its
 * sockets and the server after it. Read the fields inside tests, not at suite definition time.
 */
export function serverPerTest(accounts: () => AgentAccount[], overrides: Partial<Config> = {}): LiveServer {
  const live = {} as LiveServer;
  beforeEach(async () => {
    live.records = await freshRecords();
    live.server = await startTestServer(accounts(), overrides, { records: live.records });
    live.pool = new SocketPool(live.server.url);
  });
  afterEach(async () => {
    live.pool?.closeAll();
    await live.server?.close();
    await live.records?.close();
  });
  return live;
}
