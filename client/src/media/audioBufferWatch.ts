/**
 * Watches one received audio track for a jitter buffer that stays large after the network has calmed down.
 *
 * Why: when a link is overrun for a second or two (a sudden drop in capacity), audio waits in the queue at the
 * bottleneck for up to several hundred ms. The browser's audio buffer (WebRTC's NetEq) grows to ride that out and then
 * keeps its target for tens of seconds, long after the queue has drained. Lip sync holds the video back by the same
 * amount, so the signer's picture arrives 300 ms late for half a minute. A new receiver starts with a fresh buffer, so
 * the call restarts the track's reception (a new consumer) once the buffer has stayed high for a while with calm
 * arrivals; the cost is a gap of about a tenth of a second in the audio. It acts at most once per cooldown, because
 * on a link with recurring delay spikes the large buffer is what keeps the audio whole.
 */

/** One reading of a received audio track's cumulative W3C `inbound-rtp` counters. */
export interface AudioReading {
  /** When it was read, ms. */
  at: number;
  /** Seconds, summed over the samples the jitter buffer emitted. */
  jitterBufferDelay: number;
  jitterBufferEmittedCount: number;
  /** RFC 3550 interarrival jitter, seconds. */
  jitter: number;
}

export interface AudioBufferWatchOptions {
  /** A buffer at least this large, ms, is "high". */
  highMs: number;
  /** Arrivals are "calm" while the interarrival jitter stays at most this, ms. */
  calmJitterMs: number;
  /** How long the buffer must stay high with calm arrivals before a restart, ms. */
  holdMs: number;
  /** Least time between two restarts, ms. */
  cooldownMs: number;
}

export const AUDIO_BUFFER_WATCH_DEFAULTS: AudioBufferWatchOptions = { highMs: 200, calmJitterMs: 30, holdMs: 3_000, cooldownMs: 30_000 };

export class AudioBufferWatch {
  readonly #options: AudioBufferWatchOptions;
  #last: AudioReading | null = null;
  /** Start of the current run of high buffer with calm arrivals, or null. */
  #highSince: number | null = null;
  #restartedAt = -Infinity;

  constructor(options: AudioBufferWatchOptions = AUDIO_BUFFER_WATCH_DEFAULTS) {
    this.#options = options;
  }

  /** Feeds the next reading; true when the track's reception should be restarted now. */
  update(reading: AudioReading): boolean {
    const last = this.#last;
    this.#last = reading;
    const emitted = last ? reading.jitterBufferEmittedCount - last.jitterBufferEmittedCount : 0;
    // No audio played in between (or the counters restarted): nothing to judge.
    if (!last || emitted <= 0) {
      this.#highSince = null;
      return false;
    }
    const bufferMs = ((reading.jitterBufferDelay - last.jitterBufferDelay) / emitted) * 1000;
    const high = bufferMs >= this.#options.highMs && reading.jitter * 1000 <= this.#options.calmJitterMs;
    if (!high) {
      this.#highSince = null;
      return false;
    }
    this.#highSince ??= last.at;
    if (reading.at - this.#highSince < this.#options.holdMs || reading.at - this.#restartedAt < this.#options.cooldownMs) return false;
    this.#restartedAt = reading.at;
    this.#highSince = null;
    // The restarted track's counters begin again from zero.
    this.#last = null;
    return true;
  }
}
