import type { Match, Priority, RoutingAgent, RoutingEntry, RoutingOptions, SkillMap, SkillName, SkillRequirement, SlaClass } from './model.js';

/** How far an entry's requirements have loosened after its wait so far. */
export interface Relaxation {
  /** The returning customer's last agent is no longer favoured. */
  dropPreferredAgent: boolean;
  /** Preferred skills no longer count. */
  dropPreferredSkills: boolean;
  /** Every required minimum level is lowered by this much (never below 1). */
  lowerMinLevelBy: number;
}

/** What an entry asks for at a given moment, once relaxation is applied. */
export interface EffectiveRequirements {
  /** Skills every qualified agent must have, at the relaxed minimum levels. */
  required: readonly SkillRequirement[];
  /** Skills that rank qualified agents; empty once dropped. */
  preferred: readonly SkillName[];
  /** The agent to favour, unless dropped. */
  preferredAgentId: string | undefined;
}

const NO_RELAXATION: Relaxation = Object.freeze({ dropPreferredAgent: false, dropPreferredSkills: false, lowerMinLevelBy: 0 });

const PRIORITY_RANK: Record<Priority, number> = { urgent: 0, normal: 1 };

/** A reached relaxation step, with everything reached before it folded in. */
interface ReachedStep extends Relaxation {
  afterMs: number;
}

/**
 * Skill-based routing: urgent before normal, transfers before new arrivals, then the larger share
 * of its SLA target already waited, then age; each entry goes to the best qualified agent. Pure: no
 * I/O, and the clock is always passed in as `now` (epoch ms).
 */
export class SkillPolicy {
  readonly #targetMs: Record<SlaClass, number>;
  readonly #steps: readonly ReachedStep[];
  readonly #fatigueAfterMs: number;

