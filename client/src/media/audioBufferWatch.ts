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
 *
 * A buffer can also be large because lip sync holds the audio back for a video that arrives later (a sender or a
 * receiver short of CPU spreads its frames, and the video buffer grows): a new receiver would be synced to the same
 * video again, so a restart only costs a gap (and, measured in the long-call drill, a video freeze). Where the browser
 * reports the part of the buffer the audio's own arrivals need (`jitterBufferMinimumDelay`, which leaves out lip sync
 * and jitterBufferTarget), that part must be high too.
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
  /** Seconds, summed like jitterBufferDelay: the delay the arrivals alone asked for; null where the browser has no such figure. */
  jitterBufferMinimumDelay: number | null;
}

export interface AudioBufferWatchOptions {
  /** A buffer at least this large, ms, is "high". */
  highMs: number;
  /** Arrivals are "calm" while the interarrival jitter stays at most this, ms. */
  calmJitterMs: number;
  /** How long the buffer must stay high with calm arrivals before a restart, ms. */
  holdMs: number;
  /** Least time between two restarts to begin with, ms (see maxCooldownMs). */
  cooldownMs: number;
  /**
   * The cooldown doubles after each restart that came within twice the cooldown of the one before (the buffer grew back: the
   * delay spikes recur, and the large buffer is what keeps the audio whole) up to this, ms; it goes back to cooldownMs
   * after a restart that came later.
   */
  maxCooldownMs: number;
}

export const AUDIO_BUFFER_WATCH_DEFAULTS: AudioBufferWatchOptions = { highMs: 200, calmJitterMs: 30, holdMs: 3_000, cooldownMs: 30_000, maxCooldownMs: 480_000 };

export class AudioBufferWatch {
  readonly #options: AudioBufferWatchOptions;
  #last: AudioReading | null = null;
  /** Start of the current run of high buffer with calm arrivals, or null. */
  #highSince: number | null = null;
  #restartedAt = -Infinity;
  #cooldownMs: number;

  constructor(options: AudioBufferWatchOptions = AUDIO_BUFFER_WATCH_DEFAULTS) {
    this.#options = options;
    this.#cooldownMs = options.cooldownMs;
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
    const ownMs = reading.jitterBufferMinimumDelay !== null && last.jitterBufferMinimumDelay !== null ? ((reading.jitterBufferMinimumDelay - last.jitterBufferMinimumDelay) / emitted) * 1000 : null;
    const high = bufferMs >= this.#options.highMs && (ownMs === null || ownMs >= this.#options.highMs) && reading.jitter * 1000 <= this.#options.calmJitterMs;
    if (!high) {
      this.#highSince = null;
      return false;
    }
    this.#highSince ??= last.at;
    const sinceRestart = reading.at - this.#restartedAt;
    if (reading.at - this.#highSince < this.#options.holdMs || sinceRestart < this.#cooldownMs) return false;
    this.#cooldownMs = sinceRestart < 2 * this.#cooldownMs ? Math.min(this.#options.maxCooldownMs, 2 * this.#cooldownMs) : this.#options.cooldownMs;
    this.#restartedAt = reading.at;
    this.#highSince = null;
    // The restarted track's counters begin again from zero.
    this.#last = null;
    return true;
  }
}
