/** A partial or final hypothesis, positions in samples of stream audio. */
export type EngineEvent = { type: 'partial' | 'final'; text: string; start: number; end: number };

/**
 * A speech engine as a recognition worker drives it: audio in, partial and final hypotheses out, every call
 * synchronous. Each engine cuts utterances with its own voice activity detection.
 */
export interface UtteranceEngine {
  /** Decodes audio whose first sample is sample `at` of the stream. */
  write(pcm: Int16Array, at: number): EngineEvent[];
  /** Audio stops or skips ahead at sample `at`: finishes the open utterance, if any. */
  flush(at: number): EngineEvent[];
  /** Frees the model; idempotent. */
  free(): void;
}
