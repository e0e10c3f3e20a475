import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryRoutingStore } from '../../server/store/MemoryRoutingStore.js';
import { RedisRoutingStore } from '../../server/store/RedisRoutingStore.js';
import type { QueuedEntry, RoutingStore } from '../../server/store/RoutingStore.js';
import { startRedis, type RedisProcess } from '../support/redisServer.js';

let redis: RedisProcess;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const stores: [string, () => Promise<RoutingStore>][] = [
  ['memory', async () => new MemoryRoutingStore()],
  // A fresh namespace per test keeps tests apart on one real Redis.
  ['redis', () => RedisRoutingStore.connect(redis.url, `test-${randomUUID()}`)],
];

function entry(ticketId: string, enqueuedAt = 1_000): Omit<QueuedEntry, 'seq' | 'offerId'> {
  return {
    ticketId,
    required: [{ skill: 'csl', minLevel: 3 }],
    preferred: [],
    slaClass: 'software',
    priority: 'normal',
    transferred: false,
    enqueuedAt,
    mode: 'csl',
    queue: 'csl',
    topic: 'Wi-Fi',
    device: 'phone',
  };
}

const alice = { agentId: 'alice', name: 'Alice', skills: { csl: 4, phone: 2 } };
const bob = { agentId: 'bob', name: 'Bob', skills: { csl: 5 } };
const offer = (offerId: string, ticketId: string, agentId: string, deadline = 50_000) => ({ offerId, ticketId, agentId, deadline });

