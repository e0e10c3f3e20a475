import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { mediaPolicySchema } from '../signaling/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const int = (fallback: number) => z.coerce.number().int().default(fallback);

/** TURN/STUN servers handed to browsers, e.g. the coturn of docker-compose.yml. */
const iceServersSchema = z
  .array(
    z.strictObject({
      urls: z.union([z.string().regex(/^(stun|turns?):/), z.array(z.string().regex(/^(stun|turns?):/)).min(1)]),
      username: z.string().optional(),
      credential: z.string().optional(),
    }),
  )
  .max(8);

/** Every environment variable the server reads; README.md documents each one. */
const envSchema = z.object({
  PORT: int(3000).pipe(z.number().min(0).max(65535)),
  HOST: z.string().default('0.0.0.0'),
  TRUST_PROXY: int(0).pipe(z.number().min(0).max(5)),
  TLS_CERT: z.string().min(1).optional(),
  TLS_KEY: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  MEDIA_ENGINE: z.enum(['mediasoup', 'livekit']).default('mediasoup'),
  LIVEKIT_URL: z.string().regex(/^wss?:\/\//, 'must be a ws:// or wss:// URL').optional(),
  LIVEKIT_API_URL: z.string().regex(/^https?:\/\//, 'must be an http:// or https:// URL').optional(),
  LIVEKIT_API_KEY: z.string().min(1).optional(),
  LIVEKIT_API_SECRET: z.string().min(1).optional(),
  MEDIA_LISTEN_IP: z.ipv4().or(z.ipv6()).default('127.0.0.1'),
  MEDIA_ANNOUNCED_IP: z.string().min(1).optional(),
  RTC_MIN_PORT: int(40000).pipe(z.number().min(1024).max(65535)),
  RTC_MAX_PORT: int(49999).pipe(z.number().min(1024).max(65535)),
  MEDIASOUP_WORKERS: int(os.availableParallelism()).pipe(z.number().min(1).max(64)),
  MEDIASOUP_WORKER_BIN: z.string().default(path.join(repoRoot, '.cache/mediasoup-worker/mediasoup-worker-3.8.4')),
  MEDIA_POLICY: mediaPolicySchema.default('product'),
  MEDIA_INITIAL_BITRATE: int(3_000_000).pipe(z.number().min(100_000).max(20_000_000)),
  AGENT_ACCOUNTS: z.string().optional(),
  AGENT_ACCOUNTS_FILE: z.string().optional(),
  OFFER_TIMEOUT_MS: int(20_000).pipe(z.number().min(1_000).max(300_000)),
  RECONNECT_GRACE_MS: int(120_000).pipe(z.number().min(0).max(3_600_000)),
  CALLBACK_AFTER_SEC: int(120).pipe(z.number().min(0).max(86_400)),
  CALLBACK_ATTEMPTS: int(3).pipe(z.number().min(1).max(10)),
  RTT_LINE_PAUSE_MS: int(5_000).pipe(z.number().min(500).max(600_000)),
  CAPTIONS: z.enum(['on', 'off']).default('on'),
  ASR_MODEL_DIR: z.string().min(1).optional(),
  ASR_THREADS: int(1).pipe(z.number().min(1).max(16)),
  RTT_DATA_CHANNELS: z.enum(['on', 'off']).default('on'),
  CANNED_REPLIES_FILE: z.string().default(path.join(repoRoot, 'config/canned-replies.json')),
  GUIDES_FILE: z.string().default(path.join(repoRoot, 'config/guides.json')),
  TOKEN_TTL_MIN: int(720).pipe(z.number().min(1).max(10_080)),
  MISSED_COOLDOWN_MS: int(0).pipe(z.number().min(0).max(3_600_000)),
  WRAP_UP_SEC: int(60).pipe(z.number().min(0).max(3_600)),
  FATIGUE_AFTER_MIN: int(45).pipe(z.number().min(1).max(600)),
  SLA_CONSULTATION_SEC: int(120).pipe(z.number().min(1)),
  SLA_SOFTWARE_SEC: int(300).pipe(z.number().min(1)),
  SLA_HARDWARE_SEC: int(600).pipe(z.number().min(1)),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  REDIS_NAMESPACE: z.string().regex(/^[\w-]{1,40}$/).default('signline'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL').optional(),
  RECORDS_DIR: z.string().min(1).default(path.join(repoRoot, 'data/records')),
  RECORDS_KEY: z.string().min(1).optional(),
  RECORDS_KEY_PREVIOUS: z.string().min(1).optional(),
  RECORDS_KEY_FILE: z.string().min(1).optional(),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  RETENTION_DAYS: int(0).pipe(z.number().min(0).max(36_500)),
  MAX_EVENT_BYTES: int(16_384).pipe(z.number().min(1_024).max(1_000_000)),
  EVENT_RATE_PER_SEC: int(40).pipe(z.number().min(1).max(10_000)),
  EVENT_BURST: int(80).pipe(z.number().min(1).max(10_000)),
  CLIENT_DIR: z.string().default(path.join(repoRoot, 'dist/client')),
  VISION_MODEL_DIR: z.string().default(path.join(repoRoot, '.cache/models')),
  VISION_WASM_DIR: z.string().default(path.join(repoRoot, 'node_modules/@mediapipe/tasks-vision/wasm')),
  ICE_SERVERS: z
    .string()
    .default('[]')
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of RTCIceServer objects' });
        return z.NEVER;
      }
    })
    .pipe(iceServersSchema),
});

/** Validated server configuration. */
export type Config = z.output<typeof envSchema>;

/** Reads the configuration from `env`; throws one message listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  const config = { ...parsed.data, ...overrides };
  if (config.RTC_MIN_PORT > config.RTC_MAX_PORT) throw new Error('invalid configuration: RTC_MIN_PORT is above RTC_MAX_PORT');
  if (!config.TLS_CERT !== !config.TLS_KEY) throw new Error('invalid configuration: TLS_CERT and TLS_KEY go together (both files, or neither for plain HTTP)');
  if (config.MEDIA_ENGINE === 'livekit') {
    const missing = (['LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET'] as const).filter((name) => !config[name]);
    if (missing.length > 0) throw new Error(`invalid configuration: MEDIA_ENGINE=livekit needs ${missing.join(', ')}`);
  }
  return config;
}
