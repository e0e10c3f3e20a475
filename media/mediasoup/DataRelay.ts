import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { AppError, RTT_INBOX_CHANNEL } from '../../signaling/index.js';

/** SCTP payload protocol identifiers of WebRTC data channels (RFC 8831): a text message, and an empty one. */
const PPID_STRING = 51;
const PPID_STRING_EMPTY = 57;

/** What the relay tells the room. */
export interface DataRelayEvents {
  /** A participant's channel brought a text message (binary messages are refused before this). */
  message: [ownerId: string, label: string, text: string];
  /** A participant's channel brought something that is not text; nothing of it went anywhere. */
  refused: [ownerId: string, label: string, reason: string];
}

/**
 * The server's side of a room's data channels. mediasoup's channels go one way, and the server must see every
 * message (to check it, record it and keep a stranger out), so nothing goes from one browser's channel straight to
 * another's: each participant's channel is consumed here on a DirectTransport, and each participant gets an inbox,
 * a DataProducer on that DirectTransport that only they consume.
 */
export class DataRelay extends EventEmitter<DataRelayEvents> {
  readonly #router: types.Router;
  #direct: Promise<types.DirectTransport> | undefined;
  readonly #inboxes = new Map<string, types.DataProducer>();
  /** Inboxes whose consumer is open and was confirmed by its participant, so a message sent now arrives. */
  readonly #ready = new Set<string>();
  #closed = false;

  constructor(router: types.Router) {
    super();
    this.#router = router;
  }

  /** Reads a participant's data producer from now on; the reading stops when it closes. */
  async read(ownerId: string, dataProducer: types.DataProducer): Promise<void> {
    const direct = await this.#transport();
    const reader = await direct.consumeData({ dataProducerId: dataProducer.id });
    if (this.#closed) return reader.close();
    const label = dataProducer.label;
    reader.on('message', (message: Buffer, ppid: number) => {
      if (ppid === PPID_STRING) this.emit('message', ownerId, label, message.toString('utf8'));
      else if (ppid !== PPID_STRING_EMPTY) this.emit('refused', ownerId, label, 'data channel messages must be text');
    });
  }

  /**
   * The DataProducer a participant's inbox consumer is made from (created on first use, one per participant). The
   * inbox counts as ready only once the participant confirms it with `confirm`, since its first messages could
   * otherwise leave before the browser's SCTP stream is open.
   */
  async inbox(participantId: string): Promise<types.DataProducer> {
    let inbox = this.#inboxes.get(participantId);
    if (!inbox) {
      const direct = await this.#transport();
      inbox = this.#inboxes.get(participantId);
      if (!inbox) {
        inbox = await direct.produceData({ label: RTT_INBOX_CHANNEL.label, protocol: RTT_INBOX_CHANNEL.protocol });
        if (this.#closed) {
          inbox.close();
          throw AppError.invalidState('the call has ended');
        }
        this.#inboxes.set(participantId, inbox);
      }
    }
    return inbox;
  }

  /** The participant's inbox consumer is open (it said so on its own channel); or, with `false`, it closed. */
  confirm(participantId: string, open: boolean): void {
    if (open && this.#inboxes.has(participantId)) this.#ready.add(participantId);
    else this.#ready.delete(participantId);
  }

  /** Sends a text message to a participant's inbox; false when they have no open inbox (use another path). */
  send(participantId: string, text: string): boolean {
    const inbox = this.#inboxes.get(participantId);
    if (!inbox || inbox.closed || !this.#ready.has(participantId)) return false;
    inbox.send(text, PPID_STRING);
    return true;
  }

  /** Forgets a participant's inbox (they left, or their receive transport closed). */
  drop(participantId: string): void {
    this.#ready.delete(participantId);
    this.#inboxes.get(participantId)?.close();
    this.#inboxes.delete(participantId);
  }

  /** Closes the DirectTransport and every inbox. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ready.clear();
    this.#inboxes.clear();
    void this.#direct?.then((direct) => direct.close()).catch(() => undefined);
    this.removeAllListeners();
  }

  #transport(): Promise<types.DirectTransport> {
    if (this.#closed) return Promise.reject(AppError.invalidState('the call has ended'));
    this.#direct ??= this.#router.createDirectTransport();
    return this.#direct;
  }
}
