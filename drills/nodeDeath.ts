// One of two app nodes killed (SIGKILL), CYCLES times, then stopped cleanly (SIGTERM, as a deploy stops it) as many
// times. On the node that dies: customers waiting, an agent holding an
// offer, and a call (its agent connected there, its customer on the other node). Every client of the dead node comes
// straight back on the live one with its token, as behind a load balancer. Measured: the time from the kill until
// each client is served again (a waiting customer told their place; the offered agent shown the offer again; the call
// answered again by its agent and started for its customer), and what was lost: queue entries, the offer, the call,
// tickets (each must still be readable, in its state, on the live node).
import { startCluster, type Cluster } from '../tests/support/cluster.js';
import { call, connect, loginAgent, once, openCall, SocketPool, type ClientSocket } from '../tests/support/sockets.js';
import { quantile } from '../bench/stats.js';
import { DRILL_ACCOUNTS, progress, report, sleep, spread, waitingIn } from './drill.js';

const DRILL = 'node-death';
const CYCLES = 3;
/** Customers waiting on each node. */
const WAITING_PER_NODE = 50;
const RESUME_TIMEOUT_MS = 30_000;

interface Waiting {
  ticketId: string;
  token: string;
  secret: string;
  socket: ClientSocket;
  onDeadNode: boolean;
}

interface Lost {
  entries: number;
  /** Entries back in line after their customers left (a restarted node restoring tickets the records still had open). */
  ghosts: number;
  offer: number;
  call: number;
  tickets: number;
}

/** How the node goes: killed, or stopped cleanly (it cuts its calls off, tells its pages, and hands them on). */
type Stop = 'SIGKILL' | 'SIGTERM';

async function cycle(cluster: Cluster, index: number, stop: Stop): Promise<{ waitingMs: number[]; offerMs: number; callMs: number; lost: Lost }> {
  const [dead, live] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
  const onDead = new SocketPool(dead.url);
  const onLive = new SocketPool(live.url);
  const lost: Lost = { entries: 0, ghosts: 0, offer: 0, call: 0, tickets: 0 };
  try {
    const supervisor = await loginAgent(live.url, 'sam');
    // The call: its agent on the node that dies (which hosts it), its customer on the live node.
    const alice = await loginAgent(dead.url, 'alice');
    const underWay = await openCall(onLive, 'alice', { mode: 'voice', topic: `Call of cycle ${index}` }, onDead);
    // The offer: an ASL customer waiting on the live node, offered to bob, who is connected to the node that dies.
    const offered = await onLive.queuedCustomer({ mode: 'asl', topic: `Offered in cycle ${index}` });
    const bob = await loginAgent(dead.url, 'bob');
    const bobSocket = onDead.open({ token: bob.token });
    const firstOffer = once(bobSocket, 'offer:new', 10_000);
    await connect(bobSocket);
    await call(bobSocket, 'agent:status', { status: 'available' });
    const offer = await firstOffer;
    // The waiting customers, half on each node.
    const waiting: Waiting[] = [];
    for (let n = 0; n < WAITING_PER_NODE * 2; n++) {
      const onDeadNode = n % 2 === 0;
      const { socket, joined } = await (onDeadNode ? onDead : onLive).queuedCustomer({ mode: 'csl', topic: `Waiting ${n} in cycle ${index}` });
      waiting.push({ ticketId: joined.ticketId, token: joined.token, secret: joined.secret, socket, onDeadNode });
    }
    const before = await waitingIn(live.url, supervisor.token, 'csl');
    await sleep(1000);

    const killedAt = Date.now();
    await dead.stop(stop === 'SIGKILL' ? 0 : 20_000);
    // Everyone who was on the dead node comes back on the live one at once.
    const waitingBack = waiting
      .filter((customer) => customer.onDeadNode)
      .map(async (customer) => {
        const socket = onLive.open({ token: customer.token });
        const told = once(socket, 'queue:status', RESUME_TIMEOUT_MS);
        await connect(socket);
        customer.socket = socket;
        await told;
        return Date.now() - killedAt;
      });
    const bobBack = (async () => {
      const socket = onLive.open({ token: bob.token });
      const again = once(socket, 'offer:new', RESUME_TIMEOUT_MS, (next) => next.ticketId === offer.ticketId);
      await connect(socket);
      const shown = await again;
      const at = Date.now() - killedAt;
      const started = once(offered.socket, 'call:started', 10_000);
      const own = once(socket, 'call:started', 10_000);
      await call(socket, 'offer:accept', { offerId: shown.offerId });
      await started;
      return { at, socket, sessionId: (await own).sessionId };
    })();
    const callBack = (async () => {
      const socket = onLive.open({ token: alice.token });
      const reoffered = once(socket, 'offer:new', RESUME_TIMEOUT_MS, (next) => next.ticketId === underWay.ticketId);
      await connect(socket);
      const started = once(underWay.customer, 'call:started', RESUME_TIMEOUT_MS, (next) => next.ticketId === underWay.ticketId && next.sessionId !== underWay.sessionId);
      await call(socket, 'offer:accept', { offerId: (await reoffered).offerId });
      const restarted = await started;
      return { at: Date.now() - killedAt, socket, sessionId: restarted.sessionId };
    })();
    const waitingMs = await Promise.all(waitingBack.map((back) => back.catch(() => Number.NaN)));
    const offerBack = await bobBack.catch((error: unknown) => (progress(DRILL, `the offer did not come back: ${String(error)}`), null));
    const callAgain = await callBack.catch((error: unknown) => (progress(DRILL, `the call did not come back: ${String(error)}`), null));
    lost.entries += waitingMs.filter((ms) => Number.isNaN(ms)).length;
    if (!offerBack) lost.offer++;
    if (!callAgain) lost.call++;
    const after = await waitingIn(live.url, supervisor.token, 'csl');
    lost.entries += Math.max(0, before - after);
    // Every ticket is still there on the live node, in its state.
    const expected: [string, string, string][] = [
      ...waiting.map((customer): [string, string, string] => [customer.ticketId, customer.secret, 'queued']),
      [offered.joined.ticketId, offered.joined.secret, 'in-call'],
      [underWay.ticketId, underWay.secret, 'in-call'],
    ];
    for (const [ticketId, secret, status] of expected) {
      const response = await fetch(`${live.url}/api/tickets/${ticketId}`, { headers: { authorization: `Bearer ${secret}` } });
      const found = response.ok ? ((await response.json()) as { data: { status: string } }).data.status : `HTTP ${response.status}`;
      if (found !== status) {
        lost.tickets++;
        progress(DRILL, `ticket ${ticketId} is ${found}, not ${status}`);
      }
    }
    progress(DRILL, `${stop} cycle ${index}: waiting back p50 ${quantile(waitingMs, 0.5)} ms, offer again ${offerBack?.at} ms, call again ${callAgain?.at} ms; csl waiting ${before} before, ${after} after; lost ${JSON.stringify(lost)}`);
    // Clean up for the next cycle: the calls end, the waiting leave, and the dead node starts again.
    if (offerBack) await call(offerBack.socket, 'call:end', { sessionId: offerBack.sessionId }).catch(() => undefined);
    let stayed = 0;
    for (const customer of waiting) await call(customer.socket, 'queue:leave', {}).catch((error: unknown) => (stayed++, progress(DRILL, `leave: ${String(error)}`)));
    if (stayed) progress(DRILL, `${stayed} could not leave`);
    await call(offered.socket, 'queue:leave', {}).catch(() => undefined);
    if (callAgain) await call(callAgain.socket, 'call:end', { sessionId: callAgain.sessionId }).catch(() => undefined);
    return { waitingMs: waitingMs.filter((ms) => !Number.isNaN(ms)), offerMs: offerBack?.at ?? Number.NaN, callMs: callAgain?.at ?? Number.NaN, lost };
  } finally {
    onDead.closeAll();
    onLive.closeAll();
  }
}

