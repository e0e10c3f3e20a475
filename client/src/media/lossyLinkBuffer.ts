/**
 * Decides how long a received video track's jitter buffer should wait, from how lossy and how far the link is.
 *
 * Why: on a link that loses many packets and has a long round trip (10 % and 200 ms: a congested mobile network), most
 * lost packets come back by retransmission (NACK) one round trip later. The browser's video buffer targets the
 * network's jitter, well under a round trip, so a frame whose packet is being resent is given up on and the picture
 * freezes until the next key frame: the signer's hands stutter at well under 20 fps. Waiting about one and a half
 * round trips lets the resent packets complete their frames, at the cost of that much more delay, which a signer
 * bears better than a stuttering picture. When the loss has stayed low for a while the browser decides again.
 */

/** One reading of a received video track's cumulative W3C `inbound-rtp` counters and the link's round trip. */
export interface LinkReading {
  /** When it was read, ms. */
  at: number;
  packetsReceived: number;
  packetsLost: number;
  /** The selected candidate pair's current round trip, seconds; null when unknown. */
  rttSec: number | null;
}

export interface LossyLinkOptions {
  /** Loss is judged over at least this long, ms. */
  windowMs: number;
  /** A share of packets lost at or above this makes the link lossy. */
  lossyShare: number;
  /** ...but only with a round trip of at least this, ms: on a near link retransmissions arrive in time anyway. */
  minRttMs: number;
  /** The buffer waits round trips times this, plus `extraMs`, and never more than `maxMs`. */
  rttFactor: number;
  extraMs: number;
  maxMs: number;
  /** Loss under this share for `calmForMs` gives the buffer back to the browser. */
  calmShare: number;
  calmForMs: number;
}

export const LOSSY_LINK_DEFAULTS: LossyLinkOptions = { windowMs: 4_000, lossyShare: 0.05, minRttMs: 100, rttFactor: 1.5, extraMs: 100, maxMs: 1_000, calmShare: 0.02, calmForMs: 10_000 };

export class LossyLinkBuffer {
  readonly #options: LossyLinkOptions;
  readonly #readings: LinkReading[] = [];
  /** The target set now, ms, or null while the browser decides. */
  #target: number | null = null;
  #calmSince: number | null = null;

  constructor(options: LossyLinkOptions = LOSSY_LINK_DEFAULTS) {
    this.#options = options;
  }

  /** The target in force: ms, or null while the browser decides. */
  get target(): number | null {
    return this.#target;
  }

  /**
   * Feeds the next reading; returns the new target when it changes (ms, or null to give it back to the browser), and
   * undefined when it stays. Counters that went back (a new receiver) start the judging afresh.
   */
  update(reading: LinkReading): number | null | undefined {
    const last = this.#readings.at(-1);
    if (last && (reading.packetsReceived < last.packetsReceived || reading.packetsLost < last.packetsLost)) this.#readings.length = 0;
    this.#readings.push(reading);
    while (this.#readings.length > 2 && reading.at - this.#readings[1]!.at >= this.#options.windowMs) this.#readings.shift();
    const first = this.#readings[0]!;
    if (reading.at - first.at < this.#options.windowMs) return undefined;
    const received = reading.packetsReceived - first.packetsReceived;
    const lost = reading.packetsLost - first.packetsLost;
    if (received + lost <= 0) return undefined;
    const share = lost / (received + lost);
    const rttMs = reading.rttSec === null ? null : reading.rttSec * 1000;
    if (share >= this.#options.lossyShare && rttMs !== null && rttMs >= this.#options.minRttMs) {
      this.#calmSince = null;
      const wanted = Math.min(this.#options.maxMs, Math.round(rttMs * this.#options.rttFactor + this.#options.extraMs));
      // Small changes of the round trip do not move the buffer.
      if (this.#target !== null && Math.abs(wanted - this.#target) < 50) return undefined;
      this.#target = wanted;
      return wanted;
    }
    if (this.#target === null) return undefined;
    if (share >= this.#options.calmShare) {
      this.#calmSince = null;
      return undefined;
    }
    this.#calmSince ??= reading.at;
    if (reading.at - this.#calmSince < this.#options.calmForMs) return undefined;
    this.#target = null;
    this.#calmSince = null;
    return null;
  }
}