  constructor(options: RoutingOptions) {
    this.#targetMs = {
      consultation: options.slaTargetsSec.consultation * 1000,
      software: options.slaTargetsSec.software * 1000,
      hardware: options.slaTargetsSec.hardware * 1000,
    };
    this.#fatigueAfterMs = options.fatigueAfterMs;
    // Folding every earlier step into each later one makes relaxation never tighten with time, which RoutingQueue relies on.
    let folded: Relaxation = NO_RELAXATION;
    this.#steps = [...options.relaxation]
      .sort((a, b) => a.afterSec - b.afterSec)
      .map((step) => {
        folded = {
          dropPreferredAgent: folded.dropPreferredAgent || step.dropPreferredAgent,
          dropPreferredSkills: folded.dropPreferredSkills || step.dropPreferredSkills,
          lowerMinLevelBy: Math.max(folded.lowerMinLevelBy, step.lowerMinLevelBy),
        };
        return Object.freeze({ afterMs: step.afterSec * 1000, ...folded });
      });
  }

  /** The relaxation an entry has reached by `now`: every step whose `afterSec` has passed, accumulated. */
  relaxation(entry: RoutingEntry, now: number): Relaxation {
    const waitedMs = now - entry.enqueuedAt;
    for (let i = this.#steps.length - 1; i >= 0; i--) {
      const step = this.#steps[i]!;
      if (step.afterMs <= waitedMs) return step;
    }
    return NO_RELAXATION;
  }

  /** The entry's requirements at `now`, with the reached relaxation applied. */
  effectiveRequirements(entry: RoutingEntry, now: number): EffectiveRequirements {
    const relaxed = this.relaxation(entry, now);
    const lower = relaxed.lowerMinLevelBy;
    return {
      required: lower === 0 ? entry.required : entry.required.map((r) => ({ skill: r.skill, minLevel: Math.max(1, r.minLevel - lower) })),
      preferred: relaxed.dropPreferredSkills ? [] : entry.preferred,
      preferredAgentId: relaxed.dropPreferredAgent ? undefined : entry.preferredAgentId,
    };
  }

  /** Whether the agent has every effective required skill of the entry at `now`, at or above its relaxed minimum level. */
  qualifies(agent: RoutingAgent, entry: RoutingEntry, now: number): boolean {
    return meetsAll(agent.skills, this.effectiveRequirements(entry, now).required);
  }

  /** Share of its SLA target the entry has already waited at `now` (1 = target reached). */
  urgency(entry: RoutingEntry, now: number): number {
    return (now - entry.enqueuedAt) / this.#targetMs[entry.slaClass];
  }

  /** Queue order at `now`: negative when `a` is served before `b`. A total order while ticket ids are unique. */
  compareEntries(a: RoutingEntry, b: RoutingEntry, now: number): number {
    if (a.priority !== b.priority) return PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority];
    if (a.transferred !== b.transferred) return a.transferred ? -1 : 1;
    if (a.slaClass !== b.slaClass) {
      const ua = this.urgency(a, now);
      const ub = this.urgency(b, now);
      if (ua !== ub) return ua > ub ? -1 : 1;
    }
    return compareArrival(a, b);
  }

  /** A sorted copy of the entries, first served first, at `now`. */
  order(entries: readonly RoutingEntry[], now: number): RoutingEntry[] {
    return [...entries].sort((a, b) => this.compareEntries(a, b, now));
  }

  /** Whether the agent has signed long enough without a break to be spared calls while others can take them. */
  isFatigued(agent: RoutingAgent): boolean {
    return agent.signingMs >= this.#fatigueAfterMs;
  }

  /**
   * The best qualified agent for the entry at `now`, or undefined when none qualifies: rested before
   * fatigued, then the returning customer's last agent, then most preferred skills (then their level
   * sum), then longest idle, then agent id.
   */
  pickAgent(entry: RoutingEntry, agents: readonly RoutingAgent[], now: number): RoutingAgent | undefined {
    const wanted = this.effectiveRequirements(entry, now);
    // Two rank records swapped in place: no allocation per agent, as this runs over every idle agent.
    let best = emptyRank();
    let candidate = emptyRank();
    for (const agent of agents) {
      if (!meetsAll(agent.skills, wanted.required)) continue;
      this.#rankInto(candidate, agent, wanted);
      if (best.agent !== undefined && compareRanks(candidate, best) >= 0) continue;
      const previous = best;
      best = candidate;
      candidate = previous;
    }
    return best.agent;
  }

  /** Offers for this moment: entries in queue order, each to its best agent among those still free; each entry and agent at most once. */
  match(entries: readonly RoutingEntry[], agents: readonly RoutingAgent[], now: number): Match[] {
    const free = [...agents];
    const matches: Match[] = [];
    for (const entry of this.order(entries, now)) {
      if (free.length === 0) break;
      const agent = this.pickAgent(entry, free, now);
      if (agent === undefined) continue;
      free.splice(free.indexOf(agent), 1);
      matches.push({ ticketId: entry.ticketId, agentId: agent.agentId });
    }
    return matches;
  }

  #rankInto(rank: AgentRank, agent: RoutingAgent, wanted: EffectiveRequirements): void {
    rank.agent = agent;
    rank.fatigued = this.isFatigued(agent);
    rank.returning = wanted.preferredAgentId !== undefined && agent.agentId === wanted.preferredAgentId;
    rank.preferredSkills = 0;
    rank.preferredLevels = 0;
    for (const skill of wanted.preferred) {
      const level = agent.skills[skill];
      if (level === undefined || level < 1) continue;
      rank.preferredSkills += 1;
      rank.preferredLevels += level;
    }
  }
}

/** What ranks one qualified agent for one entry. */
interface AgentRank {
  agent: RoutingAgent | undefined;
  fatigued: boolean;
  returning: boolean;
  preferredSkills: number;
  preferredLevels: number;
}

function emptyRank(): AgentRank {
  return { agent: undefined, fatigued: false, returning: false, preferredSkills: 0, preferredLevels: 0 };
}

function compareRanks(a: AgentRank, b: AgentRank): number {
  if (a.fatigued !== b.fatigued) return a.fatigued ? 1 : -1;
  if (a.returning !== b.returning) return a.returning ? -1 : 1;
  if (a.preferredSkills !== b.preferredSkills) return b.preferredSkills - a.preferredSkills;
  if (a.preferredLevels !== b.preferredLevels) return b.preferredLevels - a.preferredLevels;
  const x = a.agent!;
  const y = b.agent!;
  if (x.idleSince !== y.idleSince) return x.idleSince - y.idleSince;
  return compareStrings(x.agentId, y.agentId);
}

/** Whether the skills meet every requirement as given (no relaxation applied here). */
export function meetsAll(skills: SkillMap, required: readonly SkillRequirement[]): boolean {
  for (const requirement of required) {
    const level = skills[requirement.skill];
    if (level === undefined || level < requirement.minLevel) return false;
  }
  return true;
}

/** Arrival order: `enqueuedAt`, then `seq`, then ticket id; negative when `a` came first. */
export function compareArrival(a: RoutingEntry, b: RoutingEntry): number {
  return a.enqueuedAt - b.enqueuedAt || a.seq - b.seq || compareStrings(a.ticketId, b.ticketId);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
