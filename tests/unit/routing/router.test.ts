import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError, ErrorCode, type AgentState, type Offer, type OfferCancelReason, type QueueName } from '../../../signaling/index.js';
import { DEFAULT_ROUTING_OPTIONS, type SkillMap } from '../../../server/routing/model.js';
import { Router, type EnqueueRequest } from '../../../server/routing/Router.js';
import { SkillPolicy } from '../../../server/routing/SkillPolicy.js';
import { MemoryRoutingStore } from '../../../server/store/MemoryRoutingStore.js';

const OFFER_TIMEOUT_MS = 10_000;
const HOLD_MS = 120_000;
const CSL: SkillMap = { csl: 4, phone: 3, tier: 1 };

/** A router over a fresh memory store, on fake timers whose clock is also the router's, with every event recorded. */
function makeFixture(options: { missedCooldownMs?: number; wrapUpMs?: number } = {}) {
  const store = new MemoryRoutingStore();
  const router = new Router({
    store,
    policy: new SkillPolicy(DEFAULT_ROUTING_OPTIONS),
    offerTimeoutMs: OFFER_TIMEOUT_MS,
    holdMs: HOLD_MS,
    missedCooldownMs: options.missedCooldownMs ?? 0,
    wrapUpMs: options.wrapUpMs ?? 0,
    now: () => Date.now(),
    positionIntervalMs: 0,
  });
  const offers: { agentId: string; offer: Offer }[] = [];
  const cancelled: { agentId: string; offerId: string; reason: OfferCancelReason }[] = [];
  const states: { agentId: string; state: AgentState }[] = [];
  const positions = new Map<string, number>();
  router.on('offer', (agentId, offer) => offers.push({ agentId, offer }));
  router.on('offerCancelled', (agentId, offerId, reason) => cancelled.push({ agentId, offerId, reason }));
  router.on('agentState', (agentId, state) => states.push({ agentId, state }));
  router.on('position', (ticketId, position) => positions.set(ticketId, position));

  return {
    store,
    router,
    offers,
    cancelled,
    enqueue(ticketId: string, overrides: Partial<EnqueueRequest> = {}) {
      return router.enqueue({
        ticketId,
        required: [{ skill: 'csl', minLevel: 3 }],
        preferred: [],
        slaClass: 'software',
        priority: 'normal',
        mode: 'csl',
        queue: 'csl',
        topic: `help for ${ticketId}`,
        device: 'phone',
        ...overrides,
      });
    },
    transfer(ticketId: string, queue: QueueName, overrides: { toAgentId?: string; notAgentId?: string; required?: EnqueueRequest['required'] } = {}) {
      return router.transfer({
        ticketId,
        required: overrides.required ?? [{ skill: 'csl', minLevel: 3 }],
        preferred: [],
        slaClass: 'software',
        priority: 'normal',
        mode: 'csl',
        queue,
        topic: `transferred ${ticketId}`,
        device: 'phone',
        transfer: { fromAgent: 'Agent one', note: 'needs a technician' },
        toAgentId: overrides.toAgentId,
        notAgentId: overrides.notAgentId,
      });
    },
    async online(agentId: string, skills: SkillMap = CSL): Promise<void> {
      await router.agentConnected({ id: agentId, name: `Agent ${agentId}`, modes: ['csl'] }, skills);
    },
    async available(agentId: string, skills: SkillMap = CSL): Promise<void> {
      await this.online(agentId, skills);
      await router.setAvailability(agentId, 'available');
    },
    offersTo(agentId: string): Offer[] {
      return offers.filter((o) => o.agentId === agentId).map((o) => o.offer);
    },
    lastOfferTo(agentId: string): Offer {
      const mine = this.offersTo(agentId);
      if (mine.length === 0) throw new Error(`no offer to ${agentId}`);
      return mine[mine.length - 1]!;
    },
    lastStateOf(agentId: string): AgentState | undefined {
      return states.filter((s) => s.agentId === agentId).at(-1)?.state;
    },
    /** Pushed positions, after the next round of position updates. */
    async positions(): Promise<Map<string, number>> {
      await vi.advanceTimersByTimeAsync(1);
      return positions;
    },
  };
}

