// A crowd: DRILL_CROWD (20,000) customers waiting on one node, as real Socket.IO clients from a few processes on
// loopback, all in one queue. Measured: the node's memory per waiting customer (resident memory with the crowd less
// before it, over the crowd), then the delay from an agent taking the head of the queue to each customer's new
// position, and whether any entry was lost (every customer behind the head must end at a distinct place 1..N-1).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { quantile } from '../bench/stats.js';
import { call, once, SocketPool } from '../tests/support/sockets.js';
import type { CrowdReply, CrowdRequest } from './crowdClient.js';
import { progress, report, residentBytes, scratch, sleep, startDrillServer } from './drill.js';

const DRILL = 'crowd';
const WANTED = Number(process.env.DRILL_CROWD ?? 20_000);
const PROCESSES = 4;
const CONCURRENCY = 50;
/** Customers waiting before the node's memory is first read. */
const WARM_CROWD = 1000;
/** Open files the node needs besides its customers' connections: its records, SFU worker pipes, listeners, agents. */
const NODE_OWN_FILES = 300;
const GOAL_BYTES = 50_000;
const GOAL_P99_MS = 1000;

/** The most open files a process may have here (the hard limit; raising it needs a capability this machine lacks). */
function openFileLimit(): number {
  return Number(execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim()) || Number.POSITIVE_INFINITY;
}

/** The least-squares slope of bytes over waiting customers. */
function slope(points: readonly { waiting: number; bytes: number }[]): number {
  const n = points.length;
  const meanX = points.reduce((sum, point) => sum + point.waiting, 0) / n;
  const meanY = points.reduce((sum, point) => sum + point.bytes, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const point of points) {
    covariance += (point.waiting - meanX) * (point.bytes - meanY);
    variance += (point.waiting - meanX) ** 2;
  }
  return covariance / variance;
}

