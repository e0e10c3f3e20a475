import type { SkillMap } from './model.js';
import type { SkillPolicy } from './SkillPolicy.js';

/**
 * Continuous signing per agent connected to this node: sign-language calls add to it, going away (a break)
 * resets it, and the policy says when it is enough to suggest a break and to spare the agent while a rested
 * one is idle. Pure: no I/O, no clock. Agents not tracked here count as rested.
 */
export class SigningFatigue {
  readonly #policy: SkillPolicy;
  readonly #signingMs = new Map<string, number>();

  constructor(policy: SkillPolicy) {
    this.#policy = policy;
  }

  /** Starts counting for an agent who came online here; keeps the count of one already tracked. */
  track(agentId: string): void {
    if (!this.#signingMs.has(agentId)) this.#signingMs.set(agentId, 0);
  }

  /** Stops counting for an agent who went offline here. */
  forget(agentId: string): void {
    this.#signingMs.delete(agentId);
  }

  /** Adds a finished sign-language call to a tracked agent's continuous signing. */
  addSigning(agentId: string, ms: number): void {
    const soFar = this.#signingMs.get(agentId);
    if (soFar !== undefined) this.#signingMs.set(agentId, soFar + ms);
  }

  /** The agent took a break: continuous signing starts again from zero. */
  rest(agentId: string): void {
    if (this.#signingMs.has(agentId)) this.#signingMs.set(agentId, 0);
  }

  /** Continuous signing so far, in ms; 0 for an agent not tracked here. */
  signingMs(agentId: string): number {
    return this.#signingMs.get(agentId) ?? 0;
  }

  /** Whether to suggest the agent a break; false for an agent not tracked here. */
  suggestsBreak(agentId: string, skills: SkillMap): boolean {
    const signingMs = this.#signingMs.get(agentId);
    return signingMs !== undefined && this.#policy.isFatigued({ agentId, skills, idleSince: 0, signingMs });
  }
}
