import { randomUUID } from 'node:crypto';
import type { AgentAccount } from '../../server/auth/AgentDirectory.js';
import { newMasterKeyText } from '../../server/records/sealing.js';
import { freshDatabaseUrl } from './testRecords.js';

/**
 * The environment of server nodes that form one deployment, as `startServerProcess` takes it: one Redis (under a
 * namespace of their own), one fresh PostgreSQL database and master key, port 0 on loopback, one SFU worker each.
 */
export async function clusterEnv(redisUrl: string, accounts: AgentAccount[], extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    DATABASE_URL: await freshDatabaseUrl(),
    RECORDS_KEY: newMasterKeyText(),
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: redisUrl,
    REDIS_NAMESPACE: `cluster-${randomUUID().slice(0, 8)}`,
    MEDIASOUP_WORKERS: '1',
    LOG_LEVEL: 'warn',
    AGENT_ACCOUNTS: JSON.stringify(accounts),
    ...extra,
  };
}
