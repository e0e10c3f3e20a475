import { randomBytes } from 'node:crypto';
import type { AgentProfile } from '../../signaling/index.js';
import type { SkillMap } from '../routing/model.js';

/** Who a bearer token stands for. */
export type Principal =
  | { role: 'agent'; agent: AgentProfile; skills: SkillMap }
  | { role: 'customer'; ticketId: string }
  /** A technician who came by a one-time link: good for that one call only. */
  | { role: 'guest-technician'; guestId: string; name: string; sessionId: string };

interface Issued {
  principal: Principal;
  expiresAt: number;
}

/**
 * Opaque bearer tokens: random, unguessable, short-lived and revocable; the server keeps what they mean. A customer's
 * token is bound to their ticket and is revoked when the wait or the call ends.
 */
export class TokenRegistry {
  readonly #tokens = new Map<string, Issued>();
  /** The tokens issued for each ticket, so ending the ticket revokes them all. */
  readonly #byTicket = new Map<string, Set<string>>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { ttlMs: number; now?: () => number }) {
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  /** Issues a new token for a principal, valid for the registry's lifetime of a token. */
  issue(principal: Principal): string {
    this.#forgetExpired();
    const token = randomBytes(24).toString('base64url');
    this.#tokens.set(token, { principal, expiresAt: this.#now() + this.#ttlMs });
    if (principal.role === 'customer') {
      const tokens = this.#byTicket.get(principal.ticketId) ?? new Set<string>();
      tokens.add(token);
      this.#byTicket.set(principal.ticketId, tokens);
    }
    return token;
  }

  /** The principal behind a token, or undefined for an unknown, expired or revoked one. */
  resolve(token: string): Principal | undefined {
    const issued = this.#tokens.get(token);
    if (!issued) return undefined;
    if (issued.expiresAt > this.#now()) return issued.principal;
    this.revoke(token);
    return undefined;
  }

  /** Revokes a token; unknown tokens are ignored. */
  revoke(token: string): void {
    const issued = this.#tokens.get(token);
    if (!issued) return;
    this.#tokens.delete(token);
    if (issued.principal.role !== 'customer') return;
    const tokens = this.#byTicket.get(issued.principal.ticketId);
    tokens?.delete(token);
    if (tokens?.size === 0) this.#byTicket.delete(issued.principal.ticketId);
  }

  /** Revokes every token bound to a ticket (its wait or its call ended). */
  revokeTicket(ticketId: string): void {
    for (const token of [...(this.#byTicket.get(ticketId) ?? [])]) this.revoke(token);
  }

  // Expired tokens nobody presents again would otherwise stay forever; a sweep on issue keeps the map bounded.
  #forgetExpired(): void {
    const now = this.#now();
    for (const [token, issued] of this.#tokens) {
      if (issued.expiresAt > now) break;
      this.revoke(token);
    }
  }
}
