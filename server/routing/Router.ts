import { EventEmitter } from 'node:events';
import type { AgentProfile, AgentState, Offer, OfferCancelReason, QueueName, QueueServiceLevel, QueueSummary, WaitRange } from '../../signaling/index.js';
import { AppError } from '../../signaling/index.js';
import { createLogger, type Logger } from '../logger.js';
import type { AgentRecord, OfferOutcome, QueuedEntry, RoutingStore, SettledOffer, StoredOffer } from '../store/RoutingStore.js';
import { StoredAgentStatus } from '../store/RoutingStore.js';
import type { SkillMap } from './model.js';
import { OfferDispatcher, offerPayload } from './OfferDispatcher.js';
import { idleAgents, nextMatch } from './planner.js';
import { PositionPublisher } from './PositionPublisher.js';
import { queueStatus, type QueueStatus, type StaffingCache, type StatusInputs } from './queueStatus.js';
import { RoutingMirror } from './RoutingMirror.js';
import type { EndedCall, EnqueueRequest, RouterEvents, RouterOptions, TransferRequest } from './RouterTypes.js';
import { ServiceLevels } from './ServiceLevels.js';
import { SigningFatigue } from './SigningFatigue.js';
import type { SkillPolicy } from './SkillPolicy.js';
import { DEFAULT_RETRY_BACKOFF, TimerSet } from './TimerSet.js';
import { WaitEstimator } from './WaitEstimator.js';

export type { EndedCall, EnqueueRequest, RouterEvents, RouterOptions, TransferRequest } from './RouterTypes.js';

/** A signed-in agent's connections to this node. */
interface Presence {
  profile: AgentProfile;
  connections: number;
}

/** Offers, holds and wrap-ups are swept this long after they fell due, so the node that owns their timer goes first. */
const SWEEP_GRACE_MS = 100;

/** A dispatch round cut short, so that a bug cannot spin the event loop. */
const MAX_OFFERS_PER_ROUND = 10_000;

/**
 * Routes waiting customers to qualified agents. The store is the truth and applies every decision
 * atomically; this node plans on a mirror of it (`RoutingMirror`), so a decision costs microseconds, and
 * re-reads the store whenever a claim is refused because another node moved first. The router coordinates
 * parts that each do one job: the pure planner (`nextMatch`), offers and their deadlines
 * (`OfferDispatcher`), keyed timers for holds and cool-downs (`TimerSet`), `SigningFatigue`,
 * `ServiceLevels` and the `PositionPublisher`. A store call that fails inside a public method rejects that
 * call; one that fails in the background (a timer, the sweep, a dispatch round after the caller's own
 * step succeeded) is logged and retried with a bounded backoff.
 */
export class Router extends EventEmitter<RouterEvents> {
  readonly #store: RoutingStore;
  readonly #policy: SkillPolicy;
  readonly #estimator: WaitEstimator;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #holdMs: number;
  readonly #missedCooldownMs: number;
  readonly #wrapUpMs: number;
  readonly #sweepIntervalMs: number;
  readonly #mirror: RoutingMirror;
  readonly #presence = new Map<string, Presence>();
  readonly #fatigue: SigningFatigue;
  readonly #service: ServiceLevels;
  readonly #offers: OfferDispatcher;
  /** The last offer this node made to each agent, to show again to a console that reconnects (`openOffer`). */
  readonly #offersMade = new Map<string, Offer>();
  readonly #positions: PositionPublisher;
  /** Lapse of a customer's held place, by ticket. */
  readonly #holds: TimerSet<string>;
  /** End of a missed agent's cool-down, by agent. */
  readonly #cooldowns: TimerSet<string>;
  /** End of an agent's wrap-up time, by agent. */
  readonly #wrapUps: TimerSet<string>;
  /** The sweep and dispatch rounds retried after a failure. */
  readonly #background: TimerSet<'sweep' | 'dispatch'>;
  #dispatching = false;
  #dispatchAgain = false;
  /** The mirror may differ from the store (another node moved, a store call failed): re-read it before the next round. */
  #stale = false;
  #closed = false;

