import type { EventEmitter } from 'node:events';

/** Sample rate every recognizer takes: 16 kHz mono signed 16-bit, the audio tap's format. */
export const RECOGNIZER_SAMPLE_RATE = 16_000;

/** The speech engines there are. */
export type RecognizerKind = 'pocketsphinx' | 'sherpa-onnx';

/** Words heard so far in an utterance that is still going on; later partials of the same utterance replace it. */
export interface PartialCaption {
  text: string;
  /** Start of the utterance, in ms of stream audio (counted from the stream's first sample, dropped audio included). */
  startMs: number;
  /** How far into the stream the audio behind this text goes. */
  endMs: number;
}

/**
 * The words of an utterance that ended. Every utterance that had a partial ends with a final, whose text may be
 * empty (what looked like speech was not words): drop the partial then and record nothing.
 */
export interface FinalCaption {
  text: string;
  startMs: number;
  /** End of the utterance's speech, in ms of stream audio. */
  endMs: number;
}

/** What a stream says about itself when recognition stops keeping up or stops working. */
export enum RecognizerStatus {
  /** Recognition fell too far behind; audio is being dropped until it catches up. */
  Lagging = 'lagging',
  /** The recognition worker stopped; a new one is starting and audio waits for it. */
  Paused = 'paused',
  /** Recognition is keeping up again after `lagging` or `paused`. */
  Resumed = 'resumed',
  /** The worker kept failing; the stream gave up and closes. An `error` event carries the cause. */
  Failed = 'failed',
}

/** Where a stream is in its life. */
export enum RecognizerState {
  /** The worker is loading the model; audio written now is queued. */
  Starting = 'starting',
  Running = 'running',
  Lagging = 'lagging',
  Paused = 'paused',
  /** `end()` was called: the last utterance is being finished; writes are ignored. */
  Ending = 'ending',
  Closed = 'closed',
}

/** A status change and why. */
export interface RecognizerStatusEvent {
  status: RecognizerStatus;
  /** One line for the log, e.g. "worker exited with code 1" or "2000 ms of audio waiting". */
  reason: string;
}

/** Events of a recognizer stream. */
export interface RecognizerStreamEvents {
  partial: [caption: PartialCaption];
  final: [caption: FinalCaption];
  status: [event: RecognizerStatusEvent];
  /** Something went wrong that the stream could not hide (it gave up: `status` `failed` came first). Emitted only when listened to. */
  error: [error: Error];
  /** The stream closed; emitted last, once. */
  closed: [];
}

/** How a stream handles falling behind. */
export interface RecognizerStreamOptions {
  /** Audio waiting for the worker beyond which new audio is dropped (and `lagging` emitted); 2000 ms by default. */
  maxBacklogMs?: number;
  /** Backlog under which a lagging stream takes audio again (and emits `resumed`); 500 ms by default. */
  resumeBacklogMs?: number;
  /** For log lines and errors, e.g. "call 42 customer". */
  label?: string;
}

/**
 * One speaker's audio turned into captions. `write` never blocks and never throws for recognition trouble:
 * recognition runs in a worker thread, and what goes wrong there comes back as `status` events.
 */
export interface RecognizerStream extends EventEmitter<RecognizerStreamEvents> {
  /** Where the stream is in its life. */
  readonly state: RecognizerState;
  /** True once closed. */
  readonly closed: boolean;
  /** Ms of audio written so far (the stream's audio clock), dropped audio included. */
  readonly writtenMs: number;
  /** Feeds 16 kHz mono audio, any length (the audio tap sends 20 ms); the samples are copied. */
  write(pcm: Int16Array): void;
  /** No more audio: finishes the last utterance (its `final` comes first), then closes. */
  end(): Promise<void>;
  /** Stops at once, dropping any audio not recognized yet; idempotent, emits `closed` last. */
  close(): void;
}

/** A speech engine with its model loaded and checked: opens one stream per speaker. */
export interface SpeechRecognizer {
  readonly kind: RecognizerKind;
  /** Samples per second `write` expects: always `RECOGNIZER_SAMPLE_RATE`. */
  readonly sampleRate: number;
  /** One line naming the engine and its model, for the start-up log. */
  readonly description: string;
  /** True once closed. */
  readonly closed: boolean;
  /** Starts recognizing one speaker's audio in a new worker thread. Throws once the recognizer is closed. */
  open(options?: RecognizerStreamOptions): RecognizerStream;
  /** Closes every open stream; idempotent. */
  close(): void;
}
