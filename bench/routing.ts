// bench:routing: latency of single routing decisions, and of whole dispatch rounds of the Router, for queues
// of 100 to 10,000 waiting customers and 50 or 500 agents, with the routing state in memory and in Redis (a
// real redis-server started here). Prints one JSON line per figure, then a table per part.
//
// Decisions: a node plans on its local RoutingQueue mirror and commits in the store, so a decision is both.
// It alternates between an agent becoming available (best entry for it in the index, claimOffer in the store,
// entry out of the index) and a customer arriving (addEntry in the store, entry into the index, best agent
// among all agents as if all were idle, the worst case, then claimOffer for that agent). Between decisions,
// untimed, the offer is undone, so every decision sees the same waiting entries and available agents.
// Positions are measured too (on the index only, so once), since every change moves them.
//
// Dispatch rounds: a real Router over a store holding W waiting entries and A agents, all away. k agents go
// available at once (k concurrent setAvailability calls); the figure runs from then until every offer is out
// (all k calls resolved: the router coalesces them into one dispatch loop) and the position pushes that round
// caused have all been emitted. positionIntervalMs is 0, so the throttle adds no interval; the router still
// publishes from a 0 ms timer after its last dispatch (at least 1 ms in Node), so the round also prints the
// time to the last offer and the final burst of pushes alone (one synchronous burst, its end taken from a
// microtask queued at its first push). The router's clock is fixed, so statuses change only through routing;
// afterwards, untimed, every waiting customer's last push is compared with the router's status for them
// (`stale` counts misses, 0 expected). Each Router is fresh and its start (loading the store, telling every
// customer their place) is not timed; the round is undone in the store after. Memory and Redis rounds
// alternate, each figure the median of BENCH_ROUND_REPS runs (at least 3) with min and max, after one untimed
// warm-up round.
//
// Sizes: BENCH_WAITING (default 100,1000,10000), BENCH_AGENTS (50,500), BENCH_ROUND_AGENTS (k: 1,10,50, capped
// at A), BENCH_ROUND_REPS (5), BENCH_DECISIONS (2000), BENCH_WARMUP (2000).
import { randomUUID } from 'node:crypto';
import type { WaitRange } from '../signaling/index.js';
import { createLogger } from '../server/logger.js';
import { PRODUCT_AREAS, SIGN_LANGUAGES, SPOKEN_LANGUAGES, DEFAULT_ROUTING_OPTIONS, type RoutingAgent, type SkillMap, type SkillName, type SkillRequirement, type SlaClass } from '../server/routing/model.js';
import { Router } from '../server/routing/Router.js';
import { RoutingQueue } from '../server/routing/RoutingQueue.js';
import { SkillPolicy } from '../server/routing/SkillPolicy.js';
import { MemoryRoutingStore } from '../server/store/MemoryRoutingStore.js';
import { RedisRoutingStore } from '../server/store/RedisRoutingStore.js';
import type { QueuedEntry, RoutingStore, StoredOffer } from '../server/store/RoutingStore.js';
import { mulberry32 } from '../tests/support/random.js';
import { startRedis } from '../tests/support/redisServer.js';
import { emit, quantile, round1 } from './stats.js';

const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 2000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2000);
const WAITING = sizes('BENCH_WAITING', [100, 1000, 10_000]);
const AGENTS = sizes('BENCH_AGENTS', [50, 500]);
/** Agents made available at once in a dispatch round, capped at the agents loaded. */
const ROUND_AGENTS = sizes('BENCH_ROUND_AGENTS', [1, 10, 50]);
const ROUND_REPS = Math.max(3, Number(process.env.BENCH_ROUND_REPS ?? 5));
const START = Date.UTC(2025, 0, 6, 9);
const OFFER_TIMEOUT_MS = 20_000;
/** Store writes in flight at once while populating (node-redis pipelines them on one connection). */
const BATCH = 1000;

/** An entry as handed to the store, which assigns `seq`. */
type NewEntry = Omit<QueuedEntry, 'seq' | 'offerId'>;

type Random = () => number;

