import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ROUTING_OPTIONS,
  type RelaxationStep,
  type RoutingAgent,
  type RoutingEntry,
  type RoutingOptions,
  type SkillMap,
  type SkillName,
  type SkillRequirement,
  type SlaClass,
} from '../../../server/routing/model.js';
import { RoutingQueue } from '../../../server/routing/RoutingQueue.js';
import { SkillPolicy } from '../../../server/routing/SkillPolicy.js';
import { AppError } from '../../../signaling/index.js';
import { mulberry32 } from '../../support/random.js';
import { entry, NOW } from './fixtures.js';

function agent(agentId: string, skills: SkillMap = { csl: 3 }): RoutingAgent {
  return { agentId, skills, idleSince: NOW - 60_000, signingMs: 0 };
}

function queueOf(entries: readonly RoutingEntry[], options: RoutingOptions = DEFAULT_ROUTING_OPTIONS): RoutingQueue {
  const queue = new RoutingQueue(new SkillPolicy(options));
  for (const e of entries) queue.add(e);
  return queue;
}

describe('RoutingQueue', () => {
  it('gives an available agent the first entry in policy order that it qualifies for', () => {
    const queue = queueOf([entry('asl-oldest', 100, { required: [{ skill: 'asl', minLevel: 1 }] }), entry('csl-young', 10), entry('csl-old', 50)]);
    expect(queue.bestEntryFor(agent('a'), NOW)?.ticketId).toBe('csl-old');
  });

  it('gives an agent nothing when it qualifies for no waiting entry', () => {
    const queue = queueOf([entry('asl', 100, { required: [{ skill: 'asl', minLevel: 1 }] })]);
    expect(queue.bestEntryFor(agent('a'), NOW)).toBeUndefined();
  });

  it('gives an agent one level short the old entry whose levels were lowered, not the young one queued ahead of it by urgency', () => {
    const queue = queueOf([entry('urgent-young', 10, { priority: 'urgent' }), entry('old', 200)]);
    expect(queue.bestEntryFor(agent('short', { csl: 2 }), NOW)?.ticketId).toBe('old');
  });

  it('puts an entry re-queued after a decline back at its original place', () => {
    const queue = queueOf([entry('first', 30, { seq: 1 }), entry('second', 20, { seq: 2 }), entry('third', 10, { seq: 3 })]);
    const offered = queue.remove('first')!;
    queue.add(entry('fourth', 0, { seq: 4 }));
    queue.add(offered);
    expect(queue.entries(NOW).map((e) => e.ticketId)).toEqual(['first', 'second', 'third', 'fourth']);
    expect(queue.bestEntryFor(agent('a'), NOW)?.ticketId).toBe('first');
  });

  it('puts a re-queued entry from the middle back between its neighbours', () => {
    const queue = queueOf([entry('first', 30, { seq: 1 }), entry('second', 20, { seq: 2 }), entry('third', 10, { seq: 3 })]);
    queue.add(queue.remove('second')!);
    expect(queue.entries(NOW).map((e) => e.ticketId)).toEqual(['first', 'second', 'third']);
  });

  it('keeps arrival order after most of a long run of alike entries was served from the front', () => {
    const queue = queueOf(Array.from({ length: 100 }, (_, i) => entry(`t${i}`, 1000 - i, { seq: i })));
    for (let i = 0; i < 70; i++) queue.remove(queue.bestEntryFor(agent('a'), NOW)!.ticketId);
    queue.add(entry('t5', 995, { seq: 5 }));
    queue.remove('t80');
    expect(queue.entries(NOW).map((e) => e.ticketId)).toEqual(['t5', ...Array.from({ length: 30 }, (_, i) => `t${70 + i}`).filter((id) => id !== 't80')]);
    expect(queue.bestEntryFor(agent('a'), NOW)?.ticketId).toBe('t5');
  });

  it('removes an entry so that it is neither counted nor offered', () => {
    const queue = queueOf([entry('old', 30), entry('young', 10)]);
    expect(queue.remove('old')?.ticketId).toBe('old');
    expect(queue.has('old')).toBe(false);
    expect(queue.size).toBe(1);
    expect(queue.bestEntryFor(agent('a'), NOW)?.ticketId).toBe('young');
  });

  it('returns undefined when removing a ticket that is not queued', () => {
    expect(queueOf([entry('t', 0)]).remove('other')).toBeUndefined();
  });

  it('refuses to queue the same ticket twice', () => {
    const queue = queueOf([entry('t', 10)]);
    expect(() => queue.add(entry('t', 0))).toThrow(AppError);
  });

  it('moves an updated entry to its new requirements', () => {
    const queue = queueOf([entry('t', 10)]);
    queue.update(entry('t', 10, { required: [{ skill: 'asl', minLevel: 2 }] }));
    expect(queue.size).toBe(1);
    expect(queue.bestEntryFor(agent('a'), NOW)).toBeUndefined();
    expect(queue.bestEntryFor(agent('b', { asl: 2 }), NOW)?.ticketId).toBe('t');
  });

  it('counts a position among entries with the same required skills only', () => {
    const queue = queueOf([entry('csl-1', 40), entry('asl', 30, { required: [{ skill: 'asl', minLevel: 3 }] }), entry('csl-2', 20)]);
    expect(queue.position('csl-2', NOW)).toBe(2);
    expect(queue.position('asl', NOW)).toBe(1);
  });

  it('counts a position among entries ahead that an agent serving this one could also serve', () => {
    const queue = queueOf([entry('csl-3', 40), entry('csl-2', 30, { required: [{ skill: 'csl', minLevel: 2 }] }), entry('asl', 35, { required: [{ skill: 'asl', minLevel: 1 }] })]);
    queue.add(entry('me', 10, { required: [{ skill: 'csl', minLevel: 2 }] }));
    expect(queue.position('me', NOW, [agent('csl-2-only', { csl: 2 })])).toBe(2);
    expect(queue.position('me', NOW, [agent('csl-3', { csl: 3 })])).toBe(3);
  });

  it('returns no position for a ticket that is not queued', () => {
    expect(queueOf([]).position('t', NOW)).toBeUndefined();
  });

  it('agrees with SkillPolicy on order, best entry and positions in random scenarios', () => {
    const random = mulberry32(20_240_601);
    for (let scenario = 0; scenario < 400; scenario++) checkScenario(random, scenario);
  });

  it('agrees with SkillPolicy.match over a run of decisions as the clock moves', () => {
    const random = mulberry32(7);
    for (let run = 0; run < 20; run++) {
      const options = randomOptions(random);
      const policy = new SkillPolicy(options);
      const queue = new RoutingQueue(policy);
      const waiting = new Map<string, RoutingEntry>();
      let now = NOW;
      for (let i = 0; i < 60; i++) {
        const e = randomEntry(random, `r${run}-${i}`, i, now);
        queue.add(e);
        waiting.set(e.ticketId, e);
      }
      for (let step = 0; step < 80; step++) {
        now += Math.floor(random() * 20_000);
        const a = randomAgent(random, `a${step}`);
        const expected = policy.match([...waiting.values()], [a], now)[0]?.ticketId;
        const best = queue.bestEntryFor(a, now);
        expect(best?.ticketId, `run ${run} step ${step}`).toBe(expected);
        if (best === undefined) continue;
        queue.remove(best.ticketId);
        waiting.delete(best.ticketId);
        if (random() < 0.4) {
          queue.add(best);
          waiting.set(best.ticketId, best);
        }
      }
    }
  });
});

