import type { types } from 'mediasoup-client';
import { ANNOTATION_CHANNEL, type Annotation } from '../../../signaling/index.js';
import { untilOpen } from './RttDataChannel.js';

/**
 * This page's annotation channel to the server, beside its T.140 channel on the same send transport: marks on a shared
 * view as JSON, one per message. What the others draw comes back on the real-time text inbox.
 */
export class AnnotationChannel {
  readonly #producer: types.DataProducer;
  #closed = false;

  private constructor(producer: types.DataProducer) {
    this.#producer = producer;
    for (const event of ['transportclose', 'close', 'error'] as const) producer.on(event, () => this.close());
  }

  /** Opens the channel; rejects when the server refuses it or it does not open in time. */
  static async open(transport: types.Transport): Promise<AnnotationChannel> {
    const producer = await transport.produceData({ ordered: true, label: ANNOTATION_CHANNEL.label, protocol: ANNOTATION_CHANNEL.protocol });
    try {
      await untilOpen(() => producer.readyState, (open, fail) => producer.on('open', open).on('error', fail));
      return new AnnotationChannel(producer);
    } catch (error) {
      producer.close();
      throw error;
    }
  }

  /** Whether marks can go out on the channel now. */
  get open(): boolean {
    return !this.#closed && this.#producer.readyState === 'open';
  }

  /** Sends a mark. */
  send(annotation: Annotation): void {
    this.#producer.send(JSON.stringify(annotation));
  }

  /** Closes the channel. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#producer.close();
  }
}
