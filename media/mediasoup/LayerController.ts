import type { types } from 'mediasoup';
import { isSharedView, type MediaSource } from '../../signaling/index.js';
import { chooseLayers, isCut, settledBandwidth, type EstimateEntry, type LayerCandidate, type Layers } from '../layers/layerPolicy.js';

/** A consumer the controller steers, with the producer it forwards. */
interface Steered {
  consumer: types.Consumer;
  producer: types.Producer;
  transport: types.WebRtcTransport;
}

/**
 * Applies the frame-rate-first layer policy to a room's simulcast video consumers: every interval it
 * reads each receive transport's bandwidth estimate and the producers' per-layer bitrates, and pins each
 * consumer's spatial layer to the policy's choice at the top temporal layer (mediasoup never sends above
 * it, and drops temporal layers itself only when its estimate cannot carry full rate). When a link is
 * plainly overrun, the estimate is already what got through: the worker's estimator backs off to that
 * (scripts/mediasoup-worker-patches/07-back-off-to-what-got-through.patch).
 * Cameras also get the highest BWE priority, so the SFU's own allocation favours the signer.
 * A sharp fall of a transport's estimate does not wait for the interval: the worker reports it at once (its
 * 'bwe' trace), and every tick until then is a tick with the queue at the cap filling.
 */
export class LayerController {
  readonly #steered = new Map<string, Steered>();
  /** Each receive transport's recent estimates, oldest first (see settledBandwidth). */
  readonly #estimates = new Map<string, EstimateEntry[]>();
  readonly #audioConsumers: (transportId: string) => number;
  readonly #timer: NodeJS.Timeout;
  /** Receive transports whose estimate reports are watched. */
  readonly #watched = new WeakSet<types.WebRtcTransport>();
  #running = false;
  /** A tick was asked for while one ran: run another right after it. */
  #again = false;
  #closed = false;

  /** `audioConsumers` counts the audio consumers on a receive transport, whose bandwidth is reserved first. */
  constructor(audioConsumers: (transportId: string) => number, intervalMs = 500) {
    this.#audioConsumers = audioConsumers;
    this.#timer = setInterval(() => this.#requestTick(), intervalMs);
    this.#timer.unref();
  }

