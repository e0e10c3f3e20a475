import type { types } from 'mediasoup';
import type { MediaSource } from '../../signaling/index.js';
import { chooseLayers, type LayerCandidate, type Layers } from '../layers/layerPolicy.js';

/** A consumer the controller steers, with the producer it forwards. */
interface Steered {
  consumer: types.Consumer;
  producer: types.Producer;
  transport: types.WebRtcTransport;
}

/**
 * Applies the frame-rate-first layer policy to a room's simulcast video consumers: every interval it
 * reads each receive transport's bandwidth estimate and the producers' per-layer bitrates, and sets
 * each consumer's preferred layers (mediasoup never sends above them). Cameras also get the highest
 * BWE priority, so the SFU's own allocation favours the signer over a screen share.
 */
export class LayerController {
  readonly #steered = new Map<string, Steered>();
  readonly #audioConsumers: (transportId: string) => number;
  readonly #timer: NodeJS.Timeout;
  #running = false;
  #closed = false;

  /** `audioConsumers` counts the audio consumers on a receive transport, whose bandwidth is reserved first. */
  constructor(audioConsumers: (transportId: string) => number, intervalMs = 1000) {
    this.#audioConsumers = audioConsumers;
    this.#timer = setInterval(() => void this.#tick(), intervalMs);
    this.#timer.unref();
  }

  /** Starts steering a consumer; it is forgotten when it closes. */
  async add(consumer: types.Consumer, producer: types.Producer, transport: types.WebRtcTransport): Promise<void> {
    if (this.#closed || consumer.kind !== 'video' || consumer.type !== 'simulcast') return;
    this.#steered.set(consumer.id, { consumer, producer, transport });
    consumer.observer.once('close', () => this.#steered.delete(consumer.id));
    await consumer.setPriority(sourceOf(producer) === 'camera' ? 255 : 1);
  }

  /** Stops the timer. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#steered.clear();
  }

  async #tick(): Promise<void> {
    if (this.#running || this.#closed || this.#steered.size === 0) return;
    this.#running = true;
    try {
      const byTransport = new Map<types.WebRtcTransport, Steered[]>();
      for (const steered of this.#steered.values()) {
        if (steered.consumer.closed || steered.transport.closed) continue;
        byTransport.set(steered.transport, [...(byTransport.get(steered.transport) ?? []), steered]);
      }
      for (const [transport, steered] of byTransport) await this.#steer(transport, steered);
    } catch (error) {
      // A consumer or transport closing mid-tick is normal; the next tick sees the new state.
      if (!this.#closed) console.warn(`[media] layer policy tick failed: ${(error as Error).message}`);
    } finally {
      this.#running = false;
    }
  }

  async #steer(transport: types.WebRtcTransport, steered: Steered[]): Promise<void> {
    const [transportStats] = (await transport.getStats()) as { availableOutgoingBitrate?: number }[];
    const available = transportStats?.availableOutgoingBitrate;
    if (!available) return;
    const candidates: LayerCandidate[] = [];
    for (const { consumer, producer } of steered) {
      candidates.push({
        id: consumer.id,
        content: sourceOf(producer) === 'screen' ? 'screen' : 'camera',
        bitrates: await layerBitrates(producer),
        current: consumer.preferredLayers ? { spatial: consumer.preferredLayers.spatialLayer, temporal: consumer.preferredLayers.temporalLayer ?? 0 } : undefined,
      });
    }
    for (const [id, layers] of chooseLayers(available, this.#audioConsumers(transport.id), candidates)) {
      const consumer = this.#steered.get(id)?.consumer;
      if (!consumer || consumer.closed || sameLayers(consumer.preferredLayers, layers)) continue;
      await consumer.setPreferredLayers({ spatialLayer: layers.spatial, temporalLayer: layers.temporal });
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

function sourceOf(producer: types.Producer): MediaSource {
  return (producer.appData.source as MediaSource | undefined) ?? 'camera';
}

function sameLayers(current: types.ConsumerLayers | undefined, next: Layers): boolean {
  return current?.spatialLayer === next.spatial && (current.temporalLayer ?? 0) === next.temporal;
}
