import { KeyedBuckets } from '../socket/TokenBucket.js';

/** Keys each limit keeps before it drops those whose buckets refilled. */
const KEEP_AT_MOST = 10_000;

/**
 * Slows password guessing on this node: each failed sign-in takes a token from its account's bucket and from its
 * address's; while either is empty every attempt (a right password too) is refused with the seconds to wait, before
 * the password is checked. Successful sign-ins cost nothing and are not remembered.
 */
export class SignInGuard {
  /** Failed sign-ins allowed per account: 5 at once, then one more every 12 s. */
  readonly #accounts = new KeyedBuckets({ perSec: 1 / 12, burst: 5 }, KEEP_AT_MOST);
  /** Failed sign-ins allowed per client address: a call centre's agents may share one address behind NAT. */
  readonly #addresses = new KeyedBuckets({ perSec: 1, burst: 30 }, KEEP_AT_MOST);

  /** Seconds to wait before `username` may try again from `address`; 0 when it may now. */
  waitSec(username: string, address: string): number {
    return Math.max(this.#accounts.waitSec(username.toLowerCase()), this.#addresses.waitSec(address));
  }

  /** Counts a failed attempt against the account and the address. */
  failed(username: string, address: string): void {
    this.#accounts.take(username.toLowerCase());
    this.#addresses.take(address);
  }
}
