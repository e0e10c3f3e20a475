import { startServerProcess } from '../../tests/support/serverProcess.js';

/** A restart as timed: from the spawn to `/healthz` answering, and to the node's "listening" line. */
export interface Restart {
  servingMs: number;
  listeningMs: number;
}

/**
 * Starts the real server (`server/main.ts` in its own process, as a deployment runs it) on records that already hold
 * data, and times it until `GET /healthz` answers 200; then stops it (SIGTERM). Captions are off (the recognizer's
 * model load is not the records'); everything else is the service's default.
 */
export async function restartToServing(records: { DATABASE_URL: string } | { RECORDS_DIR: string }, recordsKey: string): Promise<Restart> {
  const started = performance.now();
  const server = await startServerProcess({ ...records, RECORDS_KEY: recordsKey, PORT: '0', HOST: '127.0.0.1', CAPTIONS: 'off', LOG_LEVEL: 'warn' }, 120_000);
  try {
    const listeningMs = performance.now() - started;
    for (;;) {
      const reply = await fetch(`${server.url}/healthz`).catch(() => undefined);
      if (reply?.ok) break;
      if (performance.now() - started > 120_000) throw new Error(`/healthz did not answer within 120 s: ${server.stderr().slice(-500)}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return { servingMs: performance.now() - started, listeningMs };
  } finally {
    await server.stop(10_000);
  }
}
