import type { QueueSummary } from '../../signaling/index.js';
import type { AgentRecord, QueuedEntry, StoredOffer } from '../store/RoutingStore.js';
import { StoredAgentStatus } from '../store/RoutingStore.js';
import { RoutingQueue } from './RoutingQueue.js';
import type { SkillPolicy } from './SkillPolicy.js';

/**
 * This node's copy of the shared routing state, which it plans on: every queued entry (waiting, offered or
 * held), the waiting ones also in a `RoutingQueue` index, and the signed-in agents. The store is the truth;
 * each method follows one step the store has already applied, and `load` replaces the whole copy whenever
 * it may have drifted (another node moved, a claim was refused, a store call failed). No I/O.
 *
 * Invariant: an entry is in the index exactly when it is tracked, has no open offer and is not held.
 */
export class RoutingMirror {
  readonly #policy: SkillPolicy;
  readonly #entries = new Map<string, QueuedEntry>();
  readonly #agents = new Map<string, AgentRecord>();
  #queue: RoutingQueue;

  constructor(policy: SkillPolicy) {
    this.#policy = policy;
    this.#queue = new RoutingQueue(policy);
  }

  /** The index of waiting entries (no open offer, not held). */
  get queue(): RoutingQueue {
    return this.#queue;
  }

  /** Queued entries, waiting, offered or held. */
  get size(): number {
    return this.#entries.size;
  }

  /** A queued entry, or undefined. */
  entry(ticketId: string): QueuedEntry | undefined {
    return this.#entries.get(ticketId);
  }

  /** Every queued entry. */
  entries(): IterableIterator<QueuedEntry> {
    return this.#entries.values();
  }

  /** A signed-in agent, or undefined. */
  agent(agentId: string): AgentRecord | undefined {
    return this.#agents.get(agentId);
  }

  /** Every signed-in agent; the iterable can be walked more than once. */
  agents(): Iterable<AgentRecord> {
    return { [Symbol.iterator]: () => this.#agents.values() };
  }

  /** Replaces the copy with a snapshot of the store. */
  load(snapshot: { entries: readonly QueuedEntry[]; agents: readonly AgentRecord[] }): void {
    this.#entries.clear();
    this.#queue = new RoutingQueue(this.#policy);
    for (const entry of snapshot.entries) {
      this.#entries.set(entry.ticketId, entry);
      if (!entry.offerId && entry.heldUntil === undefined) this.#queue.add(entry);
    }
    this.#agents.clear();
    for (const agent of snapshot.agents) this.#agents.set(agent.agentId, agent);
  }

  /** Tracks a newly queued entry; `waiting` also puts it in the index (a transfer to a named agent is offered first). */
  addEntry(entry: QueuedEntry, waiting: boolean): void {
    this.#entries.set(entry.ticketId, entry);
    if (waiting) this.#queue.add(entry);
  }

  /** Puts a tracked entry in the index at its place by arrival, unless it is offered, held or already there. */
  requeue(ticketId: string): void {
    const entry = this.#entries.get(ticketId);
    if (entry && !entry.offerId && entry.heldUntil === undefined && !this.#queue.has(ticketId)) this.#queue.add(entry);
  }

  /** The entry left the queue (answered, abandoned, lapsed). */
  forgetEntry(ticketId: string): void {
    this.#entries.delete(ticketId);
    this.#queue.remove(ticketId);
  }

  /** The customer lost the connection: the entry is held, out of the index, until `until`. */
  hold(ticketId: string, until: number | undefined): void {
    const entry = this.#entries.get(ticketId);
    if (entry) entry.heldUntil = until;
    this.#queue.remove(ticketId);
  }

  /** The customer is back: the hold ends and the entry (the store's copy if this node did not know it) waits again at its place. */
  resume(stored: QueuedEntry): void {
    const entry = this.#entries.get(stored.ticketId) ?? stored;
    entry.heldUntil = undefined;
    this.#entries.set(entry.ticketId, entry);
    this.requeue(entry.ticketId);
  }

  /** Records an agent as the store returned it. */
  putAgent(record: AgentRecord): void {
    this.#agents.set(record.agentId, record);
  }

  /** The agent signed out or lost their last connection. */
  removeAgent(agentId: string): void {
    this.#agents.delete(agentId);
  }

  /** Sets a known agent's status (and the start of their idle time); undefined when the agent is not known here. */
  setAgentStatus(agentId: string, status: StoredAgentStatus, idleSince?: number): AgentRecord | undefined {
    const record = this.#agents.get(agentId);
    if (!record) return undefined;
    record.status = status;
    if (idleSince !== undefined) record.idleSince = idleSince;
    return record;
  }

  /**
   * An offer was claimed: the entry leaves the index and the agent is offered. Undefined, changing nothing,
   * when the entry is no longer tracked here (it left while the claim was in flight).
   */
  offered(offer: StoredOffer): { entry: QueuedEntry; agent: AgentRecord | undefined } | undefined {
    const entry = this.#entries.get(offer.ticketId);
    if (!entry) return undefined;
    entry.offerId = offer.offerId;
    this.#queue.remove(offer.ticketId);
    const agent = this.setAgentStatus(offer.agentId, StoredAgentStatus.Offered);
    if (agent) agent.offerId = offer.offerId;
    return { entry, agent };
  }

  /**
   * An offer ended without a call: the entry goes back to its place (unless held); the agent is missed since
   * `missedAt`, or available again when it was nobody's fault (undefined). Returns the agent, if known here.
   */
  offerEnded(offer: StoredOffer, missedAt: number | undefined): AgentRecord | undefined {
    const entry = this.#entries.get(offer.ticketId);
    if (entry) {
      delete entry.offerId;
      this.requeue(offer.ticketId);
    }
    const agent =
      missedAt === undefined ? this.setAgentStatus(offer.agentId, StoredAgentStatus.Available) : this.setAgentStatus(offer.agentId, StoredAgentStatus.Missed, missedAt);
    if (agent) delete agent.offerId;
    return agent;
  }

  /** Queued customers and the longest wait at `now`. */
  summary(now: number): QueueSummary {
    let longestWaitMs = 0;
    for (const entry of this.#entries.values()) longestWaitMs = Math.max(longestWaitMs, now - entry.enqueuedAt);
    return { waiting: this.#entries.size, longestWaitMs };
  }
}
