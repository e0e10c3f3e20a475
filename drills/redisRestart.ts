// Redis (append-only, fsync every second: Redis's default) killed and started again under two app nodes, RESTARTS
// times. Before each kill: customers waiting in one queue on both nodes and a call whose customer and agent are on
// different nodes. Measured: the time from the kill until a customer can join a queue again, and what was lost: queue
// entries (the queue's count before and after, then every waiting customer at a distinct new place once an agent
// takes the head) and the call (still up, its chat still crossing nodes).
import { once as onceEvent } from 'node:events';
import { startCluster } from '../tests/support/cluster.js';
import { call, loginAgent, once, openCall, record, SocketPool, type ClientSocket } from '../tests/support/sockets.js';
import { DRILL_ACCOUNTS, progress, report, scratch, sleep, spread, waitingIn } from './drill.js';

const DRILL = 'redis-restart';
const RESTARTS = 3;
const WAITING = 100;
/** Redis writes its append-only file every second: the state is left that long before the kill. */
const FSYNC_MS = 2000;
const RECOVERY_TIMEOUT_MS = 60_000;

/** Tries to queue a fresh customer on `pool`'s node every 100 ms until one is answered; resolves with when. */
async function firstJoin(pool: SocketPool, deadline: number): Promise<number> {
  while (Date.now() < deadline) {
    const socket = pool.open();
    try {
      socket.connect();
      await onceEvent(socket as never, 'connect', { signal: AbortSignal.timeout(1500) });
      const ack = await socket.timeout(1500).emitWithAck('queue:join', { mode: 'asl', topic: 'Probe during the restart', device: 'phone' });
      if ((ack as { ok: boolean }).ok) {
        const at = Date.now();
        await call(socket as ClientSocket, 'queue:leave', {}).catch(() => undefined);
        socket.close();
        return at;
      }
    } catch {
      // Not yet: the node is still without its store.
    }
    socket.close();
    await sleep(100);
  }
  throw new Error(`no customer could join within ${RECOVERY_TIMEOUT_MS} ms of the restart`);
}

export async function run(): Promise<void> {
  const folder = await scratch(DRILL);
  const cluster = await startCluster({
    engine: 'mediasoup',
    redis: { appendOnlyDir: folder.dir },
    env: { MEDIASOUP_WORKERS: '1', LOG_LEVEL: 'error', CAPTIONS: 'off', AGENT_ACCOUNTS: JSON.stringify(DRILL_ACCOUNTS) },
  });
  const [a, b] = cluster.nodes.map((node) => new SocketPool(node.url)) as [SocketPool, SocketPool];
  try {
    const supervisor = await loginAgent(cluster.nodes[0]!.url, 'sam');
    // A call with its customer on node A and its agent on node B, in a queue of its own.
    const underWay = await openCall(a, 'bob', { mode: 'voice', topic: 'A call through the restarts' }, b);
    const ended = [record(underWay.customer, 'call:ended'), record(underWay.agent, 'call:ended')];
    // Customers waiting in the CSL queue, half on each node, each keeping the last place it was told.
    const waiting: { socket: ClientSocket; ticketId: string; position: number }[] = [];
    for (let index = 0; index < WAITING; index++) {
      const { socket, joined } = await (index % 2 === 0 ? a : b).queuedCustomer({ mode: 'csl', topic: `Waiting ${index}` });
      const customer = { socket, ticketId: joined.ticketId, position: joined.position };
      socket.on('queue:status', (status) => (customer.position = status.position));
      waiting.push(customer);
    }
    const recoveries: number[] = [];
    let lostEntries = 0;
    let callBroken = 0;
    for (let restart = 1; restart <= RESTARTS; restart++) {
      const before = await waitingIn(cluster.nodes[0]!.url, supervisor.token, 'csl');
      await sleep(FSYNC_MS);
      const killedAt = Date.now();
      await cluster.redis.restart('SIGKILL');
      const back = await firstJoin(restart % 2 === 0 ? a : b, killedAt + RECOVERY_TIMEOUT_MS);
      recoveries.push(back - killedAt);
      // The count settles once both nodes have read the store again.
      let after = -1;
      for (const until = Date.now() + 10_000; Date.now() < until; await sleep(250)) {
        after = await waitingIn(cluster.nodes[1]!.url, supervisor.token, 'csl').catch(() => -1);
        if (after === before) break;
      }
      lostEntries += Math.max(0, before - after);
      const heard = once(underWay.agent, 'text:chat', 10_000);
      let why = '';
      const chatted = await call(underWay.customer, 'text:chat', { sessionId: underWay.sessionId, clientId: `r${restart}`, text: `still here after restart ${restart}` }).then(
        () => heard.then(() => true, (error: unknown) => ((why = String(error)), false)),
        (error: unknown) => ((why = String(error)), false),
      );
      if (why || ended.some((seen) => seen.length > 0)) progress(DRILL, `call after restart ${restart}: ${why || `ended ${JSON.stringify(ended)}`}`);
      if (!chatted || ended.some((seen) => seen.length > 0)) callBroken++;
      progress(DRILL, `restart ${restart}: a customer joined again after ${recoveries.at(-1)} ms; waiting ${before} before, ${after} after; call ${chatted ? 'up' : 'broken'}`);
    }
    // Every waiting customer is still in line: an agent takes the head and everyone else holds a distinct place.
    const agent = await a.availableAgent('alice');
    const offer = await agent.offer;
    await call(agent.socket, 'offer:accept', { offerId: offer.offerId });
    await sleep(3000);
    const places = new Map<number, number>();
    const stillWaiting = waiting.filter((customer) => customer.socket.connected && customer.ticketId !== offer.ticketId);
    for (const customer of stillWaiting) places.set(customer.position, (places.get(customer.position) ?? 0) + 1);
    let placed = 0;
    for (let place = 1; place < WAITING; place++) if (places.get(place) === 1) placed++;
    const misplaced = WAITING - 1 - placed;
    const figure = spread(recoveries);
    report({
      drill: DRILL,
      metric: 'recovery_ms',
      ...figure,
      lost: lostEntries + misplaced + callBroken,
      unit: 'ms',
      goal: 'lost 0',
      met: lostEntries + misplaced + callBroken === 0,
      note: `Redis killed (SIGKILL) and started on its append-only file; kill to a customer queued again. Lost: ${lostEntries} queue entries by count, ${misplaced} of ${WAITING - 1} customers not at a distinct place after the head was taken, ${callBroken} restarts after which the cross-node call failed`,
    });
  } finally {
    a.closeAll();
    b.closeAll();
    await cluster.stop();
    await folder.cleanup();
  }
}