function checkScenario(random: () => number, scenario: number): void {
  const options = randomOptions(random);
  const policy = new SkillPolicy(options);
  const queue = new RoutingQueue(policy);
  const count = Math.floor(random() * 40);
  const crowded = random() < 0.5;
  const all = Array.from({ length: count }, (_, i) => randomEntry(random, `s${scenario}-${i}`, Math.floor(random() * 10), NOW, crowded));
  for (const e of shuffle(random, all)) queue.add(e);
  const removed = all.filter(() => random() < 0.3);
  for (const e of removed) queue.remove(e.ticketId);
  const requeued = removed.filter(() => random() < 0.5);
  for (const e of requeued) queue.add(e);
  const waiting = all.filter((e) => !removed.includes(e) || requeued.includes(e));
  const now = NOW + Math.floor(random() * 400_000);
  const label = `scenario ${scenario}`;

  const ordered = policy.order(waiting, now);
  expect(queue.size, label).toBe(waiting.length);
  expect(queue.entries(now).map((e) => e.ticketId), label).toEqual(ordered.map((e) => e.ticketId));

  const agents = Array.from({ length: 1 + Math.floor(random() * 6) }, (_, i) => randomAgent(random, `agent-${i}`));
  for (const a of agents) {
    const expected = ordered.find((e) => policy.qualifies(a, e, now));
    expect(queue.bestEntryFor(a, now)?.ticketId, `${label} ${a.agentId}`).toBe(expected?.ticketId);
  }

  ordered.forEach((e, index) => {
    const ahead = ordered.slice(0, index);
    const sameSkills = ahead.filter((other) => requirementKey(other.required) === requirementKey(e.required)).length + 1;
    expect(queue.position(e.ticketId, now), `${label} ${e.ticketId}`).toBe(sameSkills);
    const serving = agents.filter((a) => policy.qualifies(a, e, now));
    const competing = serving.length === 0 ? sameSkills : ahead.filter((other) => serving.some((a) => policy.qualifies(a, other, now))).length + 1;
    expect(queue.position(e.ticketId, now, agents), `${label} ${e.ticketId} with agents`).toBe(competing);
  });
}

