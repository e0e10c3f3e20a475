import type { CallMode } from '../../signaling/index.js';

/** A customer waiting for an agent, as routing sees it. */
export interface WaitingEntry {
  ticketId: string;
  mode: CallMode;
  /** Epoch ms of the original arrival; declines and timeouts never change it. */
  enqueuedAt: number;
  /** Arrival order, to break ties between equal `enqueuedAt`. */
  seq: number;
}

/** An agent who could take a call now, as routing sees it. */
export interface IdleAgent {
  agentId: string;
  modes: readonly CallMode[];
  /** Epoch ms since which the agent has had no call or offer. */
  idleSince: number;
}

/** One decision: offer this entry to this agent. */
export interface Match {
  ticketId: string;
  agentId: string;
}

/** Pure routing: waiting entries and idle agents in, offers out. No I/O, no clock of its own. */
export interface RoutingPolicy {
  /** Pairs entries with agents; every entry and every agent appears in at most one match. */
  match(entries: readonly WaitingEntry[], agents: readonly IdleAgent[], now: number): Match[];
  /** Sorts entries into queue order (first is served first). */
  order(entries: readonly WaitingEntry[], now: number): WaitingEntry[];
}

/** First come, first served; the agent must offer the requested mode; among those, the longest idle. */
export class FifoPolicy implements RoutingPolicy {
  order(entries: readonly WaitingEntry[]): WaitingEntry[] {
    return [...entries].sort((a, b) => a.enqueuedAt - b.enqueuedAt || a.seq - b.seq);
  }

  match(entries: readonly WaitingEntry[], agents: readonly IdleAgent[], now: number): Match[] {
    const free = [...agents].sort((a, b) => a.idleSince - b.idleSince || a.agentId.localeCompare(b.agentId));
    const matches: Match[] = [];
    for (const entry of this.order(entries)) {
      const index = free.findIndex((agent) => agent.modes.includes(entry.mode));
      if (index < 0) continue;
      const [agent] = free.splice(index, 1);
      matches.push({ ticketId: entry.ticketId, agentId: agent!.agentId });
      if (free.length === 0) break;
    }
    return matches;
  }
}
