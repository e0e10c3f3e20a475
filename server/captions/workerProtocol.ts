import type { EngineSpec } from './createEngine.js';
import type { EngineEvent } from './UtteranceEngine.js';

/** What a recognition worker starts with. */
export interface WorkerData {
  engine: EngineSpec;
  /** One Int32 on shared memory, set to 1 when the stream closes, so queued audio is skipped instead of decoded. */
  stop: Int32Array;
}

/** What a stream tells its recognition worker. Positions are sample indexes of the stream's audio. */
export type ToWorker =
  | { type: 'audio'; pcm: Int16Array; at: number }
  /** Audio was dropped before `at`: the open utterance ends. */
  | { type: 'gap'; at: number }
  /** No more audio: finish the open utterance, then say `flushed`. */
  | { type: 'flush' }
  /** Free the engine and exit (terminating a worker instead would leak its native model). */
  | { type: 'close' };

/** What a recognition worker tells its stream. */
export type FromWorker =
  | { type: 'ready' }
  /** Samples this worker has decoded in all, so the stream knows its backlog. */
  | { type: 'progress'; done: number }
  | EngineEvent
  | { type: 'flushed' }
  /** The engine could not start; the worker then stops. */
  | { type: 'failed'; message: string };