  constructor(options: RouterOptions) {
    super();
    this.#store = options.store;
    this.#policy = options.policy;
    this.#estimator = options.estimator ?? new WaitEstimator();
    this.#log = options.log ?? createLogger('info');
    this.#now = options.now ?? Date.now;
    this.#holdMs = options.holdMs;
    this.#missedCooldownMs = options.missedCooldownMs;
    this.#wrapUpMs = options.wrapUpMs ?? 0;
    this.#sweepIntervalMs = options.sweepIntervalMs ?? 1000;
    this.#mirror = new RoutingMirror(options.policy);
    this.#fatigue = new SigningFatigue(options.policy);
    this.#service = new ServiceLevels({ store: options.store, policy: options.policy, log: this.#log });
    const onStoreError = (): void => this.#storeFailed();
    this.#offers = new OfferDispatcher({
      store: options.store,
      offerTimeoutMs: options.offerTimeoutMs,
      now: this.#now,
      log: this.#log,
      onLapsed: (settled) => this.#offerLapsed(settled),
      onStoreError,
    });
    this.#positions = new PositionPublisher({
      intervalMs: options.positionIntervalMs ?? 250,
      now: this.#now,
      statuses: () => this.#statuses(),
      publish: (ticketId, status) => this.emit('position', ticketId, status.position, status.eta),
    });
    this.#holds = new TimerSet({ name: 'routing: held place', log: this.#log, onError: onStoreError });
    this.#cooldowns = new TimerSet({ name: 'routing: missed-offer cool-down', log: this.#log, onError: onStoreError });
    this.#wrapUps = new TimerSet({ name: 'routing: wrap-up time', log: this.#log, onError: onStoreError });
    this.#background = new TimerSet({ name: 'routing: background', log: this.#log, onError: onStoreError, unref: true });
    this.#background.set('sweep', this.#sweepIntervalMs, () => this.#sweep());
  }

  /** Loads the current state from the store (a node joining a running cluster). */
  async start(): Promise<void> {
    await this.#store.onRemoteChange(() => {
      this.#stale = true;
      void this.#dispatchNow();
    });
    await this.#resync();
    await this.#dispatchNow();
  }

  /** Queues a customer; resolves to their position and estimated wait. */
  async enqueue(request: EnqueueRequest): Promise<{ position: number; eta: WaitRange }> {
    this.#assertOpen();
    const entry = await this.#store.addEntry({ ...request, transferred: false, enqueuedAt: this.#now() });
    if (!entry) throw AppError.invalidState(`ticket "${request.ticketId}" is already queued`);
    this.#mirror.addEntry(entry, true);
    await this.#dispatchNow();
    return this.#statusOrFront(entry.ticketId);
  }

  /**
   * Queues a ticket again with its first arrival time, ahead of new arrivals (a callback nobody answered, tried
   * again); false when it is queued already.
   */
  async requeue(request: EnqueueRequest, enqueuedAt: number): Promise<boolean> {
    this.#assertOpen();
    const entry = await this.#store.addEntry({ ...request, transferred: true, enqueuedAt });
    if (!entry) return false;
    this.#mirror.addEntry(entry, true);
    await this.#dispatchNow();
    return true;
  }

  /**
   * Puts back a ticket that was waiting (or in a call, `transferred`) on this node before a restart, with its first
   * arrival time, held for the customer's reconnect unless `held` is false (a callback's place needs no page open);
   * false when the store has it already (Redis kept it).
   */
  async restore(request: EnqueueRequest, enqueuedAt: number, options: { transferred: boolean; held: boolean }): Promise<boolean> {
    this.#assertOpen();
    const entry = await this.#store.addEntry({ ...request, transferred: options.transferred, enqueuedAt });
    if (!entry) return false;
    // Not in the waiting index until the hold is in place: nobody may be offered it meanwhile.
    this.#mirror.addEntry(entry, !options.held);
    if (options.held) await this.hold(entry.ticketId);
    else await this.#dispatchNow();
    return true;
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
      const target = this.#mirror.agent(toAgentId);
      if (!target) throw AppError.notFound('agent', toAgentId);
      if (target.status !== StoredAgentStatus.Available) throw AppError.invalidState(`agent "${toAgentId}" is not available`);
    }
    const entry = await this.#store.addEntry({ ...fields, transferred: true, enqueuedAt: this.#now() });
    if (!entry) throw AppError.invalidState(`ticket "${request.ticketId}" is already queued`);
    this.#mirror.addEntry(entry, false);
    // Another node may have taken the named agent meanwhile; then the call waits in its queue like any transfer.
    if (toAgentId === undefined || !(await this.#claimForTransfer(entry.ticketId, toAgentId))) this.#mirror.requeue(entry.ticketId);
    await this.#dispatchNow();
    return this.#statusOrFront(entry.ticketId);
  }

  /** Removes a waiting customer for good (left on purpose, or the hold ran out); withdraws an open offer. */
  async abandon(ticketId: string): Promise<boolean> {
    this.#holds.clear(ticketId);
    return this.#remove(ticketId);
  }

  /**
   * The customer lost the connection: the place is held in the store for the grace period (any node
   * ends the hold when it runs out, should this one die) and no offer goes out meanwhile.
   */
  async hold(ticketId: string): Promise<void> {
    if (this.#holds.has(ticketId)) return;
    // The timer is set before the store is asked, so a resume arriving meanwhile finds it and clears it.
    this.#holds.set(ticketId, this.#holdMs, () => this.#holdLapsed(ticketId));
    const held = await this.#store.holdEntry(ticketId, this.#now() + this.#holdMs);
    if (!held) {
      this.#holds.clear(ticketId);
      return;
    }
    const resumed = !this.#holds.has(ticketId);
    if (!resumed) {
      this.#mirror.hold(ticketId, held.entry.heldUntil);
      // Nobody hears a held place's pushes, so nothing counts as told until the customer is back.
      this.#positions.forget(ticketId);
    }
    // The hold withdrew the open offer in the store either way; the mirror follows (back in line if resumed).
    if (held.withdrawn) this.#offerClosed(held.withdrawn, 'abandoned', 'withdrawn');
    // Resumed while the hold was being written (the resume's clear may have landed first): clear it again.
    if (resumed) await this.#store.holdEntry(ticketId, null);
    await this.#dispatchNow();
  }

  /** The customer is back: same place as before if the hold has not run out. False when the place was lost. */
  async resume(ticketId: string): Promise<boolean> {
    this.#holds.clear(ticketId);
    const resumed = await this.#store.holdEntry(ticketId, null);
    if (!resumed) {
      this.#forgetEntry(ticketId);
      return false;
    }
    this.#mirror.resume(resumed.entry);
    // Told afresh: what this node last pushed for the ticket went to nobody (the customer may have been away, or
    // connected to another node).
    this.#positions.forget(ticketId);
    await this.#dispatchNow();
    return true;
  }

  /** Whether the ticket is in the queue (waiting, offered or held). */
  isQueued(ticketId: string): boolean {
    return this.#mirror.entry(ticketId) !== undefined;
  }

  /** Counts a connection of a signed-in agent; the first one brings the agent online, away. */
  async agentConnected(profile: AgentProfile, skills: SkillMap): Promise<AgentState> {
    const presence = this.#presence.get(profile.id) ?? { profile, connections: 0 };
    presence.connections++;
    presence.profile = profile;
    this.#presence.set(profile.id, presence);
    this.#fatigue.track(profile.id);
    const record = await this.#store.putAgent({ agentId: profile.id, name: profile.name, skills }, this.#now());
    this.#mirror.putAgent(record);
    return this.#stateOf(record);
  }

  /**
   * Drops a connection; with none left the agent goes offline and an open offer goes back to the queue. When their
   * call waits for them to come back (`callWaits`), they stay online, in it: its end says whether they did
   * (`callEnded`).
   */
  async agentDisconnected(agentId: string, callWaits = false): Promise<void> {
    const presence = this.#presence.get(agentId);
    if (!presence) return;
    presence.connections--;
    if (presence.connections > 0 || callWaits) return;
    this.#presence.delete(agentId);
    await this.agentLost(agentId);
  }

  /**
   * The agent is offline for good, whichever node they were connected to (theirs died without saying so): out of the
   * store and the mirror, and an offer they held goes back to the queue.
   */
  async agentLost(agentId: string): Promise<void> {
    this.#fatigue.forget(agentId);
    this.#cooldowns.clear(agentId);
    this.#wrapUps.clear(agentId);
    const removed = await this.#store.removeAgent(agentId);
    this.#mirror.removeAgent(agentId);
    if (removed?.withdrawn) this.#offerClosed(removed.withdrawn, 'abandoned', 'withdrawn');
    await this.#dispatchNow();
  }

  /** Sets an agent available or away; going away counts as a break from signing. */
  async setAvailability(agentId: string, status: 'available' | 'away'): Promise<void> {
    const record = await this.#store.setAvailability(agentId, status, this.#now());
    if (record === 'missing') throw AppError.invalidState('agent is not online');
    if (record === 'busy') throw AppError.invalidState('agent has an offer or a call; finish that first');
    this.#cooldowns.clear(agentId);
    await this.#availabilitySet(record, status);
  }

  /** The agent takes the offer: the entry leaves the queue and `accepted` is emitted. */
  async accept(agentId: string, offerId: string): Promise<QueuedEntry> {
    const settled = await this.#offers.settle(offerId, 'accepted', agentId);
    if (!settled) throw AppError.offerExpired(offerId);
    this.#forgetEntry(settled.entry.ticketId);
    await this.#service.answered(settled.entry, this.#now());
    const record = this.#mirror.setAgentStatus(agentId, StoredAgentStatus.InCall);
    if (record) this.emit('agentState', agentId, this.#stateOf(record));
    const profile = this.#presence.get(agentId)?.profile ?? { id: agentId, name: record?.name ?? agentId, modes: [] };
    this.emit('accepted', settled.entry, profile);
    this.#positions.schedule();
    return settled.entry;
  }

  /** The agent turns the offer down: the entry keeps its place and the agent is marked missed. */
  async decline(agentId: string, offerId: string): Promise<void> {
    const settled = await this.#offers.settle(offerId, 'declined', agentId);
    if (!settled) throw AppError.offerExpired(offerId);
    this.#offerClosed(settled.offer, 'declined', 'declined');
    await this.#dispatchNow();
  }

  /**
   * A call of this agent ended; signing calls add to fatigue. After a call that ended its ticket (`wrapUp`) the agent
   * is in wrap-up, offered nothing, until `endWrapUp` or the wrap-up time runs out; otherwise available again. An
   * agent who had lost the connection (`agentGone`) and has none here goes offline instead. Resolves to the epoch ms
   * the wrap-up ends by itself, or undefined when there is none.
   */
  async callEnded(agentId: string, call: EndedCall): Promise<number | undefined> {
    await this.#service.handled(call.queue, call.handleMs);
    // Lost in the call and not back here since: offline now.
    if (call.agentGone && (this.#presence.get(agentId)?.connections ?? 0) === 0) {
      this.#presence.delete(agentId);
      await this.agentLost(agentId);
      return undefined;
    }
    if (call.signing) this.#fatigue.addSigning(agentId, call.handleMs);
    const now = this.#now();
    const wrapUpUntil = call.wrapUp && this.#wrapUpMs > 0 ? now + this.#wrapUpMs : undefined;
    if (!(await this.#store.finishCall(agentId, now, wrapUpUntil))) return undefined;
    if (wrapUpUntil !== undefined) {
      this.#wrapUps.set(agentId, this.#wrapUpMs, () => this.#wrapUpOver(agentId));
      const record = this.#mirror.setAgentStatus(agentId, StoredAgentStatus.WrapUp);
      if (record) {
        record.wrapUpUntil = wrapUpUntil;
        this.emit('agentState', agentId, this.#stateOf(record));
      }
      return wrapUpUntil;
    }
    const record = this.#mirror.setAgentStatus(agentId, StoredAgentStatus.Available, now);
    if (record) this.emit('agentState', agentId, this.#stateOf(record));
    await this.#dispatchNow();
    return undefined;
  }

  /**
   * The agent took a call over (a warm transfer) from away or available: in the call from now, offered nothing, and
   * its end (`callEnded`) brings their wrap-up. False, changing nothing, when they were offered, in a call or in wrap-up.
   */
  async tookCall(agentId: string): Promise<boolean> {
    if (!(await this.#store.takeCall(agentId))) return false;
    this.#cooldowns.clear(agentId);
    const record = this.#mirror.setAgentStatus(agentId, StoredAgentStatus.InCall);
    if (record) this.emit('agentState', agentId, this.#stateOf(record));
    return true;
  }

  /** The agent's wrap-up is done (submitted): available again. False, changing nothing, when the agent is not in wrap-up. */
  async endWrapUp(agentId: string): Promise<boolean> {
    this.#wrapUps.clear(agentId);
    return this.#finishWrapUp(agentId);
  }

  /** How long an agent's wrap-up lasts after a call that ends its ticket; 0 when there is none. */
  get wrapUpMs(): number {
    return this.#wrapUpMs;
  }

  /** Position and estimated wait of a queued ticket, or undefined. */
  statusOf(ticketId: string): { position: number; eta: WaitRange } | undefined {
    const entry = this.#mirror.entry(ticketId);
    return entry && queueStatus(entry, this.#statusInputs(), this.#now());
  }

  /** Every online agent (on any node) with skills and state: who can be asked into a call. */
  onlineAgents(): AgentRecord[] {
    return [...this.#mirror.agents()];
  }

  /** Every online agent with the state their console shows, for the supervisor view. */
  agentStates(): { record: AgentRecord; state: AgentState }[] {
    return this.onlineAgents().map((record) => ({ record, state: this.#stateOf(record) }));
  }

  /** Waiting customers and the longest wait, for an agent's offer and the supervisor view. */
  summary(): QueueSummary {
    return this.#mirror.summary(this.#now());
  }

  /** Service levels per queue, over every node: waiting and longest wait now, and the counters so far. */
  serviceLevels(queues: readonly QueueName[]): Promise<QueueServiceLevel[]> {
    return this.#service.report(queues, this.#now());
  }

  /** Stops every timer and retry; later calls throw. Idempotent. The store stays open (its owner closes it). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#background.close();
    this.#offers.close();
    this.#holds.close();
    this.#cooldowns.close();
    this.#wrapUps.close();
    this.#service.close();
    this.#positions.close();
    this.removeAllListeners();
  }

  /** Runs dispatch rounds until nothing more can be offered; a failure is logged and retried in the background, never thrown. */
  async #dispatchNow(): Promise<void> {
    try {
      await this.#dispatch();
    } catch (error) {
      this.#log.error('routing: dispatch round failed; retried in the background', error);
      this.#storeFailed();
      // An existing retry (pending or running) covers this request too: it re-reads the store and plans afresh.
      if (!this.#background.has('dispatch')) this.#background.set('dispatch', DEFAULT_RETRY_BACKOFF.firstMs, () => this.#dispatch());
    }
  }

  // Calls arriving while a round runs only ask for another; the caller that runs the rounds sees every failure.
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
      this.#positions.schedule();
    }
  }

  async #dispatchRound(): Promise<void> {
    for (let made = 0; made < MAX_OFFERS_PER_ROUND && !this.#closed; made++) {
      const now = this.#now();
      const idle = idleAgents(this.#mirror.agents(), (agentId) => this.#fatigue.signingMs(agentId));
      const match = nextMatch(idle, this.#mirror.queue, this.#policy, now);
      if (!match) return;
      if (!(await this.#claim(match.ticketId, match.agentId, now))) await this.#resync();
    }
  }

  /** Claims the offer in the store and announces it; false when the store refused (the caller re-reads it). */
  async #claim(ticketId: string, agentId: string, now: number): Promise<boolean> {
    const offer = await this.#offers.claim(ticketId, agentId, now);
    if (!offer) return false;
    const offered = this.#mirror.offered(offer);
    if (!offered) return true;
    if (offered.agent) this.emit('agentState', agentId, this.#stateOf(offered.agent));
    const payload = offerPayload(offered.entry, offer, now, this.summary());
    this.#offersMade.set(agentId, payload);
    this.emit('offer', agentId, payload);
    return true;
  }

  /** The offer this node made to the agent that is still open; undefined when there is none, or another node made it. */
  #madeOffer(agentId: string): Offer | undefined {
    const offer = this.#offersMade.get(agentId);
    const agent = this.#mirror.agent(agentId);
    if (offer && agent?.status === StoredAgentStatus.Offered && agent.offerId === offer.offerId) return offer;
    this.#offersMade.delete(agentId);
    return undefined;
  }

  /**
   * The agent's open offer, to show again to a console that connects: the one this node made, or one another node
   * made (that node may have died, taking the console's connection with it), read back from the shared store.
   */
  async openOffer(agentId: string): Promise<Offer | undefined> {
    const made = this.#madeOffer(agentId);
    if (made) return made;
    const agent = this.#mirror.agent(agentId);
    if (agent?.status !== StoredAgentStatus.Offered || !agent.offerId) return undefined;
    const offer = await this.#store.getOffer(agent.offerId);
    const entry = offer && this.#mirror.entry(offer.ticketId);
    if (!offer || !entry || offer.agentId !== agentId) return undefined;
    return offerPayload(entry, offer, this.#now(), this.summary());
  }

  // The call is queued already, so a store failure here does not fail the transfer: it waits in its queue,
  // and the next round re-reads the store (an offer the store did make lapses at its deadline via the sweep).
  async #claimForTransfer(ticketId: string, agentId: string): Promise<boolean> {
    try {
      return await this.#claim(ticketId, agentId, this.#now());
    } catch (error) {
      this.#log.error(`routing: offering transferred ticket "${ticketId}" to agent "${agentId}" failed; it waits in its queue`, error);
      this.#storeFailed();
      return false;
    }
  }

  async #offerLapsed(settled: SettledOffer): Promise<void> {
    this.#offerClosed(settled.offer, 'timeout', 'timeout');
    await this.#dispatchNow();
  }

  /** Mirrors an offer that ended without a call: the entry goes back to its place; the agent is missed or free again. */
  #offerClosed(offer: StoredOffer, reason: OfferCancelReason, outcome: Exclude<OfferOutcome, 'accepted'>): void {
    this.#offers.ended(offer.offerId);
    const missed = outcome === 'declined' || outcome === 'timeout';
    const record = this.#mirror.offerEnded(offer, missed ? this.#now() : undefined);
    if (!record) return;
    this.emit('offerCancelled', offer.agentId, offer.offerId, reason);
    this.emit('agentState', offer.agentId, this.#stateOf(record));
    if (missed && this.#missedCooldownMs > 0) this.#cooldowns.set(offer.agentId, this.#missedCooldownMs, () => this.#cooldownOver(offer.agentId));
  }

  /** The store set the agent available or away: the mirror follows, away is a break, and the agent hears of it. */
  async #availabilitySet(record: AgentRecord, status: 'available' | 'away'): Promise<void> {
    if (status === 'away') this.#fatigue.rest(record.agentId);
    this.#mirror.putAgent(record);
    this.emit('agentState', record.agentId, this.#stateOf(record));
    await this.#dispatchNow();
  }

  // A timer task: it ends quietly when the agent is no longer missed (came back, went offline), throws only to be retried.
  async #cooldownOver(agentId: string): Promise<void> {
    if (this.#mirror.agent(agentId)?.status !== StoredAgentStatus.Missed) return;
    const record = await this.#store.setAvailability(agentId, 'available', this.#now());
    if (record === 'missing' || record === 'busy') return;
    await this.#availabilitySet(record, 'available');
  }

  // A timer task, also run for wrap-ups whose node died: an agent no longer in wrap-up (submitted, signed out) ends it quietly.
  async #wrapUpOver(agentId: string): Promise<void> {
    await this.#finishWrapUp(agentId);
  }

  async #finishWrapUp(agentId: string): Promise<boolean> {
    const record = await this.#store.endWrapUp(agentId, this.#now());
    if (!record) return false;
    this.#mirror.putAgent(record);
    this.emit('agentState', agentId, this.#stateOf(record));
    await this.#dispatchNow();
    return true;
  }

  // A timer task, also run for holds whose node died: removing an entry that is already gone is no failure.
  async #holdLapsed(ticketId: string): Promise<void> {
    if (await this.#remove(ticketId)) this.emit('placeLapsed', ticketId);
  }

  async #remove(ticketId: string): Promise<boolean> {
    const removed = await this.#store.removeEntry(ticketId);
    this.#forgetEntry(ticketId);
    if (!removed) return false;
    if (removed.withdrawn) this.#offerClosed(removed.withdrawn, 'abandoned', 'withdrawn');
    await this.#service.abandoned(removed.entry.queue);
    await this.#dispatchNow();
    return true;
  }

  // Offers, holds and wrap-ups whose node died never get their timer; any node settles them once they are due. A failed
  // sweep is retried with backoff, then sweeps resume at their interval.
  async #sweep(): Promise<void> {
    const due = this.#now() - SWEEP_GRACE_MS;
    for (const offerId of await this.#store.dueOffers(due)) {
      if (!this.#offers.keepsDeadline(offerId)) this.#offers.lapseNow(offerId);
    }
    for (const ticketId of await this.#store.dueHolds(due)) {
      if (!this.#holds.has(ticketId)) this.#holds.set(ticketId, 0, () => this.#holdLapsed(ticketId));
    }
    for (const agentId of await this.#store.dueWrapUps(due)) {
      if (!this.#wrapUps.has(agentId)) this.#wrapUps.set(agentId, 0, () => this.#wrapUpOver(agentId));
    }
    this.#background.set('sweep', this.#sweepIntervalMs, () => this.#sweep());
  }

  async #resync(): Promise<void> {
    this.#mirror.load(await this.#store.snapshot());
  }

  /** A store call failed: its step may or may not have been applied, so the next round re-reads the store. */
  #storeFailed(): void {
    this.#stale = true;
  }

  #forgetEntry(ticketId: string): void {
    this.#mirror.forgetEntry(ticketId);
    this.#positions.forget(ticketId);
  }

  #statusInputs(): StatusInputs {
    return { queue: this.#mirror.queue, policy: this.#policy, estimator: this.#estimator, agents: this.#mirror.agents(), handleTimesSec: this.#service.handleTimesSec };
  }

  *#statuses(): Generator<readonly [string, QueueStatus]> {
    const now = this.#now();
    const staffing: StaffingCache = new Map();
    const inputs = this.#statusInputs();
    // A held place has nobody to tell; its customer is told on return.
    for (const entry of this.#mirror.entries()) if (entry.heldUntil === undefined) yield [entry.ticketId, queueStatus(entry, inputs, now, staffing)];
  }

  #statusOrFront(ticketId: string): { position: number; eta: WaitRange } {
    return this.statusOf(ticketId) ?? { position: 1, eta: { lowSec: 0, highSec: 0, sure: false } };
  }

  #stateOf(record: AgentRecord): AgentState {
    const extra = this.#fatigue.suggestsBreak(record.agentId, record.skills) ? { suggestBreak: true } : {};
    switch (record.status) {
      case StoredAgentStatus.Available:
      case StoredAgentStatus.Offered:
      case StoredAgentStatus.InCall:
        return { status: record.status, ...extra };
      case StoredAgentStatus.WrapUp:
        return { status: record.status, ...(record.wrapUpUntil !== undefined ? { wrapUpUntil: record.wrapUpUntil } : {}), ...extra };
      case StoredAgentStatus.Missed:
        return { status: 'away', reason: 'missed', ...extra };
      case StoredAgentStatus.Away:
        return { status: 'away', ...extra };
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw AppError.invalidState('router is closed');
  }
}
