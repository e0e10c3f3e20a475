import type { CallMode, QueueJoin, QueueName, TransferContext } from '../../signaling/index.js';
import type { RoutingEntry, SkillMap } from '../routing/model.js';

/** A waiting customer as stored: the routing view plus what the agent's offer shows. */
export interface QueuedEntry extends RoutingEntry {
  mode: CallMode;
  topic: string;
  device: QueueJoin['device'];
  /** The queue it waits in, for service levels. */
  queue: QueueName;
  /** Set when the call was transferred here by an agent. */
  transfer?: TransferContext | undefined;
  /** The agent who passed the call on, never offered it again. */
  notAgentId?: string | undefined;
  /** Set while an offer for this entry is open. */
  offerId?: string | undefined;
  /** Epoch ms until which the place is held for a customer who lost the connection; no offer goes out meanwhile. */
  heldUntil?: number | undefined;
}

/**
 * Agent states as the store keeps them; `missed` is away after a declined or lapsed offer, `wrap-up` the time after a
 * call for its notes (no offers, available again when submitted or at `wrapUpUntil`).
 */
export const StoredAgentStatus = {
  Available: 'available',
  Away: 'away',
  Missed: 'missed',
  Offered: 'offered',
  InCall: 'in-call',
  WrapUp: 'wrap-up',
} as const;
/** One of the stored agent states. */
export type StoredAgentStatus = (typeof StoredAgentStatus)[keyof typeof StoredAgentStatus];

/** A signed-in agent as stored. */
export interface AgentRecord {
  agentId: string;
  name: string;
  skills: SkillMap;
  status: StoredAgentStatus;
  /** Epoch ms since which the agent has had no call or offer. */
  idleSince: number;
  /** Set while an offer to this agent is open. */
  offerId?: string | undefined;
  /** Epoch ms at which the agent's wrap-up ends by itself; set only in wrap-up. */
  wrapUpUntil?: number | undefined;
}

/** An open offer. */
export interface StoredOffer {
  offerId: string;
  ticketId: string;
  agentId: string;
  /** Epoch ms after which the offer lapses. */
  deadline: number;
}

/** How an open offer ended; `withdrawn` is nobody's fault (the customer stepped away) and leaves the agent available. */
export type OfferOutcome = 'accepted' | 'declined' | 'timeout' | 'withdrawn';

/** What settling an offer changed. */
export interface SettledOffer {
  offer: StoredOffer;
  /** The entry: removed from the queue when accepted, back to waiting (same place) otherwise. */
  entry: QueuedEntry;
}

/** What a queue's service-level counters add up since they began. */
export interface ServiceCounters {
  answered: number;
  answeredWithinTarget: number;
  abandoned: number;
  handled: number;
  handleMsTotal: number;
}

/** Why an atomic claim failed; the caller re-plans on fresh state. */
export type ClaimRefusal = 'no-entry' | 'entry-busy' | 'no-agent' | 'agent-busy';

/**
 * Shared routing state. Every method is one atomic step, on one event-loop turn (memory) or one Lua
 * script (Redis), so that across any number of server nodes no agent holds two offers and no entry
 * is offered to two agents.
 */
export interface RoutingStore {
  /** Queues an entry (its `seq` is assigned here, so arrival order is global across nodes); false if the ticket is already queued. */
  addEntry(entry: Omit<QueuedEntry, 'seq' | 'offerId' | 'heldUntil'>): Promise<QueuedEntry | null>;
  /** Removes an entry; an open offer for it is withdrawn and its agent made available again. */
  removeEntry(ticketId: string): Promise<{ entry: QueuedEntry; withdrawn?: StoredOffer } | null>;
  /** Holds the entry's place until `until` (withdrawing an open offer), or clears the hold with null; null when not queued. */
  holdEntry(ticketId: string, until: number | null): Promise<{ entry: QueuedEntry; withdrawn?: StoredOffer } | null>;
  /** Entries whose hold ran out by `now`, for the sweeper that outlives the node that held them. */
  dueHolds(now: number): Promise<string[]>;
  /** One entry, or null. */
  getEntry(ticketId: string): Promise<QueuedEntry | null>;
  /** Adds or refreshes a signed-in agent; a new agent starts away. Returns the current record. */
  putAgent(agent: { agentId: string; name: string; skills: SkillMap }, now: number): Promise<AgentRecord>;
  /** Removes an agent (signed out, last connection gone); an open offer is withdrawn, its entry keeps its place. */
  removeAgent(agentId: string): Promise<{ agent: AgentRecord; withdrawn?: StoredOffer } | null>;
  /** Sets available or away; refused ('busy') while offered, in a call or in wrap-up, 'missing' for an unknown agent. */
  setAvailability(agentId: string, status: 'available' | 'away', now: number): Promise<AgentRecord | 'busy' | 'missing'>;
  /** Atomically offers a waiting entry to an available agent. */
  claimOffer(offer: StoredOffer): Promise<true | ClaimRefusal>;
  /** Atomically ends an open offer; null when it was already settled (elsewhere), never existed, or belongs to another agent than `agentId`. */
  settleOffer(offerId: string, outcome: OfferOutcome, now: number, agentId?: string): Promise<SettledOffer | null>;
  /**
   * A call ended: the agent is in wrap-up until `wrapUpUntil` when it is given and later than `now`, else available
   * again. False if the agent was not in a call.
   */
  finishCall(agentId: string, now: number, wrapUpUntil?: number): Promise<boolean>;
  /**
   * An agent who was available or away (missed too) took a call over (a warm transfer): in the call from now, offered
   * nothing, and `finishCall` ends it. False, changing nothing, for an unknown agent or one offered, in a call or in
   * wrap-up.
   */
  takeCall(agentId: string): Promise<boolean>;
  /** Ends the agent's wrap-up (submitted, or its time is up): available again. Null, changing nothing, when not in wrap-up. */
  endWrapUp(agentId: string, now: number): Promise<AgentRecord | null>;
  /** Agents whose wrap-up time ran out by `now`, for the sweeper that outlives the node that timed it. */
  dueWrapUps(now: number): Promise<string[]>;
  /** An open offer, or null once settled or never made (a console reconnecting to another node shows it again). */
  getOffer(offerId: string): Promise<StoredOffer | null>;
  /** Offers whose deadline has passed, for the sweeper that outlives the node that made them. */
  dueOffers(now: number): Promise<string[]>;
  /** Adds to a queue's service-level counters. */
  countService(queue: QueueName, delta: Partial<ServiceCounters>): Promise<void>;
  /** Every queue's counters so far. */
  serviceCounters(): Promise<Partial<Record<QueueName, ServiceCounters>>>;
  /** Calls `listener` whenever another server node changed the shared state (never, in memory). */
  onRemoteChange(listener: () => void): Promise<void>;
  /** Every entry and agent, for planning. */
  snapshot(): Promise<{ entries: QueuedEntry[]; agents: AgentRecord[] }>;
  /** Releases connections. Idempotent. */
  close(): Promise<void>;
}
