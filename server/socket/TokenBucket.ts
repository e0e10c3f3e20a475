/** A token bucket: `rate` events per second on average, bursts up to `burst`. */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  // A monotonic clock: a wall-clock step backwards must not lock a socket out.
  constructor(rate: number, burst: number, now: () => number = () => performance.now()) {
    this.#rate = rate;
    this.#burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#last = now();
  }

  /** Takes one token; false when the bucket is empty. */
  take(): boolean {
    if (this.#refill() < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Seconds until a token is there to take; 0 when one is. */
  waitSec(): number {
    const tokens = this.#refill();
    return tokens >= 1 ? 0 : (1 - tokens) / this.#rate;
  }

  /** Whether the bucket has refilled to its burst: nothing to remember about its key. */
  full(): boolean {
    return this.#refill() >= this.#burst;
  }

  #refill(): number {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
    this.#last = now;
    return this.#tokens;
  }
}

/**
 * One token bucket per key (a participant, an account), made on first use at the same rate; forgotten when the key
 * goes, or, past `keepAtMost` keys, once its bucket has refilled (nothing is lost: a full bucket is a new one).
 */
export class KeyedBuckets {
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #rate: { perSec: number; burst: number };
  readonly #keepAtMost: number;

  constructor(rate: { perSec: number; burst: number }, keepAtMost = Number.POSITIVE_INFINITY) {
    this.#rate = rate;
    this.#keepAtMost = keepAtMost;
  }

  /** Takes one token from the key's bucket; false when it is empty. */
  take(key: string): boolean {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= this.#keepAtMost) for (const [other, full] of this.#buckets) if (full.full()) this.#buckets.delete(other);
      this.#buckets.set(key, (bucket = new TokenBucket(this.#rate.perSec, this.#rate.burst)));
    }
    return bucket.take();
  }

  /** Seconds until the key's bucket has a token; 0 for a key it does not know (which it does not start to know). */
  waitSec(key: string): number {
    return this.#buckets.get(key)?.waitSec() ?? 0;
  }

  forget(key: string): void {
    this.#buckets.delete(key);
  }
}