/** A comma-separated list of positive integers from the environment, or the default. */
function sizes(name: string, fallback: number[]): number[] {
  const listed = (process.env[name] ?? '').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
  return listed.length > 0 ? listed : fallback;
}

const int = (random: Random, low: number, high: number): number => low + Math.floor(random() * (high - low + 1));

function pick<T>(random: Random, weighted: readonly (readonly [T, number])[]): T {
  let roll = random() * weighted.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [value, weight] of weighted) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return weighted[weighted.length - 1]![0];
}

/** An agent signing one or two sign languages, speaking one to three languages, knowing a few product areas, at tier 1-3. */
function makeAgent(random: Random, agentId: string, now: number): RoutingAgent {
  const skills: SkillMap = {};
  const signShare: Record<(typeof SIGN_LANGUAGES)[number], number> = { csl: 0.8, hksl: 0.25, tsl: 0.15, asl: 0.2 };
  for (const language of SIGN_LANGUAGES) if (random() < signShare[language]) skills[language] = int(random, 2, 5);
  if (!SIGN_LANGUAGES.some((language) => skills[language] !== undefined)) skills.csl = int(random, 2, 5);
  const spokenShare: Record<(typeof SPOKEN_LANGUAGES)[number], number> = { zh: 0.9, yue: 0.4, en: 0.5 };
  for (const language of SPOKEN_LANGUAGES) if (random() < spokenShare[language]) skills[language] = int(random, 3, 5);
  for (const area of PRODUCT_AREAS) if (random() < 0.5) skills[area] = int(random, 1, 5);
  skills.tier = pick(random, [[1, 55], [2, 35], [3, 10]]);
  return { agentId, skills, idleSince: now - int(random, 0, 600_000), signingMs: int(random, 0, 60 * 60_000) };
}

/** A customer asking for one sign language, often a product area or tier too, with up to two nice-to-haves. */
function makeEntry(random: Random, ticketId: string, enqueuedAt: number, agentIds: readonly string[]): NewEntry {
  const language = pick<SkillName>(random, [['csl', 65], ['hksl', 15], ['tsl', 10], ['asl', 10]]);
  const required: SkillRequirement[] = [{ skill: language, minLevel: pick(random, [[2, 45], [3, 40], [4, 15]]) }];
  if (random() < 0.5) {
    if (random() < 0.8) required.push({ skill: PRODUCT_AREAS[int(random, 0, PRODUCT_AREAS.length - 1)]!, minLevel: int(random, 1, 3) });
    else required.push({ skill: 'tier', minLevel: int(random, 2, 3) });
  }
  const extras: SkillName[] = [...SPOKEN_LANGUAGES, ...PRODUCT_AREAS];
  const preferred = Array.from({ length: int(random, 0, 2) }, () => extras[int(random, 0, extras.length - 1)]!);
  return {
    ticketId,
    // Shown in offers only: routing reads the requirements.
    mode: 'csl',
    queue: 'csl',
    topic: 'bench',
    device: 'other',
    required,
    preferred: [...new Set(preferred)],
    slaClass: pick<SlaClass>(random, [['consultation', 40], ['software', 35], ['hardware', 25]]),
    priority: random() < 0.05 ? 'urgent' : 'normal',
    transferred: random() < 0.08,
    preferredAgentId: random() < 0.05 ? agentIds[int(random, 0, agentIds.length - 1)] : undefined,
    enqueuedAt,
  };
}

interface Figures {
  decision: number[];
  positionBySkills: number[];
  positionByAgents: number[];
  signatures: number;
  /** Decisions that committed an offer (the others found no entry or no qualified agent). */
  claims: number;
}

