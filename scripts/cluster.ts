/**
 * `npm run cluster`: docker-compose.yml's topology as local processes, for machines without a Docker engine and for
 * trying several nodes on one machine (the multi-node tests start the same through `startCluster`). Redis (shared
 * state), PostgreSQL (records), the LiveKit server setup built (media, through the same Redis) and two app nodes
 * started with the very command of the image (`node --import tsx server/main.ts`) and the same variables; `.env` is
 * read when present (see `.env.example`). Without a LiveKit server (no Go at setup) the nodes run the embedded SFU,
 * each its own. Differences from the compose file: everything on loopback, no TLS proxy (each node's own URL is
 * printed; Socket.IO runs on WebSocket only, so any node serves any participant), no coturn, and Redis and PostgreSQL
 * in temporary folders, gone when it stops. Ctrl-C stops everything.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import bcrypt from 'bcryptjs';
import { startCluster, type Cluster } from '../tests/support/cluster.js';
import { livekitUnavailable } from '../tests/support/livekitServer.js';

/** The variables of `.env` (Node's own parser), without overriding what the environment already sets. */
function dotenv(file = '.env'): Record<string, string> {
  if (!existsSync(file)) return {};
  const vars = Object.entries(parseEnv(readFileSync(file, 'utf8'))).filter((entry): entry is [string, string] => !!entry[1] && process.env[entry[0]] === undefined);
  return Object.fromEntries(vars);
}

/** One demo agent both nodes know, when `.env` names none: each node would otherwise make its own. */
function demoAccounts(): { json: string; password: string } {
  const password = randomBytes(6).toString('base64url');
  const account = { username: 'demo', name: 'Demo Agent', passwordHash: bcrypt.hashSync(password, 10), skills: { csl: 5, asl: 5, hksl: 5, zh: 5, en: 5, phone: 5, laptop: 5, tier: 2 } };
  return { json: JSON.stringify([account]), password };
}

let cluster: Cluster | undefined;

async function main(): Promise<void> {
  const file = dotenv();
  const log = (line: string) => console.log(`[cluster] ${line}`);
  const noLiveKit = livekitUnavailable();
  if (noLiveKit) log(`${noLiveKit}; the nodes run the embedded SFU`);
  const demo = file.AGENT_ACCOUNTS || process.env.AGENT_ACCOUNTS ? undefined : demoAccounts();
  log(`starting Redis, PostgreSQL${noLiveKit ? '' : ', LiveKit (through the same Redis)'} and two app nodes`);
  cluster = await startCluster({
    engine: noLiveKit ? 'mediasoup' : 'livekit',
    portOf: (index) => 3001 + index,
    // The records key of .env or the environment, when set, is the cluster's; the topology's own addresses and keys
    // win over the rest of .env (which describes the compose deployment).
    env: { ...file, RECORDS_KEY: file.RECORDS_KEY ?? process.env.RECORDS_KEY ?? '', ...(demo ? { AGENT_ACCOUNTS: demo.json } : {}) },
  });
  cluster.nodes.forEach((node, index) => log(`node ${index + 1}: ${node.url}/support  ${node.url}/agent  ${node.url}/supervisor`));
  log(`media: ${cluster.livekit ? `LiveKit at ${cluster.livekit.wsUrl}` : 'the embedded SFU of each node'}; Redis ${cluster.redis.url}; PostgreSQL ${cluster.databaseUrl}`);
  if (demo) log(`agent "demo", password "${demo.password}" (this run only; set AGENT_ACCOUNTS in .env for your own)`);
  log('Ctrl-C stops everything');
}

let stopping = false;
async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await cluster?.stop();
  process.exit(code);
}

process.once('SIGINT', () => void stopAll(0));
process.once('SIGTERM', () => void stopAll(0));
main().catch(async (error: unknown) => {
  console.error(`[cluster] ${error instanceof Error ? error.message : String(error)}`);
  await stopAll(1);
});