async function rejectionOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('Router', () => {
  let fx: ReturnType<typeof makeFixture>;
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    fx = makeFixture();
  });
  afterEach(() => {
    fx.router.close();
    vi.useRealTimers();
  });

  it('offers a waiting customer to an agent who becomes available, with a deadline', async () => {
    await fx.enqueue('t1');
    await fx.available('a');
    const offer = fx.lastOfferTo('a');
    expect(offer).toMatchObject({ ticketId: 't1', mode: 'csl', slaClass: 'software', queue: { waiting: 1 } });
    expect(offer.deadline).toBe(Date.now() + OFFER_TIMEOUT_MS);
  });

  it('never offers a call to an agent without the required sign language', async () => {
    await fx.enqueue('t1');
    await fx.available('voice-only', { zh: 5, en: 5 });
    expect(fx.offersTo('voice-only')).toEqual([]);
  });

  it('keeps the place of an entry whose offer timed out and marks the agent missed', async () => {
    await fx.enqueue('first');
    await fx.enqueue('second');
    await fx.available('a');
    expect(fx.lastOfferTo('a').ticketId).toBe('first');

    await vi.advanceTimersByTimeAsync(OFFER_TIMEOUT_MS);

    expect(fx.cancelled).toMatchObject([{ agentId: 'a', reason: 'timeout' }]);
    expect(fx.lastStateOf('a')).toEqual({ status: 'away', reason: 'missed' });
    expect((await fx.positions()).get('second')).toBe(2);
    await fx.available('b');
    expect(fx.lastOfferTo('b').ticketId).toBe('first');
  });

  it('keeps the place of a declined entry and does not offer the decliner again until available', async () => {
    await fx.enqueue('first');
    await fx.available('a');
    await fx.router.decline('a', fx.lastOfferTo('a').offerId);
    await fx.enqueue('second');

    expect(fx.offersTo('a')).toHaveLength(1);
    await fx.router.setAvailability('a', 'available');
    expect(fx.lastOfferTo('a').ticketId).toBe('first');
  });

  it('makes a missed agent available again after the configured cool-down', async () => {
    fx.router.close();
    fx = makeFixture({ missedCooldownMs: 30_000 });
    await fx.enqueue('t1');
    await fx.available('a');
    await fx.router.decline('a', fx.lastOfferTo('a').offerId);
    expect(fx.lastStateOf('a')).toEqual({ status: 'away', reason: 'missed' });

    await vi.advanceTimersByTimeAsync(30_000);

    expect(fx.offersTo('a')).toHaveLength(2);
  });

  it('refuses an offer reply from an agent it was not made to, changing nothing', async () => {
    await fx.enqueue('t1');
    await fx.available('a');
    await fx.online('b');
    const { offerId } = fx.lastOfferTo('a');
    expect((await rejectionOf(fx.router.accept('b', offerId))).code).toBe(ErrorCode.OfferExpired);
    await fx.router.accept('a', offerId);
    expect(fx.router.isQueued('t1')).toBe(false);
  });

  it('holds the place of a customer who lost the connection and offers nothing to them meanwhile', async () => {
    await fx.enqueue('first');
    await fx.enqueue('second');
    await fx.router.hold('first');
    await fx.available('a');
    expect(fx.lastOfferTo('a').ticketId).toBe('second');
  });

  it('gives a customer back the same place on return within the grace period', async () => {
    await fx.enqueue('first');
    await fx.enqueue('second');
    await fx.router.hold('first');
    await vi.advanceTimersByTimeAsync(HOLD_MS - 1_000);

    expect(await fx.router.resume('first')).toBe(true);

    expect((await fx.positions()).get('first')).toBe(1);
    await fx.available('a');
    expect(fx.lastOfferTo('a').ticketId).toBe('first');
  });

  it('pushes nothing for a held place, and tells a customer who comes back each change after', async () => {
    await fx.enqueue('ahead');
    await fx.enqueue('first');
    expect((await fx.positions()).get('first')).toBe(2);
    await fx.router.hold('first');
    const pushed: [string, number][] = [];
    fx.router.on('position', (ticketId, position) => pushed.push([ticketId, position]));
    await fx.positions();
    expect(pushed).toEqual([]);

    await fx.router.resume('first');
    await fx.positions();
    // Told again on return, though the position is what it was before the hold.
    expect(pushed).toEqual([['first', 2]]);
    await fx.router.abandon('ahead');
    await fx.positions();
    expect(pushed).toEqual([
      ['first', 2],
      ['first', 1],
    ]);
  });

  it('keeps the place of a customer who comes back while the hold is still being written', async () => {
    await fx.enqueue('first');
    await fx.available('a');
    await Promise.all([fx.router.hold('first'), fx.router.resume('first')]);
    await vi.advanceTimersByTimeAsync(HOLD_MS + 5_000);

    expect(fx.router.isQueued('first')).toBe(true);
    expect((await fx.store.getEntry('first'))?.heldUntil).toBeUndefined();
    expect(fx.lastOfferTo('a').ticketId).toBe('first');
  });

  it('withdraws the open offer of a customer who lost the connection, leaving the agent available', async () => {
    await fx.enqueue('first');
    await fx.available('a');
    await fx.router.hold('first');
    expect(fx.cancelled).toMatchObject([{ agentId: 'a', reason: 'abandoned' }]);
    expect(fx.lastStateOf('a')).toEqual({ status: 'available' });
  });

  it('abandons a held entry once the grace period has run out', async () => {
    await fx.enqueue('first');
    await fx.router.hold('first');
    await vi.advanceTimersByTimeAsync(HOLD_MS);

    expect(fx.router.isQueued('first')).toBe(false);
    expect(await fx.router.resume('first')).toBe(false);
    const [csl] = await fx.router.serviceLevels(['csl']);
    expect(csl).toMatchObject({ waiting: 0, abandoned: 1, abandonmentRate: 1 });
  });

  it('ends a hold whose node died, from the store, on any node', async () => {
    await fx.enqueue('first');
    await fx.store.holdEntry('first', Date.now() + 5_000);
    const other = new Router({ store: fx.store, policy: new SkillPolicy(DEFAULT_ROUTING_OPTIONS), offerTimeoutMs: OFFER_TIMEOUT_MS, holdMs: HOLD_MS, missedCooldownMs: 0 });
    try {
      await other.start();
      await vi.advanceTimersByTimeAsync(7_000);
      expect(await fx.store.getEntry('first')).toBeNull();
    } finally {
      other.close();
    }
  });

  it('serves a transferred call ahead of customers who were waiting before it', async () => {
    await fx.enqueue('waiting-long');
    await vi.advanceTimersByTimeAsync(60_000);
    await fx.transfer('moved', 'csl');
    await fx.available('a');
    expect(fx.lastOfferTo('a')).toMatchObject({ ticketId: 'moved', transfer: { fromAgent: 'Agent one', note: 'needs a technician' } });
  });

  it('offers a call transferred to the technical queue to tier-2 agents only', async () => {
    await fx.available('tier1', { csl: 5, tier: 1 });
    await fx.transfer('moved', 'technical', { required: [{ skill: 'csl', minLevel: 3 }, { skill: 'tier', minLevel: 2 }] });
    expect(fx.offersTo('tier1')).toEqual([]);
    await fx.available('tier2', { csl: 3, tier: 2 });
    expect(fx.lastOfferTo('tier2').ticketId).toBe('moved');
  });

  it('offers a call transferred to a named agent to that agent, not the longest idle one', async () => {
    await fx.available('idle-longest');
    await vi.advanceTimersByTimeAsync(1_000);
    await fx.available('named');
    await fx.transfer('moved', 'csl', { toAgentId: 'named' });
    expect(fx.lastOfferTo('named').ticketId).toBe('moved');
    expect(fx.offersTo('idle-longest')).toEqual([]);
  });

  it('puts a call the named agent declined in its queue for the others', async () => {
    await fx.available('named');
    await fx.transfer('moved', 'csl', { toAgentId: 'named' });
    await fx.router.decline('named', fx.lastOfferTo('named').offerId);
    await fx.available('other');
    expect(fx.lastOfferTo('other').ticketId).toBe('moved');
  });

  it('never offers a transferred call back to the agent who passed it on', async () => {
    await fx.available('passer');
    await fx.transfer('moved', 'csl', { notAgentId: 'passer' });
    expect(fx.offersTo('passer')).toEqual([]);
    await fx.available('other');
    expect(fx.lastOfferTo('other').ticketId).toBe('moved');
  });

  it('refuses a transfer to an agent who is not signed in, changing nothing', async () => {
    const error = await rejectionOf(fx.transfer('moved', 'csl', { toAgentId: 'ghost' }));
    expect(error.code).toBe(ErrorCode.NotFound);
    expect(fx.router.isQueued('moved')).toBe(false);
    expect((await fx.store.snapshot()).entries).toEqual([]);
  });

  it('refuses a transfer to a busy agent, changing nothing', async () => {
    await fx.online('away-agent');
    const error = await rejectionOf(fx.transfer('moved', 'csl', { toAgentId: 'away-agent' }));
    expect(error.code).toBe(ErrorCode.InvalidState);
    expect((await fx.store.snapshot()).entries).toEqual([]);
  });

  it('suggests a break to an agent past the continuous signing limit, and stops once they take one', async () => {
    await fx.available('a');
    await fx.enqueue('t1');
    await fx.router.accept('a', fx.lastOfferTo('a').offerId);
    await fx.router.callEnded('a', { handleMs: DEFAULT_ROUTING_OPTIONS.fatigueAfterMs, signing: true, queue: 'csl' });
    expect(fx.lastStateOf('a')).toEqual({ status: 'available', suggestBreak: true });

    await fx.router.setAvailability('a', 'away');
    expect(fx.lastStateOf('a')).toEqual({ status: 'away' });
  });

  it('passes over a fatigued agent while a rested qualified one is idle', async () => {
    await fx.available('tired');
    await fx.enqueue('t1');
    await fx.router.accept('tired', fx.lastOfferTo('tired').offerId);
    await fx.router.callEnded('tired', { handleMs: DEFAULT_ROUTING_OPTIONS.fatigueAfterMs, signing: true, queue: 'csl' });
    await vi.advanceTimersByTimeAsync(1_000);
    await fx.available('rested');
    await fx.enqueue('t2');
    expect(fx.lastOfferTo('rested').ticketId).toBe('t2');
    expect(fx.offersTo('tired')).toHaveLength(1);
  });

  it('counts answers within the SLA target, abandons and handle times per queue', async () => {
    await fx.enqueue('quick');
    await fx.enqueue('gone');
    await fx.available('a');
    await vi.advanceTimersByTimeAsync(1_000);
    await fx.router.accept('a', fx.lastOfferTo('a').offerId);
    await fx.router.abandon('gone');
    await vi.advanceTimersByTimeAsync(90_000);
    await fx.router.callEnded('a', { handleMs: 90_000, signing: true, queue: 'csl' });

    const [csl, voice] = await fx.router.serviceLevels(['csl', 'voice']);
    expect(csl).toEqual({
      queue: 'csl',
      waiting: 0,
      longestWaitMs: 0,
      answered: 1,
      answeredWithinTarget: 1,
      abandoned: 1,
      abandonmentRate: 0.5,
      averageHandleSec: 90,
    });
    expect(voice).toMatchObject({ answered: 0, answeredWithinTarget: null, abandonmentRate: null, averageHandleSec: null });
  });

  it('counts an answer after the SLA target as late', async () => {
    await fx.enqueue('slow', { slaClass: 'consultation' });
    await vi.advanceTimersByTimeAsync(121_000);
    await fx.available('a');
    await fx.router.accept('a', fx.lastOfferTo('a').offerId);
    const [csl] = await fx.router.serviceLevels(['csl']);
    expect(csl).toMatchObject({ answered: 1, answeredWithinTarget: 0 });
  });

  it('reports how many wait and the longest wait per queue', async () => {
    await fx.enqueue('old');
    await vi.advanceTimersByTimeAsync(5_000);
    await fx.enqueue('new', { mode: 'voice', queue: 'voice', required: [{ skill: 'zh', minLevel: 3 }] });
    const [csl, voice] = await fx.router.serviceLevels(['csl', 'voice']);
    expect(csl).toMatchObject({ waiting: 1, longestWaitMs: 5_000 });
    expect(voice).toMatchObject({ waiting: 1, longestWaitMs: 0 });
  });
});

