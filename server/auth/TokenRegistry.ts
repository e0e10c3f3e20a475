import { randomBytes } from 'node:crypto';
import type { AgentProfile } from '../../signaling/index.js';
import type { SkillMap } from '../routing/model.js';

/** Who a bearer token stands for. */
export type Principal = { role: 'agent'; agent: AgentProfile; skills: SkillMap } | { role: 'customer'; ticketId: string };

/** Opaque bearer tokens: random, unguessable, revocable; the server keeps what they mean. */
export class TokenRegistry {
  readonly #tokens = new Map<string, Principal>();

  /** Issues a new token for a principal. */
  issue(principal: Principal): string {
    const token = randomBytes(24).toString('base64url');
    this.#tokens.set(token, principal);
    return token;
  }

  /** The principal behind a token, or undefined for an unknown or revoked one. */
  resolve(token: string): Principal | undefined {
    return this.#tokens.get(token);
  }

  /** Revokes a token; unknown tokens are ignored. */
  revoke(token: string): void {
    this.#tokens.delete(token);
  }
}
