import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AgentProfile, AgentState, Offer, OfferCancelReason, QueueName, QueueServiceLevel, QueueSummary, WaitRange } from '../../signaling/index.js';
import { AppError } from '../../signaling/index.js';
import type { AgentRecord, OfferOutcome, QueuedEntry, RoutingStore, StoredOffer } from '../store/RoutingStore.js';
import { StoredAgentStatus } from '../store/RoutingStore.js';
import type { RoutingAgent, SkillMap } from './model.js';
import { RoutingQueue } from './RoutingQueue.js';
import { meetsAll, type SkillPolicy } from './SkillPolicy.js';
import { WaitEstimator } from './WaitEstimator.js';

/** What the router announces; the socket layer turns these into pushes. */
export interface RouterEvents {
  /** An entry was offered to an agent. */
  offer: [agentId: string, offer: Offer];
  /** An open offer was withdrawn. */
  offerCancelled: [agentId: string, offerId: string, reason: OfferCancelReason];
  /** An agent's state changed. */
  agentState: [agentId: string, state: AgentState];
  /** A waiting entry's position or estimated wait changed. */
  position: [ticketId: string, position: number, eta: WaitRange];
  /** An agent accepted: the entry left the queue and a call should start. */
  accepted: [entry: QueuedEntry, agent: AgentProfile];
}

/** Options of a router. */
export interface RouterOptions {
  store: RoutingStore;
  policy: SkillPolicy;
  offerTimeoutMs: number;
  /** How long a customer who lost the connection keeps their place. */
  holdMs: number;
  /** After a missed offer the agent is available again after this long; 0 waits for the agent. */
  missedCooldownMs: number;
  estimator?: WaitEstimator;
  now?: () => number;
  /** How often to look for offers whose node died before their deadline fired. */
  sweepIntervalMs?: number;
  /** Least time between two rounds of position updates. */
  positionIntervalMs?: number;
}

/** A request to join the queue, already turned into routing terms. */
export type EnqueueRequest = Omit<QueuedEntry, 'seq' | 'offerId' | 'enqueuedAt' | 'transferred' | 'heldUntil' | 'transfer'>;

/** A call in progress moving to another queue or agent, with the ticket's context. */
export interface TransferRequest extends EnqueueRequest {
  transfer: NonNullable<QueuedEntry['transfer']>;
  /** Offer it to this agent only (who must be available); declined or lapsed, it waits in `queue`. */
  toAgentId?: string | undefined;
}

/** A call that ended, as routing counts it. */
export interface EndedCall {
  handleMs: number;
  /** A sign-language call: it adds to the agent's continuous signing. */
  signing: boolean;
  queue: QueueName;
}

interface LocalAgent {
  profile: AgentProfile;
  connections: number;
  /** Continuous signing, reset by going away (a break). */
  signingMs: number;
}

const HANDLE_TIMES_KEPT = 50;

/**
 * Routes waiting customers to qualified agents. The store is the truth and applies every decision
 * atomically; this node plans on a mirror of it (a `RoutingQueue` index and the agents), so a decision
 * costs microseconds, and re-reads the store whenever a claim is refused because another node moved first.
 */
export class Router extends EventEmitter<RouterEvents> {
  readonly #store: RoutingStore;
  readonly #policy: SkillPolicy;
  readonly #estimator: WaitEstimator;
  readonly #options: Required<Omit<RouterOptions, 'store' | 'policy' | 'estimator' | 'now'>>;
  readonly #now: () => number;
  readonly #entries = new Map<string, QueuedEntry>();
  readonly #queue: RoutingQueue;
  readonly #agents = new Map<string, AgentRecord>();
  readonly #local = new Map<string, LocalAgent>();
  readonly #offerTimers = new Map<string, NodeJS.Timeout>();
  readonly #holds = new Map<string, NodeJS.Timeout>();
  readonly #cooldowns = new Map<string, NodeJS.Timeout>();
  readonly #published = new Map<string, string>();
  readonly #handleTimesSec: number[] = [];
  readonly #sweeper: NodeJS.Timeout;
  #positionsTimer: NodeJS.Timeout | undefined;
  #positionsAt = 0;
  #dispatching = false;
  #dispatchAgain = false;
  /** Another node changed the shared state: re-read it before the next round. */
  #stale = false;
  #closed = false;

