import { createHash, randomBytes } from 'node:crypto';
import type { AgentProfile } from '../../signaling/index.js';
import type { SkillMap } from '../routing/model.js';

/** Who a bearer token stands for. */
export type Principal =
  | { role: 'agent'; agent: AgentProfile; skills: SkillMap }
  /** Watches queues, agents and calls over HTTP; takes no calls and opens no socket. */
  | { role: 'supervisor'; agent: AgentProfile }
  | { role: 'customer'; ticketId: string }
  /** A technician who came by a one-time link: good for that one call only. */
  | { role: 'guest-technician'; guestId: string; name: string; sessionId: string };

interface Issued {
  principal: Principal;
  expiresAt: number;
}

/** A token as kept durably: found by the hash of the token, never the token itself. */
export interface StoredToken {
  principal: Principal;
  expiresAt: number;
  revoked: boolean;
}

/**
 * Where tokens outlive the process (the records store). Writes are handed over and not waited for, in the order they
 * were made; a revocation is also kept in memory, so a token revoked a moment ago is never found valid meanwhile.
 */
export interface TokenStore {
  save(hash: Buffer, principal: Principal, expiresAt: number): void;
  revoke(hash: Buffer): void;
  revokeTicket(ticketId: string): void;
  find(hash: Buffer): Promise<StoredToken | undefined>;
  /** Resolves once every write handed over so far is done (or its failure logged). */
  settled(): Promise<void>;
}

/** The SHA-256 of a token: what the store keeps. Tokens are 192 random bits, so a fast hash is enough. */
export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/**
 * Opaque bearer tokens: random, unguessable, short-lived and revocable; the server keeps what they mean, in memory and,
 * with a store, durably (a node that restarts still knows them). A customer's token is bound to their ticket and is
 * revoked when the wait or the call ends.
 */
export class TokenRegistry {
  readonly #tokens = new Map<string, Issued>();
  /** The tokens issued for each ticket, so ending the ticket revokes them all. */
  readonly #byTicket = new Map<string, Set<string>>();
  /** Tickets whose tokens were revoked here, with when the last of them would have expired anyway. */
  readonly #revokedTickets = new Map<string, number>();
  /** Tokens revoked here, by hash, until they would have expired anyway. */
  readonly #revoked = new Map<string, number>();
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #store: TokenStore | undefined;

  constructor(options: { ttlMs: number; now?: () => number; store?: TokenStore }) {
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
    this.#store = options.store;
  }

  /** Issues a new token for a principal, valid for the registry's lifetime of a token. */
  issue(principal: Principal): string {
    this.#forgetExpired();
    const token = randomBytes(24).toString('base64url');
    const expiresAt = this.#now() + this.#ttlMs;
    this.#remember(token, { principal, expiresAt });
    this.#store?.save(tokenHash(token), principal, expiresAt);
    return token;
  }

  /**
   * Resolves once the tokens issued so far are stored: a reply that hands a token over waits for this, so a token a
   * client holds survives a crash of the node that issued it.
   */
  async stored(): Promise<void> {
    await this.#store?.settled();
  }

  /**
   * The principal behind a token, or undefined for an unknown, expired or revoked one. A token this process does not
   * hold (issued before a restart, or by another node) is looked up in the store.
   */
  async resolve(token: string): Promise<Principal | undefined> {
    const issued = this.#tokens.get(token) ?? (await this.#fromStore(token));
    if (!issued) return undefined;
    if (issued.expiresAt > this.#now()) return issued.principal;
    this.#forget(token);
    return undefined;
  }

  /** Revokes a token; unknown tokens are ignored. */
  revoke(token: string): void {
    const hash = tokenHash(token);
    this.#revoked.set(hash.toString('hex'), this.#tokens.get(token)?.expiresAt ?? this.#now() + this.#ttlMs);
    this.#store?.revoke(hash);
    this.#forget(token);
  }

  /** Drops a token from memory (revoked or expired). */
  #forget(token: string): void {
    const issued = this.#tokens.get(token);
    if (!issued) return;
    this.#tokens.delete(token);
    if (issued.principal.role !== 'customer') return;
    const tokens = this.#byTicket.get(issued.principal.ticketId);
    tokens?.delete(token);
    if (tokens?.size === 0) this.#byTicket.delete(issued.principal.ticketId);
  }

  /** Revokes every token bound to a ticket (its wait or its call ended), here and in the store. */
  revokeTicket(ticketId: string): void {
    for (const token of [...(this.#byTicket.get(ticketId) ?? [])]) this.revoke(token);
    this.#revokedTickets.set(ticketId, this.#now() + this.#ttlMs);
    this.#store?.revokeTicket(ticketId);
  }

  #remember(token: string, issued: Issued): void {
    this.#tokens.set(token, issued);
    if (issued.principal.role !== 'customer') return;
    const tokens = this.#byTicket.get(issued.principal.ticketId) ?? new Set<string>();
    tokens.add(token);
    this.#byTicket.set(issued.principal.ticketId, tokens);
  }

  async #fromStore(token: string): Promise<Issued | undefined> {
    if (!this.#store) return undefined;
    const hash = tokenHash(token);
    if (this.#revoked.has(hash.toString('hex'))) return undefined;
    const stored = await this.#store.find(hash);
    if (!stored || stored.revoked || stored.expiresAt <= this.#now()) return undefined;
    // Revoked here while the lookup ran, or its ticket was: not valid, whatever the store said.
    if (this.#revoked.has(hash.toString('hex'))) return undefined;
    if (stored.principal.role === 'customer' && this.#revokedTickets.has(stored.principal.ticketId)) return undefined;
    const issued = { principal: stored.principal, expiresAt: stored.expiresAt };
    this.#remember(token, issued);
    return issued;
  }

  // Expired tokens nobody presents again would otherwise stay forever; a sweep on issue keeps the maps bounded.
  #forgetExpired(): void {
    const now = this.#now();
    for (const [token, issued] of this.#tokens) {
      if (issued.expiresAt > now) break;
      this.#forget(token);
    }
    for (const map of [this.#revoked, this.#revokedTickets]) {
      for (const [key, until] of map) if (until <= now) map.delete(key);
    }
  }
}