describe('Router with a wrap-up time', () => {
  const WRAP_UP_MS = 30_000;
  let fx: ReturnType<typeof makeFixture>;
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    fx = makeFixture({ wrapUpMs: WRAP_UP_MS });
  });
  afterEach(() => {
    fx.router.close();
    vi.useRealTimers();
  });

  async function callEndedWithWrapUp(agentId: string, ticketId: string): Promise<number | undefined> {
    await fx.available(agentId);
    await fx.enqueue(ticketId);
    await fx.router.accept(agentId, fx.lastOfferTo(agentId).offerId);
    return fx.router.callEnded(agentId, { handleMs: 60_000, signing: false, queue: 'csl', wrapUp: true });
  }

  it('offers nothing to an agent in wrap-up, and offers the waiting customer once the wrap-up time runs out', async () => {
    const until = await callEndedWithWrapUp('a', 't1');
    expect(until).toBe(Date.now() + WRAP_UP_MS);
    expect(fx.lastStateOf('a')).toEqual({ status: 'wrap-up', wrapUpUntil: until });
    await fx.enqueue('t2');
    await vi.advanceTimersByTimeAsync(WRAP_UP_MS - 1);
    expect(fx.offersTo('a')).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(1);
    expect(fx.lastOfferTo('a').ticketId).toBe('t2');
  });

  it('makes the agent available as soon as the wrap-up is ended, and only once', async () => {
    await callEndedWithWrapUp('a', 't1');
    await fx.enqueue('t2');
    expect(await fx.router.endWrapUp('a')).toBe(true);
    expect(fx.lastOfferTo('a').ticketId).toBe('t2');
    expect(await fx.router.endWrapUp('a')).toBe(false);
  });

  it('refuses a change of availability during the wrap-up', async () => {
    await callEndedWithWrapUp('a', 't1');
    const error = await rejectionOf(fx.router.setAvailability('a', 'available'));
    expect(error.code).toBe(ErrorCode.InvalidState);
    expect(fx.lastStateOf('a')?.status).toBe('wrap-up');
  });

  it('ends a wrap-up whose node died once the sweep finds it due', async () => {
    await fx.available('a');
    await fx.enqueue('t1');
    await fx.router.accept('a', fx.lastOfferTo('a').offerId);
    // Another node's wrap-up: in the store, with no timer on this node.
    await fx.store.finishCall('a', Date.now(), Date.now() + WRAP_UP_MS);
    await fx.enqueue('t2');
    await vi.advanceTimersByTimeAsync(WRAP_UP_MS + 1_500);
    expect(fx.lastOfferTo('a').ticketId).toBe('t2');
  });

  it('skips the wrap-up after a call that did not end its ticket', async () => {
    await fx.available('a');
    await fx.enqueue('t1');
    await fx.router.accept('a', fx.lastOfferTo('a').offerId);
    expect(await fx.router.callEnded('a', { handleMs: 1_000, signing: false, queue: 'csl' })).toBeUndefined();
    expect(fx.lastStateOf('a')).toEqual({ status: 'available' });
  });
});
