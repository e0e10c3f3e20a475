import { EventEmitter } from 'node:events';
import type { Worker } from 'node:worker_threads';
import type { EngineSpec } from './createEngine.js';
import {
  RECOGNIZER_SAMPLE_RATE,
  RecognizerState,
  RecognizerStatus,
  type RecognizerStream,
  type RecognizerStreamEvents,
  type RecognizerStreamOptions,
} from './SpeechRecognizer.js';
import { startWorker } from './typescriptEntry.js';
import type { FromWorker, ToWorker, WorkerData } from './workerProtocol.js';

const WORKER_ENTRY = new URL('./recognizerWorker.ts', import.meta.url);
/** Worker failures tolerated within `RESTART_WINDOW_MS`; one more and the stream gives up. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;
/** How long `end()` waits for the last utterance before closing anyway. */
const END_TIMEOUT_MS = 15_000;
/** How long a closing worker may take to free its model and exit before it is terminated. */
const CLOSE_GRACE_MS = 5_000;

const samplesToMs = (samples: number): number => Math.round((samples * 1000) / RECOGNIZER_SAMPLE_RATE);

/**
 * A recognizer stream whose engine runs in its own worker thread, so decoding never holds up the event loop.
 *
 * Backlog: the stream counts samples posted to the worker and samples the worker reports decoded. When audio waiting
 * would pass `maxBacklogMs`, new audio is dropped (status `lagging`) until the backlog is under `resumeBacklogMs`;
 * the worker is then told of the gap, which ends the open utterance, and `resumed` follows. Timestamps stay on the
 * stream's audio clock, dropped audio included.
 *
 * Worker failure (an exception, an exit, or `terminate()`): a partial left open is made final as it stood, status
 * `paused`, and a new worker starts at once; audio written meanwhile waits for it (within the same backlog bound)
 * and `resumed` follows when it is ready. More than `MAX_RESTARTS` failures within a minute mean the engine cannot
 * run: status `failed`, an `error` event if anyone listens, and the stream closes. Nothing is ever thrown at the
 * writer. (A crash inside native code would take the whole process, not only the worker: the recognizer's start-up
 * check loads each model once in a child process to rule out a model that does that.)
 */
export class WorkerRecognizerStream extends EventEmitter<RecognizerStreamEvents> implements RecognizerStream {
  readonly #engine: EngineSpec;
  readonly #label: string;
  readonly #maxBacklog: number;
  readonly #resumeBacklog: number;
  readonly #onClosed: () => void;
  readonly #stop = new Int32Array(new SharedArrayBuffer(4));
  #worker: Worker | undefined;
  #ready = false;
  #restarted = false;
  #closed = false;
  #ending: Promise<void> | undefined;
  #endTimer: NodeJS.Timeout | undefined;
  #resolveEnd: (() => void) | undefined;
  /** Samples written by the caller: the audio clock. */
  #written = 0;
  /** Samples posted to, and decoded by, the current worker. */
  #posted = 0;
  #decoded = 0;
  #dropping = false;
  #dropped = 0;
  /** The last partial of the utterance in progress, to make final if its worker dies. */
  #open: { text: string; start: number; end: number } | undefined;
  #failures: number[] = [];
  #lastFailure = '';

  /** Use `SpeechRecognizer.open`; `onClosed` lets the recognizer forget the stream. */
  constructor(engine: EngineSpec, options: RecognizerStreamOptions, onClosed: () => void) {
    super();
    const maxBacklogMs = options.maxBacklogMs ?? 2000;
    const resumeBacklogMs = options.resumeBacklogMs ?? Math.min(500, maxBacklogMs / 2);
    if (!(maxBacklogMs > 0)) throw new TypeError('maxBacklogMs must be above 0');
    if (!(resumeBacklogMs >= 0 && resumeBacklogMs < maxBacklogMs)) throw new TypeError('resumeBacklogMs must be at least 0 and below maxBacklogMs');
    this.#engine = engine;
    this.#label = options.label ?? engine.kind;
    this.#maxBacklog = (maxBacklogMs * RECOGNIZER_SAMPLE_RATE) / 1000;
    this.#resumeBacklog = (resumeBacklogMs * RECOGNIZER_SAMPLE_RATE) / 1000;
    this.#onClosed = onClosed;
    this.#startWorker();
  }

