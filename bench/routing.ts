// bench:routing: latency of single routing decisions against the in-memory index, for queues of
// 100 to 10,000 waiting customers and 50 or 500 agents. Prints one JSON line per figure, then a table.
// A decision alternates between an agent becoming available (best entry for it, then take that entry
// out) and a customer arriving (best agent among all agents as if all were idle, the worst case, then
// queue the customer). Positions are measured too, since every change moves them.
import { PRODUCT_AREAS, SIGN_LANGUAGES, SPOKEN_LANGUAGES, DEFAULT_ROUTING_OPTIONS, type RoutingAgent, type RoutingEntry, type SkillMap, type SkillName, type SkillRequirement, type SlaClass } from '../server/routing/model.js';
import { RoutingQueue } from '../server/routing/RoutingQueue.js';
import { SkillPolicy } from '../server/routing/SkillPolicy.js';
import { emit, quantile, round1 } from './stats.js';

const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 2000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2000);
const WAITING = [100, 1000, 10_000];
const AGENTS = [50, 500];
const START = Date.UTC(2025, 0, 6, 9);

type Random = () => number;

function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
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
function makeEntry(random: Random, ticketId: string, seq: number, enqueuedAt: number, agentIds: readonly string[]): RoutingEntry {
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
    required,
    preferred: [...new Set(preferred)],
    slaClass: pick<SlaClass>(random, [['consultation', 40], ['software', 35], ['hardware', 25]]),
    priority: random() < 0.05 ? 'urgent' : 'normal',
    transferred: random() < 0.08,
    preferredAgentId: random() < 0.05 ? agentIds[int(random, 0, agentIds.length - 1)] : undefined,
    enqueuedAt,
    seq,
  };
}

interface Figures {
  decision: number[];
  positionBySkills: number[];
  positionByAgents: number[];
  signatures: number;
}

function run(waiting: number, agentCount: number): Figures {
  const random = mulberry32(waiting * 7919 + agentCount);
  let now = START;
  const policy = new SkillPolicy(DEFAULT_ROUTING_OPTIONS);
  const queue = new RoutingQueue(policy);
  const agents = Array.from({ length: agentCount }, (_, i) => makeAgent(random, `agent-${i}`, now));
  const agentIds = agents.map((a) => a.agentId);
  const tickets: string[] = [];
  let seq = 0;
  const arrive = (enqueuedAt: number): RoutingEntry => {
    const entry = makeEntry(random, `ticket-${seq}`, seq, enqueuedAt, agentIds);
    seq += 1;
    tickets.push(entry.ticketId);
    return entry;
  };
  for (let i = 0; i < waiting; i++) queue.add(arrive(now - int(random, 0, 900_000)));
  const signatures = new Set(queue.entries(now).map((e) => e.required.map((r) => `${r.skill}:${r.minLevel}`).sort().join())).size;

  const figures: Figures = { decision: [], positionBySkills: [], positionByAgents: [], signatures };
  for (let i = 0; i < WARMUP + DECISIONS; i++) {
    now += 100;
    const counted = i >= WARMUP;
    if (i % 2 === 0) {
      const agent = agents[int(random, 0, agents.length - 1)]!;
      const available = { ...agent, idleSince: now };
      const started = process.hrtime.bigint();
      const best = queue.bestEntryFor(available, now);
      if (best !== undefined) queue.remove(best.ticketId);
      const took = process.hrtime.bigint() - started;
      if (counted) figures.decision.push(Number(took) / 1000);
    } else {
      const entry = arrive(now);
      const started = process.hrtime.bigint();
      policy.pickAgent(entry, agents, now);
      queue.add(entry);
      const took = process.hrtime.bigint() - started;
      if (counted) figures.decision.push(Number(took) / 1000);
    }
    if (counted && i % 4 === 1) {
      let ticketId = tickets[int(random, 0, tickets.length - 1)]!;
      while (!queue.has(ticketId)) ticketId = tickets[int(random, 0, tickets.length - 1)]!;
      let started = process.hrtime.bigint();
      queue.position(ticketId, now);
      figures.positionBySkills.push(Number(process.hrtime.bigint() - started) / 1000);
      started = process.hrtime.bigint();
      queue.position(ticketId, now, agents);
      figures.positionByAgents.push(Number(process.hrtime.bigint() - started) / 1000);
    }
  }
  return figures;
}

const rows: { waiting: number; agents: number; signatures: number; decision: [number, number]; bySkills: [number, number]; byAgents: [number, number] }[] = [];
for (const waiting of WAITING) {
  for (const agents of AGENTS) {
    const figures = run(waiting, agents);
    const p = (values: number[]): [number, number] => [round1(quantile(values, 0.5)), round1(quantile(values, 0.99))];
    const row = { waiting, agents, signatures: figures.signatures, decision: p(figures.decision), bySkills: p(figures.positionBySkills), byAgents: p(figures.positionByAgents) };
    rows.push(row);
    emit({ bench: 'routing', metric: 'decision_us', store: 'memory', waiting, agents, p50: row.decision[0], p99: row.decision[1] });
    emit({ bench: 'routing', metric: 'position_us', variant: 'skills', store: 'memory', waiting, agents, p50: row.bySkills[0], p99: row.bySkills[1] });
    emit({ bench: 'routing', metric: 'position_us', variant: 'agents', store: 'memory', waiting, agents, p50: row.byAgents[0], p99: row.byAgents[1] });
  }
}

console.log('\nwaiting  agents  signatures  decision p50/p99 us  position(skills) p50/p99 us  position(agents) p50/p99 us');
for (const row of rows) {
  const cell = ([p50, p99]: [number, number], width: number) => `${p50} / ${p99}`.padEnd(width);
  console.log(
    `${String(row.waiting).padEnd(8)} ${String(row.agents).padEnd(7)} ${String(row.signatures).padEnd(11)} ${cell(row.decision, 20)} ${cell(row.bySkills, 28)} ${cell(row.byAgents, 28)}`,
  );
}
