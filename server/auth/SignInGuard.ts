import { TokenBucket } from '../socket/TokenBucket.js';

/** Failed sign-ins allowed per account: 5 at once, then one more every 12 s. */
const PER_ACCOUNT = { perSec: 1 / 12, burst: 5 } as const;
/** Failed sign-ins allowed per client address: a call centre's agents may share one address behind NAT. */
const PER_ADDRESS = { perSec: 1, burst: 30 } as const;
/** Keys kept before full buckets (nothing to remember) are dropped. */
const PRUNE_ABOVE = 10_000;

/**
 * Slows password guessing on this node: each failed sign-in takes a token from its account's bucket and from its
 * address's; while either is empty every attempt (a right password too) is refused with the seconds to wait, before
 * the password is checked. Successful sign-ins cost nothing.
 */
export class SignInGuard {
  readonly #buckets = new Map<string, TokenBucket>();

  /** Seconds to wait before `username` may try again from `address`; 0 when it may now. Remembers nothing new. */
  waitSec(username: string, address: string): number {
    const wait = (key: string) => this.#buckets.get(key)?.waitSec() ?? 0;
    return Math.max(wait(accountKey(username)), wait(`address:${address}`));
  }

  /** Counts a failed attempt against the account and the address. */
  failed(username: string, address: string): void {
    this.#bucket(accountKey(username), PER_ACCOUNT).take();
    this.#bucket(`address:${address}`, PER_ADDRESS).take();
    if (this.#buckets.size > PRUNE_ABOVE) for (const [key, bucket] of this.#buckets) if (bucket.full()) this.#buckets.delete(key);
  }

  #bucket(key: string, rate: { perSec: number; burst: number }): TokenBucket {
    let bucket = this.#buckets.get(key);
    if (!bucket) this.#buckets.set(key, (bucket = new TokenBucket(rate.perSec, rate.burst)));
    return bucket;
  }
}

const accountKey = (username: string) => `account:${username.toLowerCase()}`;