  get state(): RecognizerState {
    if (this.#closed) return RecognizerState.Closed;
    if (this.#ending) return RecognizerState.Ending;
    if (this.#dropping) return RecognizerState.Lagging;
    if (!this.#ready) return this.#restarted ? RecognizerState.Paused : RecognizerState.Starting;
    return RecognizerState.Running;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get writtenMs(): number {
    return samplesToMs(this.#written);
  }

  write(pcm: Int16Array): void {
    if (!(pcm instanceof Int16Array)) throw new TypeError('pcm must be an Int16Array of 16 kHz mono samples');
    if (this.#closed || this.#ending || pcm.length === 0) return;
    const at = this.#written;
    this.#written += pcm.length;
    if (!this.#dropping && this.#posted - this.#decoded + pcm.length > this.#maxBacklog) {
      this.#dropping = true;
      this.#dropped = 0;
      this.#emitStatus(RecognizerStatus.Lagging, `${samplesToMs(this.#posted - this.#decoded)} ms of audio waiting; dropping audio`);
    }
    if (this.#dropping) {
      this.#dropped += pcm.length;
      return;
    }
    // A copy: the caller may reuse its buffer, and the copy's memory moves to the worker instead of being cloned.
    const copy = pcm.slice();
    this.#post({ type: 'audio', pcm: copy, at }, [copy.buffer]);
    this.#posted += pcm.length;
  }

  end(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#ending) return this.#ending;
    this.#ending = new Promise<void>((resolve) => {
      this.#resolveEnd = resolve;
    });
    if (!this.#worker) this.close();
    else {
      this.#post({ type: 'flush' });
      this.#endTimer = setTimeout(() => this.close(), END_TIMEOUT_MS);
    }
    return this.#ending;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#endTimer);
    this.#stopWorker();
    this.#resolveEnd?.();
    this.#onClosed();
    this.emit('closed');
  }

  /** Test hook: stops the worker as a crash would (`worker.terminate()`), to watch the stream recover. */
  async crashWorkerForTest(): Promise<void> {
    await this.#worker?.terminate();
  }

  #startWorker(): void {
    const data: WorkerData = { engine: this.#engine, stop: this.#stop };
    const worker = startWorker(WORKER_ENTRY, { workerData: data, name: `captions ${this.#label}` });
    this.#worker = worker;
    this.#ready = false;
    this.#posted = 0;
    this.#decoded = 0;
    this.#dropping = false;
    worker.on('message', (message: FromWorker) => {
      if (worker === this.#worker) this.#receive(message);
    });
    worker.on('error', (error) => this.#workerStopped(worker, error.message));
    worker.on('exit', (code) => this.#workerStopped(worker, `exited with code ${code}`));
  }

  #stopWorker(): void {
    const worker = this.#worker;
    this.#worker = undefined;
    if (!worker) return;
    Atomics.store(this.#stop, 0, 1);
    worker.postMessage({ type: 'close' } satisfies ToWorker);
    const kill = setTimeout(() => void worker.terminate(), CLOSE_GRACE_MS);
    kill.unref();
    worker.once('exit', () => clearTimeout(kill));
  }

  #post(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.#worker?.postMessage(message, transfer);
  }

  #receive(message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        this.#ready = true;
        if (this.#restarted && !this.#ending) this.#emitStatus(RecognizerStatus.Resumed, 'recognition worker restarted');
        break;
      case 'progress':
        this.#decoded = message.done;
        if (this.#dropping && this.#posted - this.#decoded <= this.#resumeBacklog) {
          this.#dropping = false;
          this.#post({ type: 'gap', at: this.#written });
          this.#emitStatus(RecognizerStatus.Resumed, `caught up after dropping ${samplesToMs(this.#dropped)} ms of audio`);
        }
        break;
      case 'partial':
        this.#open = { text: message.text, start: message.start, end: message.end };
        this.emit('partial', { text: message.text, startMs: samplesToMs(message.start), endMs: samplesToMs(message.end) });
        break;
      case 'final':
        this.#open = undefined;
        this.emit('final', { text: message.text, startMs: samplesToMs(message.start), endMs: samplesToMs(message.end) });
        break;
      case 'flushed':
        this.close();
        break;
      case 'failed':
        this.#lastFailure = message.message;
        break;
    }
  }

  #workerStopped(worker: Worker, reason: string): void {
    if (worker !== this.#worker) return;
    this.#worker = undefined;
    const cause = this.#lastFailure || reason;
    this.#lastFailure = '';
    if (this.#open) {
      const { text, start, end } = this.#open;
      this.#open = undefined;
      this.emit('final', { text, startMs: samplesToMs(start), endMs: samplesToMs(end) });
    }
    if (this.#ending) {
      this.close();
      return;
    }
    const now = Date.now();
    this.#failures = [...this.#failures.filter((at) => now - at < RESTART_WINDOW_MS), now];
    if (this.#failures.length > MAX_RESTARTS) {
      this.#emitStatus(RecognizerStatus.Failed, `recognition worker failed ${this.#failures.length} times in a minute: ${cause}`);
      if (this.listenerCount('error') > 0) this.emit('error', new Error(`captions for ${this.#label} stopped: ${cause}`));
      this.close();
      return;
    }
    this.#restarted = true;
    this.#emitStatus(RecognizerStatus.Paused, `recognition worker stopped (${cause}); restarting`);
    this.#startWorker();
  }

  #emitStatus(status: RecognizerStatus, reason: string): void {
    this.emit('status', { status, reason });
  }
}
