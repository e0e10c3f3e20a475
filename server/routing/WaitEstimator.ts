/** What the estimate is made from, all as seen right now. */
export interface WaitInput {
  /** The customer's 1-based place among the entries competing for the same agents. */
  position: number;
  /** Agents qualified for the customer who are logged in (not away, not offline), busy or idle. */
  agents: number;
  /** Recent handle times of those calls, in seconds; the caller keeps the rolling window. */
  handleTimesSec: readonly number[];
  /** How many of `agents` are idle now; 0 when omitted. */
  idle?: number | undefined;
}

/** A range the customer can be shown: "about 2–4 min", or "more than 3 min" when `highSec` is null. */
export interface WaitEstimate {
  /** Lower end, whole seconds. */
  lowSec: number;
  /** Upper end, whole seconds; null when there is no upper bound (no qualified agent logged in). */
  highSec: number | null;
  /** False when the figures rest on too few handle times or on no agent at all: show them as a rough guide. */
  sure: boolean;
}

/** Settings of a wait estimator. */
export interface WaitEstimatorOptions {
  /** Handle times needed before the estimate is called sure. */
  minSamples: number;
  /** Handle time assumed, in seconds, before any call has been measured. */
  defaultHandleSec: number;
}

/** Defaults: five samples for a sure estimate, five minutes per call until measured. */
export const DEFAULT_WAIT_ESTIMATOR_OPTIONS: WaitEstimatorOptions = { minSamples: 5, defaultHandleSec: 300 };

/**
 * Estimates how long a waiting customer will wait, from their position, the qualified agents and
 * recent handle times. Pure: no I/O, no clock.
 *
 * Idle agents take the first `idle` places at once, so `ahead = position - idle` customers (this one
 * included) each need a call to end. `agents` busy agents end calls at a combined rate of about
 * `agents / handle`, so the wait is about `ahead × handle / agents`. With at least `minSamples` handle
 * times the range runs from the 25th to the 75th percentile handle time and is sure. With fewer, the
 * handle time is their median (or `defaultHandleSec` with none) and the range runs from half to twice
 * it, not sure. With no qualified agent logged in there is no upper bound: the lower end is the wait
 * if one such agent logged in now (`position - 1` calls of the low handle time), not sure.
 */
export class WaitEstimator {
  readonly #options: WaitEstimatorOptions;
  readonly #summaries = new WeakMap<readonly number[], HandleSummary>();

  constructor(options: WaitEstimatorOptions = DEFAULT_WAIT_ESTIMATOR_OPTIONS) {
    if (!Number.isInteger(options.minSamples) || options.minSamples < 1) throw new TypeError('minSamples must be a positive integer');
    if (!(options.defaultHandleSec > 0) || !Number.isFinite(options.defaultHandleSec)) throw new TypeError('defaultHandleSec must be a positive number');
    this.#options = { ...options };
  }

  /** The estimated wait for one customer; throws a TypeError naming the field for impossible input. */
  estimate(input: WaitInput): WaitEstimate {
    const { position, agents, handleTimesSec } = input;
    const idle = input.idle ?? 0;
    if (!Number.isInteger(position) || position < 1) throw new TypeError('position must be an integer of 1 or more');
    if (!Number.isInteger(agents) || agents < 0) throw new TypeError('agents must be an integer of 0 or more');
    if (!Number.isInteger(idle) || idle < 0 || idle > agents) throw new TypeError('idle must be an integer from 0 to agents');
    const { enough, lowHandle, highHandle } = this.#handling(handleTimesSec);

    if (agents === 0) return { lowSec: Math.floor((position - 1) * lowHandle), highSec: null, sure: false };
    const ahead = Math.max(0, position - idle);
    if (ahead === 0) return { lowSec: 0, highSec: 0, sure: true };
    return { lowSec: Math.floor((ahead * lowHandle) / agents), highSec: Math.ceil((ahead * highHandle) / agents), sure: enough };
  }

  /**
   * The handle times' quartiles. A position round asks once per waiting customer with the same list, so they are
   * kept per list (a list must not change once given; the router hands out a fresh one when it does).
   */
  #handling(handleTimesSec: readonly number[]): HandleSummary {
    const known = this.#summaries.get(handleTimesSec);
    if (known) return known;
    if (!handleTimesSec.every((sec) => Number.isFinite(sec) && sec >= 0)) throw new TypeError('handleTimesSec must hold finite, non-negative seconds');
    const sorted = [...handleTimesSec].sort((a, b) => a - b);
    const enough = sorted.length >= this.#options.minSamples;
    const handle = sorted.length === 0 ? this.#options.defaultHandleSec : percentile(sorted, 0.5);
    const summary = { enough, lowHandle: enough ? percentile(sorted, 0.25) : handle / 2, highHandle: enough ? percentile(sorted, 0.75) : handle * 2 };
    this.#summaries.set(handleTimesSec, summary);
    return summary;
  }
}

interface HandleSummary {
  /** Enough samples for the quartiles to be trusted. */
  enough: boolean;
  lowHandle: number;
  highHandle: number;
}

/** The q-quantile of sorted values, interpolating linearly between neighbours. */
function percentile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const below = Math.floor(at);
  const lower = sorted[below]!;
  const upper = sorted[Math.min(below + 1, sorted.length - 1)]!;
  return lower + (upper - lower) * (at - below);
}