function forkClient(): ChildProcess {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crowdClient.ts');
  // The customers stand in for devices with processors of their own: on this machine's two cores they yield to the node.
  return spawn('nice', ['-n', '10', process.execPath, '--import', 'tsx', file], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function ask<T extends CrowdReply['type']>(child: ChildProcess, request: CrowdRequest, replyType: T): Promise<Extract<CrowdReply, { type: T }>> {
  return new Promise((resolve) => {
    const onMessage = (reply: CrowdReply) => {
      if (reply.type !== replyType) return;
      child.off('message', onMessage);
      resolve(reply as Extract<CrowdReply, { type: T }>);
    };
    child.on('message', onMessage);
    child.send(request);
  });
}

export async function run(): Promise<void> {
  const limit = openFileLimit();
  const size = Math.min(WANTED, limit - NODE_OWN_FILES);
  const capped = size < WANTED ? `capped from ${WANTED}: one process may open ${limit} files here` : '';
  if (capped) progress(DRILL, capped);
  const folder = await scratch(DRILL);
  const server = await startDrillServer(folder.dir, { MEDIASOUP_WORKERS: '1' });
  const pool = new SocketPool(server.url);
  const clients = Array.from({ length: PROCESSES }, forkClient);
  try {
    const join = async (count: number) => {
      const startedAt = Date.now();
      const ticker = setInterval(() => progress(DRILL, `joining: ${Math.round((Date.now() - startedAt) / 1000)} s`), 15_000);
      const shares = clients.map((_, index) => Math.floor(count / PROCESSES) + (index < count % PROCESSES ? 1 : 0));
      const joined = await Promise.all(clients.map((child, index) => ask(child, { type: 'join', url: server.url, count: shares[index]!, concurrency: CONCURRENCY }, 'joined')));
      clearInterval(ticker);
      const failed = joined.reduce((sum, part) => sum + part.failed, 0);
      progress(DRILL, `${count - failed} more waiting, ${failed} could not join (${joined.flatMap((part) => part.errors).join('; ') || 'none'}) in ${Math.round((Date.now() - startedAt) / 1000)} s`);
      // The last arrivals' position rounds settle before memory is read.
      await sleep(5000);
      return { joined: count - failed, failed };
    };
    // The node's memory right after it starts includes start-up work it gives back later (the embedded records'
    // engine), and a garbage collection can land anywhere: the cost per customer is the slope of a line fitted to the
    // node's resident memory at several crowd sizes.
    const steps = [...new Set([WARM_CROWD, ...[0.25, 0.5, 0.75, 1].map((share) => Math.round(size * share))])].filter((step) => step >= WARM_CROWD && step <= size);
    const points: { waiting: number; bytes: number }[] = [];
    let waiting = 0;
    let failedJoins = 0;
    for (const step of steps) {
      progress(DRILL, `${step - waiting - failedJoins} more customers joining from ${PROCESSES} processes`);
      const more = await join(step - waiting - failedJoins);
      waiting += more.joined;
      failedJoins += more.failed;
      points.push({ waiting, bytes: await residentBytes(server.pid) });
    }
    const perCustomer = slope(points);
    const last = points.at(-1)!;
    report({
      drill: DRILL,
      metric: 'bytes_per_waiting_customer',
      value: Math.round(perCustomer),
      lost: failedJoins,
      unit: 'B',
      goal: `< ${GOAL_BYTES}`,
      met: perCustomer < GOAL_BYTES && failedJoins === 0,
      note: `${waiting} waiting; slope of the node's resident memory over ${points.map((point) => `${point.waiting}: ${Math.round(point.bytes / 1e6)} MB`).join(', ')}; ${Math.round(last.bytes / last.waiting / 1000)} KB each counting all the node's memory${capped ? `; ${capped}` : ''}`,
    });

    // An agent becomes available and is offered the head, which leaves the line: everyone behind it moves up one place.
    const agent = await pool.agent('alice');
    await sleep(3000);
    const availableAt = Date.now();
    const offer = once(agent.socket, 'offer:new', 30_000);
    await call(agent.socket, 'agent:status', { status: 'available' });
    await call(agent.socket, 'offer:accept', { offerId: (await offer).offerId });
    await sleep(8000);
    const reports = await Promise.all(clients.map((child) => ask(child, { type: 'report', since: availableAt }, 'report')));
    const delays = reports.flatMap((part) => part.delays);
    const positions = reports.flatMap((part) => part.positions);
    // The head is in a call now; everyone else must hold a distinct place 1..N-1.
    const answered = reports.reduce((sum, part) => sum + part.inCall, 0);
    const counts = new Map<number, number>();
    for (const position of positions) counts.set(position, (counts.get(position) ?? 0) + 1);
    let placed = 0;
    for (let place = 1; place < waiting; place++) if (counts.get(place) === 1) placed++;
    const lost = waiting - 1 - placed;
    const notPushed = reports.reduce((sum, part) => sum + part.notPushed, 0);
    const disconnected = reports.reduce((sum, part) => sum + part.disconnected, 0);
    const p99 = quantile(delays, 0.99);
    report({
      drill: DRILL,
      metric: 'position_push_p99_ms',
      value: Math.round(p99),
      lost,
      unit: 'ms',
      goal: `< ${GOAL_P99_MS}`,
      met: p99 < GOAL_P99_MS && lost === 0 && notPushed === 0 && answered === 1,
      note: `from the agent going available (the head is offered to them) to each customer's first push after it: p50 ${Math.round(quantile(delays, 0.5))} ms, max ${Math.round(Math.max(...delays))} ms; ${delays.length} pushed, ${notPushed} not, ${disconnected} disconnected, ${answered} in a call (the head)`,
    });
  } finally {
    for (const child of clients) if (child.connected) child.send({ type: 'close' } satisfies CrowdRequest);
    pool.closeAll();
    await server.stop();
    await folder.cleanup();
  }
}
