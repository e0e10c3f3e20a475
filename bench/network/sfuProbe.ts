import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import type { types } from 'mediasoup';
import { loadConfig } from '../../server/config.js';

/** What the SFU sends towards one receiver and what waits in the bottleneck, at one moment. */
export interface SfuSample {
  /** The SFU's send-side bandwidth estimate for the receiver, bit/s. */
  availableKbps: number;
  /** Everything the SFU sent on the receiver's transport (media, retransmissions, probes), kbit/s. */
  sendKbps: number;
  /** Of which retransmissions, kbit/s. */
  rtxKbps: number;
  /** Of which probation padding, kbit/s. */
  probationKbps: number;
  /** The video consumer's current spatial.temporal layer, or '-' while it sends nothing. */
  layers: string;
  /** NACKed packets the SFU did not resend because a key frame sent after them superseded them (a running count). */
  supersededNacks: number;
  /** Bytes queued in the rate cap's qdisc. */
  backlogBytes: number;
}

/**
 * Watches the in-process mediasoup workers (the bench runs the server in its own process) to read the transport
 * that sends to `remoteIp`: diagnostics that explain the receiver's figures, never a figure of the bench itself.
 */
export class SfuProbe {
  /** Each WebRTC transport with the video consumers it has opened. */
  readonly #transports = new Map<types.WebRtcTransport, Set<types.Consumer>>();
  readonly #workers = new Set<types.Worker>();
  readonly #remoteIp: string;
  readonly #device: string;

  private constructor(remoteIp: string, device: string) {
    this.#remoteIp = remoteIp;
    this.#device = device;
  }

  /** Starts watching; call before the server starts its workers. `device` carries the rate cap's qdisc. */
  static async watch(remoteIp: string, device: string): Promise<SfuProbe> {
    // mediasoup 3.8 reads the worker's path once, when the module first loads: the same path the server will use.
    process.env.MEDIASOUP_WORKER_BIN ??= loadConfig({}).MEDIASOUP_WORKER_BIN;
    const mediasoup = await import('mediasoup');
    const probe = new SfuProbe(remoteIp, device);
    mediasoup.observer.on('newworker', (worker: types.Worker) => {
      probe.#workers.add(worker);
      worker.observer.once('close', () => probe.#workers.delete(worker));
      worker.observer.on('newrouter', (router: types.Router) => {
        router.observer.on('newtransport', (transport: types.Transport) => {
          if (transport.constructor.name !== 'WebRtcTransport') return;
          const webRtc = transport as types.WebRtcTransport;
          const consumers = new Set<types.Consumer>();
          probe.#transports.set(webRtc, consumers);
          webRtc.observer.once('close', () => probe.#transports.delete(webRtc));
          webRtc.observer.on('newconsumer', (consumer: types.Consumer) => {
            if (consumer.kind !== 'video') return;
            consumers.add(consumer);
            consumer.observer.once('close', () => consumers.delete(consumer));
          });
        });
      });
    });
    return probe;
  }

  /** Reads the receiver's transport (the one with a video consumer to `remoteIp`), or null if there is none yet. */
  async sample(): Promise<SfuSample | null> {
    for (const [transport, consumers] of this.#transports) {
      if (transport.closed || transport.iceSelectedTuple?.remoteIp !== this.#remoteIp) continue;
      const [consumer] = consumers;
      if (!consumer) continue;
      const [[stats], consumerStats] = await Promise.all([
        transport.getStats() as Promise<{ availableOutgoingBitrate?: number; sendBitrate?: number; rtxSendBitrate?: number; probationSendBitrate?: number }[]>,
        consumer.getStats() as Promise<{ type: string; supersededNackCount?: number }[]>,
      ]);
      const current = consumer.currentLayers;
      return {
        availableKbps: Math.round((stats?.availableOutgoingBitrate ?? 0) / 1000),
        sendKbps: Math.round((stats?.sendBitrate ?? 0) / 1000),
        rtxKbps: Math.round((stats?.rtxSendBitrate ?? 0) / 1000),
        probationKbps: Math.round((stats?.probationSendBitrate ?? 0) / 1000),
        supersededNacks: consumerStats.find((entry) => entry.type === 'outbound-rtp')?.supersededNackCount ?? 0,
        layers: current ? `${current.spatialLayer}.${current.temporalLayer ?? 0}` : '-',
        backlogBytes: this.#backlog(),
      };
    }
    return null;
  }

  /** The executables of the running workers, from /proc: what the SFU under test really is. */
  workerBinaries(): string[] {
    return [...this.#workers].map((worker) => readlinkSync(`/proc/${worker.pid}/exe`));
  }

  #backlog(): number {
    try {
      const out = execFileSync('tc', ['-s', 'qdisc', 'show', 'dev', this.#device], { encoding: 'utf8' });
      return Number(/backlog (\d+)b/.exec(out)?.[1] ?? 0);
    } catch {
      return 0;
    }
  }
}
