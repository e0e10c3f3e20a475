import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LiveKitKeys } from '../../media/livekit/livekitAccess.js';
import { freePort } from './freePort.js';

/** Where setup's scripts/build-livekit-server.sh leaves the server. */
export const LIVEKIT_SERVER_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../.cache/livekit/livekit-server-1.13.5');

/** Why the LiveKit tests cannot run here, or undefined when they can. */
export function livekitUnavailable(): string | undefined {
  return existsSync(LIVEKIT_SERVER_BIN) ? undefined : `no LiveKit server at ${LIVEKIT_SERVER_BIN}: setup builds it when Go is installed`;
}

/**
 * The product's congestion control on LiveKit, under `rtc:` (docker-compose.yml sets the same): LiveKit's send-side
 * bandwidth estimate from transport-wide feedback instead of its default, the receiver's REMB. bench:network on
 * LiveKit measured it: at a 0.3 Mbit/s downlink the customer's frame rate p50 went from 11.8 to 26.6 fps (one run
 * each, product publishing), the REMB estimate stalling the stream for seconds at a time.
 */
export const PRODUCT_CONGESTION_CONTROL = ['  congestion_control:', '    enabled: true', '    use_send_side_bwe: true'];

/** The variables that point a server node at `livekit` (what `npm run cluster`, the tests and the benches set). */
export function liveKitServerEnv(livekit: LiveKitProcess): { MEDIA_ENGINE: 'livekit'; LIVEKIT_URL: string; LIVEKIT_API_URL: string; LIVEKIT_API_KEY: string; LIVEKIT_API_SECRET: string } {
  return { MEDIA_ENGINE: 'livekit', LIVEKIT_URL: livekit.wsUrl, LIVEKIT_API_URL: livekit.httpUrl, LIVEKIT_API_KEY: livekit.apiKey, LIVEKIT_API_SECRET: livekit.apiSecret };
}

/** A real LiveKit server (the one setup built) on free loopback ports, with its own keys. */
export interface LiveKitProcess extends LiveKitKeys {
  /** The signalling address clients connect to, `ws://127.0.0.1:<port>`. */
  wsUrl: string;
  /** The same server for the server SDK's REST calls, `http://127.0.0.1:<port>`. */
  httpUrl: string;
  /** The server's process id (benchmarks read its CPU time). */
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts livekit-server on loopback, or on `host` (HTTP and signalling, RTC over one TCP and one UDP port), posting
 * its webhooks to `webhookUrl` when given, and resolves once it answers; retries when another process took a port
 * first. Without `redisAddress` it is a single node; with it (`host:port`), further LiveKit nodes may join through that
 * Redis, as in docker-compose.yml. `congestion` `livekit-default` leaves out the product's congestion control
 * (bench:network's default variant).
 */
export async function startLiveKit(options: { webhookUrl?: string; redisAddress?: string; host?: string; congestion?: 'product' | 'livekit-default' } = {}, attempts = 3): Promise<LiveKitProcess> {
  const host = options.host ?? '127.0.0.1';
  for (let attempt = 1; ; attempt++) {
    const [port, tcpPort, udpPort] = [await freePort(), await freePort(), await freePort()];
    const keys: LiveKitKeys = { apiKey: `test-${randomBytes(4).toString('hex')}`, apiSecret: randomBytes(24).toString('hex') };
    const config = [
      `port: ${port}`,
      `bind_addresses: ["${host}"]`,
      'rtc:',
      `  tcp_port: ${tcpPort}`,
      `  udp_port: ${udpPort}`,
      `  node_ip: ${host}`,
      '  use_external_ip: false',
      // On an address of its own (a network lab's), only that address: with a socket on every interface, LiveKit's
      // UDP mux was seen to send connectivity checks from another interface's address, which a client in a network
      // namespace cannot answer (ICE failed in 5 of 6 calls; with this, 5 of 5 connected).
      ...(options.host ? ['  ips:', '    includes:', `      - ${host}/32`] : []),
      ...(options.congestion === 'livekit-default' ? [] : PRODUCT_CONGESTION_CONTROL),
      'keys:',
      `  ${keys.apiKey}: ${keys.apiSecret}`,
      'logging:',
      '  level: warn',
      ...(options.redisAddress ? ['redis:', `  address: ${options.redisAddress}`] : []),
      // The server signs each webhook with this key and posts it as application/webhook+json.
      ...(options.webhookUrl ? ['webhook:', `  api_key: ${keys.apiKey}`, '  urls:', `    - ${options.webhookUrl}`] : []),
    ].join('\n');
    const child = spawn(LIVEKIT_SERVER_BIN, [], { env: { ...process.env, LIVEKIT_CONFIG: config }, stdio: ['ignore', 'pipe', 'pipe'] });
    const httpUrl = `http://${host}:${port}`;
    try {
      await ready(child, httpUrl);
      return {
        ...keys,
        wsUrl: `ws://${host}:${port}`,
        httpUrl,
        pid: child.pid!,
        stop: () =>
          new Promise((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    } catch (error) {
      child.kill('SIGKILL');
      if (attempt >= attempts) throw error;
    }
  }
}

/** Resolves once GET / answers (LiveKit says OK when it serves), rejects when the process exits or 20 s pass. */
function ready(child: ChildProcess, httpUrl: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-2000);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.once('error', (error) => finish(new Error(`cannot start livekit-server: ${error.message}`)));
    child.once('exit', (code, signal) => finish(new Error(`livekit-server exited with ${code ?? signal}: ${output.slice(-800)}`)));
    const timer = setTimeout(() => finish(new Error(`livekit-server did not answer at ${httpUrl} within 20 s: ${output.slice(-800)}`)), 20_000);
    const poll = () => {
      if (done) return;
      fetch(httpUrl).then(
        (response) => (response.ok ? finish() : setTimeout(poll, 100)),
        () => setTimeout(poll, 100),
      );
    };
    poll();
  });
}
