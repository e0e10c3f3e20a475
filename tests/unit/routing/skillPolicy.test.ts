import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUTING_OPTIONS, type RoutingAgent, type RoutingEntry, type RoutingOptions } from '../../../server/routing/model.js';
import { SkillPolicy } from '../../../server/routing/SkillPolicy.js';
import { entry, NOW } from './fixtures.js';

const FATIGUE_MS = DEFAULT_ROUTING_OPTIONS.fatigueAfterMs;

/** An idle, rested agent signing CSL at level 3 unless overridden. */
function agent(agentId: string, overrides: Partial<RoutingAgent> = {}): RoutingAgent {
  return { agentId, skills: { csl: 3 }, idleSince: NOW - 60_000, signingMs: 0, ...overrides };
}

function policy(options: RoutingOptions = DEFAULT_ROUTING_OPTIONS): SkillPolicy {
  return new SkillPolicy(options);
}

function ids(entries: readonly RoutingEntry[]): string[] {
  return entries.map((e) => e.ticketId);
}

describe('SkillPolicy qualification', () => {
  it('qualifies an agent who has every required skill at the minimum level', () => {
    const e = entry('t', 0, { required: [{ skill: 'csl', minLevel: 3 }, { skill: 'phone', minLevel: 2 }] });
    expect(policy().qualifies(agent('a', { skills: { csl: 3, phone: 2 } }), e, NOW)).toBe(true);
  });

  it('does not qualify an agent one level below a required minimum', () => {
    const e = entry('t', 0, { required: [{ skill: 'csl', minLevel: 3 }, { skill: 'phone', minLevel: 2 }] });
    expect(policy().qualifies(agent('a', { skills: { csl: 3, phone: 1 } }), e, NOW)).toBe(false);
  });

  it('does not qualify an agent who lacks a required skill altogether', () => {
    const e = entry('t', 0, { required: [{ skill: 'csl', minLevel: 1 }, { skill: 'tier', minLevel: 1 }] });
    expect(policy().qualifies(agent('a', { skills: { csl: 5 } }), e, NOW)).toBe(false);
  });

  it('ignores preferred skills when deciding who qualifies', () => {
    const e = entry('t', 0, { preferred: ['en', 'watch'] });
    expect(policy().qualifies(agent('a', { skills: { csl: 3 } }), e, NOW)).toBe(true);
  });
});

describe('SkillPolicy relaxation', () => {
  it('keeps every requirement before the first step is reached', () => {
    const e = entry('t', 29, { preferred: ['en'], preferredAgentId: 'last' });
    expect(policy().effectiveRequirements(e, NOW)).toEqual({ required: [{ skill: 'csl', minLevel: 3 }], preferred: ['en'], preferredAgentId: 'last' });
  });

  it('drops the preferred agent once the entry has waited 30 s', () => {
    const e = entry('t', 30, { preferred: ['en'], preferredAgentId: 'last' });
    expect(policy().effectiveRequirements(e, NOW)).toEqual({ required: [{ skill: 'csl', minLevel: 3 }], preferred: ['en'], preferredAgentId: undefined });
  });

  it('drops the preferred skills once the entry has waited 60 s', () => {
    const e = entry('t', 60, { preferred: ['en'], preferredAgentId: 'last' });
    expect(policy().effectiveRequirements(e, NOW)).toEqual({ required: [{ skill: 'csl', minLevel: 3 }], preferred: [], preferredAgentId: undefined });
  });

  it('lowers every required level by one once the entry has waited 180 s', () => {
    const e = entry('t', 180, { required: [{ skill: 'csl', minLevel: 3 }, { skill: 'phone', minLevel: 2 }] });
    expect(policy().effectiveRequirements(e, NOW).required).toEqual([
      { skill: 'csl', minLevel: 2 },
      { skill: 'phone', minLevel: 1 },
    ]);
  });

  it('never lowers a required level below 1', () => {
    const options = { ...DEFAULT_ROUTING_OPTIONS, relaxation: [{ afterSec: 10, dropPreferredAgent: false, dropPreferredSkills: false, lowerMinLevelBy: 3 }] };
    const e = entry('t', 10, { required: [{ skill: 'csl', minLevel: 2 }, { skill: 'tier', minLevel: 3 }] });
    expect(policy(options).effectiveRequirements(e, NOW).required).toEqual([
      { skill: 'csl', minLevel: 1 },
      { skill: 'tier', minLevel: 1 },
    ]);
  });

  it('lets an agent one level short qualify once levels are lowered', () => {
    const short = agent('a', { skills: { csl: 2 } });
    expect(policy().qualifies(short, entry('young', 179), NOW)).toBe(false);
    expect(policy().qualifies(short, entry('old', 180), NOW)).toBe(true);
  });

  it('keeps what an earlier step dropped when a later step does not repeat it', () => {
    const options = {
      ...DEFAULT_ROUTING_OPTIONS,
      relaxation: [
        { afterSec: 10, dropPreferredAgent: true, dropPreferredSkills: false, lowerMinLevelBy: 2 },
        { afterSec: 20, dropPreferredAgent: false, dropPreferredSkills: true, lowerMinLevelBy: 0 },
      ],
    };
    const e = entry('t', 25, { preferred: ['en'], preferredAgentId: 'last' });
    expect(policy(options).effectiveRequirements(e, NOW)).toEqual({ required: [{ skill: 'csl', minLevel: 1 }], preferred: [], preferredAgentId: undefined });
  });

  it('applies steps by their wait even when configured out of order', () => {
    const options = {
      ...DEFAULT_ROUTING_OPTIONS,
      relaxation: [
        { afterSec: 100, dropPreferredAgent: false, dropPreferredSkills: false, lowerMinLevelBy: 2 },
        { afterSec: 10, dropPreferredAgent: false, dropPreferredSkills: false, lowerMinLevelBy: 1 },
      ],
    };
    expect(policy(options).effectiveRequirements(entry('t', 50), NOW).required).toEqual([{ skill: 'csl', minLevel: 2 }]);
  });
});