const SKILLS: readonly SkillName[] = ['csl', 'asl', 'phone', 'tier'];
const CLASSES: readonly SlaClass[] = ['consultation', 'software', 'hardware'];

function randomOptions(random: () => number): RoutingOptions {
  if (random() < 0.3) return DEFAULT_ROUTING_OPTIONS;
  const relaxation: RelaxationStep[] = Array.from({ length: Math.floor(random() * 4) }, () => ({
    afterSec: Math.floor(random() * 300),
    dropPreferredAgent: random() < 0.5,
    dropPreferredSkills: random() < 0.5,
    lowerMinLevelBy: Math.floor(random() * 5),
  }));
  const target = () => 30 + Math.floor(random() * 600);
  return { slaTargetsSec: { consultation: target(), software: target(), hardware: target() }, relaxation, fatigueAfterMs: 60_000 };
}

/** A random entry; `crowded` ones share a few requirement lists, so buckets hold many entries of different ages. */
function randomEntry(random: () => number, ticketId: string, seq: number, now: number, crowded = false): RoutingEntry {
  const skills = crowded ? SKILLS.slice(0, 1 + Math.floor(random() * 2)) : shuffle(random, SKILLS).slice(0, 1 + Math.floor(random() * 2));
  const level = (skill: SkillName) => (crowded ? 3 : 1 + Math.floor(random() * (skill === 'tier' ? 3 : 5)));
  const required: SkillRequirement[] = skills.map((skill) => ({ skill, minLevel: level(skill) }));
  return {
    ticketId,
    required,
    preferred: shuffle(random, SKILLS).slice(0, Math.floor(random() * 3)),
    slaClass: CLASSES[Math.floor(random() * CLASSES.length)]!,
    priority: random() < 0.15 ? 'urgent' : 'normal',
    transferred: random() < 0.2,
    enqueuedAt: now - Math.floor(random() * 60) * 10_000,
    seq,
  };
}

function randomAgent(random: () => number, agentId: string): RoutingAgent {
  const skills: SkillMap = {};
  for (const skill of SKILLS) if (random() < 0.7) skills[skill] = 1 + Math.floor(random() * (skill === 'tier' ? 3 : 5));
  return { agentId, skills, idleSince: NOW - Math.floor(random() * 100_000), signingMs: Math.floor(random() * 120_000) };
}

function requirementKey(required: readonly SkillRequirement[]): string {
  return required
    .map((r) => `${r.skill}:${r.minLevel}`)
    .sort()
    .join(',');
}

function shuffle<T>(random: () => number, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

