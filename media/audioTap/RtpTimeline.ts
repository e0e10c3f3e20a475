/** What to do with the next RTP packet of an audio stream. */
export type RtpStep =
  /** Decode it, after `silenceBefore` output samples of silence standing in for what is missing before it. */
  | { kind: 'play'; silenceBefore: number }
  /** Skip it: its place in time has already been played or concealed. */
  | { kind: 'drop'; reason: 'late' | 'duplicate' };

/** How an `RtpTimeline` measures time. */
export interface RtpTimelineOptions {
  /** RTP clock rate of the stream (48 kHz for Opus, whatever the audio's real rate). */
  clockRate: number;
  /** Sample rate of the output. */
  outputRate: number;
  /** Longest gap filled with silence; a longer one (a long mute) is not replayed as a burst of silence. */
  maxGapMs: number;
}

/** Packets this far behind the newest are a restarted sender, not a late packet (RFC 3550 A.1's MAX_MISORDER). */
const MAX_MISORDER = 100;

/**
 * Keeps one audio stream's output continuous in time without buffering: packets play the moment they arrive, and a
 * gap before one (lost packets, silence suppression, a muted producer) is measured by RTP timestamps and filled with
 * silence. A packet that arrives after a newer one is dropped, since its slot was already filled; holding packets back
 * to reorder them would delay every packet for the sake of rare ones.
 */
export class RtpTimeline {
  readonly #options: RtpTimelineOptions;
  #newestSequence: number | undefined;
  /** RTP timestamp right after the audio played so far. */
  #nextTimestamp: number | undefined;
  #playingTimestamp = 0;

  constructor(options: RtpTimelineOptions) {
    if (!(options.clockRate > 0)) throw new TypeError('clockRate must be positive');
    if (!(options.outputRate > 0)) throw new TypeError('outputRate must be positive');
    if (!(options.maxGapMs >= 0)) throw new TypeError('maxGapMs must not be negative');
    this.#options = options;
  }

  /** Decides about the next packet to arrive. A packet told to play must be followed by `played()`. */
  next(sequenceNumber: number, timestamp: number): RtpStep {
    if (this.#newestSequence !== undefined) {
      // Sequence numbers and timestamps wrap; their differences are read as signed 16- and 32-bit numbers.
      const ahead = ((sequenceNumber - this.#newestSequence) << 16) >> 16;
      if (ahead === 0) return { kind: 'drop', reason: 'duplicate' };
      if (ahead < 0 && ahead >= -MAX_MISORDER) return { kind: 'drop', reason: 'late' };
      if (ahead < 0) this.#nextTimestamp = undefined;
    }
    this.#newestSequence = sequenceNumber;
    this.#playingTimestamp = timestamp;
    if (this.#nextTimestamp === undefined) return { kind: 'play', silenceBefore: 0 };
    const { clockRate, outputRate, maxGapMs } = this.#options;
    const gap = Math.min((timestamp - this.#nextTimestamp) | 0, (maxGapMs * clockRate) / 1000);
    return { kind: 'play', silenceBefore: gap > 0 ? Math.round((gap * outputRate) / clockRate) : 0 };
  }

  /** Records how many output samples the packet just played held (none when it could not be decoded). */
  played(outputSamples: number): void {
    if (outputSamples <= 0) return;
    const ticks = Math.round((outputSamples * this.#options.clockRate) / this.#options.outputRate);
    this.#nextTimestamp = (this.#playingTimestamp + ticks) >>> 0;
  }
}