describe.each(stores)('the %s routing store', (_name, open) => {
  let store: RoutingStore;
  beforeEach(async () => {
    store = await open();
  });
  afterEach(async () => {
    await store.close();
  });

  it('queues an entry once, numbering arrivals in order', async () => {
    const first = await store.addEntry(entry('SL-1'));
    const second = await store.addEntry(entry('SL-2'));
    expect(first!.seq).toBeLessThan(second!.seq);
    expect(await store.addEntry(entry('SL-1'))).toBeNull();
    expect(await store.getEntry('SL-1')).toEqual({ ...entry('SL-1'), seq: first!.seq, offerId: undefined });
  });

  it('starts a new agent away, keeping state when the agent is put again', async () => {
    expect(await store.putAgent(alice, 5)).toMatchObject({ agentId: 'alice', status: 'away', idleSince: 5, skills: { csl: 4, phone: 2 } });
    await store.setAvailability('alice', 'available', 7);
    expect(await store.putAgent({ ...alice, name: 'Alice W.' }, 9)).toMatchObject({ name: 'Alice W.', status: 'available', idleSince: 7 });
  });

  it('offers a waiting entry to an available agent exactly once', async () => {
    await store.addEntry(entry('SL-1'));
    await store.putAgent(alice, 0);
    await store.putAgent(bob, 0);
    expect(await store.claimOffer(offer('o1', 'SL-1', 'alice'))).toBe('agent-busy');
    await store.setAvailability('alice', 'available', 1);
    await store.setAvailability('bob', 'available', 1);
    expect(await store.claimOffer(offer('o1', 'SL-1', 'alice'))).toBe(true);
    expect(await store.claimOffer(offer('o2', 'SL-1', 'bob'))).toBe('entry-busy');
    await store.addEntry(entry('SL-2'));
    expect(await store.claimOffer(offer('o3', 'SL-2', 'alice'))).toBe('agent-busy');
    expect(await store.claimOffer(offer('o4', 'SL-9', 'bob'))).toBe('no-entry');
    expect(await store.claimOffer(offer('o5', 'SL-2', 'carol'))).toBe('no-agent');
    const { entries, agents } = await store.snapshot();
    expect(entries.find((e) => e.ticketId === 'SL-1')!.offerId).toBe('o1');
    expect(agents.find((a) => a.agentId === 'alice')).toMatchObject({ status: 'offered', offerId: 'o1' });
  });

  it('moves an accepted entry out of the queue and the agent into the call', async () => {
    await store.addEntry(entry('SL-1'));
    await store.putAgent(alice, 0);
    await store.setAvailability('alice', 'available', 1);
    await store.claimOffer(offer('o1', 'SL-1', 'alice'));
    // Open, it can be read back by any node (a console reconnecting to another one); settled, it is gone.
    expect(await store.getOffer('o1')).toEqual(offer('o1', 'SL-1', 'alice'));
    expect(await store.getOffer('o-never')).toBeNull();
    const settled = await store.settleOffer('o1', 'accepted', 2);
    expect(await store.getOffer('o1')).toBeNull();
    expect(settled).toMatchObject({ offer: { offerId: 'o1', ticketId: 'SL-1', agentId: 'alice' }, entry: { ticketId: 'SL-1' } });
    expect(await store.getEntry('SL-1')).toBeNull();
    expect(await store.settleOffer('o1', 'accepted', 3)).toBeNull();
    await store.addEntry(entry('SL-2'));
    await store.putAgent(bob, 0);
    await store.setAvailability('bob', 'available', 1);
    await store.claimOffer(offer('o2', 'SL-2', 'bob'));
    expect(await store.settleOffer('o2', 'accepted', 3, 'alice')).toBeNull();
    expect(await store.settleOffer('o2', 'declined', 3, 'bob')).not.toBeNull();
    expect(await store.setAvailability('alice', 'away', 4)).toBe('busy');
    expect(await store.finishCall('alice', 10)).toBe(true);
    expect((await store.snapshot()).agents.find((a) => a.agentId === 'alice')).toMatchObject({ status: 'available', idleSince: 10 });
    expect(await store.finishCall('alice', 11)).toBe(false);
  });

  it('keeps the entry in its place when an offer is declined or lapses, and marks the agent missed', async () => {
    const first = await store.addEntry(entry('SL-1'));
    await store.addEntry(entry('SL-2', 2_000));
    await store.putAgent(alice, 0);
    for (const [offerId, outcome] of [['o1', 'declined'], ['o2', 'timeout']] as const) {
      await store.setAvailability('alice', 'available', 1);
      await store.claimOffer(offer(offerId, 'SL-1', 'alice'));
      const settled = await store.settleOffer(offerId, outcome, 20);
      expect(settled!.entry).toMatchObject({ ticketId: 'SL-1', seq: first!.seq, enqueuedAt: 1_000 });
      expect(await store.getEntry('SL-1')).toMatchObject({ seq: first!.seq, offerId: undefined });
      expect((await store.snapshot()).agents[0]).toMatchObject({ status: 'missed', idleSince: 20, offerId: undefined });
      expect(await store.claimOffer(offer(`${offerId}-again`, 'SL-1', 'alice'))).toBe('agent-busy');
    }
  });

  it('withdraws an offer without penalty: the entry keeps its place and the agent stays available', async () => {
    const first = await store.addEntry(entry('SL-1'));
    await store.putAgent(alice, 0);
    await store.setAvailability('alice', 'available', 1);
    await store.claimOffer(offer('o1', 'SL-1', 'alice'));
    expect(await store.settleOffer('o1', 'withdrawn', 5)).toMatchObject({ entry: { ticketId: 'SL-1', seq: first!.seq } });
    expect((await store.snapshot()).agents[0]).toMatchObject({ status: 'available', idleSince: 1, offerId: undefined });
    expect(await store.getEntry('SL-1')).toMatchObject({ offerId: undefined });
  });

  it('withdraws the open offer when the waiting customer leaves, freeing the agent', async () => {
    await store.addEntry(entry('SL-1'));
    await store.putAgent(alice, 0);
    await store.setAvailability('alice', 'available', 1);
    await store.claimOffer(offer('o1', 'SL-1', 'alice'));
    const removed = await store.removeEntry('SL-1');
    expect(removed).toMatchObject({ entry: { ticketId: 'SL-1' }, withdrawn: { offerId: 'o1', agentId: 'alice' } });
    expect((await store.snapshot()).agents[0]).toMatchObject({ status: 'available', offerId: undefined });
    expect(await store.settleOffer('o1', 'accepted', 2)).toBeNull();
    expect(await store.removeEntry('SL-1')).toBeNull();
  });

  it('puts the entry back when the offered agent signs out', async () => {
    await store.addEntry(entry('SL-1'));
    await store.putAgent(alice, 0);
    await store.setAvailability('alice', 'available', 1);
    await store.claimOffer(offer('o1', 'SL-1', 'alice'));
    expect(await store.removeAgent('alice')).toMatchObject({ agent: { agentId: 'alice', status: 'offered' }, withdrawn: { offerId: 'o1' } });
    expect(await store.getEntry('SL-1')).toMatchObject({ offerId: undefined });
    expect(await store.dueOffers(Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect(await store.setAvailability('alice', 'available', 2)).toBe('missing');
  });

  it('lists offers past their deadline for the sweeper', async () => {
    await store.addEntry(entry('SL-1'));
    await store.addEntry(entry('SL-2'));
    await store.putAgent(alice, 0);
    await store.putAgent(bob, 0);
    await store.setAvailability('alice', 'available', 1);
    await store.setAvailability('bob', 'available', 1);
    await store.claimOffer(offer('o1', 'SL-1', 'alice', 100));
    await store.claimOffer(offer('o2', 'SL-2', 'bob', 200));
    expect(await store.dueOffers(99)).toEqual([]);
    expect(await store.dueOffers(150)).toEqual(['o1']);
    expect((await store.dueOffers(200)).sort()).toEqual(['o1', 'o2']);
  });

  it('never gives one agent two offers or one entry two agents, under concurrent claims', async () => {
    const agentIds = Array.from({ length: 8 }, (_, i) => `agent-${i}`);
    const ticketIds = Array.from({ length: 8 }, (_, i) => `SL-${i}`);
    for (const ticketId of ticketIds) await store.addEntry(entry(ticketId));
    for (const agentId of agentIds) {
      await store.putAgent({ agentId, name: agentId, skills: { csl: 3 } }, 0);
      await store.setAvailability(agentId, 'available', 0);
    }
    const claims = ticketIds.flatMap((ticketId) => agentIds.map((agentId) => ({ ticketId, agentId })));
    const results = await Promise.all(claims.map((c, i) => store.claimOffer(offer(`o${i}`, c.ticketId, c.agentId))));
    const won = claims.filter((_, i) => results[i] === true);
    expect(new Set(won.map((c) => c.agentId)).size).toBe(won.length);
    expect(new Set(won.map((c) => c.ticketId)).size).toBe(won.length);
    expect(won.length).toBeGreaterThan(0);
  });

  it('holds a place: withdraws its open offer, frees the agent and refuses new claims until the hold is cleared', async () => {
    await store.addEntry(entry('SL-1'));
    await store.putAgent(alice, 0);
    await store.setAvailability('alice', 'available', 1);
    await store.claimOffer(offer('o1', 'SL-1', 'alice'));

    const held = await store.holdEntry('SL-1', 9_000);

    expect(held).toMatchObject({ entry: { ticketId: 'SL-1', heldUntil: 9_000 }, withdrawn: { offerId: 'o1', agentId: 'alice' } });
    expect(await store.getEntry('SL-1')).toMatchObject({ heldUntil: 9_000, offerId: undefined });
    expect((await store.snapshot()).agents[0]).toMatchObject({ status: 'available' });
    expect(await store.claimOffer(offer('o2', 'SL-1', 'alice'))).toBe('entry-busy');
    expect(await store.dueHolds(8_999)).toEqual([]);
    expect(await store.dueHolds(9_000)).toEqual(['SL-1']);

    expect(await store.holdEntry('SL-1', null)).toMatchObject({ entry: { ticketId: 'SL-1' } });
    expect((await store.getEntry('SL-1'))!.heldUntil).toBeUndefined();
    expect(await store.dueHolds(10_000)).toEqual([]);
    expect(await store.claimOffer(offer('o3', 'SL-1', 'alice'))).toBe(true);
  });

  it('does not hold a ticket that is not queued', async () => {
    expect(await store.holdEntry('SL-9', 9_000)).toBeNull();
    expect(await store.dueHolds(10_000)).toEqual([]);
  });

  it('forgets the hold of an entry that is removed', async () => {
    await store.addEntry(entry('SL-1'));
    await store.holdEntry('SL-1', 9_000);
    await store.removeEntry('SL-1');
    expect(await store.dueHolds(10_000)).toEqual([]);
  });

  it('puts an agent whose call ended into wrap-up until its end, offering them nothing meanwhile', async () => {
    await store.addEntry(entry('SL-1'));
    await store.addEntry(entry('SL-2'));
    await store.putAgent(alice, 0);
    await store.setAvailability('alice', 'available', 1);
    await store.claimOffer(offer('o1', 'SL-1', 'alice'));
    await store.settleOffer('o1', 'accepted', 2);
    expect(await store.finishCall('alice', 10, 70)).toBe(true);
    expect((await store.snapshot()).agents).toEqual([expect.objectContaining({ agentId: 'alice', status: 'wrap-up', wrapUpUntil: 70 })]);
    expect(await store.putAgent(alice, 11)).toMatchObject({ status: 'wrap-up', wrapUpUntil: 70 });
    expect(await store.claimOffer(offer('o2', 'SL-2', 'alice'))).toBe('agent-busy');
    expect(await store.setAvailability('alice', 'available', 12)).toBe('busy');
    expect(await store.setAvailability('alice', 'away', 12)).toBe('busy');
    expect(await store.finishCall('alice', 13)).toBe(false);
    expect(await store.dueWrapUps(69)).toEqual([]);
    expect(await store.dueWrapUps(70)).toEqual(['alice']);
  });

  it('puts an agent who takes a call over in it from away, available or missed, and refuses one who is busy', async () => {
    await store.addEntry(entry('SL-1'));
    await store.putAgent(alice, 0);
    expect(await store.takeCall('alice')).toBe(true);
    expect((await store.snapshot()).agents).toEqual([expect.objectContaining({ agentId: 'alice', status: 'in-call' })]);
    expect(await store.claimOffer(offer('o1', 'SL-1', 'alice'))).toBe('agent-busy');
    expect(await store.setAvailability('alice', 'available', 1)).toBe('busy');
    expect(await store.takeCall('alice')).toBe(false);
    expect(await store.finishCall('alice', 5, 60)).toBe(true);
    expect(await store.takeCall('alice')).toBe(false);
    expect(await store.takeCall('nobody')).toBe(false);
    expect((await store.snapshot()).agents.map((a) => a.agentId)).toEqual(['alice']);

    await store.putAgent(bob, 0);
    await store.setAvailability('bob', 'available', 1);
    await store.claimOffer(offer('o2', 'SL-1', 'bob'));
    expect(await store.takeCall('bob')).toBe(false);
    await store.settleOffer('o2', 'timeout', 2);
    expect((await store.snapshot()).agents.find((a) => a.agentId === 'bob')).toMatchObject({ status: 'missed' });
    expect(await store.takeCall('bob')).toBe(true);
  });

  it('ends a wrap-up once: the agent is available again, idle since then, and no longer due', async () => {
    await store.addEntry(entry('SL-1'));
    await store.addEntry(entry('SL-2'));
    await store.putAgent(alice, 0);
    await store.setAvailability('alice', 'available', 1);
    await store.claimOffer(offer('o1', 'SL-1', 'alice'));
    await store.settleOffer('o1', 'accepted', 2);
    await store.finishCall('alice', 10, 70);
    expect(await store.endWrapUp('alice', 20)).toMatchObject({ agentId: 'alice', name: 'Alice', skills: alice.skills, status: 'available', idleSince: 20 });
    expect(await store.endWrapUp('alice', 21)).toBeNull();
    expect(await store.dueWrapUps(100)).toEqual([]);
    const [agent] = (await store.snapshot()).agents;
    expect(agent).toMatchObject({ status: 'available', idleSince: 20 });
    expect(agent!.wrapUpUntil).toBeUndefined();
    expect(await store.claimOffer(offer('o2', 'SL-2', 'alice'))).toBe(true);
  });

  it('skips the wrap-up when its end is not after the call, and forgets it when the agent signs out', async () => {
    for (const [agent, ticketId] of [[alice, 'SL-1'], [bob, 'SL-2']] as const) {
      await store.addEntry(entry(ticketId));
      await store.putAgent(agent, 0);
      await store.setAvailability(agent.agentId, 'available', 1);
      await store.claimOffer(offer(`o-${ticketId}`, ticketId, agent.agentId));
      await store.settleOffer(`o-${ticketId}`, 'accepted', 2);
    }
    expect(await store.finishCall('alice', 10, 10)).toBe(true);
    expect((await store.snapshot()).agents.find((a) => a.agentId === 'alice')).toMatchObject({ status: 'available', idleSince: 10 });
    await store.finishCall('bob', 10, 70);
    await store.removeAgent('bob');
    expect(await store.dueWrapUps(100)).toEqual([]);
    expect(await store.endWrapUp('bob', 20)).toBeNull();
  });

  it('adds up service-level counters per queue', async () => {
    await store.countService('csl', { answered: 1, answeredWithinTarget: 1 });
    await store.countService('csl', { answered: 1, answeredWithinTarget: 0, handled: 1, handleMsTotal: 60_000 });
    await store.countService('voice', { abandoned: 1 });
    expect(await store.serviceCounters()).toEqual({
      csl: { answered: 2, answeredWithinTarget: 1, abandoned: 0, handled: 1, handleMsTotal: 60_000 },
      voice: { answered: 0, answeredWithinTarget: 0, abandoned: 1, handled: 0, handleMsTotal: 0 },
    });
  });
});

describe('the Redis routing store shared by two server nodes', () => {
  it('lets exactly one node win each claim when both race for the same entries and agents', async () => {
    const namespace = `race-${randomUUID()}`;
    const [nodeA, nodeB] = await Promise.all([RedisRoutingStore.connect(redis.url, namespace), RedisRoutingStore.connect(redis.url, namespace)]);
    try {
      for (let i = 0; i < 20; i++) await nodeA.addEntry(entry(`SL-${i}`));
      for (let i = 0; i < 10; i++) {
        await nodeB.putAgent({ agentId: `agent-${i}`, name: `A${i}`, skills: { csl: 4 } }, 0);
        await nodeB.setAvailability(`agent-${i}`, 'available', 0);
      }
      const attempts = [];
      for (let t = 0; t < 20; t++) {
        for (let a = 0; a < 10; a++) {
          attempts.push({ node: nodeA, ticketId: `SL-${t}`, agentId: `agent-${a}`, offerId: `A-${t}-${a}` });
          attempts.push({ node: nodeB, ticketId: `SL-${t}`, agentId: `agent-${a}`, offerId: `B-${t}-${a}` });
        }
      }
      const results = await Promise.all(attempts.map((x) => x.node.claimOffer(offer(x.offerId, x.ticketId, x.agentId))));
      const won = attempts.filter((_, i) => results[i] === true);
      expect(won).toHaveLength(10);
      expect(new Set(won.map((w) => w.agentId)).size).toBe(10);
      expect(new Set(won.map((w) => w.ticketId)).size).toBe(10);
      const { agents } = await nodeA.snapshot();
      expect(agents.every((agent) => agent.status === 'offered')).toBe(true);
    } finally {
      await Promise.all([nodeA.close(), nodeB.close()]);
    }
  });
  it('tells the other nodes sharing the namespace of each change, but not the node that made it', async () => {
    const namespace = `test-${randomUUID()}`;
    const nodeA = await RedisRoutingStore.connect(redis.url, namespace);
    const nodeB = await RedisRoutingStore.connect(redis.url, namespace);
    try {
      let heardByA = 0;
      await nodeA.onRemoteChange(() => heardByA++);
      let heard: () => void = () => undefined;
      const heardByB = new Promise<void>((resolve) => (heard = resolve));
      await nodeB.onRemoteChange(() => heard());
      await nodeA.addEntry(entry('SL-1'));
      await heardByB;
      expect(heardByA).toBe(0);
    } finally {
      await Promise.all([nodeA.close(), nodeB.close()]);
    }
  });
});
