import type { types } from 'mediasoup-client';
import { RTT_INBOX_CHANNEL, T140, T140_CHANNEL, rttInboxMessageSchema, type RttInboxMessage } from '../../../signaling/index.js';
import type { SignalingClient } from '../net/SignalingClient.js';
import type { TextChannel } from './CallMedia.js';

/** How long the two channels may take to open before the page stays on the Socket.IO path. */
export const DATA_CHANNEL_OPEN_TIMEOUT_MS = 8_000;

/**
 * Real-time text over the call's data channels (RFC 8865's T.140 channel, through the SFU): this page's own T.140
 * channel on the send transport, and its inbox from the server on the receive transport. Once both are open the
 * page sends a byte order mark, which T.140 allows and ignores, to tell the server its inbox can be used.
 */
export class RttDataChannel implements TextChannel {
  readonly #producer: types.DataProducer;
  readonly #consumer: types.DataConsumer;
  #closedHandler: (() => void) | undefined;
  #closed = false;

  private constructor(producer: types.DataProducer, consumer: types.DataConsumer) {
    this.#producer = producer;
    this.#consumer = consumer;
    const lost = () => this.#lost();
    producer.on('transportclose', lost);
    producer.on('close', lost);
    producer.on('error', lost);
    consumer.on('transportclose', lost);
    consumer.on('close', lost);
    consumer.on('error', lost);
  }

  /**
   * Opens both channels; rejects after `DATA_CHANNEL_OPEN_TIMEOUT_MS` or when the server refuses either. Inbox
   * messages go to `onMessage` once validated; anything malformed is dropped with a console warning.
   */
  static async open(
    signaling: SignalingClient,
    sessionId: string,
    transports: { send: types.Transport; recv: types.Transport },
    onMessage: (message: RttInboxMessage) => void,
  ): Promise<RttDataChannel> {
    const producer = await transports.send.produceData({ ordered: true, label: T140_CHANNEL.label, protocol: T140_CHANNEL.protocol });
    let consumer: types.DataConsumer | undefined;
    try {
      const info = await signaling.request('media:consumeInbox', { sessionId, transportId: transports.recv.id });
      consumer = await transports.recv.consumeData({
        id: info.id,
        dataProducerId: info.dataProducerId,
        sctpStreamParameters: info.sctpStreamParameters,
        label: RTT_INBOX_CHANNEL.label,
        protocol: RTT_INBOX_CHANNEL.protocol,
      });
      consumer.on('message', (data: unknown) => {
        let parsed: ReturnType<typeof rttInboxMessageSchema.safeParse> | undefined;
        try {
          parsed = rttInboxMessageSchema.safeParse(typeof data === 'string' ? JSON.parse(data) : null);
        } catch {
          // Not JSON: reported below like any other malformed message.
        }
        if (parsed?.success) onMessage(parsed.data);
        else console.warn('dropped a malformed real-time text inbox message');
      });
      const opened = consumer;
      await Promise.all([
        untilOpen(() => producer.readyState, (open, fail) => producer.on('open', open).on('error', fail)),
        untilOpen(() => opened.readyState, (open, fail) => opened.on('open', open).on('error', fail)),
      ]);
      producer.send(T140.bom);
      return new RttDataChannel(producer, consumer);
    } catch (error) {
      producer.close();
      consumer?.close();
      throw error;
    }
  }

  /** Whether text can go out on the channel now. */
  get open(): boolean {
    return !this.#closed && this.#producer.readyState === 'open';
  }

  /** Sends T.140 text; throws when the channel has closed (the page falls back to Socket.IO). */
  send(chunk: string): void {
    if (!this.open) throw new Error('the real-time text data channel is closed');
    this.#producer.send(chunk);
  }

  /** Called once when the channel closes or fails after it opened. */
  onClosed(handler: () => void): void {
    this.#closedHandler = handler;
  }

  /** Closes both channels. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#producer.close();
    this.#consumer.close();
  }

  #lost(): void {
    if (this.#closed) return;
    this.close();
    this.#closedHandler?.();
  }
}

/** Resolves when a channel is open, rejects on its error or after `DATA_CHANNEL_OPEN_TIMEOUT_MS`. */
export function untilOpen(readyState: () => RTCDataChannelState, listen: (open: () => void, fail: (error: Error) => void) => void): Promise<void> {
  if (readyState() === 'open') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = window.setTimeout(() => reject(new Error('the data channel did not open in time')), DATA_CHANNEL_OPEN_TIMEOUT_MS);
    listen(
      () => {
        window.clearTimeout(timer);
        resolve();
      },
      (error) => {
        window.clearTimeout(timer);
        reject(error);
      },
    );
  });
}
