import { distance, MOTION_LANDMARKS, palmLength, type Hand } from './handLandmarks.js';

/** Whether the person in the picture is signing right now. */
export const SigningState = {
  Signing: 'signing',
  NotSigning: 'not-signing',
} as const;
/** One of the signing states. */
export type SigningState = (typeof SigningState)[keyof typeof SigningState];

/** One analysed frame: the hands in it and when it was captured. */
export interface SigningSample {
  /** Capture time in milliseconds on any monotonic clock; samples must come in time order. */
  timestampMs: number;
  /** Hands found in the frame, in frame coordinates. */
  hands: readonly Hand[];
  /** The frame's width divided by its height, so that distances count alike on both axes. */
  aspect: number;
}

/** Thresholds of the detector, in palm lengths per second (wrist to middle-finger base, about 10 cm on an adult). */
export interface SigningDetectorOptions {
  /** Motion is averaged over this window. */
  windowMs: number;
  /** The window must be covered by hand tracking at least this much (0 to 1) before the state can become signing. */
  minCoverage: number;
  /** Average motion at or above this turns the state to signing. */
  enterSpeed: number;
  /** Average motion below this turns the state back to not signing; below enterSpeed so the state does not flicker. */
  exitSpeed: number;
  /** A gap between samples longer than this is a tracking gap, not motion. */
  maxGapMs: number;
}

/** The detector's thresholds where none are given. */
export const signingDetectorDefaults: Readonly<SigningDetectorOptions> = {
  windowMs: 1500,
  minCoverage: 0.6,
  enterSpeed: 0.25,
  // Above the noise floor of a still hand (tracker jitter reads about 0.1 at 12 analysed frames a second).
  exitSpeed: 0.12,
  maxGapMs: 800,
};

/** How fast the hands moved between two samples, and over how long. */
interface Interval {
  endMs: number;
  durationMs: number;
  speed: number;
}

/**
 * Tells signing from resting hands by motion energy: the speed of the wrist and fingertips, in palm lengths per
 * second so that it does not depend on how far the signer sits from the camera, averaged over a window, with
 * separate thresholds to enter and leave the signing state. Pure: no I/O, driven and tested with plain samples.
 */
export class SigningDetector {
  readonly #options: SigningDetectorOptions;
  #previous: SigningSample | null = null;
  #intervals: Interval[] = [];
  #state: SigningState = SigningState.NotSigning;
  #speed = 0;

  constructor(options: Partial<SigningDetectorOptions> = {}) {
    this.#options = { ...signingDetectorDefaults, ...options };
    for (const [name, value] of Object.entries(this.#options)) {
      if (!Number.isFinite(value) || value < 0) throw new TypeError(`SigningDetector: ${name} must be a non-negative number`);
    }
    if (this.#options.exitSpeed > this.#options.enterSpeed) throw new TypeError('SigningDetector: exitSpeed must not exceed enterSpeed');
  }

  /** The current state. */
  get state(): SigningState {
    return this.#state;
  }

  /** The motion averaged over the window after the last sample, in palm lengths per second. */
  get speed(): number {
    return this.#speed;
  }

  /** Takes one sample and returns the state after it. */
  update(sample: SigningSample): SigningState {
    const o = this.#options;
    const previous = this.#previous;
    if (previous && sample.timestampMs <= previous.timestampMs) return this.#state;
    this.#previous = sample;
    if (previous) {
      const durationMs = sample.timestampMs - previous.timestampMs;
      const speed = handSpeed(previous, sample);
      if (durationMs <= o.maxGapMs && speed !== null) this.#intervals.push({ endMs: sample.timestampMs, durationMs, speed });
    }
    const windowStart = sample.timestampMs - o.windowMs;
    this.#intervals = this.#intervals.filter((interval) => interval.endMs > windowStart);
    // An interval that began before the window counts for its part inside it: dropping it whole left a window
    // sampled once a second half empty, and its motion diluted below the threshold.
    const inWindow = (interval: Interval) => Math.min(interval.durationMs, interval.endMs - windowStart);
    const covered = this.#intervals.reduce((sum, interval) => sum + inWindow(interval), 0);
    // Time without tracked hands counts as stillness: hands dropping out of view end signing.
    this.#speed = this.#intervals.reduce((sum, interval) => sum + interval.speed * inWindow(interval), 0) / o.windowMs;
    if (this.#state === SigningState.NotSigning && covered >= o.minCoverage * o.windowMs && this.#speed >= o.enterSpeed) {
      this.#state = SigningState.Signing;
    } else if (this.#state === SigningState.Signing && this.#speed < o.exitSpeed) {
      this.#state = SigningState.NotSigning;
    }
    return this.#state;
  }

  /** Forgets every sample, back to not signing. */
  reset(): void {
    this.#previous = null;
    this.#intervals = [];
    this.#state = SigningState.NotSigning;
    this.#speed = 0;
  }
}

/**
 * The fastest hand's speed between two samples, in palm lengths per second, each hand paired with the nearest
 * hand of the earlier sample (the model does not keep hands in order); null when no hand can be paired.
 */
function handSpeed(before: SigningSample, after: SigningSample): number | null {
  const seconds = (after.timestampMs - before.timestampMs) / 1000;
  let fastest: number | null = null;
  for (const hand of after.hands) {
    const size = palmLength(hand, after.aspect);
    if (size <= 0) continue;
    let best: number | null = null;
    for (const earlier of before.hands) {
      const moved = meanDisplacement(earlier, hand, after.aspect);
      if (moved !== null && (best === null || moved < best)) best = moved;
    }
    // A pairing that jumped more than two palm lengths in one step is a different hand, not motion.
    if (best === null || best > 2 * size) continue;
    const speed = best / size / seconds;
    fastest = fastest === null ? speed : Math.max(fastest, speed);
  }
  return fastest;
}

function meanDisplacement(a: Hand, b: Hand, aspect: number): number | null {
  let total = 0;
  for (const index of MOTION_LANDMARKS) {
    const from = a[index];
    const to = b[index];
    if (!from || !to) return null;
    total += distance(from, to, aspect);
  }
  return total / MOTION_LANDMARKS.length;
}
