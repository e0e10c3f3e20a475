import type { AgentRecord } from '../store/RoutingStore.js';
import { StoredAgentStatus } from '../store/RoutingStore.js';
import type { Match, RoutingAgent } from './model.js';
import type { RoutingQueue } from './RoutingQueue.js';
import type { SkillPolicy } from './SkillPolicy.js';

/** The agents free to take an offer now (available), longest idle first, ties by id, with their continuous signing. Pure. */
export function idleAgents(records: Iterable<AgentRecord>, signingMsOf: (agentId: string) => number): RoutingAgent[] {
  const idle: RoutingAgent[] = [];
  for (const record of records) {
    if (record.status !== StoredAgentStatus.Available) continue;
    idle.push({ agentId: record.agentId, skills: record.skills, idleSince: record.idleSince, signingMs: signingMsOf(record.agentId) });
  }
  return idle.sort((a, b) => a.idleSince - b.idleSince || a.agentId.localeCompare(b.agentId));
}

/**
 * The next offer to make, or undefined when no idle agent qualifies for any waiting entry. Pure: no I/O,
 * no clock but `now`. Agents in the order given (longest idle first, from `idleAgents`) each ask the index
 * for their best entry; that entry then goes to its own best agent among all the idle ones (its returning
 * agent, a rested one, the best preferred-skill match), never to the agent who passed it on
 * (`notAgentId`). An agent whose best entry no idle agent may take gives the turn to the next agent.
 */
export function nextMatch(idle: readonly RoutingAgent[], queue: RoutingQueue, policy: SkillPolicy, now: number): Match | undefined {
  if (idle.length === 0 || queue.size === 0) return undefined;
  for (const agent of idle) {
    const entry = queue.bestEntryFor(agent, now);
    if (!entry) continue;
    const excluded = entry.notAgentId;
    const candidates = excluded === undefined ? idle : idle.filter((a) => a.agentId !== excluded);
    const chosen = policy.pickAgent(entry, candidates, now) ?? (agent.agentId === excluded ? undefined : agent);
    if (chosen) return { ticketId: entry.ticketId, agentId: chosen.agentId };
  }
  return undefined;
}
