/**
 * `npm run cluster`: docker-compose.yml's topology as local processes, for machines without a Docker engine and for
 * trying several nodes on one machine. Redis (shared state), PostgreSQL (records), the LiveKit server setup built
 * (media, through the same Redis) and two app nodes started with the very command of the image
 * (`node --import tsx server/main.ts`) and the same variables; `.env` is read when present (see `.env.example`).
 * Without a LiveKit server (no Go at setup) the nodes run the embedded SFU, each its own. Differences from the compose
 * file: everything on loopback, no TLS proxy (each node's own URL is printed; Socket.IO runs on WebSocket only, so
 * any node serves any participant), no coturn, and Redis and PostgreSQL in temporary folders, gone when it stops.
 * Ctrl-C stops everything.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import bcrypt from 'bcryptjs';
import { newMasterKeyText } from '../server/records/sealing.js';
import { livekitUnavailable, startLiveKit, type LiveKitProcess } from '../tests/support/livekitServer.js';
import { startPostgres, type PostgresProcess } from '../tests/support/postgresServer.js';
import { startRedis, type RedisProcess } from '../tests/support/redisServer.js';
import { startServerProcess, type ServerProcess } from '../tests/support/serverProcess.js';

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

const started: { stop(): Promise<void> }[] = [];

async function main(): Promise<void> {
  const file = dotenv();
  const log = (line: string) => console.log(`[cluster] ${line}`);
  log('starting Redis and PostgreSQL');
  const [redis, postgres]: [RedisProcess, PostgresProcess] = await Promise.all([startRedis(), startPostgres({ durable: true })]);
  started.push(redis, postgres);
  await postgres.createDatabase('signline');

  let livekit: LiveKitProcess | undefined;
  const noLiveKit = livekitUnavailable();
  if (noLiveKit) log(`${noLiveKit}; the nodes run the embedded SFU`);
  else {
    log('starting LiveKit (through the same Redis)');
    livekit = await startLiveKit({ redisAddress: new URL(redis.url).host });
    started.push(livekit);
  }

  const demo = file.AGENT_ACCOUNTS || process.env.AGENT_ACCOUNTS ? undefined : demoAccounts();
  const env: Record<string, string> = {
    ...file,
    HOST: '127.0.0.1',
    REDIS_URL: redis.url,
    DATABASE_URL: postgres.urlOf('signline'),
    RECORDS_KEY: file.RECORDS_KEY ?? process.env.RECORDS_KEY ?? newMasterKeyText(),
    ...(demo ? { AGENT_ACCOUNTS: demo.json } : {}),
    ...(livekit
      ? { MEDIA_ENGINE: 'livekit', LIVEKIT_URL: livekit.wsUrl, LIVEKIT_API_KEY: livekit.apiKey, LIVEKIT_API_SECRET: livekit.apiSecret }
      : { MEDIA_ENGINE: 'mediasoup' }),
  };
  log('starting two app nodes');
  const nodes: ServerProcess[] = [];
  for (const [index, range] of [[1, '40000-44999'], [2, '45000-49999']] as const) {
    const [min, max] = range.split('-');
    const node = await startServerProcess({ ...env, PORT: String(3000 + index), RTC_MIN_PORT: min!, RTC_MAX_PORT: max! }, 60_000);
    nodes.push(node);
    started.push(node);
    log(`node ${index}: ${node.url}/support  ${node.url}/agent  ${node.url}/supervisor`);
  }
  log(`media: ${livekit ? `LiveKit at ${livekit.wsUrl}` : 'the embedded SFU of each node'}; Redis ${redis.url}; PostgreSQL ${postgres.urlOf('signline')}`);
  if (demo) log(`agent "demo", password "${demo.password}" (this run only; set AGENT_ACCOUNTS in .env for your own)`);
  log('Ctrl-C stops everything');
}

let stopping = false;
async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const part of started.reverse()) await part.stop().catch(() => undefined);
  process.exit(code);
}

process.once('SIGINT', () => void stopAll(0));
process.once('SIGTERM', () => void stopAll(0));
main().catch(async (error: unknown) => {
  console.error(`[cluster] ${error instanceof Error ? error.message : String(error)}`);
  await stopAll(1);
});