describe('SkillPolicy queue order', () => {
  it('serves an urgent entry before an older normal one', () => {
    const ordered = policy().order([entry('old-normal', 500), entry('new-urgent', 1, { priority: 'urgent' })], NOW);
    expect(ids(ordered)).toEqual(['new-urgent', 'old-normal']);
  });

  it('serves a transferred call before an older new arrival of the same priority', () => {
    const ordered = policy().order([entry('old-arrival', 500), entry('transfer', 1, { transferred: true })], NOW);
    expect(ids(ordered)).toEqual(['transfer', 'old-arrival']);
  });

  it('serves an urgent new arrival before a normal transferred call', () => {
    const ordered = policy().order([entry('transfer', 500, { transferred: true }), entry('urgent', 1, { priority: 'urgent' })], NOW);
    expect(ids(ordered)).toEqual(['urgent', 'transfer']);
  });

  it('serves a younger consultation ahead of an older software fault when it has used more of its target', () => {
    // 100 s of 120 s is 83%; 200 s of 300 s is 67%.
    const ordered = policy().order([entry('software', 200, { slaClass: 'software' }), entry('consultation', 100)], NOW);
    expect(ids(ordered)).toEqual(['consultation', 'software']);
  });

  it('keeps a younger software fault behind an older hardware fault that has used more of its target', () => {
    // 240 s of 300 s is 80%; 540 s of 600 s is 90%.
    const ordered = policy().order([entry('software', 240, { slaClass: 'software' }), entry('hardware', 540, { slaClass: 'hardware' })], NOW);
    expect(ids(ordered)).toEqual(['hardware', 'software']);
  });

  it('serves a younger software fault ahead of an older hardware fault when it has used more of its target', () => {
    // 270 s of 300 s is 90%; 300 s of 600 s is 50%.
    const ordered = policy().order([entry('hardware', 300, { slaClass: 'hardware' }), entry('software', 270, { slaClass: 'software' })], NOW);
    expect(ids(ordered)).toEqual(['software', 'hardware']);
  });

  it('serves the older of two entries that have used the same share of their targets', () => {
    // 150 s of 300 s and 300 s of 600 s are both 50%.
    const ordered = policy().order([entry('software', 150, { slaClass: 'software' }), entry('hardware', 300, { slaClass: 'hardware' })], NOW);
    expect(ids(ordered)).toEqual(['hardware', 'software']);
  });

  it('serves the older of two entries of the same class first', () => {
    const ordered = policy().order([entry('young', 10), entry('old', 20)], NOW);
    expect(ids(ordered)).toEqual(['old', 'young']);
  });

  it('breaks a tie of arrival time by sequence', () => {
    const ordered = policy().order([entry('second', 10, { seq: 2 }), entry('first', 10, { seq: 1 })], NOW);
    expect(ids(ordered)).toEqual(['first', 'second']);
  });

  it('does not reorder the array it was given', () => {
    const entries = [entry('young', 10), entry('old', 20)];
    policy().order(entries, NOW);
    expect(ids(entries)).toEqual(['young', 'old']);
  });
});