function reportCycles(stop: Stop, results: { waitingMs: number[]; offerMs: number; callMs: number; lost: Lost }[]): void {
  const lost: Lost = { entries: 0, ghosts: 0, offer: 0, call: 0, tickets: 0 };
  for (const result of results) for (const key of Object.keys(lost) as (keyof Lost)[]) lost[key] += result.lost[key];
  const lostTotal = Object.values(lost).reduce((a, b) => a + b, 0);
  const waitingP99 = results.map((result) => quantile(result.waitingMs, 0.99));
  const what = stop === 'SIGKILL' ? 'kill' : 'clean stop';
  const note = `${CYCLES} ${what}s (${stop}); lost: ${lost.entries} queue entries, ${lost.offer} offers, ${lost.call} calls, ${lost.tickets} tickets; ${lost.ghosts} entries back after leaving`;
  const takenOver = stop === 'SIGKILL' ? 'once its heartbeat lapses, 4 s' : 'at the next heartbeat, as it drops its liveness key on the way out';
  report({ drill: DRILL, metric: 'waiting_resume_p99_ms', stop, ...spread(waitingP99), lost: lost.entries + lost.ghosts, unit: 'ms', goal: 'lost 0', met: lost.entries + lost.ghosts === 0, note: `each waiting customer of the node, ${what} to their place told on the live node; ${note}` });
  report({ drill: DRILL, metric: 'offer_resume_ms', stop, ...spread(results.map((result) => result.offerMs)), lost: lost.offer, unit: 'ms', goal: 'lost 0', met: lost.offer === 0, note: `${what} to the same offer shown again to its agent on the live node` });
  report({ drill: DRILL, metric: 'call_resume_ms', stop, ...spread(results.map((result) => result.callMs)), lost: lost.call + lost.tickets, unit: 'ms', goal: 'lost 0', met: lostTotal === 0, note: `${what} to the call started again for its customer, answered by the same agent on the live node (the node's calls are taken over ${takenOver}); ${note}` });
}

export async function run(): Promise<void> {
  // Short wrap-ups, so that the agents of one cycle are free for the next.
  const cluster = await startCluster({ engine: 'mediasoup', env: { MEDIASOUP_WORKERS: '1', LOG_LEVEL: 'error', CAPTIONS: 'off', WRAP_UP_SEC: '0', AGENT_ACCOUNTS: JSON.stringify(DRILL_ACCOUNTS) } });
  try {
    const supervisor = await loginAgent(cluster.nodes[1]!.url, 'sam');
    for (const stop of ['SIGKILL', 'SIGTERM'] as const) {
      const results = [];
      for (let index = 1; index <= CYCLES; index++) {
        const result = await cycle(cluster, index, stop);
        // The dead node starts again (restoring the tickets its records say are open) and the dead node's leftovers
        // settle: nobody who left may be back in line.
        await cluster.startNode(0);
        await sleep(6000);
        result.lost.ghosts = await waitingIn(cluster.nodes[1]!.url, supervisor.token, 'csl');
        results.push(result);
      }
      reportCycles(stop, results);
    }
  } finally {
    await cluster.stop();
  }
}
