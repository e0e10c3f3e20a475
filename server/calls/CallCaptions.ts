import type { Caption, CaptionStatus, Speaker } from '../../signaling/index.js';
import type { AudioTap, MediaRoom } from '../../media/MediaEngine.js';
import { RecognizerStatus, type RecognizerStream, type SpeechRecognizer } from '../captions/index.js';
import type { Logger } from '../logger.js';
import type { Messenger } from './CallTypes.js';

/** Least time between two partial captions of one speaker: enough to read as live, without a push per 20 ms chunk. */
export const PARTIAL_INTERVAL_MS = 150;

/** What a call's captions work with. */
export interface CallCaptionsOptions {
  sessionId: string;
  room: MediaRoom;
  recognizer: SpeechRecognizer;
  messenger: Messenger;
  log: Logger;
  now: () => number;
  /** Everyone in the call now, who sees every caption. */
  keys: () => string[];
  /** Who owns a producer, as the others see them. */
  speakerOf: (key: string) => Speaker;
  /** A final caption for the ticket's transcript. */
  record: (speaker: Speaker, text: string, at: number) => void;
}

/** One speaker's audio on its way to words. */
interface Captioned {
  speaker: Speaker;
  tap: AudioTap | undefined;
  stream: RecognizerStream;
  /** Epoch ms of the stream's first sample, so stream time becomes wall-clock time. */
  startedAt: number;
  /** The utterance being captioned now and how many came before, for caption ids. */
  utterances: number;
  lastPartialAt: number;
  pendingPartial: ReturnType<typeof setTimeout> | undefined;
  closed: boolean;
}

/**
 * Live captions of a call: each participant's microphone is tapped out of the SFU (16 kHz PCM) into a recognizer
 * stream running in a worker thread; partials and finals go to everyone in the call, and finals into the ticket's
 * transcript. Nothing here can end or slow the call: a tap or a recognizer that fails turns that speaker's captions
 * `paused` (they come back by themselves) or `off`, and is logged.
 */
export class CallCaptions {
  readonly #options: CallCaptionsOptions;
  readonly #byProducer = new Map<string, Captioned>();
  #closed = false;

  constructor(options: CallCaptionsOptions) {
    this.#options = options;
  }

  /** Starts captioning an audio producer of a participant; a producer already captioned is left as it is. */
  async add(ownerKey: string, producerId: string): Promise<void> {
    if (this.#closed || this.#byProducer.has(producerId)) return;
    const { room, recognizer, sessionId, log, now } = this.#options;
    const speaker = this.#options.speakerOf(ownerKey);
    const stream = recognizer.open({ label: `call ${sessionId} ${speaker.role}` });
    const captioned: Captioned = { speaker, tap: undefined, stream, startedAt: now(), utterances: 0, lastPartialAt: 0, pendingPartial: undefined, closed: false };
    this.#byProducer.set(producerId, captioned);
    stream.on('partial', ({ text }) => this.#partial(producerId, captioned, text));
    stream.on('final', ({ text, startMs }) => this.#final(producerId, captioned, text, startMs));
    stream.on('status', ({ status, reason }) => {
      log.warn(`captions of ${speaker.role} in call ${sessionId}: ${status} (${reason})`);
      if (status === RecognizerStatus.Lagging || status === RecognizerStatus.Paused) this.#status(captioned, 'paused');
      else if (status === RecognizerStatus.Resumed) this.#status(captioned, 'live');
      else this.#status(captioned, 'off');
    });
    stream.on('error', (error) => log.error(`captions of ${speaker.role} in call ${sessionId} stopped`, error));
    stream.once('closed', () => this.#forget(producerId, captioned));
    try {
      const tap = await room.tapAudio(producerId);
      if (captioned.closed) return tap.close();
      captioned.tap = tap;
      captioned.startedAt = now();
      tap.on('pcm', (chunk) => stream.write(chunk));
      tap.on('error', (error) => log.error(`audio tap of ${speaker.role} in call ${sessionId} failed`, error));
      // The producer went (muted for good, left, the call ended): the last utterance is finished, then the stream closes.
      tap.once('closed', () => void stream.end().catch(() => stream.close()));
      this.#status(captioned, 'live');
    } catch (error) {
      // A producer that closed meanwhile, or a room that ended: nothing to caption.
      log.warn(`no captions for ${speaker.role} in call ${sessionId}: ${(error as Error).message}`);
      stream.close();
    }
  }

  /** Stops every speaker's captions (the call ended); their last partials are dropped. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [producerId, captioned] of [...this.#byProducer]) {
      captioned.tap?.close();
      captioned.stream.close();
      this.#forget(producerId, captioned);
    }
  }

  #captionId(producerId: string, captioned: Captioned): string {
    return `${producerId.slice(0, 36)}-${captioned.utterances}`;
  }

  // The newest partial wins; one at most every PARTIAL_INTERVAL_MS per speaker, the last one always sent.
  #partial(producerId: string, captioned: Captioned, text: string): void {
    clearTimeout(captioned.pendingPartial);
    const send = () => {
      captioned.pendingPartial = undefined;
      captioned.lastPartialAt = this.#options.now();
      this.#push(producerId, captioned, text, false, captioned.lastPartialAt);
    };
    const waitMs = captioned.lastPartialAt + PARTIAL_INTERVAL_MS - this.#options.now();
    if (waitMs <= 0) send();
    else captioned.pendingPartial = setTimeout(send, waitMs);
  }

  #final(producerId: string, captioned: Captioned, text: string, startMs: number): void {
    clearTimeout(captioned.pendingPartial);
    captioned.pendingPartial = undefined;
    const at = captioned.startedAt + startMs;
    this.#push(producerId, captioned, text, true, at);
    captioned.utterances++;
    if (text.trim() !== '') this.#options.record(captioned.speaker, text.trim(), at);
  }

  #push(producerId: string, captioned: Captioned, text: string, final: boolean, at: number): void {
    if (this.#closed) return;
    const caption: Caption = { sessionId: this.#options.sessionId, captionId: this.#captionId(producerId, captioned), speaker: captioned.speaker, text, final, at };
    this.#options.messenger.push(this.#options.keys(), 'caption', caption);
  }

  #status(captioned: Captioned, state: CaptionStatus['state']): void {
    if (this.#closed) return;
    this.#options.messenger.push(this.#options.keys(), 'caption:status', { sessionId: this.#options.sessionId, speaker: captioned.speaker, state });
  }

  #forget(producerId: string, captioned: Captioned): void {
    if (captioned.closed) return;
    captioned.closed = true;
    clearTimeout(captioned.pendingPartial);
    if (this.#byProducer.get(producerId) === captioned) this.#byProducer.delete(producerId);
  }
}
