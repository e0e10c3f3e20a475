import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Offer, OfferCancelReason } from '../../../signaling/index.js';
import { DEFAULT_ROUTING_OPTIONS, type SkillMap } from '../../../server/routing/model.js';
import { Router } from '../../../server/routing/Router.js';
import { SkillPolicy } from '../../../server/routing/SkillPolicy.js';
import { MemoryRoutingStore } from '../../../server/store/MemoryRoutingStore.js';
import { capturingLog, FlakyStore } from './flakyStore.js';

const OFFER_TIMEOUT_MS = 10_000;
const HOLD_MS = 120_000;
const COOLDOWN_MS = 30_000;
const CSL: SkillMap = { csl: 4, tier: 1 };
/** The router's retry backoff: 0.25 s, then doubling. */
const FIRST_RETRY_MS = 250;

// Captured before any test installs fake timers: lets pending rejections reach `unhandledRejection` listeners.
const realSetImmediate = setImmediate;

/** A router over a memory store that fails on demand, on fake timers, with its events and log lines recorded. */
function makeFixture(flaky: FlakyStore, options: { missedCooldownMs?: number } = {}) {
  const { log, errors } = capturingLog();
  const router = newRouter(flaky, log, options.missedCooldownMs ?? 0);
  const recorded = record(router);
  return {
    router,
    log,
    errors,
    ...recorded,
    enqueue(ticketId: string) {
      return router.enqueue({ ticketId, required: [{ skill: 'csl', minLevel: 3 }], preferred: [], slaClass: 'software', priority: 'normal', mode: 'csl', queue: 'csl', topic: 'help', device: 'phone' });
    },
    async available(agentId: string, on: Router = router): Promise<void> {
      await on.agentConnected({ id: agentId, name: `Agent ${agentId}`, modes: ['csl'] }, CSL);
      await on.setAvailability(agentId, 'available');
    },
  };
}

function newRouter(flaky: FlakyStore, log: ReturnType<typeof capturingLog>['log'], missedCooldownMs = 0): Router {
  return new Router({
    store: flaky.store,
    policy: new SkillPolicy(DEFAULT_ROUTING_OPTIONS),
    offerTimeoutMs: OFFER_TIMEOUT_MS,
    holdMs: HOLD_MS,
    missedCooldownMs,
    now: () => Date.now(),
    positionIntervalMs: 0,
    log,
  });
}

function record(router: Router) {
  const offers: { agentId: string; offer: Offer }[] = [];
  const cancelled: { agentId: string; offerId: string; reason: OfferCancelReason }[] = [];
  const positions = new Map<string, number>();
  router.on('offer', (agentId, offer) => offers.push({ agentId, offer }));
  router.on('offerCancelled', (agentId, offerId, reason) => cancelled.push({ agentId, offerId, reason }));
  router.on('position', (ticketId, position) => positions.set(ticketId, position));
  return {
    offers,
    cancelled,
    positions,
    offersTo: (agentId: string) => offers.filter((o) => o.agentId === agentId).map((o) => o.offer),
  };
}

