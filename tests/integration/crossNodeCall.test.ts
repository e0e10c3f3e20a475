import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callQualityRecordSchema, envelopeSchema, supervisorOverviewSchema } from '../../signaling/index.js';
import { openPostgres } from '../../server/records/postgresDb.js';
import { startCluster, type Cluster } from '../support/cluster.js';
import { sfuJoin } from '../support/media.js';
import type { ServerProcess } from '../support/serverProcess.js';
import { call, connect, errorOf, hangsUpWhileAgentAway, loginAgent, once, openCall, rawRequest, SocketPool, technicianJoins, tokenOf } from '../support/sockets.js';
import { freshDatabaseUrl } from '../support/testRecords.js';
import { testAgent, testSupervisor } from '../support/testServer.js';

/**
 * A call whose customer is connected to one node and whose agent to another (two server processes sharing Redis and
 * PostgreSQL, as a deployment behind a load balancer without sticky calls): every in-call event the customer's node
 * does not host goes to the node that hosts the call, and its answer comes back.
 */
describe('a call spanning two nodes', () => {
  /** `npm run cluster`'s topology on the embedded SFU, records on the tests' PostgreSQL. */
  let cluster: Cluster | undefined;
  let nodes: ServerProcess[] = [];
  let pools: SocketPool[] = [];
  let redisDir = '';

  beforeAll(async () => {
    const accounts = [testAgent('mei', ['csl', 'voice']), testAgent('li', ['csl', 'voice']), testSupervisor('sam')];
    redisDir = await mkdtemp(path.join(os.tmpdir(), 'signline-cross-node-redis-'));
    // Redis keeps an append-only file, so that one test can restart it as a deployment's would.
    cluster = await startCluster({ engine: 'mediasoup', redis: { appendOnlyDir: redisDir }, databaseUrl: await freshDatabaseUrl(), env: { MEDIASOUP_WORKERS: '1', LOG_LEVEL: 'warn', AGENT_ACCOUNTS: JSON.stringify(accounts) } });
    nodes = cluster.nodes;
    pools = nodes.map((node) => new SocketPool(node.url));
  }, 60_000);

  afterEach(() => {
    for (const pool of pools) pool.closeAll();
  });

  afterAll(async () => {
    await cluster?.stop();
    if (redisDir) await rm(redisDir, { recursive: true, force: true });
  });

  it('lets a customer on node A join the media, chat and hang up in a call hosted on node B', async () => {
    const [onA, onB] = pools as [SocketPool, SocketPool];
    const { customer, agent, sessionId } = await openCall(onA, 'mei', {}, onB);

    const media = await sfuJoin(customer, { sessionId, send: true, data: false });
    expect(media.recvTransport.id).toEqual(expect.any(String));
    expect(media.sendTransport?.id).toEqual(expect.any(String));

    const heard = once(agent, 'text:chat');
    await call(customer, 'text:chat', { sessionId, clientId: 'c-1', text: 'hello from node A' });
    expect((await heard).text).toBe('hello from node A');

    // Someone else's call is still refused, wherever it is hosted.
    const stranger = await onA.queuedCustomer();
    expect(errorOf(await rawRequest(stranger.socket, 'media:join', { sessionId, send: true, data: false })).code).toBe('NOT_FOUND');

    const ended = once(agent, 'call:ended');
    await call(customer, 'call:end', { sessionId });
    expect((await ended).sessionId).toBe(sessionId);
    expect(errorOf(await rawRequest(customer, 'text:chat', { sessionId, clientId: 'c-2', text: 'too late' })).code).toBe('NOT_FOUND');
  }, 60_000);

  it('tells a customer who comes back to node A after their call on node B ended that the ticket ended, and records no lapse', async () => {
    const [onA, onB] = pools as [SocketPool, SocketPool];
    const { customer, agent, ticketId, token, sessionId } = await openCall(onA, 'mei', {}, onB);
    const ended = once(customer, 'call:ended');
    await call(agent, 'call:end', { sessionId });
    await ended;
    customer.close();
    const back = onA.open({ token });
    const closed = once(back, 'ticket:closed');
    await connect(back).catch(() => undefined);
    expect(await closed).toEqual({ ticketId, reason: 'ended' });
    const records = await openPostgres(cluster!.databaseUrl);
    try {
      const [ticket] = await records.query<{ status: string }>('SELECT status FROM tickets WHERE id = $1', [ticketId]);
      expect(ticket?.status).toBe('ended');
      expect(await records.query("SELECT 1 FROM ticket_events WHERE ticket_id = $1 AND kind = 'abandoned'", [ticketId])).toEqual([]);
    } finally {
      await records.close();
    }
  }, 60_000);

  it('holds the call on node B while the customer’s connection to node A is lost, and resumes it when they come back to A', async () => {
    const [onA, onB] = pools as [SocketPool, SocketPool];
    const { customer, agent, ticketId, token, sessionId } = await openCall(onA, 'mei', {}, onB);

    const lost = once(agent, 'call:peerConnection');
    customer.close();
    expect(await lost).toMatchObject({ sessionId, role: 'customer', connected: false });

    const back = onA.open({ token });
    const resumed = once(back, 'call:started');
    const found = once(agent, 'call:peerConnection');
    await connect(back);
    expect(await resumed).toMatchObject({ sessionId, ticketId, role: 'customer' });
    expect(await found).toMatchObject({ sessionId, role: 'customer', connected: true });
    // Still the same call: the customer's next event reaches it on node B.
    const heard = once(agent, 'text:chat');
    await call(back, 'text:chat', { sessionId, clientId: 'c-3', text: 'back again' });
    expect((await heard).text).toBe('back again');
    await call(agent, 'call:end', { sessionId });
  }, 60_000);

  it('holds the call on node B while its agent’s connection is lost, and carries it on when the agent comes back on node A', async () => {
    const [onA, onB] = pools as [SocketPool, SocketPool];
    const { customer, agent, sessionId, agentStarted } = await openCall(onA, 'mei', {}, onB);

    const lost = once(customer, 'call:peerConnection', undefined, (p) => !p.connected);
    agent.close();
    expect(await lost).toEqual({ sessionId, role: 'agent', name: 'Agent mei', connected: false });

    // The console's tab kept its sign-in; this time its connection lands on node A.
    const back = onA.open({ token: tokenOf(agent) });
    const state = once(back, 'agent:state');
    const resumed = once(back, 'call:started');
    const found = once(customer, 'call:peerConnection', undefined, (p) => p.connected);
    await connect(back);
    expect(await state).toEqual({ status: 'in-call' });
    expect(await resumed).toEqual({ ...agentStarted, restart: true });
    expect(await found).toEqual({ sessionId, role: 'agent', name: 'Agent mei', connected: true });
    // The agent's media and events reach the call on node B from node A.
    const media = await sfuJoin(back, { sessionId, send: true, data: false });
    expect(media.sendTransport?.id).toEqual(expect.any(String));
    const heard = once(customer, 'text:chat');
    await call(back, 'text:chat', { sessionId, clientId: 'a-1', text: 'sorry, my browser reloaded' });
    expect((await heard).text).toBe('sorry, my browser reloaded');

    // Hung up from node A: the customer is told, and the agent's wrap-up (or availability) reaches node A.
    const ended = once(customer, 'call:ended');
    const after = once(back, 'agent:state', undefined, (s) => s.status !== 'in-call');
    await call(back, 'call:end', { sessionId });
    expect(await ended).toEqual({ sessionId, reason: 'hangup' });
    expect((await after).status).toMatch(/^(wrap-up|available)$/);
  }, 60_000);

  it('keeps a technician’s seat in a call on node B while their connection is lost, and takes them back in on node A', async () => {
    const [onA, onB] = pools as [SocketPool, SocketPool];
    const open = await openCall(onA, 'mei', {}, onB);
    const li = await onB.agent('li');
    await technicianJoins(open, li);

    const lost = once(open.customer, 'call:peerConnection', undefined, (p) => !p.connected);
    li.socket.close();
    expect(await lost).toEqual({ sessionId: open.sessionId, role: 'technician', name: 'Agent li', connected: false });

    // Away to routing while helping, so the node the connection lands on asks the others for the call.
    const back = onA.open({ token: tokenOf(li.socket) });
    const resumed = once(back, 'call:started');
    const found = once(open.customer, 'call:peerConnection', undefined, (p) => p.connected);
    await connect(back);
    expect(await resumed).toMatchObject({ sessionId: open.sessionId, role: 'technician', restart: true });
    expect(await found).toMatchObject({ role: 'technician', connected: true });
    const heard = once(open.customer, 'text:chat');
    await call(back, 'text:chat', { sessionId: open.sessionId, clientId: 't-1', text: 'back, still looking at it' });
    expect((await heard).text).toBe('back, still looking at it');
    await call(open.agent, 'call:end', { sessionId: open.sessionId });
  }, 60_000);

  it('tells an agent who comes back on node A of the call node B ended while they were away, with its wrap-up', async () => {
    const [onA, onB] = pools as [SocketPool, SocketPool];
    const open = await openCall(onA, 'mei', {}, onB);
    await hangsUpWhileAgentAway(open);

    const back = onA.open({ token: tokenOf(open.agent) });
    const told = once(back, 'call:ended');
    await connect(back);
    expect(await told).toEqual({ sessionId: open.sessionId, reason: 'hangup', wrapUp: { ticketId: open.ticketId, until: expect.any(Number) } });
    // Filed from node A, where the wrap-up opened on node B is in the shared records.
    await call(back, 'agent:wrapUp', { ticketId: open.ticketId, disposition: 'resolved', summary: 'Filed from the other node.', followUp: false });
  }, 60_000);

  it('shows a supervisor signed in on node A the call node B hosts, with its quality record', async () => {
    const [onA, onB] = pools as [SocketPool, SocketPool];
    const { agent, sessionId, ticketId } = await openCall(onA, 'mei', {}, onB);
    const { token } = await loginAgent(nodes[0]!.url, 'sam');
    const read = async (path: string) => (await fetch(`${nodes[0]!.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json();

    const overview = envelopeSchema(supervisorOverviewSchema).parse(await read('/api/supervisor/overview?hours=1'));
    if (!overview.ok) throw new Error(overview.error.message);
    expect(overview.data.calls).toEqual([expect.objectContaining({ sessionId, ticketId, agentName: 'Agent mei' })]);
    const quality = envelopeSchema(callQualityRecordSchema).parse(await read(overview.data.calls[0]!.qualityPath));
    expect(quality).toMatchObject({ ok: true, data: { sessionId, ticketId } });
    // A call that is nowhere is still NOT_FOUND.
    expect(await read('/api/calls/no-such-call/quality')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await call(agent, 'call:end', { sessionId });
  }, 60_000);

  it('carries the call’s events across nodes again as soon as Redis is back from a crash (SIGKILL, append-only file)', async () => {
    const [onA, onB] = pools as [SocketPool, SocketPool];
    const { customer, agent, sessionId } = await openCall(onA, 'mei', {}, onB);
    // The call's record reaches the append-only file (written every second) before the crash.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await cluster!.redis.restart('SIGKILL');
    // Right away: node B may not have subscribed again yet, and node A must not take the call as gone.
    const heard = once(agent, 'text:chat', 10_000);
    await call(customer, 'text:chat', { sessionId, clientId: 'c-after-redis', text: 'still here' });
    expect((await heard).text).toBe('still here');
    await call(agent, 'call:end', { sessionId });
  }, 60_000);

  // Stops node B, and starts another in its place.
  it('puts the call back in line at once when the node hosting it stops cleanly (SIGTERM, a deploy), for the same agent on a node still up', async () => {
    const [onA, onB] = pools as [SocketPool, SocketPool];
    const { customer, agent, ticketId, sessionId } = await openCall(onA, 'mei', {}, onB);
    const { token: agentToken } = await loginAgent(nodes[0]!.url, 'mei');

    // Both pages hear the cut-off before node B goes (the agent over the connection it closes).
    const customerTold = once(customer, 'call:ended', 20_000);
    const agentTold = once(agent, 'call:ended', 20_000);
    await nodes[1]!.stop(20_000);
    expect(await agentTold).toEqual({ sessionId, reason: 'interrupted' });
    expect(await customerTold).toEqual({ sessionId, reason: 'interrupted' });

    // Node A takes the call back at its next heartbeat, not after the 4 s a silent node is given.
    const back = onA.open({ token: agentToken });
    const again = once(back, 'offer:new', 20_000, (offer) => offer.ticketId === ticketId);
    await connect(back);
    const status = await rawRequest(back, 'agent:status', { status: 'available' });
    if (!status.ok) expect(status.error.code).toBe('INVALID_STATE');
    const offer = await again;
    const restarted = once(customer, 'call:started');
    await call(back, 'offer:accept', { offerId: offer.offerId });
    expect((await restarted).ticketId).toBe(ticketId);
    await call(back, 'call:end', { sessionId: (await restarted).sessionId });

    pools[1] = new SocketPool((await cluster!.startNode(1)).url);
  }, 60_000);

  // Next to last: it kills node B, and starts another in its place.
  it('puts the call back in line when the node hosting it dies (SIGKILL), and the same agent takes it on a node still alive', async () => {
    const [onA, onB] = pools as [SocketPool, SocketPool];
    const { customer, agent, ticketId, token, sessionId } = await openCall(onA, 'mei', {}, onB);

    const cutOff = once(customer, 'call:ended', 20_000);
    const killedAt = Date.now();
    await nodes[1]!.stop(0);
    expect(await cutOff).toEqual({ sessionId, reason: 'interrupted' });
    // The dead node's heartbeat lapses after 4 s at most; the survivor checks every second.
    expect(Date.now() - killedAt).toBeLessThan(15_000);

    // The agent's console reconnects to the live node with the token it kept; back available, they are offered the
    // same ticket, which waited for them.
    const back = onA.open({ token: (await loginAgent(nodes[0]!.url, 'mei')).token });
    const again = once(back, 'offer:new', 20_000, (offer) => offer.ticketId === ticketId);
    await connect(back);
    // The takeover may have offered the ticket to its agent before the console came back: the console is then shown
    // that offer on connecting, and going available is refused until it is answered.
    const status = await rawRequest(back, 'agent:status', { status: 'available' });
    if (!status.ok) expect(status.error.code).toBe('INVALID_STATE');
    const second = await again;
    expect(second.ticketId).toBe(ticketId);
    const restarted = once(customer, 'call:started');
    await call(back, 'offer:accept', { offerId: second.offerId });
    const resumed = await restarted;
    expect(resumed.ticketId).toBe(ticketId);
    expect(resumed.sessionId).not.toBe(sessionId);
    const media = await sfuJoin(customer, { sessionId: resumed.sessionId, send: true, data: false });
    expect(media.recvTransport.id).toEqual(expect.any(String));
    await call(back, 'call:end', { sessionId: resumed.sessionId });

    pools[1] = new SocketPool((await cluster!.startNode(1)).url);
  }, 60_000);

  // Kills node B too, and starts another in its place.
  it('keeps a waiting customer’s place when their node dies (SIGKILL): back on the live node with their token, they are answered', async () => {
    const [onA, onB] = pools as [SocketPool, SocketPool];
    // Not mei: her wrap-up of the call the test before ended may still stand while her last connection is being dropped.
    const { socket: agent } = await onA.agent('li');
    const { joined } = await onB.queuedCustomer();
    const { ticketId, token } = joined;
    await nodes[1]!.stop(0);

    const back = onA.open({ token });
    const position = once(back, 'queue:status', 10_000);
    await connect(back);
    expect((await position).ticketId).toBe(ticketId);
    const offered = once(agent, 'offer:new', 10_000);
    await call(agent, 'agent:status', { status: 'available' });
    const offer = await offered;
    expect(offer.ticketId).toBe(ticketId);
    const started = once(back, 'call:started');
    await call(agent, 'offer:accept', { offerId: offer.offerId });
    expect((await started).ticketId).toBe(ticketId);
    await call(agent, 'call:end', { sessionId: (await started).sessionId });

    pools[1] = new SocketPool((await cluster!.startNode(1)).url);
  }, 60_000);

  it('closes the ticket in the records when a customer who moved to the live node leaves the queue there, and a restarted node does not queue them again', async () => {
    const [onA, onB] = pools as [SocketPool, SocketPool];
    const { socket, joined } = await onB.queuedCustomer();
    const { ticketId, token } = joined;
    await nodes[1]!.stop(0);
    const back = onA.open({ token });
    const position = once(back, 'queue:status', 10_000);
    await connect(back);
    await position;
    await call(back, 'queue:leave', {});
    socket.close();
    const records = await openPostgres(cluster!.databaseUrl);
    try {
      const [ticket] = await records.query<{ status: string }>('SELECT status FROM tickets WHERE id = $1', [ticketId]);
      expect(ticket?.status).toBe('abandoned');
    } finally {
      await records.close();
    }
    // Node B starts again from the records: the customer who left is not back in line.
    pools[1] = new SocketPool((await cluster!.startNode(1)).url);
    const redis = createClient({ url: cluster!.redis.url });
    await redis.connect();
    try {
      expect(await redis.hExists('signline{routing}:entries', ticketId)).toBe(0);
    } finally {
      await redis.close();
    }
  }, 60_000);

  // Kills node B too, and starts another in its place.
  it('takes an available agent whose node died out of routing, so a new customer is offered to an agent who is there', async () => {
    const [onA, onB] = pools as [SocketPool, SocketPool];
    // Mei waits longest, so she would be offered the next customer first.
    await onB.availableAgent('mei');
    await nodes[1]!.stop(0);
    // The dead node's heartbeat lapses after 4 s; the live node checks every second.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const li = await onA.availableAgent('li');
    const { joined } = await onA.queuedCustomer();
    const offer = await li.offer;
    expect(offer.ticketId).toBe(joined.ticketId);
    await call(li.socket, 'offer:decline', { offerId: offer.offerId });
    await call(li.socket, 'agent:status', { status: 'away' });

    pools[1] = new SocketPool((await cluster!.startNode(1)).url);
  }, 60_000);

  // Last: it kills node A.
  it('carries on the call when the customer’s node dies (SIGKILL) and they reconnect to the node hosting it', async () => {
    const [onA, onB] = pools as [SocketPool, SocketPool];
    const { customer, agent, ticketId, token, sessionId } = await openCall(onA, 'mei', {}, onB);
    await sfuJoin(customer, { sessionId, send: true, data: false });

    await nodes[0]!.stop(0);
    const back = onB.open({ token });
    const resumed = once(back, 'call:started');
    await connect(back);
    expect(await resumed).toMatchObject({ sessionId, ticketId, role: 'customer' });
    const media = await sfuJoin(back, { sessionId, send: true, data: false });
    expect(media.recvTransport.id).toEqual(expect.any(String));
    const heard = once(agent, 'text:chat');
    await call(back, 'text:chat', { sessionId, clientId: 'c-4', text: 'still here' });
    expect((await heard).text).toBe('still here');
    await call(agent, 'call:end', { sessionId });
  }, 60_000);
});
