import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUTING_OPTIONS, type Match, type RoutingAgent, type RoutingEntry, type SkillMap } from '../../../server/routing/model.js';
import { idleAgents, nextMatch } from '../../../server/routing/planner.js';
import { RoutingQueue } from '../../../server/routing/RoutingQueue.js';
import { SkillPolicy } from '../../../server/routing/SkillPolicy.js';
import type { AgentRecord, StoredAgentStatus } from '../../../server/store/RoutingStore.js';
import { mulberry32 } from '../../support/random.js';
import { entry, NOW } from './fixtures.js';

const policy = new SkillPolicy(DEFAULT_ROUTING_OPTIONS);

function agent(agentId: string, idleSec: number, skills: SkillMap = { csl: 3 }, signingMs = 0): RoutingAgent {
  return { agentId, skills, idleSince: NOW - idleSec * 1000, signingMs };
}

function record(agentId: string, status: StoredAgentStatus, idleSec: number): AgentRecord {
  return { agentId, name: agentId, skills: { csl: 3 }, status, idleSince: NOW - idleSec * 1000 };
}

function queueOf(...entries: RoutingEntry[]): RoutingQueue {
  const queue = new RoutingQueue(policy);
  for (const e of entries) queue.add(e);
  return queue;
}

describe('idleAgents', () => {
  it('lists only available agents, longest idle first and by id on a tie, with their continuous signing', () => {
    const records = [
      record('busy', 'in-call', 900),
      record('b', 'available', 60),
      record('away', 'away', 900),
      record('a', 'available', 60),
      record('oldest', 'available', 300),
      record('missed', 'missed', 900),
      record('offered', 'offered', 900),
    ];
    const idle = idleAgents(records, (agentId) => (agentId === 'a' ? 5_000 : 0));
    expect(idle.map((a) => a.agentId)).toEqual(['oldest', 'a', 'b']);
    expect(idle[1]).toEqual({ agentId: 'a', skills: { csl: 3 }, idleSince: NOW - 60_000, signingMs: 5_000 });
  });
});

describe('nextMatch', () => {
  it('makes no offer without an idle agent or a waiting entry', () => {
    expect(nextMatch([], queueOf(entry('t1', 10)), policy, NOW)).toBeUndefined();
    expect(nextMatch([agent('a', 10)], queueOf(), policy, NOW)).toBeUndefined();
  });

  it('offers the longest-idle agent the first entry in queue order it qualifies for', () => {
    const queue = queueOf(entry('young', 10), entry('old', 50), entry('asl', 100, { required: [{ skill: 'asl', minLevel: 1 }] }));
    expect(nextMatch([agent('longest', 600), agent('shorter', 60)], queue, policy, NOW)).toEqual<Match>({ ticketId: 'old', agentId: 'longest' });
  });

  it('gives the turn to the next agent when the longest-idle one qualifies for nothing', () => {
    const queue = queueOf(entry('csl', 10));
    const idle = [agent('voice-only', 600, { zh: 5 }), agent('signer', 60)];
    expect(nextMatch(idle, queue, policy, NOW)).toEqual<Match>({ ticketId: 'csl', agentId: 'signer' });
  });

  it("sends a returning customer to their last agent among the idle ones, not to the longest-idle agent", () => {
    const queue = queueOf(entry('back', 5, { preferredAgentId: 'last-time' }));
    const idle = [agent('longest', 600), agent('last-time', 10)];
    expect(nextMatch(idle, queue, policy, NOW)).toEqual<Match>({ ticketId: 'back', agentId: 'last-time' });
  });

  it('spares a fatigued agent while a rested qualified one is idle, and offers to them when none is', () => {
    const queue = queueOf(entry('t1', 10));
    const tired = agent('tired', 600, { csl: 3 }, DEFAULT_ROUTING_OPTIONS.fatigueAfterMs);
    expect(nextMatch([tired, agent('rested', 10)], queue, policy, NOW)).toEqual<Match>({ ticketId: 't1', agentId: 'rested' });
    expect(nextMatch([tired], queue, policy, NOW)).toEqual<Match>({ ticketId: 't1', agentId: 'tired' });
  });

  it('never offers a transferred call to the agent who passed it on, and gives that agent the next entry instead', () => {
    const passed = entry('passed', 60, { transferred: true, notAgentId: 'passer' });
    expect(nextMatch([agent('passer', 600), agent('other', 10)], queueOf(passed), policy, NOW)).toEqual<Match>({ ticketId: 'passed', agentId: 'other' });
    expect(nextMatch([agent('passer', 600)], queueOf(passed), policy, NOW)).toBeUndefined();
  });

  it('in random scenarios, offers only qualified agents, never the one who passed the call on, each entry and agent at most once', () => {
    const random = mulberry32(12);
    const int = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1));
    for (let scenario = 0; scenario < 200; scenario++) {
      const agentCount = int(0, 8);
      const agents = Array.from({ length: agentCount }, (_, i) => {
        const skills: SkillMap = random() < 0.8 ? { csl: int(1, 5) } : { asl: int(1, 5) };
        return agent(`a${i}`, int(0, 600), skills, random() < 0.2 ? DEFAULT_ROUTING_OPTIONS.fatigueAfterMs : 0);
      });
      const entries = Array.from({ length: int(0, 12) }, (_, i) =>
        entry(`t${i}`, int(0, 400), {
          seq: i,
          required: [{ skill: random() < 0.8 ? 'csl' : 'asl', minLevel: int(1, 5) }],
          priority: random() < 0.1 ? 'urgent' : 'normal',
          notAgentId: random() < 0.2 && agentCount > 0 ? `a${int(0, agentCount - 1)}` : undefined,
        }),
      );
      const queue = queueOf(...entries);
      let idle = idleAgents(
        agents.map((a) => ({ agentId: a.agentId, name: a.agentId, skills: a.skills, status: 'available', idleSince: a.idleSince })),
        (agentId) => agents.find((a) => a.agentId === agentId)!.signingMs,
      );
      const matched: Match[] = [];
      for (let match = nextMatch(idle, queue, policy, NOW); match; match = nextMatch(idle, queue, policy, NOW)) {
        const offered = entries.find((e) => e.ticketId === match!.ticketId)!;
        const chosen = idle.find((a) => a.agentId === match!.agentId)!;
        expect(policy.qualifies(chosen, offered, NOW)).toBe(true);
        expect(chosen.agentId).not.toBe(offered.notAgentId);
        matched.push(match);
        queue.remove(match.ticketId);
        idle = idle.filter((a) => a.agentId !== match!.agentId);
      }
      expect(new Set(matched.map((m) => m.ticketId)).size).toBe(matched.length);
      expect(new Set(matched.map((m) => m.agentId)).size).toBe(matched.length);
      // It stops only when no idle agent's first entry can go to an idle agent it may be offered to.
      for (const left of idle) {
        const first = queue.bestEntryFor(left, NOW);
        if (first === undefined) continue;
        expect(first.notAgentId).toBe(left.agentId);
        expect(policy.pickAgent(first, idle.filter((a) => a.agentId !== left.agentId), NOW)).toBeUndefined();
      }
    }
  });
});
