import { randomBytes } from 'node:crypto';
import { AppError, ErrorCode, JOIN_LINK_TTL_MS } from '../../signaling/index.js';

interface Link {
  sessionId: string;
  expiresAt: number;
  used: boolean;
}

/**
 * One-time links into a call for a technician without an account: random and unguessable, good for one use within
 * ten minutes, and only for the call they were made for. A used link is remembered until it would have lapsed, so
 * a second use is told it was used rather than that it never existed.
 */
export class JoinLinks {
  readonly #links = new Map<string, Link>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { ttlMs?: number; now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? JOIN_LINK_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  /** A new link's token for a call, and when it lapses. */
  create(sessionId: string): { token: string; expiresAt: number } {
    this.#forgetLapsed();
    const token = randomBytes(24).toString('base64url');
    const expiresAt = this.#now() + this.#ttlMs;
    this.#links.set(token, { sessionId, expiresAt, used: false });
    return { token, expiresAt };
  }

  /** Uses a link up and returns its call; an unknown, lapsed or used link is a coded error. */
  redeem(token: string): string {
    const link = this.#links.get(token);
    if (!link || link.expiresAt <= this.#now()) throw new AppError(ErrorCode.LinkInvalid, 410, 'this link has expired or does not exist; ask the agent for a new one');
    if (link.used) throw new AppError(ErrorCode.LinkInvalid, 410, 'this link has been used already; ask the agent for a new one');
    link.used = true;
    return link.sessionId;
  }

  /** Forgets the links of a call that ended, so none of them works any more. */
  forgetSession(sessionId: string): void {
    for (const [token, link] of this.#links) if (link.sessionId === sessionId) this.#links.delete(token);
  }

  #forgetLapsed(): void {
    const now = this.#now();
    for (const [token, link] of this.#links) if (link.expiresAt <= now) this.#links.delete(token);
  }
}