describe('SkillPolicy agent choice', () => {
  it('picks the longest idle of equally skilled agents', () => {
    const agents = [agent('recent', { idleSince: NOW - 10_000 }), agent('longest', { idleSince: NOW - 90_000 }), agent('middle', { idleSince: NOW - 50_000 })];
    expect(policy().pickAgent(entry('t', 0), agents, NOW)?.agentId).toBe('longest');
  });

  it('breaks a tie of idle time by agent id', () => {
    const agents = [agent('bob'), agent('amy')];
    expect(policy().pickAgent(entry('t', 0), agents, NOW)?.agentId).toBe('amy');
  });

  it('picks the agent with more preferred skills over one idle longer', () => {
    const e = entry('t', 0, { preferred: ['en', 'phone'] });
    const agents = [agent('idle-long', { skills: { csl: 3, en: 5 }, idleSince: NOW - 600_000 }), agent('both', { skills: { csl: 3, en: 2, phone: 2 } })];
    expect(policy().pickAgent(e, agents, NOW)?.agentId).toBe('both');
  });

  it('breaks a tie of preferred skills by their level sum', () => {
    const e = entry('t', 0, { preferred: ['en'] });
    const agents = [agent('en-2', { skills: { csl: 3, en: 2 }, idleSince: NOW - 600_000 }), agent('en-5', { skills: { csl: 3, en: 5 } })];
    expect(policy().pickAgent(e, agents, NOW)?.agentId).toBe('en-5');
  });

  it('stops weighing preferred skills once they are dropped', () => {
    const e = entry('t', 60, { preferred: ['en'] });
    const agents = [agent('idle-long', { idleSince: NOW - 600_000 }), agent('speaks-en', { skills: { csl: 3, en: 5 } })];
    expect(policy().pickAgent(e, agents, NOW)?.agentId).toBe('idle-long');
  });

  it('gives a returning customer their last agent over a better matched, longer idle one', () => {
    const e = entry('t', 10, { preferred: ['en'], preferredAgentId: 'last' });
    const agents = [agent('other', { skills: { csl: 5, en: 5 }, idleSince: NOW - 600_000 }), agent('last')];
    expect(policy().pickAgent(e, agents, NOW)?.agentId).toBe('last');
  });

  it('stops favouring the last agent once the entry has waited 30 s', () => {
    const e = entry('t', 30, { preferredAgentId: 'last' });
    const agents = [agent('other', { idleSince: NOW - 600_000 }), agent('last')];
    expect(policy().pickAgent(e, agents, NOW)?.agentId).toBe('other');
  });

  it('does not pick the last agent when they no longer qualify', () => {
    const e = entry('t', 10, { preferredAgentId: 'last' });
    const agents = [agent('last', { skills: { csl: 2 } }), agent('other')];
    expect(policy().pickAgent(e, agents, NOW)?.agentId).toBe('other');
  });

  it('picks a rested agent over a fatigued one idle longer', () => {
    const agents = [agent('fatigued', { signingMs: FATIGUE_MS, idleSince: NOW - 600_000 }), agent('rested', { signingMs: FATIGUE_MS - 1 })];
    expect(policy().pickAgent(entry('t', 0), agents, NOW)?.agentId).toBe('rested');
  });

  it('picks a fatigued agent when no rested agent qualifies', () => {
    const agents = [agent('fatigued', { signingMs: FATIGUE_MS }), agent('rested-unqualified', { skills: { asl: 5 } })];
    expect(policy().pickAgent(entry('t', 0), agents, NOW)?.agentId).toBe('fatigued');
  });

  it('passes over a fatigued returning agent when a rested qualified agent is idle', () => {
    const e = entry('t', 10, { preferredAgentId: 'last' });
    const agents = [agent('last', { signingMs: FATIGUE_MS }), agent('rested')];
    expect(policy().pickAgent(e, agents, NOW)?.agentId).toBe('rested');
  });

  it('picks nobody when no agent qualifies', () => {
    expect(policy().pickAgent(entry('t', 0), [agent('asl', { skills: { asl: 5 } })], NOW)).toBeUndefined();
  });

  it('calls an agent fatigued from the configured continuous signing time on', () => {
    expect(policy().isFatigued(agent('a', { signingMs: FATIGUE_MS - 1 }))).toBe(false);
    expect(policy().isFatigued(agent('a', { signingMs: FATIGUE_MS }))).toBe(true);
  });
});

describe('SkillPolicy matching', () => {
  it('offers the one free agent to the entry first in queue order', () => {
    const matches = policy().match([entry('young', 10), entry('old', 20)], [agent('a')], NOW);
    expect(matches).toEqual([{ ticketId: 'old', agentId: 'a' }]);
  });

  it('matches every entry and every agent at most once', () => {
    const entries = [entry('t1', 30), entry('t2', 20), entry('t3', 10)];
    const matches = policy().match(entries, [agent('a'), agent('b')], NOW);
    expect(matches).toHaveLength(2);
    expect(new Set(matches.map((m) => m.ticketId)).size).toBe(2);
    expect(new Set(matches.map((m) => m.agentId)).size).toBe(2);
  });

  it('skips an entry nobody free qualifies for and still serves a later one', () => {
    const entries = [entry('asl', 30, { required: [{ skill: 'asl', minLevel: 2 }] }), entry('csl', 10)];
    expect(policy().match(entries, [agent('a')], NOW)).toEqual([{ ticketId: 'csl', agentId: 'a' }]);
  });

  it('gives the earlier entry its best agent even when a later entry wanted the same one', () => {
    const entries = [entry('first', 30), entry('second', 10, { preferredAgentId: 'a' })];
    const agents = [agent('a', { idleSince: NOW - 600_000 }), agent('b')];
    expect(policy().match(entries, agents, NOW)).toEqual([
      { ticketId: 'first', agentId: 'a' },
      { ticketId: 'second', agentId: 'b' },
    ]);
  });
});
