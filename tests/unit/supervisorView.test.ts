import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { AgentState } from '../../signaling/index.js';
import type { CallService } from '../../server/calls/CallService.js';
import { QualityRecords } from '../../server/quality/QualityRecords.js';
import type { Router } from '../../server/routing/Router.js';
import type { AgentRecord } from '../../server/store/RoutingStore.js';
import { SupervisorView } from '../../server/supervisor/SupervisorView.js';
import { slaClassLevels, waitHistory, type TicketWait } from '../../server/supervisor/waitHistory.js';

const TARGETS = { consultation: 120, software: 300, hardware: 600 };
const MIN = 60_000;

function answered(slaClass: TicketWait['slaClass'], openedAt: number, waitedMs: number): TicketWait {
  return { slaClass, openedAt, answeredAt: openedAt + waitedMs, abandonedAt: null };
}

describe('the waits behind the supervisor’s charts', () => {
  it('counts an answer within target when the customer waited no longer than their class’s target', () => {
    const waits = [answered('consultation', 0, 2 * MIN), answered('consultation', 0, 2 * MIN + 1), answered('hardware', 0, 9 * MIN)];
    const [consultation, software, hardware] = slaClassLevels(waits, TARGETS, 0, 60 * MIN);
    expect(consultation).toEqual({ slaClass: 'consultation', targetSec: 120, answered: 2, answeredWithinTarget: 0.5, abandoned: 0, abandonmentRate: 0 });
    expect(software).toMatchObject({ answered: 0, answeredWithinTarget: null, abandonmentRate: null });
    expect(hardware).toMatchObject({ answered: 1, answeredWithinTarget: 1 });
  });

  it('counts a customer who gave up as abandoned only when nobody had answered them', () => {
    const gaveUp: TicketWait = { slaClass: 'software', openedAt: 0, answeredAt: null, abandonedAt: 3 * MIN };
    const transferredThenLeft: TicketWait = { slaClass: 'software', openedAt: 0, answeredAt: MIN, abandonedAt: 5 * MIN };
    const [, software] = slaClassLevels([gaveUp, transferredThenLeft], TARGETS, 0, 60 * MIN);
    expect(software).toMatchObject({ answered: 1, abandoned: 1, abandonmentRate: 0.5 });
  });

  it('leaves out what ended before the window, and puts each answer in the interval it happened in', () => {
    const waits = [answered('software', -20 * MIN, 10 * MIN), answered('software', 0, MIN), answered('software', 5 * MIN, 9 * MIN)];
    const points = waitHistory(waits, TARGETS, 0, 20 * MIN, 10 * MIN);
    expect(points).toEqual([
      { at: 0, answered: 1, meanWaitSec: 60, maxWaitSec: 60, serviceLevel: 1 },
      { at: 10 * MIN, answered: 1, meanWaitSec: 540, maxWaitSec: 540, serviceLevel: 0 },
    ]);
    expect(slaClassLevels(waits, TARGETS, 0, 20 * MIN)[1]).toMatchObject({ answered: 2 });
  });

  it('shows an interval without answers as a gap, not as a zero wait', () => {
    expect(waitHistory([], TARGETS, 0, 10 * MIN, 5 * MIN)).toEqual([
      { at: 0, answered: 0, meanWaitSec: null, maxWaitSec: null, serviceLevel: null },
      { at: 5 * MIN, answered: 0, meanWaitSec: null, maxWaitSec: null, serviceLevel: null },
    ]);
  });
});

/** A router as the view reads it: agents' states, announced changes, and queues with nobody waiting. */
class FakeRouter extends EventEmitter<{ agentState: [agentId: string, state: AgentState] }> {
  readonly states = new Map<string, AgentState>();

  agentStates(): { record: AgentRecord; state: AgentState }[] {
    return [...this.states].map(([agentId, state]) => ({ record: { agentId, name: agentId, skills: { csl: 4 }, status: 'away', idleSince: 0 } as AgentRecord, state }));
  }

  async serviceLevels(): Promise<[]> {
    return [];
  }

  set(agentId: string, state: AgentState): void {
    this.states.set(agentId, state);
    this.emit('agentState', agentId, state);
  }
}

function viewOver(router: FakeRouter): SupervisorView {
  const calls = { list: () => [] } as unknown as CallService;
  return new SupervisorView({ router: router as unknown as Router, calls, quality: new QualityRecords(), waits: { since: async () => [] }, slaTargetsSec: TARGETS });
}

describe('agents’ states as the supervisor sees them', () => {
  it('shows an agent who went away after a break was suggested as resting, until they come back', async () => {
    const router = new FakeRouter();
    const view = viewOver(router);
    router.set('mei', { status: 'available', suggestBreak: true });
    router.set('mei', { status: 'away' });
    expect((await view.overview(1)).agents[0]).toMatchObject({ id: 'mei', status: 'resting', modes: ['csl'] });
    router.set('mei', { status: 'available' });
    expect((await view.overview(1)).agents[0]).toMatchObject({ status: 'available' });
    view.close();
  });

  it('shows an agent who went away without a suggested break, or after a missed offer, as away', async () => {
    const router = new FakeRouter();
    const view = viewOver(router);
    router.set('li', { status: 'available' });
    router.set('li', { status: 'away' });
    router.set('wu', { status: 'available', suggestBreak: true });
    router.set('wu', { status: 'away', reason: 'missed', suggestBreak: true });
    const { agents } = await view.overview(1);
    expect(agents).toEqual([expect.objectContaining({ id: 'li', status: 'away', missedOffer: false }), expect.objectContaining({ id: 'wu', status: 'away', missedOffer: true, suggestBreak: true })]);
    view.close();
  });

  it('stops following routing once closed', () => {
    const router = new FakeRouter();
    const view = viewOver(router);
    view.close();
    view.close();
    expect(router.listenerCount('agentState')).toBe(0);
  });
});
