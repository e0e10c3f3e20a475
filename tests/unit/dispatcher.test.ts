import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Dispatcher, type QueueEntry } from '../../server/routing/Dispatcher.js';
import { FifoPolicy } from '../../server/routing/RoutingPolicy.js';
import {
  AppError,
  ErrorCode,
  type AgentProfile,
  type AgentState,
  type CallMode,
  type Offer,
  type OfferCancelReason,
} from '../../signaling/index.js';

const OFFER_TIMEOUT_MS = 10_000;

/** A dispatcher on a hand-moved clock, with every event it emits recorded. */
function makeFixture() {
  let time = 1_000_000;
  const dispatcher = new Dispatcher({ policy: new FifoPolicy(), offerTimeoutMs: OFFER_TIMEOUT_MS, now: () => time });
  const offers: { agentId: string; offer: Offer }[] = [];
  const cancelled: { agentId: string; offerId: string; reason: OfferCancelReason }[] = [];
  const states: { agentId: string; state: AgentState }[] = [];
  const positions: { ticketId: string; position: number }[] = [];
  const accepted: { entry: QueueEntry; agent: AgentProfile }[] = [];
  dispatcher.on('offer', (agentId, offer) => offers.push({ agentId, offer }));
  dispatcher.on('offerCancelled', (agentId, offerId, reason) => cancelled.push({ agentId, offerId, reason }));
  dispatcher.on('agentState', (agentId, state) => states.push({ agentId, state }));
  dispatcher.on('position', (ticketId, position) => positions.push({ ticketId, position }));
  dispatcher.on('accepted', (entry, agent) => accepted.push({ entry, agent }));

  return {
    dispatcher,
    offers,
    cancelled,
    states,
    positions,
    accepted,
    now: () => time,
    /** Moves the injected clock and the offer-deadline timers together. */
    advance(ms: number): void {
      time += ms;
      vi.advanceTimersByTime(ms);
    },
    enqueue(ticketId: string, mode: CallMode = 'csl'): number {
      return dispatcher.enqueue({ ticketId, mode, topic: `help for ${ticketId}`, device: 'phone' });
    },
    /** Brings an agent online and available. */
    available(agentId: string, modes: CallMode[] = ['csl', 'asl']): AgentProfile {
      const profile = { id: agentId, name: `Agent ${agentId}`, modes };
      dispatcher.agentConnected(profile);
      dispatcher.setAvailability(agentId, 'available');
      return profile;
    },
    offersTo(agentId: string): Offer[] {
      return offers.filter((o) => o.agentId === agentId).map((o) => o.offer);
    },
    lastOfferTo(agentId: string): Offer {
      const mine = offers.filter((o) => o.agentId === agentId);
      if (mine.length === 0) throw new Error(`no offer to ${agentId}`);
      return mine[mine.length - 1]!.offer;
    },
    lastStateOf(agentId: string): AgentState | undefined {
      return states.filter((s) => s.agentId === agentId).at(-1)?.state;
    },
  };
}