/** Runs one grid cell against `store`; the same seed gives the same entries, agents and decisions for every store. */
async function run(store: RoutingStore, waiting: number, agentCount: number, measurePositions: boolean): Promise<Figures> {
  const random = mulberry32(waiting * 7919 + agentCount);
  let now = START;
  const policy = new SkillPolicy(DEFAULT_ROUTING_OPTIONS);
  const queue = new RoutingQueue(policy);
  const agents = Array.from({ length: agentCount }, (_, i) => makeAgent(random, `agent-${i}`, now));
  const agentIds = agents.map((a) => a.agentId);
  let next = 0;
  const arrival = (enqueuedAt: number): NewEntry => makeEntry(random, `ticket-${next++}`, enqueuedAt, agentIds);
  const population = Array.from({ length: waiting }, () => arrival(now - int(random, 0, 900_000)));

  for (let i = 0; i < agents.length; i += BATCH) {
    await Promise.all(
      agents.slice(i, i + BATCH).map(async ({ agentId, skills }) => {
        await store.putAgent({ agentId, name: agentId, skills }, now);
        await store.setAvailability(agentId, 'available', now);
      }),
    );
  }
  const tickets: string[] = [];
  for (let i = 0; i < population.length; i += BATCH) {
    for (const entry of await Promise.all(population.slice(i, i + BATCH).map((e) => store.addEntry(e)))) {
      if (entry === null) throw new Error('bench ticket queued twice');
      queue.add(entry);
      tickets.push(entry.ticketId);
    }
  }
  const signatures = new Set(queue.entries(now).map((e) => e.required.map((r) => `${r.skill}:${r.minLevel}`).sort().join())).size;

  const claim = async (ticketId: string, agentId: string): Promise<StoredOffer> => {
    const offer: StoredOffer = { offerId: randomUUID(), ticketId, agentId, deadline: now + OFFER_TIMEOUT_MS };
    const claimed = await store.claimOffer(offer);
    if (claimed !== true) throw new Error(`claim of "${ticketId}" for "${agentId}" refused (${claimed}): the bench lost track of the store`);
    queue.remove(ticketId);
    return offer;
  };

  const figures: Figures = { decision: [], positionBySkills: [], positionByAgents: [], signatures, claims: 0 };
  for (let i = 0; i < WARMUP + DECISIONS; i++) {
    now += 100;
    const counted = i >= WARMUP;
    // A decision = planning on the local index + the atomic commit in the store, as a node does it.
    if (i % 2 === 0) {
      const agent = agents[int(random, 0, agents.length - 1)]!;
      const available = { ...agent, idleSince: now };
      const started = process.hrtime.bigint();
      const best = queue.bestEntryFor(available, now);
      const offer = best && (await claim(best.ticketId, agent.agentId));
      const took = process.hrtime.bigint() - started;
      if (counted) figures.decision.push(Number(took) / 1000);
      if (best && offer) {
        if (counted) figures.claims += 1;
        await store.settleOffer(offer.offerId, 'declined', now);
        await store.setAvailability(agent.agentId, 'available', now);
        queue.add(best);
      }
    } else {
      const entry = arrival(now);
      const started = process.hrtime.bigint();
      const stored = await store.addEntry(entry);
      if (stored === null) throw new Error(`ticket "${entry.ticketId}" queued twice`);
      queue.add(stored);
      const agent = policy.pickAgent(stored, agents, now);
      const offer = agent && (await claim(stored.ticketId, agent.agentId));
      const took = process.hrtime.bigint() - started;
      if (counted) figures.decision.push(Number(took) / 1000);
      if (counted && offer) figures.claims += 1;
      // Removing the entry also withdraws its offer and makes the agent available again.
      await store.removeEntry(stored.ticketId);
      queue.remove(stored.ticketId);
    }
    if (counted && i % 4 === 1) {
      // Drawn for every store, so that all of them see the same sequence of decisions.
      const ticketId = tickets[int(random, 0, tickets.length - 1)]!;
      if (!measurePositions) continue;
      let started = process.hrtime.bigint();
      queue.position(ticketId, now);
      figures.positionBySkills.push(Number(process.hrtime.bigint() - started) / 1000);
      started = process.hrtime.bigint();
      queue.position(ticketId, now, agents);
      figures.positionByAgents.push(Number(process.hrtime.bigint() - started) / 1000);
    }
  }

  const { entries, agents: records } = await store.snapshot();
  const busy = entries.filter((e) => e.offerId !== undefined).length + records.filter((a) => a.status !== 'available').length;
  if (entries.length !== waiting || queue.size !== waiting || records.length !== agentCount || busy > 0) {
    throw new Error(`population drifted: ${entries.length} entries (${queue.size} indexed), ${records.length} agents, ${busy} busy`);
  }
  return figures;
}

