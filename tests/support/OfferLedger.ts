/** An offer as an agent received it. */
export interface LedgerOffer {
  offerId: string;
  ticketId: string;
  agentId: string;
  /** When the server stamped it: its deadline less the offer timeout (server and test share the clock). */
  start: number;
  /** When `offer:new` reached the agent: the offer surely existed by then. */
  received: number;
  deadline: number;
}

/** Two offers open at once: to one agent, or of one ticket. */
export interface DoubleOffer {
  kind: 'agent' | 'ticket';
  earlier: LedgerOffer;
  later: LedgerOffer;
  /** How long both had surely been made and neither had ended. */
  overlapMs: number;
}

/** A customer or an agent going away (left, dropped) or coming back, by the test's clock. */
interface Presence {
  at: number;
  present: boolean;
}

/**
 * Every offer the agents received, with the earliest moment each could have ended: the agent sent
 * accept or decline, the deadline passed, `offer:cancelled` arrived, or the customer or the agent had
 * gone (left or dropped, and not back yet) when it started or went while it was open. Ends are lower
 * bounds and `received` an upper bound of when the server made an offer (its own stamp, `start`, is
 * taken before the atomic claim and may precede it by a few ms under load), so an overlap found is a
 * real one. Closings may be recorded before the offer itself arrives (pushes from two nodes race).
 */
export class OfferLedger {
  readonly #offerTimeoutMs: number;
  readonly #offers = new Map<string, LedgerOffer>();
  readonly #offerEnds = new Map<string, number>();
  readonly #presence = new Map<string, Presence[]>();

  constructor(offerTimeoutMs: number) {
    this.#offerTimeoutMs = offerTimeoutMs;
  }

  /** Records an `offer:new`; false when this offer was recorded already. */
  offered(agentId: string, offer: { offerId: string; ticketId: string; deadline: number }, received = Date.now()): boolean {
    if (this.#offers.has(offer.offerId)) return false;
    const { offerId, ticketId, deadline } = offer;
    this.#offers.set(offerId, { offerId, ticketId, agentId, deadline, received, start: deadline - this.#offerTimeoutMs });
    return true;
  }

  /** The offer ended no later than `at`: its agent answered, or its cancellation arrived. */
  closeOffer(offerId: string, at: number): void {
    this.#offerEnds.set(offerId, Math.min(at, this.#offerEnds.get(offerId) ?? Infinity));
  }

  /** The ticket's customer sent leave or dropped the connection at `at`. */
  customerGone(ticketId: string, at: number): void {
    append(this.#presence, `ticket:${ticketId}`, { at, present: false });
  }

  /** The ticket's customer reconnected at `at`. */
  customerBack(ticketId: string, at: number): void {
    append(this.#presence, `ticket:${ticketId}`, { at, present: true });
  }

  /** The agent's socket dropped at `at`. */
  agentGone(agentId: string, at: number): void {
    append(this.#presence, `agent:${agentId}`, { at, present: false });
  }

  /** The agent reconnected at `at`. */
  agentBack(agentId: string, at: number): void {
    append(this.#presence, `agent:${agentId}`, { at, present: true });
  }

  /** Whether the offer is known to have ended by `now`. */
  isClosed(offerId: string, now = Date.now()): boolean {
    const offer = this.#offers.get(offerId);
    return offer ? this.#endOf(offer) <= now : this.#offerEnds.has(offerId);
  }

  /** The offer with this id, once received. */
  find(offerId: string): LedgerOffer | undefined {
    return this.#offers.get(offerId);
  }

  /** Every offer recorded. */
  offers(): LedgerOffer[] {
    return [...this.#offers.values()];
  }

  /** Pairs of offers to one agent, or of one ticket to two agents, each received before the other had ended. */
  doubleOffers(): DoubleOffer[] {
    const found: DoubleOffer[] = [];
    for (const kind of ['agent', 'ticket'] as const) {
      const groups = new Map<string, LedgerOffer[]>();
      for (const offer of this.#offers.values()) append(groups, kind === 'agent' ? offer.agentId : offer.ticketId, offer);
      for (const group of groups.values()) {
        group.sort((a, b) => a.start - b.start);
        group.forEach((earlier, i) => {
          for (const later of group.slice(i + 1)) {
            // Two offers of one ticket to one agent are reported once, as the agent's.
            if (kind === 'ticket' && later.agentId === earlier.agentId) continue;
            const overlapMs = Math.min(this.#endOf(earlier), this.#endOf(later)) - Math.max(earlier.received, later.received);
            if (overlapMs > 0) found.push({ kind, earlier, later, overlapMs });
          }
        });
      }
    }
    return found;
  }

  #endOf(offer: LedgerOffer): number {
    return Math.min(
      offer.deadline,
      this.#offerEnds.get(offer.offerId) ?? Infinity,
      goneFrom(this.#presence.get(`ticket:${offer.ticketId}`), offer.start),
      goneFrom(this.#presence.get(`agent:${offer.agentId}`), offer.start),
    );
  }
}

/**
 * When a party stopped being there for an offer made at `start`: at once (the time it went) if it
 * was gone then, else the first time it went afterwards; Infinity if it stayed. `events` are in time order.
 */
function goneFrom(events: Presence[] | undefined, start: number): number {
  let goneAt = Infinity;
  for (const { at, present } of events ?? []) {
    if (at <= start) goneAt = present ? Infinity : at;
    else if (!present) return Math.min(goneAt, at);
  }
  return goneAt;
}

function append<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