/** The AppError a call throws; fails when it throws nothing or something else. */
function thrownBy(action: () => unknown): AppError {
  try {
    action();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('Dispatcher', () => {
  let fx: ReturnType<typeof makeFixture>;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    fx = makeFixture();
  });

  afterEach(() => {
    fx.dispatcher.close();
    vi.useRealTimers();
  });

  describe('queueing', () => {
    it('returns 1-based positions counted separately for each mode', () => {
      expect(fx.enqueue('csl-1', 'csl')).toBe(1);
      expect(fx.enqueue('asl-1', 'asl')).toBe(1);
      expect(fx.enqueue('csl-2', 'csl')).toBe(2);
      expect(fx.enqueue('voice-1', 'voice')).toBe(1);
      expect(fx.enqueue('csl-3', 'csl')).toBe(3);
      expect(fx.dispatcher.positionOf('csl-3')).toBe(3);
    });

    it('refuses the same ticket twice with INVALID_STATE', () => {
      fx.enqueue('t1');
      expect(thrownBy(() => fx.enqueue('t1')).code).toBe(ErrorCode.InvalidState);
    });

    it('announces a position for each new entry and again whenever it changes', () => {
      fx.enqueue('t1');
      fx.enqueue('t2');
      fx.enqueue('t3');
      expect(fx.positions).toEqual([
        { ticketId: 't1', position: 1 },
        { ticketId: 't2', position: 2 },
        { ticketId: 't3', position: 3 },
      ]);
      fx.positions.length = 0;

      fx.dispatcher.abandon('t1');
      expect(fx.positions).toEqual([
        { ticketId: 't2', position: 1 },
        { ticketId: 't3', position: 2 },
      ]);
      expect(fx.dispatcher.isQueued('t1')).toBe(false);
      expect(fx.dispatcher.positionOf('t1')).toBeUndefined();
    });

    it('does not announce positions that did not change', () => {
      fx.enqueue('csl-1', 'csl');
      fx.enqueue('asl-1', 'asl');
      fx.positions.length = 0;
      fx.enqueue('csl-2', 'csl');
      fx.dispatcher.abandon('asl-1');
      expect(fx.positions).toEqual([{ ticketId: 'csl-2', position: 2 }]);
    });

    it('ignores abandoning a ticket that is not queued', () => {
      expect(() => fx.dispatcher.abandon('nobody')).not.toThrow();
    });
  });

  describe('offers', () => {
    it('keeps a newly connected agent away until they choose to be available', () => {
      fx.enqueue('t1');
      expect(fx.dispatcher.agentConnected({ id: 'alice', name: 'Alice', modes: ['csl'] })).toEqual({ status: 'away' });
      expect(fx.offers).toEqual([]);
    });

    it('offers the waiting customer to an agent who becomes available, with a deadline of now plus the timeout', () => {
      fx.enqueue('t1');
      fx.advance(3_000);
      fx.available('alice');

      const offer = fx.lastOfferTo('alice');
      expect(offer).toEqual({
        offerId: expect.any(String),
        ticketId: 't1',
        mode: 'csl',
        topic: 'help for t1',
        device: 'phone',
        waitedMs: 3_000,
        deadline: fx.now() + OFFER_TIMEOUT_MS,
      });
      expect(fx.lastStateOf('alice')).toEqual({ status: 'offered' });
    });

    it('offers a new customer at once to an agent who is already available', () => {
      fx.available('alice');
      fx.enqueue('t1');
      expect(fx.lastOfferTo('alice')).toMatchObject({ ticketId: 't1', waitedMs: 0, deadline: fx.now() + OFFER_TIMEOUT_MS });
    });

    it('never holds two offers for one agent', () => {
      fx.available('alice');
      fx.enqueue('t1');
      fx.enqueue('t2');
      expect(fx.offersTo('alice').map((o) => o.ticketId)).toEqual(['t1']);
    });

    it('never offers one customer to two agents at once', () => {
      fx.enqueue('t1');
      fx.available('alice');
      fx.available('bob');
      expect(fx.offers.map((o) => [o.agentId, o.offer.ticketId])).toEqual([['alice', 't1']]);
    });

    it('does not offer a customer to an agent who lacks the requested mode', () => {
      fx.enqueue('voice-1', 'voice');
      fx.available('alice', ['csl']);
      expect(fx.offers).toEqual([]);
      expect(fx.lastStateOf('alice')).toEqual({ status: 'available' });
    });
  });

  describe('accept', () => {
    it('emits accepted, takes the entry out of the queue and puts the agent in a call', () => {
      fx.enqueue('t1');
      fx.enqueue('t2');
      const alice = fx.available('alice');
      fx.positions.length = 0;

      const entry = fx.dispatcher.accept('alice', fx.lastOfferTo('alice').offerId);

      expect(entry).toMatchObject({ ticketId: 't1', mode: 'csl' });
      expect(entry.offerId).toBeUndefined();
      expect(fx.accepted).toEqual([{ entry, agent: alice }]);
      expect(fx.dispatcher.isQueued('t1')).toBe(false);
      expect(fx.lastStateOf('alice')).toEqual({ status: 'in-call' });
      expect(fx.positions).toEqual([{ ticketId: 't2', position: 1 }]);
    });

    it('stops the offer deadline once the offer is accepted', () => {
      fx.enqueue('t1');
      fx.available('alice');
      fx.dispatcher.accept('alice', fx.lastOfferTo('alice').offerId);
      fx.advance(OFFER_TIMEOUT_MS * 2);
      expect(fx.cancelled).toEqual([]);
      expect(fx.lastStateOf('alice')).toEqual({ status: 'in-call' });
    });

    it('refuses an unknown offer id with OFFER_EXPIRED', () => {
      fx.available('alice');
      expect(thrownBy(() => fx.dispatcher.accept('alice', 'no-such-offer')).code).toBe(ErrorCode.OfferExpired);
    });

    it("refuses another agent's offer with OFFER_EXPIRED and leaves it open for its agent", () => {
      fx.available('bob');
      fx.enqueue('t1');
      const offer = fx.lastOfferTo('bob');
      fx.available('alice');

      expect(thrownBy(() => fx.dispatcher.accept('alice', offer.offerId)).code).toBe(ErrorCode.OfferExpired);
      expect(thrownBy(() => fx.dispatcher.decline('alice', offer.offerId)).code).toBe(ErrorCode.OfferExpired);
      expect(fx.dispatcher.accept('bob', offer.offerId).ticketId).toBe('t1');
    });

    it('refuses an offer that was already accepted with OFFER_EXPIRED', () => {
      fx.enqueue('t1');
      fx.available('alice');
      const { offerId } = fx.lastOfferTo('alice');
      fx.dispatcher.accept('alice', offerId);
      expect(thrownBy(() => fx.dispatcher.accept('alice', offerId)).code).toBe(ErrorCode.OfferExpired);
    });

    it('makes the agent available again when the call ends, and offers the next customer', () => {
      fx.enqueue('t1');
      fx.enqueue('t2');
      fx.available('alice');
      fx.dispatcher.accept('alice', fx.lastOfferTo('alice').offerId);

      fx.dispatcher.callEnded('alice');

      expect(fx.states.filter((s) => s.agentId === 'alice').map((s) => s.state.status).slice(-2)).toEqual(['available', 'offered']);
      expect(fx.lastOfferTo('alice').ticketId).toBe('t2');
    });
  });

  describe('decline', () => {
    it('withdraws the offer and marks the agent away because they missed it', () => {
      fx.enqueue('t1');
      fx.available('alice');
      const { offerId } = fx.lastOfferTo('alice');

      fx.dispatcher.decline('alice', offerId);

      expect(fx.cancelled).toEqual([{ agentId: 'alice', offerId, reason: 'declined' }]);
      expect(fx.lastStateOf('alice')).toEqual({ status: 'away', reason: 'missed' });
      expect(fx.dispatcher.isQueued('t1')).toBe(true);
    });

    it('keeps the customer ahead of a later arrival, for the next agent', () => {
      fx.enqueue('t1');
      fx.available('alice');
      fx.dispatcher.decline('alice', fx.lastOfferTo('alice').offerId);
      fx.enqueue('t2');

      expect(fx.dispatcher.positionOf('t1')).toBe(1);
      expect(fx.dispatcher.positionOf('t2')).toBe(2);
      fx.available('bob');
      expect(fx.lastOfferTo('bob').ticketId).toBe('t1');
    });

    it('sends no new offer to the agent until they set themselves available again', () => {
      fx.enqueue('t1');
      fx.available('alice');
      fx.dispatcher.decline('alice', fx.lastOfferTo('alice').offerId);
      fx.enqueue('t2');
      expect(fx.offersTo('alice')).toHaveLength(1);

      fx.dispatcher.setAvailability('alice', 'available');

      expect(fx.lastStateOf('alice')).toEqual({ status: 'offered' });
      expect(fx.offersTo('alice').map((o) => o.ticketId)).toEqual(['t1', 't1']);
    });

    it('refuses a declined offer when accepted afterwards with OFFER_EXPIRED', () => {
      fx.enqueue('t1');
      fx.available('alice');
      const { offerId } = fx.lastOfferTo('alice');
      fx.dispatcher.decline('alice', offerId);
      expect(thrownBy(() => fx.dispatcher.accept('alice', offerId)).code).toBe(ErrorCode.OfferExpired);
    });
  });

  describe('offer timeout', () => {
    it('withdraws the offer at the deadline and not a moment before', () => {
      fx.enqueue('t1');
      fx.available('alice');
      const { offerId } = fx.lastOfferTo('alice');

      fx.advance(OFFER_TIMEOUT_MS - 1);
      expect(fx.cancelled).toEqual([]);
      fx.advance(1);

      expect(fx.cancelled).toEqual([{ agentId: 'alice', offerId, reason: 'timeout' }]);
      expect(fx.lastStateOf('alice')).toEqual({ status: 'away', reason: 'missed' });
      expect(thrownBy(() => fx.dispatcher.accept('alice', offerId)).code).toBe(ErrorCode.OfferExpired);
    });

    it('keeps the customer in their original place and offers them to the next agent', () => {
      fx.enqueue('t1');
      fx.available('alice');
      fx.enqueue('t2');
      fx.advance(OFFER_TIMEOUT_MS);

      expect(fx.dispatcher.positionOf('t1')).toBe(1);
      fx.available('bob');
      const offer = fx.lastOfferTo('bob');
      expect(offer.ticketId).toBe('t1');
      expect(offer.waitedMs).toBe(OFFER_TIMEOUT_MS);
      expect(fx.offersTo('alice')).toHaveLength(1);
    });
  });

  describe('abandon', () => {
    it('withdraws an open offer and leaves the agent available without a miss', () => {
      fx.enqueue('t1');
      fx.available('alice');
      const { offerId } = fx.lastOfferTo('alice');

      fx.dispatcher.abandon('t1');

      expect(fx.cancelled).toEqual([{ agentId: 'alice', offerId, reason: 'abandoned' }]);
      expect(fx.lastStateOf('alice')).toEqual({ status: 'available' });
      fx.advance(OFFER_TIMEOUT_MS);
      expect(fx.cancelled).toHaveLength(1);
    });

    it('offers the next waiting customer to the agent whose offer was abandoned', () => {
      fx.enqueue('t1');
      fx.available('alice');
      fx.enqueue('t2');
      fx.dispatcher.abandon('t1');
      expect(fx.lastOfferTo('alice').ticketId).toBe('t2');
    });
  });

  describe('agent connections', () => {
    it('withdraws the offer of an agent who disconnects and offers the customer to another agent', () => {
      fx.enqueue('t1');
      fx.available('alice');
      const first = fx.lastOfferTo('alice');
      fx.advance(2_000);
      fx.dispatcher.agentConnected({ id: 'bob', name: 'Bob', modes: ['csl'] });
      fx.dispatcher.setAvailability('bob', 'available');
      expect(fx.offersTo('bob')).toEqual([]);

      fx.dispatcher.agentDisconnected('alice');

      expect(fx.cancelled).toEqual([{ agentId: 'alice', offerId: first.offerId, reason: 'abandoned' }]);
      const second = fx.lastOfferTo('bob');
      expect(second.ticketId).toBe('t1');
      expect(second.offerId).not.toBe(first.offerId);
      expect(second.waitedMs).toBe(2_000);
      fx.advance(OFFER_TIMEOUT_MS - 1);
      expect(fx.cancelled).toHaveLength(1);
    });

    it('keeps the offer while the agent still has another connection open', () => {
      fx.enqueue('t1');
      const alice = fx.available('alice');
      fx.dispatcher.agentConnected(alice);
      const { offerId } = fx.lastOfferTo('alice');

      fx.dispatcher.agentDisconnected('alice');

      expect(fx.cancelled).toEqual([]);
      expect(fx.dispatcher.accept('alice', offerId).ticketId).toBe('t1');
    });

    it('reports the current state to a second connection of the same agent', () => {
      fx.enqueue('t1');
      const alice = fx.available('alice');
      expect(fx.dispatcher.agentConnected(alice)).toEqual({ status: 'offered' });
    });
  });

  describe('setAvailability', () => {
    it('refuses to change an agent who holds an offer with INVALID_STATE', () => {
      fx.enqueue('t1');
      fx.available('alice');
      expect(thrownBy(() => fx.dispatcher.setAvailability('alice', 'away')).code).toBe(ErrorCode.InvalidState);
      expect(fx.lastStateOf('alice')).toEqual({ status: 'offered' });
    });

    it('refuses to change an agent in a call with INVALID_STATE', () => {
      fx.enqueue('t1');
      fx.available('alice');
      fx.dispatcher.accept('alice', fx.lastOfferTo('alice').offerId);
      expect(thrownBy(() => fx.dispatcher.setAvailability('alice', 'available')).code).toBe(ErrorCode.InvalidState);
    });

    it('refuses an agent who is not online with INVALID_STATE', () => {
      expect(thrownBy(() => fx.dispatcher.setAvailability('ghost', 'available')).code).toBe(ErrorCode.InvalidState);
    });

    it('lets an available agent step away so they get no offers', () => {
      fx.available('alice');
      fx.dispatcher.setAvailability('alice', 'away');
      fx.enqueue('t1');
      expect(fx.offers).toEqual([]);
      expect(fx.lastStateOf('alice')).toEqual({ status: 'away' });
    });

    it('gives the customer to the agent who has been available longest', () => {
      fx.available('alice');
      fx.advance(1_000);
      fx.available('bob');
      fx.enqueue('t1');
      expect(fx.offers.map((o) => o.agentId)).toEqual(['alice']);
    });
  });

  describe('close', () => {
    it('stops every offer deadline and refuses new entries with INVALID_STATE', () => {
      fx.enqueue('t1');
      fx.available('alice');
      expect(vi.getTimerCount()).toBe(1);
      fx.dispatcher.close();
      fx.dispatcher.close();
      expect(vi.getTimerCount()).toBe(0);
      expect(thrownBy(() => fx.enqueue('t2')).code).toBe(ErrorCode.InvalidState);
    });
  });
});