/** The stores a dispatch round runs against, in the order they alternate. */
type StoreName = 'memory' | 'redis';

/** One dispatch round as measured. */
interface Round {
  /** From the k calls to the end of the last push burst (or to the last offer, when nothing was pushed after it). */
  ms: number;
  /** From the k calls to every offer out. */
  offersMs: number;
  /** The last burst of pushes alone: computing and emitting every changed status. */
  burstMs: number;
  offers: number;
  /** Position pushes the round caused. */
  pushes: number;
  /** Waiting customers whose last push differs from the router's status for them afterwards (0 expected). */
  stale: number;
}

const roundLog = createLogger('warn');

/** Loads `waiting` entries and `agentCount` agents, all away, into the store; the same seed gives every store the same population. Returns the agent ids. */
async function loadForRounds(store: RoutingStore, waiting: number, agentCount: number): Promise<string[]> {
  const random = mulberry32(waiting * 104_729 + agentCount);
  const agents = Array.from({ length: agentCount }, (_, i) => makeAgent(random, `agent-${i}`, START));
  const agentIds = agents.map((a) => a.agentId);
  for (let i = 0; i < agents.length; i += BATCH) {
    await Promise.all(agents.slice(i, i + BATCH).map(({ agentId, skills }) => store.putAgent({ agentId, name: agentId, skills }, START)));
  }
  const population = Array.from({ length: waiting }, (_, i) => makeEntry(random, `ticket-${i}`, START - int(random, 0, 900_000), agentIds));
  for (let i = 0; i < population.length; i += BATCH) {
    for (const entry of await Promise.all(population.slice(i, i + BATCH).map((e) => store.addEntry(e)))) {
      if (entry === null) throw new Error('bench ticket queued twice');
    }
  }
  return agentIds;
}

