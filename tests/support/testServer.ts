import bcrypt from 'bcryptjs';
import type { CallMode } from '../../signaling/index.js';
import { AgentDirectory, type AgentAccount } from '../../server/auth/AgentDirectory.js';
import type { SkillMap } from '../../server/routing/model.js';
import { loadConfig, type Config } from '../../server/config.js';
import { startServer, type RunningServer, type ServerParts } from '../../server/createServer.js';
import { createLogger } from '../../server/logger.js';
import { newMasterKeyText } from '../../server/records/sealing.js';
import { freshRecords } from './testRecords.js';

/** Password of every test agent. */
export const TEST_PASSWORD = 'correct horse battery staple';

/** Skills that let an agent serve these modes: level 4 in each sign language, Chinese and English for voice and text. */
export function skillsFor(modes: CallMode[]): SkillMap {
  const skills: SkillMap = { phone: 3, tier: 1 };
  for (const mode of modes) {
    if (mode === 'voice' || mode === 'text') Object.assign(skills, { zh: 4, en: 4 });
    else skills[mode] = 4;
  }
  return skills;
}

/** A test agent account for the given modes (bcrypt cost 4 keeps tests fast). */
export function testAgent(username: string, modes: CallMode[] = ['csl', 'asl', 'voice']): AgentAccount {
  return { username, name: `Agent ${username}`, passwordHash: bcrypt.hashSync(TEST_PASSWORD, 4), skills: skillsFor(modes) };
}

/** A supervisor account: signs in to the supervisor console, takes no calls. */
export function testSupervisor(username: string): AgentAccount {
  return { username, name: `Supervisor ${username}`, passwordHash: bcrypt.hashSync(TEST_PASSWORD, 4), skills: {}, role: 'supervisor' };
}

/** A tier-2 technician (signs CSL, knows phones) who can be invited into a call. */
export function testTechnician(username: string): AgentAccount {
  return { username, name: `Technician ${username[0]!.toUpperCase()}${username.slice(1)}`, passwordHash: bcrypt.hashSync(TEST_PASSWORD, 4), skills: { csl: 4, phone: 5, tier: 2 } };
}

/**
 * Starts the real service on a free loopback port with embedded defaults and the given agents, and a records database
 * of its own (see `freshRecords`), closed with the server.
 */
export async function startTestServer(accounts: AgentAccount[], overrides: Partial<Config> = {}, parts: ServerParts = {}): Promise<RunningServer> {
  // Captions only where a test asks for them: each recognizer stream is a worker thread decoding speech.
  const config = loadConfig({}, { PORT: 0, HOST: '127.0.0.1', MEDIASOUP_WORKERS: 1, LOG_LEVEL: 'error', CAPTIONS: 'off', RECORDS_KEY: newMasterKeyText(), ...overrides });
  const records = parts.records ?? (await freshRecords());
  try {
    const server = await startServer(config, { agents: AgentDirectory.fromAccounts(accounts), log: createLogger('error'), ...parts, records });
    if (parts.records) return server;
    return { ...server, close: () => server.close().finally(() => records.close()) };
  } catch (error) {
    if (!parts.records) await records.close();
    throw error;
  }
}
