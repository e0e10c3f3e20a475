import { randomUUID } from 'node:crypto';
import type { Offer, QueueSummary } from '../../signaling/index.js';
import type { Logger } from '../logger.js';
import type { OfferOutcome, QueuedEntry, RoutingStore, SettledOffer, StoredOffer } from '../store/RoutingStore.js';
import { TimerSet } from './TimerSet.js';

/** Options of an offer dispatcher. */
export interface OfferDispatcherOptions {
  store: RoutingStore;
  /** How long an agent has to answer an offer. */
  offerTimeoutMs: number;
  now: () => number;
  log: Logger;
  /** An offer lapsed (settled as a timeout in the store); the owner updates its view. Should not throw. */
  onLapsed: (settled: SettledOffer) => void | Promise<void>;
  /** A store call failed; the owner's view may have drifted from the store. */
  onStoreError?: (error: unknown) => void;
}

/**
 * Offers: claims them atomically in the store, keeps the deadline of each offer this node made, and settles
 * them. A deadline whose settling fails is retried (see `TimerSet`) until the store answers, the offer ends
 * otherwise, or the dispatcher closes.
 */
export class OfferDispatcher {
  readonly #store: RoutingStore;
  readonly #offerTimeoutMs: number;
  readonly #now: () => number;
  readonly #onLapsed: (settled: SettledOffer) => void | Promise<void>;
  readonly #deadlines: TimerSet<string>;

  constructor(options: OfferDispatcherOptions) {
    this.#store = options.store;
    this.#offerTimeoutMs = options.offerTimeoutMs;
    this.#now = options.now;
    this.#onLapsed = options.onLapsed;
    this.#deadlines = new TimerSet({ name: 'routing: offer deadline', log: options.log, ...(options.onStoreError ? { onError: options.onStoreError } : {}) });
  }

  /** Offers the entry to the agent in the store and starts its deadline; null when the store refused (another node moved first). */
  async claim(ticketId: string, agentId: string, now: number): Promise<StoredOffer | null> {
    const offer: StoredOffer = { offerId: randomUUID(), ticketId, agentId, deadline: now + this.#offerTimeoutMs };
    if ((await this.#store.claimOffer(offer)) !== true) return null;
    this.#deadlines.set(offer.offerId, this.#offerTimeoutMs, () => this.#lapse(offer.offerId));
    return offer;
  }

  /** Ends an open offer in the store (for `agentId` only, when given) and stops its deadline; null when it was not open. */
  async settle(offerId: string, outcome: OfferOutcome, agentId?: string): Promise<SettledOffer | null> {
    const settled = await this.#store.settleOffer(offerId, outcome, this.#now(), agentId);
    if (settled) this.#deadlines.clear(offerId);
    return settled;
  }

  /** The offer ended otherwise (withdrawn with its entry or agent): its deadline stops. */
  ended(offerId: string): void {
    this.#deadlines.clear(offerId);
  }

  /** Whether this node keeps the offer's deadline (also while a failed lapse waits for its retry). */
  keepsDeadline(offerId: string): boolean {
    return this.#deadlines.has(offerId);
  }

  /** Lapses now an offer whose deadline passed without this node keeping it (the node that made it died). */
  lapseNow(offerId: string): void {
    this.#deadlines.set(offerId, 0, () => this.#lapse(offerId));
  }

  /** Stops every deadline. Idempotent. */
  close(): void {
    this.#deadlines.close();
  }

  async #lapse(offerId: string): Promise<void> {
    const settled = await this.#store.settleOffer(offerId, 'timeout', this.#now());
    if (settled) await this.#onLapsed(settled);
  }
}

/** What the agent is shown of an offer: the entry's context, how long it has waited, the deadline and the queue. Pure. */
export function offerPayload(entry: QueuedEntry, offer: StoredOffer, now: number, queue: QueueSummary): Offer {
  return {
    offerId: offer.offerId,
    ticketId: entry.ticketId,
    mode: entry.mode,
    topic: entry.topic,
    device: entry.device,
    slaClass: entry.slaClass,
    priority: entry.priority,
    waitedMs: now - entry.enqueuedAt,
    deadline: offer.deadline,
    queue,
    ...(entry.transfer ? { transfer: entry.transfer } : {}),
  };
}
