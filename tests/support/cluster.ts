import { newMasterKeyText } from '../../server/records/sealing.js';
import { liveKitServerEnv, startLiveKit, type LiveKitProcess } from './livekitServer.js';
import { startPostgres, type PostgresProcess } from './postgresServer.js';
import { startRedis, type RedisOptions, type RedisProcess } from './redisServer.js';
import { startServerProcess, type ServerProcess } from './serverProcess.js';

/** How to start docker-compose.yml's topology as local processes. */
export interface ClusterOptions {
  /** Where the media lives: each node's embedded SFU, or one LiveKit server (through the same Redis) for all. */
  engine: 'mediasoup' | 'livekit';
  /** App nodes to start. Default 2, as in docker-compose.yml. */
  nodes?: number;
  /** Each node's port, from its index (0, 1, ...); the node's RTC ports follow from it too. Default: any free port. */
  portOf?: (index: number) => number;
  /** How Redis keeps its data (an append-only folder for a drill that restarts it); default: in memory only. */
  redis?: RedisOptions;
  /** A database to use (the tests' shared PostgreSQL); without it a PostgreSQL of the cluster's own is started. */
  databaseUrl?: string;
  /**
   * Further variables for every node (accounts, log level, records key, ...). The cluster's own (addresses of its
   * parts, the media engine and its keys) win over them; `RECORDS_KEY` is used when given, else a new one is made.
   */
  env?: Record<string, string>;
}

/** A running cluster: its parts, the variables every node runs with, and its nodes (which a test may stop and start). */
export interface Cluster {
  redis: RedisProcess;
  livekit: LiveKitProcess | undefined;
  /** The database every node uses. */
  databaseUrl: string;
  /** What every node runs with (its own PORT and RTC ports aside). */
  env: Record<string, string>;
  nodes: ServerProcess[];
  /** Starts node `index` (again) with the cluster's variables and puts it in `nodes[index]`. */
  startNode(index: number): Promise<ServerProcess>;
  /** Stops every node, then LiveKit, Redis and the cluster's own PostgreSQL. */
  stop(): Promise<void>;
}

/** Ports of a node's embedded SFU: a range of 5,000 per node from 40000, as separate machines would not need. */
const rtcPortsOf = (index: number) => ({ RTC_MIN_PORT: String(40_000 + index * 5_000), RTC_MAX_PORT: String(44_999 + index * 5_000) });

/**
 * Starts docker-compose.yml's topology as local processes on loopback: Redis (shared state), PostgreSQL (records),
 * LiveKit through the same Redis when `engine` is livekit, and the app nodes with the image's own command
 * (`startServerProcess`). `npm run cluster` and the multi-node tests both start it here. Whatever started before a
 * failure is stopped again.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const started: { stop(): Promise<void> }[] = [];
  const nodes: ServerProcess[] = [];
  const stopAll = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    for (const part of started.reverse()) await part.stop().catch(() => undefined);
  };
  try {
    const redis = await startRedis(options.redis);
    started.push(redis);
    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      const postgres: PostgresProcess = await startPostgres({ durable: true });
      started.push(postgres);
      await postgres.createDatabase('signline');
      databaseUrl = postgres.urlOf('signline');
    }
    const livekit = options.engine === 'livekit' ? await startLiveKit({ redisAddress: new URL(redis.url).host }) : undefined;
    if (livekit) started.push(livekit);
    const env: Record<string, string> = {
      ...options.env,
      RECORDS_KEY: options.env?.RECORDS_KEY || newMasterKeyText(),
      HOST: '127.0.0.1',
      REDIS_URL: redis.url,
      DATABASE_URL: databaseUrl,
      ...(livekit ? liveKitServerEnv(livekit) : { MEDIA_ENGINE: 'mediasoup' }),
    };
    const startNode = async (index: number) => {
      const port = options.portOf ? String(options.portOf(index)) : '0';
      const node = await startServerProcess({ ...env, PORT: port, ...rtcPortsOf(index) }, 60_000);
      nodes[index] = node;
      return node;
    };
    await Promise.all(Array.from({ length: options.nodes ?? 2 }, (_, index) => startNode(index)));
    return {
      redis,
      livekit,
      databaseUrl,
      env,
      nodes,
      startNode,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