  constructor(options: RouterOptions) {
    super();
    this.#store = options.store;
    this.#policy = options.policy;
    this.#estimator = options.estimator ?? new WaitEstimator();
    this.#now = options.now ?? Date.now;
    this.#options = {
      offerTimeoutMs: options.offerTimeoutMs,
      holdMs: options.holdMs,
      missedCooldownMs: options.missedCooldownMs,
      sweepIntervalMs: options.sweepIntervalMs ?? 1000,
      positionIntervalMs: options.positionIntervalMs ?? 250,
    };
    this.#queue = new RoutingQueue(options.policy);
    this.#sweeper = setInterval(() => void this.#sweep(), this.#options.sweepIntervalMs);
    this.#sweeper.unref();
  }

  /** Loads the current state from the store (a node joining a running cluster). */
  async start(): Promise<void> {
    await this.#store.onRemoteChange(() => {
      this.#stale = true;
      void this.#dispatch();
    });
    await this.#resync();
    await this.#dispatch();
  }

  /** Queues a customer; resolves to their position and estimated wait. */
  async enqueue(request: EnqueueRequest): Promise<{ position: number; eta: WaitRange }> {
    this.#assertOpen();
    const entry = await this.#store.addEntry({ ...request, transferred: false, enqueuedAt: this.#now() });
    if (!entry) throw AppError.invalidState(`ticket "${request.ticketId}" is already queued`);
    this.#entries.set(entry.ticketId, entry);
    this.#queue.add(entry);
    await this.#dispatch();
    return this.#statusOrFront(entry.ticketId);
  }

  /**
   * Queues a call that an agent passes on, ahead of new arrivals of the same priority. With
   * `toAgentId` it is offered to that agent first; throws, changing nothing, when that agent is
   * unknown or not available.
   */
  async transfer(request: TransferRequest): Promise<{ position: number; eta: WaitRange }> {
    this.#assertOpen();
    const { toAgentId, ...fields } = request;
    if (toAgentId !== undefined) {
      const target = this.#agents.get(toAgentId);
      if (!target) throw AppError.notFound('agent', toAgentId);
      if (target.status !== StoredAgentStatus.Available) throw AppError.invalidState(`agent "${toAgentId}" is not available`);
    }
    const entry = await this.#store.addEntry({ ...fields, transferred: true, enqueuedAt: this.#now() });
    if (!entry) throw AppError.invalidState(`ticket "${request.ticketId}" is already queued`);
    this.#entries.set(entry.ticketId, entry);
    // Another node may have taken the named agent meanwhile; then the call waits in its queue like any transfer.
    if (toAgentId === undefined || !(await this.#claim(entry.ticketId, toAgentId, this.#now()))) this.#queue.add(entry);
    await this.#dispatch();
    return this.#statusOrFront(entry.ticketId);
  }

  /** Removes a waiting customer for good (left on purpose, or the hold ran out); withdraws an open offer. */
  async abandon(ticketId: string): Promise<boolean> {
    this.#clearTimer(this.#holds, ticketId);
    const removed = await this.#store.removeEntry(ticketId);
    this.#forgetEntry(ticketId);
    if (!removed) return false;
    if (removed.withdrawn) this.#offerClosed(removed.withdrawn, 'abandoned', 'withdrawn');
    await this.#store.countService(removed.entry.queue, { abandoned: 1 });
    await this.#dispatch();
    return true;
  }

  /**
   * The customer lost the connection: the place is held in the store for the grace period (any node
   * ends the hold when it runs out, should this one die) and no offer goes out meanwhile.
   */
  async hold(ticketId: string): Promise<void> {
    if (this.#holds.has(ticketId)) return;
    // The timer is set before the store is asked, so a resume arriving meanwhile finds it and clears it.
    this.#holds.set(ticketId, setTimeout(() => void this.abandon(ticketId), this.#options.holdMs));
    const held = await this.#store.holdEntry(ticketId, this.#now() + this.#options.holdMs);
    if (!held) {
      this.#clearTimer(this.#holds, ticketId);
      return;
    }
    const resumed = !this.#holds.has(ticketId);
    const entry = this.#entries.get(ticketId);
    if (!resumed) {
      if (entry) entry.heldUntil = held.entry.heldUntil;
      this.#queue.remove(ticketId);
    }
    // The hold withdrew the open offer in the store either way; the mirror follows (back in line if resumed).
    if (held.withdrawn) this.#offerClosed(held.withdrawn, 'abandoned', 'withdrawn');
    // Resumed while the hold was being written (the resume's clear may have landed first): clear it again.
    if (resumed) await this.#store.holdEntry(ticketId, null);
    await this.#dispatch();
  }

  /** The customer is back: same place as before if the hold has not run out. False when the place was lost. */
  async resume(ticketId: string): Promise<boolean> {
    this.#clearTimer(this.#holds, ticketId);
    const entry = await this.#store.holdEntry(ticketId, null);
    if (!entry) {
      this.#forgetEntry(ticketId);
      return false;
    }
    const mirrored = this.#entries.get(ticketId) ?? entry.entry;
    mirrored.heldUntil = undefined;
    this.#entries.set(ticketId, mirrored);
    if (!mirrored.offerId && !this.#queue.has(ticketId)) this.#queue.add(mirrored);
    await this.#dispatch();
    return true;
  }

  /** Whether the ticket is in the queue (waiting, offered or held). */
  isQueued(ticketId: string): boolean {
    return this.#entries.has(ticketId);
  }

  /** Counts a connection of a signed-in agent; the first one brings the agent online, away. */
  async agentConnected(profile: AgentProfile, skills: SkillMap): Promise<AgentState> {
    const local = this.#local.get(profile.id) ?? { profile, connections: 0, signingMs: 0 };
    local.connections++;
    local.profile = profile;
    this.#local.set(profile.id, local);
    const record = await this.#store.putAgent({ agentId: profile.id, name: profile.name, skills }, this.#now());
    this.#agents.set(record.agentId, record);
    return this.#stateOf(record);
  }

  /** Drops a connection; with none left the agent goes offline and an open offer goes back to the queue. */
  async agentDisconnected(agentId: string): Promise<void> {
    const local = this.#local.get(agentId);
    if (!local) return;
    local.connections--;
    if (local.connections > 0) return;
    this.#local.delete(agentId);
    this.#clearTimer(this.#cooldowns, agentId);
    const removed = await this.#store.removeAgent(agentId);
    this.#agents.delete(agentId);
    if (removed?.withdrawn) this.#offerClosed(removed.withdrawn, 'abandoned', 'withdrawn');
    await this.#dispatch();
  }

  /** Sets an agent available or away; going away counts as a break from signing. */
  async setAvailability(agentId: string, status: 'available' | 'away'): Promise<void> {
    const record = await this.#store.setAvailability(agentId, status, this.#now());
    if (record === 'missing') throw AppError.invalidState('agent is not online');
    if (record === 'busy') throw AppError.invalidState('agent has an offer or a call; finish that first');
    this.#clearTimer(this.#cooldowns, agentId);
    const local = this.#local.get(agentId);
    if (local && status === 'away') local.signingMs = 0;
    this.#agents.set(agentId, record);
    this.emit('agentState', agentId, this.#stateOf(record));
    await this.#dispatch();
  }

  /** The agent takes the offer: the entry leaves the queue and `accepted` is emitted. */
  async accept(agentId: string, offerId: string): Promise<QueuedEntry> {
    const settled = await this.#store.settleOffer(offerId, 'accepted', this.#now(), agentId);
    if (!settled) throw AppError.offerExpired(offerId);
    this.#clearTimer(this.#offerTimers, offerId);
    this.#forgetEntry(settled.entry.ticketId);
    const withinTarget = this.#policy.urgency(settled.entry, this.#now()) <= 1 ? 1 : 0;
    await this.#store.countService(settled.entry.queue, { answered: 1, answeredWithinTarget: withinTarget });
    const record = this.#setAgentStatus(agentId, StoredAgentStatus.InCall);
    if (record) this.emit('agentState', agentId, this.#stateOf(record));
    const profile = this.#local.get(agentId)?.profile ?? { id: agentId, name: record?.name ?? agentId, modes: [] };
    this.emit('accepted', settled.entry, profile);
    this.#schedulePositions();
    return settled.entry;
  }

  /** The agent turns the offer down: the entry keeps its place and the agent is marked missed. */
  async decline(agentId: string, offerId: string): Promise<void> {
    const settled = await this.#store.settleOffer(offerId, 'declined', this.#now(), agentId);
    if (!settled) throw AppError.offerExpired(offerId);
    this.#offerClosed(settled.offer, 'declined', 'declined');
    await this.#dispatch();
  }

  /** A call of this agent ended: the agent is available again; signing calls add to fatigue. */
  async callEnded(agentId: string, call: EndedCall): Promise<void> {
    await this.#store.countService(call.queue, { handled: 1, handleMsTotal: Math.round(call.handleMs) });
    this.#handleTimesSec.push(call.handleMs / 1000);
    if (this.#handleTimesSec.length > HANDLE_TIMES_KEPT) this.#handleTimesSec.shift();
    const local = this.#local.get(agentId);
    if (local && call.signing) local.signingMs += call.handleMs;
    if (!(await this.#store.finishCall(agentId, this.#now()))) return;
    const record = this.#setAgentStatus(agentId, StoredAgentStatus.Available, this.#now());
    if (record) this.emit('agentState', agentId, this.#stateOf(record));
    await this.#dispatch();
  }

  /** Position and estimated wait of a queued ticket, or undefined. */
  statusOf(ticketId: string): { position: number; eta: WaitRange } | undefined {
    return this.#statusOf(ticketId);
  }

  /** Waiting customers and the longest wait, for an agent's offer and the supervisor view. */
  summary(): QueueSummary {
    const now = this.#now();
    let longestWaitMs = 0;
    for (const entry of this.#entries.values()) longestWaitMs = Math.max(longestWaitMs, now - entry.enqueuedAt);
    return { waiting: this.#entries.size, longestWaitMs };
  }

  /** Service levels per queue, over every node: waiting and longest wait now, and the counters so far. */
  async serviceLevels(queues: readonly QueueName[]): Promise<QueueServiceLevel[]> {
    const [{ entries }, counters] = await Promise.all([this.#store.snapshot(), this.#store.serviceCounters()]);
    const now = this.#now();
    return queues.map((queue) => {
      const waiting = entries.filter((entry) => entry.queue === queue);
      const c = counters[queue] ?? { answered: 0, answeredWithinTarget: 0, abandoned: 0, handled: 0, handleMsTotal: 0 };
      const closed = c.answered + c.abandoned;
      return {
        queue,
        waiting: waiting.length,
        longestWaitMs: waiting.reduce((longest, entry) => Math.max(longest, now - entry.enqueuedAt), 0),
        answered: c.answered,
        answeredWithinTarget: c.answered > 0 ? c.answeredWithinTarget / c.answered : null,
        abandoned: c.abandoned,
        abandonmentRate: closed > 0 ? c.abandoned / closed : null,
        averageHandleSec: c.handled > 0 ? c.handleMsTotal / c.handled / 1000 : null,
      };
    });
  }

  /** Stops every timer; later calls throw. Idempotent. The store stays open (its owner closes it). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweeper);
    clearTimeout(this.#positionsTimer);
    for (const timers of [this.#offerTimers, this.#holds, this.#cooldowns]) {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    }
    this.removeAllListeners();
  }

  async #dispatch(): Promise<void> {
    if (this.#closed) return;
    if (this.#dispatching) {
      this.#dispatchAgain = true;
      return;
    }
    this.#dispatching = true;
    try {
      do {
        this.#dispatchAgain = false;
        if (this.#stale) {
          this.#stale = false;
          await this.#resync();
        }
        await this.#dispatchRound();
      } while (this.#dispatchAgain && !this.#closed);
    } finally {
      this.#dispatching = false;
    }
    this.#schedulePositions();
  }

  // Agents in longest-idle order each ask the index for their best entry; that entry then goes to its
  // own best agent among the idle ones (its returning agent, a rested one, the best preferred-skill match).
  async #dispatchRound(): Promise<void> {
    for (let round = 0; round < 10_000 && !this.#closed; round++) {
      const now = this.#now();
      const idle = this.#idleAgents();
      if (idle.length === 0 || this.#queue.size === 0) return;
      let progressed = false;
      for (const agent of idle) {
        const entry = this.#queue.bestEntryFor(agent, now);
        if (!entry) continue;
        const excluded = this.#entries.get(entry.ticketId)?.notAgentId;
        const candidates = excluded === undefined ? idle : idle.filter((a) => a.agentId !== excluded);
        const chosen = this.#policy.pickAgent(entry, candidates, now) ?? (agent.agentId === excluded ? undefined : agent);
        if (!chosen) continue;
        if (!(await this.#claim(entry.ticketId, chosen.agentId, now))) await this.#resync();
        progressed = true;
        break;
      }
      if (!progressed) return;
    }
  }

  async #claim(ticketId: string, agentId: string, now: number): Promise<boolean> {
    const offer: StoredOffer = { offerId: randomUUID(), ticketId, agentId, deadline: now + this.#options.offerTimeoutMs };
    if ((await this.#store.claimOffer(offer)) !== true) return false;
    const entry = this.#entries.get(ticketId);
    if (!entry) return true;
    entry.offerId = offer.offerId;
    this.#queue.remove(ticketId);
    const record = this.#setAgentStatus(agentId, StoredAgentStatus.Offered);
    if (record) record.offerId = offer.offerId;
    this.#offerTimers.set(
      offer.offerId,
      setTimeout(() => void this.#expire(offer.offerId), this.#options.offerTimeoutMs),
    );
    if (record) this.emit('agentState', agentId, this.#stateOf(record));
    this.emit('offer', agentId, {
      offerId: offer.offerId,
      ticketId,
      mode: entry.mode,
      topic: entry.topic,
      device: entry.device,
      slaClass: entry.slaClass,
      priority: entry.priority,
      waitedMs: now - entry.enqueuedAt,
      deadline: offer.deadline,
      queue: this.summary(),
      ...(entry.transfer ? { transfer: entry.transfer } : {}),
    });
    return true;
  }

  async #expire(offerId: string): Promise<void> {
    this.#offerTimers.delete(offerId);
    const settled = await this.#store.settleOffer(offerId, 'timeout', this.#now());
    if (!settled) return;
    this.#offerClosed(settled.offer, 'timeout', 'timeout');
    await this.#dispatch();
  }

  // Offers and holds whose node died never get their timer; any node settles them once they are due.
  async #sweep(): Promise<void> {
    if (this.#closed) return;
    try {
      for (const offerId of await this.#store.dueOffers(this.#now() - 100)) {
        if (!this.#offerTimers.has(offerId)) await this.#expire(offerId);
      }
      for (const ticketId of await this.#store.dueHolds(this.#now() - 100)) {
        if (!this.#holds.has(ticketId)) await this.abandon(ticketId);
      }
    } catch (error) {
      console.error('[router] sweeping lapsed offers failed', error);
    }
  }

  /** Mirrors an offer that ended without a call: the entry goes back to its place; the agent is missed or free again. */
  #offerClosed(offer: StoredOffer, reason: OfferCancelReason, outcome: Exclude<OfferOutcome, 'accepted'>): void {
    this.#clearTimer(this.#offerTimers, offer.offerId);
    const entry = this.#entries.get(offer.ticketId);
    if (entry) {
      delete entry.offerId;
      if (entry.heldUntil === undefined && !this.#queue.has(entry.ticketId)) this.#queue.add(entry);
    }
    const missed = outcome === 'declined' || outcome === 'timeout';
    const record = this.#setAgentStatus(offer.agentId, missed ? StoredAgentStatus.Missed : StoredAgentStatus.Available, missed ? this.#now() : undefined);
    if (!record) return;
    delete record.offerId;
    this.emit('offerCancelled', offer.agentId, offer.offerId, reason);
    this.emit('agentState', offer.agentId, this.#stateOf(record));
    if (missed && this.#options.missedCooldownMs > 0) this.#startCooldown(offer.agentId);
  }

  #startCooldown(agentId: string): void {
    this.#clearTimer(this.#cooldowns, agentId);
    const timer = setTimeout(() => {
      this.#cooldowns.delete(agentId);
      if (this.#agents.get(agentId)?.status === StoredAgentStatus.Missed) void this.setAvailability(agentId, 'available').catch(() => undefined);
    }, this.#options.missedCooldownMs);
    this.#cooldowns.set(agentId, timer);
  }

  async #resync(): Promise<void> {
    const { entries, agents } = await this.#store.snapshot();
    this.#entries.clear();
    for (const ticketId of this.#queue.entries(this.#now()).map((e) => e.ticketId)) this.#queue.remove(ticketId);
    for (const entry of entries) {
      this.#entries.set(entry.ticketId, entry);
      if (!entry.offerId && entry.heldUntil === undefined) this.#queue.add(entry);
    }
    this.#agents.clear();
    for (const agent of agents) this.#agents.set(agent.agentId, agent);
  }

  #statusOrFront(ticketId: string): { position: number; eta: WaitRange } {
    return this.#statusOf(ticketId) ?? { position: 1, eta: { lowSec: 0, highSec: 0, sure: false } };
  }

  #forgetEntry(ticketId: string): void {
    this.#entries.delete(ticketId);
    this.#queue.remove(ticketId);
    this.#published.delete(ticketId);
  }

  #setAgentStatus(agentId: string, status: StoredAgentStatus, idleSince?: number): AgentRecord | undefined {
    const record = this.#agents.get(agentId);
    if (!record) return undefined;
    record.status = status;
    if (idleSince !== undefined) record.idleSince = idleSince;
    return record;
  }

  #idleAgents(): RoutingAgent[] {
    const idle: RoutingAgent[] = [];
    for (const record of this.#agents.values()) {
      if (record.status !== StoredAgentStatus.Available) continue;
      idle.push({ agentId: record.agentId, skills: record.skills, idleSince: record.idleSince, signingMs: this.#local.get(record.agentId)?.signingMs ?? 0 });
    }
    return idle.sort((a, b) => a.idleSince - b.idleSince || a.agentId.localeCompare(b.agentId));
  }

  // `staffing` caches qualified-agent counts per effective requirement within one round of updates.
  #statusOf(ticketId: string, staffing = new Map<string, { agents: number; idle: number }>()): { position: number; eta: WaitRange } | undefined {
    const entry = this.#entries.get(ticketId);
    if (!entry) return undefined;
    const now = this.#now();
    // An entry being offered or on hold is not in the index: it is at the front of its own line.
    const position = this.#queue.position(ticketId, now) ?? 1;
    const required = this.#policy.effectiveRequirements(entry, now).required;
    const key = JSON.stringify(required);
    let counts = staffing.get(key);
    if (!counts) {
      counts = { agents: 0, idle: 0 };
      for (const record of this.#agents.values()) {
        if (record.status === StoredAgentStatus.Away || record.status === StoredAgentStatus.Missed || !meetsAll(record.skills, required)) continue;
        counts.agents++;
        if (record.status === StoredAgentStatus.Available) counts.idle++;
      }
      staffing.set(key, counts);
    }
    return { position, eta: this.#estimator.estimate({ position, agents: counts.agents, idle: counts.idle, handleTimesSec: this.#handleTimesSec }) };
  }

  // Positions change with every arrival and departure; they are pushed at most every positionIntervalMs.
  #schedulePositions(): void {
    if (this.#positionsTimer || this.#closed) return;
    const wait = Math.max(0, this.#positionsAt + this.#options.positionIntervalMs - this.#now());
    this.#positionsTimer = setTimeout(() => {
      this.#positionsTimer = undefined;
      this.#positionsAt = this.#now();
      this.#publishPositions();
    }, wait);
    this.#positionsTimer.unref();
  }

  #publishPositions(): void {
    const staffing = new Map<string, { agents: number; idle: number }>();
    for (const ticketId of this.#entries.keys()) {
      const status = this.#statusOf(ticketId, staffing);
      if (!status) continue;
      const key = `${status.position}|${status.eta.lowSec}|${status.eta.highSec}|${status.eta.sure}`;
      if (this.#published.get(ticketId) === key) continue;
      this.#published.set(ticketId, key);
      this.emit('position', ticketId, status.position, status.eta);
    }
  }

  #stateOf(record: AgentRecord): AgentState {
    const local = this.#local.get(record.agentId);
    const suggestBreak = local !== undefined && this.#policy.isFatigued({ agentId: record.agentId, skills: record.skills, idleSince: 0, signingMs: local.signingMs });
    const extra = suggestBreak ? { suggestBreak: true } : {};
    switch (record.status) {
      case StoredAgentStatus.Available:
      case StoredAgentStatus.Offered:
      case StoredAgentStatus.InCall:
        return { status: record.status, ...extra };
      case StoredAgentStatus.Missed:
        return { status: 'away', reason: 'missed', ...extra };
      case StoredAgentStatus.Away:
        return { status: 'away', ...extra };
    }
  }

  #clearTimer(timers: Map<string, NodeJS.Timeout>, key: string): boolean {
    const timer = timers.get(key);
    if (!timer) return false;
    clearTimeout(timer);
    timers.delete(key);
    return true;
  }

  #assertOpen(): void {
    if (this.#closed) throw AppError.invalidState('router is closed');
  }
}
