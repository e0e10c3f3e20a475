import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { AgentProfile, CallMode, Offer, OfferCancelReason, QueueJoin } from '../../signaling/index.js';
import type { AgentState } from '../../signaling/events.js';
import { AppError } from '../errors.js';
import type { RoutingPolicy } from './RoutingPolicy.js';

/** A customer's place in the queue. */
export interface QueueEntry {
  ticketId: string;
  mode: CallMode;
  topic: string;
  device: QueueJoin['device'];
  enqueuedAt: number;
  seq: number;
  /** The open offer for this entry, if any. */
  offerId?: string;
}

/** Agent states as routing tracks them. */
export const AgentStatus = {
  Offline: 'offline',
  Available: 'available',
  Away: 'away',
  Offered: 'offered',
  InCall: 'in-call',
} as const;
/** One of the agent states. */
export type AgentStatus = (typeof AgentStatus)[keyof typeof AgentStatus];

interface AgentRecord {
  profile: AgentProfile;
  status: AgentStatus;
  /** Set when the agent let an offer lapse or declined it; cleared when the agent is available again. */
  missed: boolean;
  idleSince: number;
  connections: number;
}

interface OpenOffer {
  offer: Offer;
  agentId: string;
  timer: NodeJS.Timeout;
}

/** What the dispatcher announces; the socket layer turns these into pushes. */
export interface DispatcherEvents {
  /** An entry was offered to an agent. */
  offer: [agentId: string, offer: Offer];
  /** An open offer was withdrawn. */
  offerCancelled: [agentId: string, offerId: string, reason: OfferCancelReason];
  /** An agent's state changed. */
  agentState: [agentId: string, state: AgentState];
  /** A waiting entry's position changed. */
  position: [ticketId: string, position: number];
  /** An agent accepted: the entry left the queue and a call should start. */
  accepted: [entry: QueueEntry, agent: AgentProfile];
}

/** Options of a dispatcher. */
export interface DispatcherOptions {
  policy: RoutingPolicy;
  offerTimeoutMs: number;
  now?: () => number;
}

/**
 * Holds the queue, the agents and the open offers in memory, asks the policy for matches after
 * every change and applies them in the same event-loop turn, so no agent holds two offers and no
 * entry is offered twice.
 */
export class Dispatcher extends EventEmitter<DispatcherEvents> {
  readonly #policy: RoutingPolicy;
  readonly #offerTimeoutMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, QueueEntry>();
  readonly #agents = new Map<string, AgentRecord>();
  readonly #offers = new Map<string, OpenOffer>();
  readonly #positions = new Map<string, number>();
  #seq = 0;
  #closed = false;

  constructor(options: DispatcherOptions) {
    super();
    this.#policy = options.policy;
    this.#offerTimeoutMs = options.offerTimeoutMs;
    this.#now = options.now ?? Date.now;
  }

