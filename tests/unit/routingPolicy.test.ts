import { describe, expect, it } from 'vitest';
import { FifoPolicy, type IdleAgent, type RoutingPolicy, type WaitingEntry } from '../../server/routing/RoutingPolicy.js';
import type { CallMode } from '../../signaling/index.js';

const NOW = 1_000_000;

function entry(ticketId: string, enqueuedAt: number, mode: CallMode = 'csl', order = enqueuedAt): WaitingEntry {
  return { ticketId, mode, enqueuedAt, seq: order };
}

function agent(agentId: string, idleSince: number, modes: CallMode[] = ['csl']): IdleAgent {
  return { agentId, modes, idleSince };
}

describe('FifoPolicy', () => {
  it('orders entries by arrival time, earliest first', () => {
    const policy: RoutingPolicy = new FifoPolicy();
    const ordered = policy.order([entry('late', 300), entry('early', 100), entry('middle', 200)], NOW);
    expect(ordered.map((e) => e.ticketId)).toEqual(['early', 'middle', 'late']);
  });

  it('breaks ties between equal arrival times by sequence', () => {
    const policy: RoutingPolicy = new FifoPolicy();
    const ordered = policy.order([entry('second', 100, 'csl', 2), entry('first', 100, 'csl', 1), entry('third', 100, 'csl', 3)], NOW);
    expect(ordered.map((e) => e.ticketId)).toEqual(['first', 'second', 'third']);
  });

  it('does not reorder the array it was given', () => {
    const entries = [entry('late', 300), entry('early', 100)];
    (new FifoPolicy() as RoutingPolicy).order(entries, NOW);
    expect(entries.map((e) => e.ticketId)).toEqual(['late', 'early']);
  });

  it('offers the one free agent to the customer who came first', () => {
    const matches = new FifoPolicy().match([entry('late', 200), entry('early', 100)], [agent('alice', 0)], NOW);
    expect(matches).toEqual([{ ticketId: 'early', agentId: 'alice' }]);
  });

  it('offers the customer who came first even when a later one has a smaller sequence number', () => {
    const matches = new FifoPolicy().match([entry('late', 200, 'csl', 0), entry('early', 100, 'csl', 9)], [agent('alice', 0)], NOW);
    expect(matches).toEqual([{ ticketId: 'early', agentId: 'alice' }]);
  });

  it('skips an entry whose mode no free agent offers and still matches a later entry of another mode', () => {
    const entries = [entry('csl-first', 100, 'csl'), entry('asl-second', 200, 'asl')];
    const matches = new FifoPolicy().match(entries, [agent('asl-only', 0, ['asl'])], NOW);
    expect(matches).toEqual([{ ticketId: 'asl-second', agentId: 'asl-only' }]);
  });

  it('matches nobody when no agent offers the requested mode', () => {
    expect(new FifoPolicy().match([entry('voice', 100, 'voice')], [agent('alice', 0, ['csl', 'asl'])], NOW)).toEqual([]);
  });

  it('gives the customer to the agent who has been idle longest among those qualified', () => {
    const agents = [agent('recent', 500), agent('longest', 100), agent('unqualified', 0, ['asl'])];
    expect(new FifoPolicy().match([entry('t1', 100)], agents, NOW)).toEqual([{ ticketId: 't1', agentId: 'longest' }]);
  });

  it('breaks ties between equally idle agents by agent id so the choice is stable', () => {
    const matches = new FifoPolicy().match([entry('t1', 100)], [agent('bob', 100), agent('alice', 100)], NOW);
    expect(matches).toEqual([{ ticketId: 't1', agentId: 'alice' }]);
  });

  it('pairs waiting customers with idle agents in order: first customer to the longest idle agent', () => {
    const entries = [entry('t2', 200), entry('t1', 100), entry('t3', 300)];
    const agents = [agent('b', 20), agent('a', 10)];
    expect(new FifoPolicy().match(entries, agents, NOW)).toEqual([
      { ticketId: 't1', agentId: 'a' },
      { ticketId: 't2', agentId: 'b' },
    ]);
  });

  it('never gives one agent two entries nor one entry to two agents', () => {
    const modes: CallMode[] = ['csl', 'asl', 'voice'];
    const entries = Array.from({ length: 30 }, (_, i) => entry(`t${i}`, (i * 7) % 11, modes[i % 3]!, i));
    const agents = Array.from({ length: 12 }, (_, i) => agent(`a${i}`, (i * 5) % 7, [modes[i % 3]!, modes[(i + 1) % 3]!]));
    const matches = new FifoPolicy().match(entries, agents, NOW);

    const tickets = matches.map((m) => m.ticketId);
    const agentIds = matches.map((m) => m.agentId);
    expect(new Set(tickets).size).toBe(tickets.length);
    expect(new Set(agentIds).size).toBe(agentIds.length);
    expect(matches).toHaveLength(12);
    for (const match of matches) {
      const wanted = entries.find((e) => e.ticketId === match.ticketId)!.mode;
      expect(agents.find((a) => a.agentId === match.agentId)!.modes).toContain(wanted);
    }
  });

  it('returns no matches when nobody is waiting or nobody is free', () => {
    const policy: RoutingPolicy = new FifoPolicy();
    expect(policy.match([], [agent('alice', 0)], NOW)).toEqual([]);
    expect(policy.match([entry('t1', 100)], [], NOW)).toEqual([]);
  });
});