  /** Starts steering a consumer; it is forgotten when it closes. */
  async add(consumer: types.Consumer, producer: types.Producer, transport: types.WebRtcTransport): Promise<void> {
    if (this.#closed || consumer.kind !== 'video' || consumer.type !== 'simulcast') return;
    this.#steered.set(consumer.id, { consumer, producer, transport });
    consumer.observer.once('close', () => this.#steered.delete(consumer.id));
    if (!this.#watched.has(transport)) {
      this.#watched.add(transport);
      transport.observer.once('close', () => this.#estimates.delete(transport.id));
      transport.on('trace', (trace) => {
        if (trace.type === 'bwe' && this.#isSharpFall(transport.id, (trace.info as { availableBitrate?: number }).availableBitrate)) this.#requestTick();
      });
      await transport.enableTraceEvent(['bwe']);
    }
    await consumer.setPriority(sourceOf(producer) === 'camera' ? 255 : 1);
  }

  /** Stops the timer. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#steered.clear();
  }

  /** Whether an estimate the worker just reported is a cut from the one the last tick read (see settledBandwidth). */
  #isSharpFall(transportId: string, estimate: number | undefined): boolean {
    const last = this.#estimates.get(transportId)?.at(-1);
    return estimate !== undefined && last !== undefined && isCut(last.bitrate, estimate);
  }

  #requestTick(): void {
    if (this.#running) this.#again = true;
    else void this.#tick();
  }

  /** One pass over every steered consumer; only #requestTick starts it, so passes never overlap. */
  async #tick(): Promise<void> {
    if (this.#closed || this.#steered.size === 0) return;
    this.#running = true;
    this.#again = false;
    try {
      const byTransport = new Map<types.WebRtcTransport, Steered[]>();
      for (const steered of this.#steered.values()) {
        if (steered.consumer.closed || steered.transport.closed) continue;
        byTransport.set(steered.transport, [...(byTransport.get(steered.transport) ?? []), steered]);
      }
      // A producer forwarded to several participants is read once a tick.
      const bitrates = new Map<string, Promise<number[][]>>();
      const bitratesOf = (producer: types.Producer) => {
        if (!bitrates.has(producer.id)) bitrates.set(producer.id, layerBitrates(producer));
        return bitrates.get(producer.id)!;
      };
      for (const [transport, steered] of byTransport) await this.#steer(transport, steered, bitratesOf);
    } catch (error) {
      // A consumer or transport closing mid-tick is normal; the next tick sees the new state.
      if (!this.#closed) console.warn(`[media] layer policy tick failed: ${(error as Error).message}`);
    } finally {
      this.#running = false;
      if (this.#again) this.#requestTick();
    }
  }

  async #steer(transport: types.WebRtcTransport, steered: Steered[], bitratesOf: (producer: types.Producer) => Promise<number[][]>): Promise<void> {
    const [transportStats] = (await transport.getStats()) as { availableOutgoingBitrate?: number }[];
    const estimate = transportStats?.availableOutgoingBitrate;
    if (!estimate) return;
    const now = Date.now();
    // A drop counts at once, a rise only once it has held, so the layers do not swing back into a link they overran.
    const { bitrate: available, keep } = settledBandwidth([...(this.#estimates.get(transport.id) ?? []), { at: now, bitrate: estimate }], now);
    this.#estimates.set(transport.id, keep);
    const candidates = new Map<string, LayerCandidate>();
    for (const { consumer, producer } of steered) {
      candidates.set(consumer.id, {
        id: consumer.id,
        content: isSharedView(sourceOf(producer)) ? 'screen' : 'camera',
        bitrates: await bitratesOf(producer),
        current: consumer.preferredLayers ? { spatial: consumer.preferredLayers.spatialLayer, temporal: consumer.preferredLayers.temporalLayer ?? 0 } : undefined,
      });
    }
    for (const [id, layers] of chooseLayers(available, this.#audioConsumers(transport.id), [...candidates.values()])) {
      const steered = this.#steered.get(id);
      if (!steered || steered.consumer.closed) continue;
      // The spatial layer is pinned; the temporal layer is left at the top, and the SFU lowers it below that only
      // when its own estimate cannot carry it. Pinning a lower temporal layer would also lower what the SFU wants
      // to send, so it would stop probing for more and the estimate would never recover.
      const target = { spatial: layers.spatial, temporal: topTemporal(candidates.get(id)!, layers.spatial) };
      if (sameLayers(steered.consumer.preferredLayers, target)) continue;
      await steered.consumer.setPreferredLayers({ spatialLayer: target.spatial, temporalLayer: target.temporal });
    }
  }
}

/** `bitrates[s][t]` of a simulcast producer: encoding s received up to temporal layer t, from the worker's counters. */
async function layerBitrates(producer: types.Producer): Promise<number[][]> {
  const encodings = producer.rtpParameters.encodings ?? [];
  const stats = (await producer.getStats()) as { rid?: string; ssrc: number; bitrateByLayer?: Record<string, number> }[];
  return encodings.map((encoding) => {
    const stream = stats.find((s) => (encoding.rid !== undefined ? s.rid === encoding.rid : s.ssrc === encoding.ssrc));
    const byLayer = stream?.bitrateByLayer ?? {};
    const temporal: number[] = [];
    for (const [key, bitrate] of Object.entries(byLayer)) {
      const [, t] = key.split('.').map(Number);
      if (t !== undefined) temporal[t] = bitrate;
    }
    return Array.from(temporal, (bitrate) => bitrate ?? 0);
  });
}

function topTemporal(candidate: LayerCandidate, spatial: number): number {
  return Math.max(0, (candidate.bitrates[spatial]?.length ?? 1) - 1);
}

/** What a producer carries, as its participant said when producing it; adopted and plain producers are cameras. */
export function sourceOf(producer: types.Producer): MediaSource {
  return (producer.appData.source as MediaSource | undefined) ?? 'camera';
}

function sameLayers(current: types.ConsumerLayers | undefined, next: Layers): boolean {
  return current?.spatialLayer === next.spatial && (current.temporalLayer ?? 0) === next.temporal;
}
