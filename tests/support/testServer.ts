import bcrypt from 'bcryptjs';
import { AgentDirectory, type AgentAccount } from '../../server/auth/AgentDirectory.js';
import { loadConfig, type Config } from '../../server/config.js';
import { startServer, type RunningServer, type ServerParts } from '../../server/createServer.js';
import { createLogger } from '../../server/logger.js';

/** Password of every test agent. */
export const TEST_PASSWORD = 'correct horse battery staple';

/** A test agent account with the given modes (bcrypt cost 4 keeps tests fast). */
export function testAgent(username: string, modes: AgentAccount['modes'] = ['csl', 'asl', 'voice']): AgentAccount {
  return { username, name: `Agent ${username}`, passwordHash: bcrypt.hashSync(TEST_PASSWORD, 4), modes };
}

/** Starts the real service on a free loopback port with embedded defaults and the given agents. */
export function startTestServer(accounts: AgentAccount[], overrides: Partial<Config> = {}, parts: ServerParts = {}): Promise<RunningServer> {
  const config = loadConfig({}, { PORT: 0, HOST: '127.0.0.1', MEDIASOUP_WORKERS: 1, LOG_LEVEL: 'error', ...overrides });
  return startServer(config, { agents: AgentDirectory.fromAccounts(accounts), log: createLogger('error'), ...parts });
}
