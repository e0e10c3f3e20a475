import type { WaitRange } from '../../signaling/index.js';
import type { AgentRecord } from '../store/RoutingStore.js';
import { StoredAgentStatus } from '../store/RoutingStore.js';
import type { RoutingEntry } from './model.js';
import type { RoutingQueue } from './RoutingQueue.js';
import { meetsAll, type SkillPolicy } from './SkillPolicy.js';
import type { WaitEstimator } from './WaitEstimator.js';

/** Where a queued customer stands: 1-based position among the entries they compete with, and the estimated wait. */
export interface QueueStatus {
  position: number;
  eta: WaitRange;
}

/** What a status is computed from, all as this node sees it now. */
export interface StatusInputs {
  /** The index of waiting entries. */
  queue: RoutingQueue;
  policy: SkillPolicy;
  estimator: WaitEstimator;
  /** Every signed-in agent. */
  agents: Iterable<AgentRecord>;
  /** Recent handle times, seconds. */
  handleTimesSec: readonly number[];
}

/** Qualified agents (logged in, and idle among them) per effective requirement, shared by the statuses of one round. */
export type StaffingCache = Map<string, { agents: number; idle: number }>;

/**
 * The status of a queued entry at `now`. Pure. An entry being offered or on hold is not in the index: it is
 * at the front of its own line (position 1). The estimate counts the agents who could serve the entry now
 * (not away, not missed, with its relaxed required skills); `staffing` caches those counts across entries.
 */
export function queueStatus(entry: RoutingEntry, inputs: StatusInputs, now: number, staffing: StaffingCache = new Map()): QueueStatus {
  const position = inputs.queue.position(entry.ticketId, now) ?? 1;
  const required = inputs.policy.effectiveRequirements(entry, now).required;
  const key = JSON.stringify(required);
  let counts = staffing.get(key);
  if (!counts) {
    counts = { agents: 0, idle: 0 };
    for (const record of inputs.agents) {
      if (record.status === StoredAgentStatus.Away || record.status === StoredAgentStatus.Missed || !meetsAll(record.skills, required)) continue;
      counts.agents++;
      if (record.status === StoredAgentStatus.Available) counts.idle++;
    }
    staffing.set(key, counts);
  }
  return { position, eta: inputs.estimator.estimate({ position, agents: counts.agents, idle: counts.idle, handleTimesSec: inputs.handleTimesSec }) };
}