  /** Adds a customer to the queue and returns the 1-based position. */
  enqueue(request: { ticketId: string; mode: CallMode; topic: string; device: QueueJoin['device'] }): number {
    this.#assertOpen();
    if (this.#entries.has(request.ticketId)) throw AppError.invalidState(`ticket "${request.ticketId}" is already queued`);
    this.#entries.set(request.ticketId, { ...request, enqueuedAt: this.#now(), seq: this.#seq++ });
    this.#dispatch();
    return this.#positions.get(request.ticketId) ?? 0;
  }

  /** Removes a waiting customer (left or disconnected); withdraws an open offer for them. */
  abandon(ticketId: string): void {
    const entry = this.#entries.get(ticketId);
    if (!entry) return;
    if (entry.offerId) this.#withdraw(entry.offerId, 'abandoned', false);
    this.#entries.delete(ticketId);
    this.#positions.delete(ticketId);
    this.#dispatch();
  }

  /** Whether the ticket is waiting in the queue. */
  isQueued(ticketId: string): boolean {
    return this.#entries.has(ticketId);
  }

  /** Counts a connection of a signed-in agent; the first one brings the agent online as away. */
  agentConnected(profile: AgentProfile): AgentState {
    const record = this.#agents.get(profile.id);
    if (record) {
      record.connections++;
      record.profile = profile;
      return this.#stateOf(record);
    }
    const fresh: AgentRecord = { profile, status: AgentStatus.Away, missed: false, idleSince: this.#now(), connections: 1 };
    this.#agents.set(profile.id, fresh);
    return this.#stateOf(fresh);
  }

  /** Drops a connection; with none left the agent goes offline and an open offer is withdrawn. */
  agentDisconnected(agentId: string): void {
    const record = this.#agents.get(agentId);
    if (!record) return;
    record.connections--;
    if (record.connections > 0) return;
    const open = this.#offerOf(agentId);
    if (open) this.#withdraw(open.offer.offerId, 'abandoned', true);
    this.#agents.delete(agentId);
    this.#dispatch();
  }

  /** Sets an agent available or away; an agent in a call or holding an offer cannot change. */
  setAvailability(agentId: string, status: 'available' | 'away'): void {
    const record = this.#agent(agentId);
    if (record.status === AgentStatus.InCall || record.status === AgentStatus.Offered) {
      throw AppError.invalidState(`agent is ${record.status}; finish that first`);
    }
    if (status === 'available' && record.status !== AgentStatus.Available) record.idleSince = this.#now();
    record.status = status;
    record.missed = false;
    this.emit('agentState', agentId, this.#stateOf(record));
    this.#dispatch();
  }

  /** The agent takes the offer: the entry leaves the queue and `accepted` is emitted. */
  accept(agentId: string, offerId: string): QueueEntry {
    const open = this.#offers.get(offerId);
    if (!open || open.agentId !== agentId) throw AppError.offerExpired(offerId);
    clearTimeout(open.timer);
    this.#offers.delete(offerId);
    const entry = this.#entries.get(open.offer.ticketId)!;
    this.#entries.delete(entry.ticketId);
    this.#positions.delete(entry.ticketId);
    delete entry.offerId;
    const record = this.#agent(agentId);
    record.status = AgentStatus.InCall;
    this.emit('agentState', agentId, this.#stateOf(record));
    this.emit('accepted', entry, record.profile);
    this.#dispatch();
    return entry;
  }

  /** The agent turns the offer down: the entry keeps its place and the agent is marked missed. */
  decline(agentId: string, offerId: string): void {
    const open = this.#offers.get(offerId);
    if (!open || open.agentId !== agentId) throw AppError.offerExpired(offerId);
    this.#withdraw(offerId, 'declined', true);
    this.#dispatch();
  }

  /** A call of this agent ended: the agent is available again. */
  callEnded(agentId: string): void {
    const record = this.#agents.get(agentId);
    if (!record || record.status !== AgentStatus.InCall) return;
    record.status = AgentStatus.Available;
    record.idleSince = this.#now();
    this.emit('agentState', agentId, this.#stateOf(record));
    this.#dispatch();
  }

  /** Current position of a waiting ticket (1-based), or undefined. */
  positionOf(ticketId: string): number | undefined {
    return this.#positions.get(ticketId);
  }

  /** Withdraws every offer and stops every timer; later calls throw. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const open of this.#offers.values()) clearTimeout(open.timer);
    this.#offers.clear();
    this.removeAllListeners();
  }

  #dispatch(): void {
    if (this.#closed) return;
    const now = this.#now();
    const waiting = [...this.#entries.values()].filter((entry) => !entry.offerId);
    const idle = [...this.#agents.values()]
      .filter((agent) => agent.status === AgentStatus.Available && !agent.missed)
      .map((agent) => ({ agentId: agent.profile.id, modes: agent.profile.modes, idleSince: agent.idleSince }));
    for (const match of this.#policy.match(waiting, idle, now)) this.#offer(match.ticketId, match.agentId, now);
    this.#publishPositions(now);
  }

  #offer(ticketId: string, agentId: string, now: number): void {
    const entry = this.#entries.get(ticketId)!;
    const record = this.#agent(agentId);
    const offer: Offer = {
      offerId: randomUUID(),
      ticketId,
      mode: entry.mode,
      topic: entry.topic,
      device: entry.device,
      waitedMs: now - entry.enqueuedAt,
      deadline: now + this.#offerTimeoutMs,
    };
    const timer = setTimeout(() => {
      this.#withdraw(offer.offerId, 'timeout', true);
      this.#dispatch();
    }, this.#offerTimeoutMs);
    entry.offerId = offer.offerId;
    record.status = AgentStatus.Offered;
    this.#offers.set(offer.offerId, { offer, agentId, timer });
    this.emit('agentState', agentId, this.#stateOf(record));
    this.emit('offer', agentId, offer);
  }

  // The entry stays in the map with its original enqueuedAt, so it keeps its place.
  #withdraw(offerId: string, reason: OfferCancelReason, agentMissed: boolean): void {
    const open = this.#offers.get(offerId);
    if (!open) return;
    clearTimeout(open.timer);
    this.#offers.delete(offerId);
    const entry = this.#entries.get(open.offer.ticketId);
    if (entry) delete entry.offerId;
    const record = this.#agents.get(open.agentId);
    if (record) {
      record.status = agentMissed ? AgentStatus.Away : AgentStatus.Available;
      record.missed = agentMissed;
      record.idleSince = this.#now();
      this.emit('offerCancelled', open.agentId, offerId, reason);
      this.emit('agentState', open.agentId, this.#stateOf(record));
    }
  }

  #publishPositions(now: number): void {
    const perMode = new Map<CallMode, number>();
    for (const entry of this.#policy.order([...this.#entries.values()], now)) {
      const position = (perMode.get(entry.mode) ?? 0) + 1;
      perMode.set(entry.mode, position);
      if (this.#positions.get(entry.ticketId) === position) continue;
      this.#positions.set(entry.ticketId, position);
      this.emit('position', entry.ticketId, position);
    }
  }

  #offerOf(agentId: string): OpenOffer | undefined {
    for (const open of this.#offers.values()) if (open.agentId === agentId) return open;
    return undefined;
  }

  #agent(agentId: string): AgentRecord {
    const record = this.#agents.get(agentId);
    if (!record) throw AppError.invalidState('agent is not online');
    return record;
  }

  #stateOf(record: AgentRecord): AgentState {
    switch (record.status) {
      case AgentStatus.Available:
      case AgentStatus.Offered:
      case AgentStatus.InCall:
        return { status: record.status };
      case AgentStatus.Away:
        return record.missed ? { status: 'away', reason: 'missed' } : { status: 'away' };
      case AgentStatus.Offline:
        return { status: 'away' };
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw AppError.invalidState('dispatcher is closed');
  }
}