describe('Router over a store that rejects', () => {
  let flaky: FlakyStore;
  let fx: ReturnType<typeof makeFixture>;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    flaky = new FlakyStore(new MemoryRoutingStore());
    fx = makeFixture(flaky);
  });

  afterEach(async () => {
    fx.router.close();
    vi.useRealTimers();
    // A rejection nobody handled is reported once the microtasks have run: give it that turn, then look.
    await new Promise((resolve) => realSetImmediate(resolve));
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });

  it('lapses an offer whose deadline met a failing store once the store answers, and offers the entry to the next agent', async () => {
    await fx.enqueue('first');
    await fx.available('a');
    const [{ offerId }] = fx.offersTo('a') as [Offer];
    await fx.available('b');
    flaky.failNext('settleOffer', 2);

    await vi.advanceTimersByTimeAsync(OFFER_TIMEOUT_MS);
    expect(fx.errors()).toHaveLength(1);
    expect(fx.cancelled).toEqual([]);
    expect(fx.offersTo('b')).toEqual([]);

    await vi.advanceTimersByTimeAsync(FIRST_RETRY_MS + 2 * FIRST_RETRY_MS);

    expect(flaky.refused).toEqual(['settleOffer', 'settleOffer']);
    expect(fx.errors()).toEqual([
      { level: 'error', message: `routing: offer deadline "${offerId}" failed (attempt 1); retrying in 250 ms`, detail: new Error('store unavailable (settleOffer)') },
      { level: 'error', message: `routing: offer deadline "${offerId}" failed (attempt 2); retrying in 500 ms`, detail: new Error('store unavailable (settleOffer)') },
    ]);
    expect(fx.cancelled).toEqual([{ agentId: 'a', offerId, reason: 'timeout' }]);
    expect(fx.offersTo('b').map((o) => o.ticketId)).toEqual(['first']);
  });

  it('ends a held place that lapsed while the store refused the removal, counting one abandon', async () => {
    await fx.enqueue('first');
    await fx.enqueue('second');
    await fx.router.hold('first');
    flaky.failNext('removeEntry', 3);

    await vi.advanceTimersByTimeAsync(HOLD_MS);
    expect(fx.router.isQueued('first')).toBe(true);

    await vi.advanceTimersByTimeAsync(FIRST_RETRY_MS + 2 * FIRST_RETRY_MS + 4 * FIRST_RETRY_MS);

    expect(flaky.refused).toEqual(['removeEntry', 'removeEntry', 'removeEntry']);
    expect(fx.errors().map((line) => line.message)).toEqual([
      'routing: held place "first" failed (attempt 1); retrying in 250 ms',
      'routing: held place "first" failed (attempt 2); retrying in 500 ms',
      'routing: held place "first" failed (attempt 3); retrying in 1000 ms',
    ]);
    expect(fx.router.isQueued('first')).toBe(false);
    expect(fx.positions.get('second')).toBe(1);
    const [csl] = await fx.router.serviceLevels(['csl']);
    expect(csl).toMatchObject({ waiting: 1, abandoned: 1 });
  });

  it('sweeps the lapsed offer of a node that died once the store lists due offers again', async () => {
    await fx.enqueue('first');
    await fx.available('a');
    const [{ offerId }] = fx.offersTo('a') as [Offer];
    // The node that made the offer dies before its deadline; another node sharing the store is left.
    fx.router.close();
    const survivor = capturingLog();
    const other = newRouter(flaky, survivor.log);
    const seen = record(other);
    try {
      await other.start();
      await fx.available('b', other);
      await vi.advanceTimersByTimeAsync(OFFER_TIMEOUT_MS);
      expect(seen.cancelled).toEqual([]);
      flaky.failNext('dueOffers', 2);

      // The next sweep fails, and so does its first retry; the second retry finds the offer and lapses it on the next tick.
      await vi.advanceTimersByTimeAsync(1000 + FIRST_RETRY_MS + 2 * FIRST_RETRY_MS + 1);

      expect(flaky.refused).toEqual(['dueOffers', 'dueOffers']);
      expect(survivor.errors().map((line) => line.message)).toEqual([
        'routing: background "sweep" failed (attempt 1); retrying in 250 ms',
        'routing: background "sweep" failed (attempt 2); retrying in 500 ms',
      ]);
      expect(seen.cancelled).toEqual([{ agentId: 'a', offerId, reason: 'timeout' }]);
      expect(seen.offersTo('b').map((o) => o.ticketId)).toEqual(['first']);
    } finally {
      other.close();
    }
  });

  it('retries a dispatch round whose claim the store failed, without failing the agent who went available', async () => {
    await fx.enqueue('first');
    flaky.failNext('claimOffer', 1);

    await fx.available('a');
    expect(fx.offersTo('a')).toEqual([]);
    expect(fx.errors().map((line) => line.message)).toEqual(['routing: dispatch round failed; retried in the background']);

    await vi.advanceTimersByTimeAsync(FIRST_RETRY_MS);

    expect(fx.offersTo('a').map((o) => o.ticketId)).toEqual(['first']);
  });

  it('makes a missed agent available once the store takes the end of the cool-down', async () => {
    fx.router.close();
    fx = makeFixture(flaky, { missedCooldownMs: COOLDOWN_MS });
    await fx.enqueue('t1');
    await fx.available('a');
    await fx.router.decline('a', fx.offersTo('a')[0]!.offerId);
    flaky.failNext('setAvailability', 2);

    await vi.advanceTimersByTimeAsync(COOLDOWN_MS);
    expect(fx.offersTo('a')).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(FIRST_RETRY_MS + 2 * FIRST_RETRY_MS);

    expect(fx.errors().map((line) => line.message)).toEqual([
      'routing: missed-offer cool-down "a" failed (attempt 1); retrying in 250 ms',
      'routing: missed-offer cool-down "a" failed (attempt 2); retrying in 500 ms',
    ]);
    expect(fx.offersTo('a')).toHaveLength(2);
  });

  it('stops retrying the cool-down of an agent who went offline meanwhile', async () => {
    fx.router.close();
    fx = makeFixture(flaky, { missedCooldownMs: COOLDOWN_MS });
    await fx.enqueue('t1');
    await fx.available('a');
    await fx.router.decline('a', fx.offersTo('a')[0]!.offerId);
    flaky.failNext('setAvailability', 10);

    await vi.advanceTimersByTimeAsync(COOLDOWN_MS);
    await fx.router.agentDisconnected('a');
    await vi.advanceTimersByTimeAsync(60_000);

    expect(flaky.refused).toEqual(['setAvailability']);
    expect(fx.errors()).toHaveLength(1);
  });

  it('starts the call of an accepted offer although the store failed to count the answer, and counts it on retry', async () => {
    await fx.enqueue('first');
    await fx.available('a');
    const accepted: string[] = [];
    fx.router.on('accepted', (entry) => accepted.push(entry.ticketId));
    flaky.failNext('countService', 1);

    await fx.router.accept('a', fx.offersTo('a')[0]!.offerId);
    expect(accepted).toEqual(['first']);
    expect(fx.errors().map((line) => line.message)).toEqual(['routing: service-level count "0" failed (attempt 1); retrying in 250 ms']);

    await vi.advanceTimersByTimeAsync(FIRST_RETRY_MS);
    const [csl] = await fx.router.serviceLevels(['csl']);
    expect(csl).toMatchObject({ answered: 1 });
  });
});
