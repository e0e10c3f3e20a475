import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_ROUTING_OPTIONS } from '../../../server/routing/model.js';
import { PositionPublisher } from '../../../server/routing/PositionPublisher.js';
import type { QueueStatus } from '../../../server/routing/queueStatus.js';
import { serviceLevelsOf } from '../../../server/routing/ServiceLevels.js';
import { SigningFatigue } from '../../../server/routing/SigningFatigue.js';
import { SkillPolicy } from '../../../server/routing/SkillPolicy.js';

const status = (position: number, lowSec = 0, highSec: number | null = 0): QueueStatus => ({ position, eta: { lowSec, highSec, sure: true } });

describe('PositionPublisher', () => {
  let current: Map<string, QueueStatus>;
  let told: [string, number][];
  let publisher: PositionPublisher;

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    current = new Map();
    told = [];
    publisher = new PositionPublisher({
      intervalMs: 250,
      now: () => Date.now(),
      statuses: () => current,
      publish: (ticketId, s) => told.push([ticketId, s.position]),
    });
  });
  afterEach(() => {
    publisher.close();
    vi.useRealTimers();
  });

  it('tells every customer once, then only those whose position or estimate changed', async () => {
    current.set('a', status(1)).set('b', status(2));
    publisher.schedule();
    await vi.advanceTimersByTimeAsync(0);
    expect(told).toEqual([['a', 1], ['b', 2]]);

    current.delete('a');
    current.set('b', status(1)).set('c', status(2, 60, 120));
    publisher.schedule();
    await vi.advanceTimersByTimeAsync(250);
    expect(told.slice(2)).toEqual([['b', 1], ['c', 2]]);

    current.set('c', status(2, 30, 90));
    publisher.schedule();
    await vi.advanceTimersByTimeAsync(250);
    expect(told.slice(4)).toEqual([['c', 2]]);
  });

  it('runs at most one round per interval however many changes arrive', async () => {
    current.set('a', status(1));
    publisher.schedule();
    await vi.advanceTimersByTimeAsync(0);
    for (let position = 2; position <= 5; position++) {
      current.set('a', status(position));
      publisher.schedule();
      await vi.advanceTimersByTimeAsync(50);
    }
    await vi.advanceTimersByTimeAsync(250);
    expect(told).toEqual([['a', 1], ['a', 5]]);
  });

  it('tells a customer who left and came back again, even at the same position', async () => {
    current.set('a', status(1));
    publisher.schedule();
    await vi.advanceTimersByTimeAsync(0);
    publisher.forget('a');
    publisher.schedule();
    await vi.advanceTimersByTimeAsync(250);
    expect(told).toEqual([['a', 1], ['a', 1]]);
  });

  it('publishes nothing once closed', async () => {
    current.set('a', status(1));
    publisher.schedule();
    publisher.close();
    await vi.advanceTimersByTimeAsync(1000);
    expect(told).toEqual([]);
  });
});

describe('serviceLevelsOf', () => {
  it('reports waiting, longest wait, answers within target, abandonment and handle time per queue', () => {
    const entries = [
      { queue: 'csl' as const, enqueuedAt: 1_000 },
      { queue: 'csl' as const, enqueuedAt: 4_000 },
      { queue: 'voice' as const, enqueuedAt: 9_000 },
    ];
    const counters = { csl: { answered: 4, answeredWithinTarget: 3, abandoned: 1, handled: 2, handleMsTotal: 300_000 } };
    expect(serviceLevelsOf(['csl', 'voice'], entries, counters, 10_000)).toEqual([
      { queue: 'csl', waiting: 2, longestWaitMs: 9_000, answered: 4, answeredWithinTarget: 0.75, abandoned: 1, abandonmentRate: 0.2, averageHandleSec: 150 },
      { queue: 'voice', waiting: 1, longestWaitMs: 1_000, answered: 0, answeredWithinTarget: null, abandoned: 0, abandonmentRate: null, averageHandleSec: null },
    ]);
  });
});

describe('SigningFatigue', () => {
  const limit = DEFAULT_ROUTING_OPTIONS.fatigueAfterMs;
  const skills = { csl: 4 };

  it('adds signing calls up to the policy limit, suggests a break there, and starts again after one', () => {
    const fatigue = new SigningFatigue(new SkillPolicy(DEFAULT_ROUTING_OPTIONS));
    fatigue.track('a');
    fatigue.addSigning('a', limit - 1);
    expect(fatigue.suggestsBreak('a', skills)).toBe(false);
    fatigue.addSigning('a', 1);
    expect(fatigue.signingMs('a')).toBe(limit);
    expect(fatigue.suggestsBreak('a', skills)).toBe(true);
    fatigue.rest('a');
    expect(fatigue.signingMs('a')).toBe(0);
    expect(fatigue.suggestsBreak('a', skills)).toBe(false);
  });

  it('counts nothing for an agent not connected here, and keeps the count over a second connection', () => {
    const fatigue = new SigningFatigue(new SkillPolicy(DEFAULT_ROUTING_OPTIONS));
    fatigue.addSigning('elsewhere', limit);
    expect(fatigue.signingMs('elsewhere')).toBe(0);
    expect(fatigue.suggestsBreak('elsewhere', skills)).toBe(false);
    fatigue.track('a');
    fatigue.addSigning('a', 1_000);
    fatigue.track('a');
    expect(fatigue.signingMs('a')).toBe(1_000);
    fatigue.forget('a');
    expect(fatigue.signingMs('a')).toBe(0);
  });
});