/** `count` distinct agent ids drawn with the seed, the same for every store. */
function chooseAgents(agentIds: readonly string[], count: number, seed: number): string[] {
  const random = mulberry32(seed);
  const pool = [...agentIds];
  for (let i = 0; i < count; i++) {
    const j = int(random, i, pool.length - 1);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}

const statusKey = (position: number, eta: WaitRange): string => `${position}|${eta.lowSec}|${eta.highSec}|${eta.sure}`;

/** Lets a round of position updates scheduled before now run: the router's 0 ms timer was queued ahead of this one. */
const afterPositionRound = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

/** One dispatch round on a fresh Router over the loaded store: `chosen` agents go available at once; undone in the store afterwards. */
async function dispatchRound(store: RoutingStore, chosen: readonly string[]): Promise<Round> {
  const router = new Router({
    store,
    policy: new SkillPolicy(DEFAULT_ROUTING_OPTIONS),
    offerTimeoutMs: 3_600_000,
    holdMs: 120_000,
    missedCooldownMs: 0,
    now: () => START,
    sweepIntervalMs: 3_600_000,
    positionIntervalMs: 0,
    log: roundLog,
  });
  const offerIds: string[] = [];
  const told = new Map<string, string>();
  let pushes = 0;
  let burstStart = 0n;
  let burstEnd = 0n;
  let burstOpen = false;
  router.on('offer', (_agentId, offer) => offerIds.push(offer.offerId));
  router.on('position', (ticketId, position, eta) => {
    told.set(ticketId, statusKey(position, eta));
    pushes++;
    if (burstOpen) return;
    burstOpen = true;
    burstStart = process.hrtime.bigint();
    // Runs once the router's synchronous burst of pushes is over.
    queueMicrotask(() => {
      burstOpen = false;
      burstEnd = process.hrtime.bigint();
    });
  });
  try {
    await router.start();
    await afterPositionRound();
    pushes = 0;
    burstEnd = 0n;
    const started = process.hrtime.bigint();
    await Promise.all(chosen.map((agentId) => router.setAvailability(agentId, 'available')));
    const offersOut = process.hrtime.bigint();
    await afterPositionRound();
    const pushedAfter = burstEnd > offersOut;
    const ended = pushedAfter ? burstEnd : offersOut;
    let stale = 0;
    for (const { ticketId } of (await store.snapshot()).entries) {
      const status = router.statusOf(ticketId);
      if (status && told.get(ticketId) !== statusKey(status.position, status.eta)) stale++;
    }
    const ms = (from: bigint, to: bigint): number => Number(to - from) / 1e6;
    return { ms: ms(started, ended), offersMs: ms(started, offersOut), burstMs: pushedAfter ? ms(burstStart, burstEnd) : 0, offers: offerIds.length, pushes, stale };
  } finally {
    router.close();
    // Withdrawn offers put their entries back at their places and leave the agents available; then all go away again.
    await Promise.all(offerIds.map((offerId) => store.settleOffer(offerId, 'withdrawn', START)));
    await Promise.all(chosen.map((agentId) => store.setAvailability(agentId, 'away', START)));
  }
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

/** Median (nearest rank), min and max of a figure over the runs. */
interface Spread {
  median: number;
  min: number;
  max: number;
}

function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { median: round2(quantile(values, 0.5)), min: round2(Math.min(...values)), max: round2(Math.max(...values)) };
}

interface RoundRow {
  store: StoreName;
  waiting: number;
  agents: number;
  available: number;
  runs: number;
  ms: Spread;
  offersMs: Spread;
  burstMs: Spread;
  offers: number;
  pushes: number;
  stale: number;
  error?: string;
}

/** Every dispatch-round figure of one grid cell, memory and Redis alternating run by run; never throws. */
async function roundsFor(redisUrl: string, waiting: number, agents: number): Promise<RoundRow[]> {
  const stores: Record<StoreName, RoutingStore> = {
    memory: new MemoryRoutingStore(),
    redis: await RedisRoutingStore.connect(redisUrl, `bench-round-${randomUUID()}`),
  };
  const rows: RoundRow[] = [];
  try {
    const agentIds = await loadForRounds(stores.memory, waiting, agents);
    await loadForRounds(stores.redis, waiting, agents);
    for (const available of [...new Set(ROUND_AGENTS.map((k) => Math.min(k, agents)))]) {
      const runs: Record<StoreName, Round[]> = { memory: [], redis: [] };
      const failed: Partial<Record<StoreName, string>> = {};
      for (let rep = -1; rep < ROUND_REPS; rep++) {
        const chosen = chooseAgents(agentIds, available, waiting * 31 + agents * 7 + available * 3 + rep);
        for (const name of ['memory', 'redis'] as const) {
          if (failed[name]) continue;
          try {
            const round = await dispatchRound(stores[name], chosen);
            if (rep >= 0) runs[name].push(round);
          } catch (error) {
            failed[name] = error instanceof Error ? error.message : String(error);
          }
        }
      }
      for (const name of ['memory', 'redis'] as const) {
        const measured = runs[name];
        rows.push({
          store: name,
          waiting,
          agents,
          available,
          runs: measured.length,
          ms: spread(measured.map((r) => r.ms)),
          offersMs: spread(measured.map((r) => r.offersMs)),
          burstMs: spread(measured.map((r) => r.burstMs)),
          offers: quantile(measured.map((r) => r.offers), 0.5),
          pushes: quantile(measured.map((r) => r.pushes), 0.5),
          stale: Math.max(0, ...measured.map((r) => r.stale)),
          ...(failed[name] ? { error: failed[name] } : {}),
        });
      }
    }
  } finally {
    await stores.redis.close();
  }
  return rows;
}

type Pair = [number, number];
const p = (values: number[]): Pair => [round1(quantile(values, 0.5)), round1(quantile(values, 0.99))];

const roundRows: RoundRow[] = [];
const rows: { waiting: number; agents: number; signatures: number; claimed: number; memory: Pair; redis: Pair; bySkills: Pair; byAgents: Pair }[] = [];
const redis = await startRedis();
try {
  for (const waiting of WAITING) {
    for (const agents of AGENTS) {
      const memory = await run(new MemoryRoutingStore(), waiting, agents, true);
      const store = await RedisRoutingStore.connect(redis.url, `bench-${randomUUID()}`);
      let remote: Figures;
      try {
        remote = await run(store, waiting, agents, false);
      } finally {
        await store.close();
      }
      if (remote.claims !== memory.claims) throw new Error(`stores made different decisions: ${memory.claims} vs ${remote.claims} claims`);
      const row = {
        waiting,
        agents,
        signatures: memory.signatures,
        claimed: Math.round((100 * memory.claims) / DECISIONS),
        memory: p(memory.decision),
        redis: p(remote.decision),
        bySkills: p(memory.positionBySkills),
        byAgents: p(memory.positionByAgents),
      };
      rows.push(row);
      emit({ bench: 'routing', metric: 'decision_us', store: 'memory', waiting, agents, p50: row.memory[0], p99: row.memory[1] });
      emit({ bench: 'routing', metric: 'decision_us', store: 'redis', waiting, agents, p50: row.redis[0], p99: row.redis[1] });
      emit({ bench: 'routing', metric: 'position_us', variant: 'skills', store: 'memory', waiting, agents, p50: row.bySkills[0], p99: row.bySkills[1] });
      emit({ bench: 'routing', metric: 'position_us', variant: 'agents', store: 'memory', waiting, agents, p50: row.byAgents[0], p99: row.byAgents[1] });
    }
  }
  for (const waiting of WAITING) {
    for (const agents of AGENTS) {
      for (const row of await roundsFor(redis.url, waiting, agents)) {
        roundRows.push(row);
        const cell = { store: row.store, waiting, agents, available: row.available, positionIntervalMs: 0, runs: row.runs };
        emit({ bench: 'routing', metric: 'dispatch_round_ms', ...cell, ...row.ms, offers: row.offers, pushes: row.pushes, stale: row.stale, error: row.error });
        emit({ bench: 'routing', metric: 'dispatch_offers_ms', ...cell, ...row.offersMs });
        emit({ bench: 'routing', metric: 'position_burst_ms', ...cell, ...row.burstMs });
      }
    }
  }
} finally {
  await redis.stop();
}

console.log('\nwaiting  agents  signatures  claimed  decision memory p50/p99 us  decision redis p50/p99 us  position(skills) p50/p99 us  position(agents) p50/p99 us');
for (const row of rows) {
  const cell = ([p50, p99]: Pair, width: number) => `${p50} / ${p99}`.padEnd(width);
  console.log(
    `${String(row.waiting).padEnd(8)} ${String(row.agents).padEnd(7)} ${String(row.signatures).padEnd(11)} ${`${row.claimed}%`.padEnd(8)} ${cell(row.memory, 27)} ${cell(row.redis, 26)} ${cell(row.bySkills, 28)} ${cell(row.byAgents, 28)}`,
  );
}

console.log(`\ndispatch round: k agents go available at once; ms to every offer out, the last push burst alone, and in all; median [min - max] of ${ROUND_REPS} runs`);
console.log('waiting  agents  k     store   offers out ms          push burst ms          round ms               offers  pushes  stale');
for (const row of roundRows) {
  const figure = ({ median, min, max }: Spread): string => `${median} [${min} - ${max}]`.padEnd(22);
  console.log(
    `${String(row.waiting).padEnd(8)} ${String(row.agents).padEnd(7)} ${String(row.available).padEnd(5)} ${row.store.padEnd(7)} ${figure(row.offersMs)} ${figure(row.burstMs)} ${figure(row.ms)} ${String(row.offers).padEnd(7)} ${String(row.pushes).padEnd(7)} ${row.stale}${row.error ? `  error: ${row.error}` : ''}`,
  );
}
