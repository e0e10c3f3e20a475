import { describe, expect, it } from 'vitest';
import { envelopeSchema, ErrorCode, serviceLevelsReplySchema, supervisorOverviewSchema, ticketProgressSchema } from '../../signaling/index.js';
import { serverPerTest } from '../support/liveServer.js';
import { joinWithTransport } from '../support/media.js';
import { call, connect, errorOf, hangsUpWhileAgentAway, loginAgent, once, openCall, rawEmit, record, refusalOf, request, tokenOf } from '../support/sockets.js';
import { testAgent, testSupervisor } from '../support/testServer.js';

const accounts = () => [testAgent('alice', ['csl']), testAgent('bob', ['csl']), testSupervisor('sam')];

/** Customers who gave up their place in the CSL queue, as supervisors see it. */
async function abandoned(url: string, supervisorToken: string): Promise<number> {
  const response = await fetch(`${url}/api/service-levels`, { headers: { authorization: `Bearer ${supervisorToken}` } });
  const body = envelopeSchema(serviceLevelsReplySchema).parse(await response.json());
  if (!body.ok) throw new Error(body.error.message);
  return body.data.queues.find((queue) => queue.queue === 'csl')!.abandoned;
}

describe('a customer who loses the connection and comes back within the grace period', () => {
  const live = serverPerTest(accounts, { RECONNECT_GRACE_MS: 20_000 });

  it('is back in the same call: the agent sees them go and come back, and they can join the media again', async () => {
    const open = await openCall(live.pool, 'alice');
    const gone = once(open.agent, 'call:peerConnection', undefined, (p) => !p.connected);
    open.customer.close();
    expect(await gone).toEqual({ sessionId: open.sessionId, role: 'customer', name: open.ticketId, connected: false });

    const again = live.pool.open({ token: open.token });
    const started = once(again, 'call:started');
    const back = once(open.agent, 'call:peerConnection', undefined, (p) => p.connected);
    await connect(again);
    expect(await started).toEqual(open.customerStarted);
    expect(await back).toEqual({ sessionId: open.sessionId, role: 'customer', name: open.ticketId, connected: true });
    const media = await joinWithTransport(again, open.sessionId, 'recv');
    expect(media.transportId).toEqual(expect.any(String));
  });

  it('gets the other side’s signing state again on coming back into the call', async () => {
    const open = await openCall(live.pool, 'alice');
    await call(open.agent, 'call:signing', { sessionId: open.sessionId, signing: true });
    open.customer.close();

    const again = live.pool.open({ token: open.token });
    const signing = once(again, 'call:peerSigning');
    await connect(again);
    expect(await signing).toEqual({ sessionId: open.sessionId, role: 'agent', signing: true });
  });

  it('keeps the call while reconnecting, so the agent can still hang up and the customer is told', async () => {
    const open = await openCall(live.pool, 'alice');
    open.customer.close();
    await call(open.agent, 'call:end', { sessionId: open.sessionId });

    // The call is over: the token that would have brought the customer back is revoked.
    expect(await refusalOf(live.pool.open({ token: open.token }))).toBe(ErrorCode.Unauthorized);
  });
});

describe('a customer who does not come back within the grace period', () => {
  const live = serverPerTest(accounts, { RECONNECT_GRACE_MS: 600, WRAP_UP_SEC: 0 });

  it('ends the call for the agent, who is available again, and the customer’s token stops working', async () => {
    const open = await openCall(live.pool, 'alice');
    const ended = once(open.agent, 'call:ended');
    const available = once(open.agent, 'agent:state', undefined, (s) => s.status === 'available');
    open.customer.close();

    expect(await ended).toEqual({ sessionId: open.sessionId, reason: 'disconnected' });
    expect(await available).toEqual({ status: 'available' });
    expect(await refusalOf(live.pool.open({ token: open.token }))).toBe(ErrorCode.Unauthorized);
  });

  it('ends a call whose customer left just as the agent accepted, and the agent is available again', async () => {
    const { socket: customer } = await live.pool.queuedCustomer();
    const alice = await live.pool.availableAgent('alice');
    const { offerId } = await alice.offer;
    const ended = once(alice.socket, 'call:ended');
    const available = once(alice.socket, 'agent:state', undefined, (s) => s.status === 'available');

    // No wait between the two: the customer's disconnect reaches the server while the media room is being opened.
    rawEmit(alice.socket, 'offer:accept', { offerId });
    customer.close();

    expect((await ended).reason).toBe('disconnected');
    expect(await available).toEqual({ status: 'available' });
  });

  it('loses a place in line, and the token that held it is refused', async () => {
    const { socket, joined } = await live.pool.queuedCustomer();
    const { token: supervisor } = await loginAgent(live.server.url, 'sam');
    socket.close();
    // Service levels count the lapsed hold as abandoned; a reconnect before that would have kept the place.
    await expect.poll(() => abandoned(live.server.url, supervisor), { timeout: 5000, interval: 100 }).toBe(1);
    expect(await refusalOf(live.pool.open({ token: joined.token }))).toBe(ErrorCode.Unauthorized);
  });
});

describe('an agent who loses the connection in a call and comes back within the grace period', () => {
  const live = serverPerTest(accounts, { RECONNECT_GRACE_MS: 20_000, WRAP_UP_SEC: 0 });

  it('keeps the call: the customer sees them go and come back, the console starts its media afresh, and the transcript says so', async () => {
    const open = await openCall(live.pool, 'alice');
    const gone = once(open.customer, 'call:peerConnection', undefined, (p) => !p.connected);
    open.agent.close();
    expect(await gone).toEqual({ sessionId: open.sessionId, role: 'agent', name: 'Agent alice', connected: false });

    const again = live.pool.open({ token: tokenOf(open.agent) });
    const state = once(again, 'agent:state');
    const started = once(again, 'call:started');
    const back = once(open.customer, 'call:peerConnection', undefined, (p) => p.connected);
    await connect(again);
    expect(await state).toEqual({ status: 'in-call' });
    // The station that carried the camera went with the connection: the console sends it into the call itself.
    expect(await started).toEqual({ ...open.agentStarted, restart: true });
    expect(await back).toEqual({ sessionId: open.sessionId, role: 'agent', name: 'Agent alice', connected: true });
    const media = await joinWithTransport(again, open.sessionId, 'send');
    expect(media.transportId).toEqual(expect.any(String));

    const { lines } = await call(open.customer, 'text:transcript', { sessionId: open.sessionId });
    expect(lines.filter((line) => line.kind === 'event').map((line) => [line.event, line.speaker.role])).toEqual(
      expect.arrayContaining([
        ['connection-lost', 'agent'],
        ['connection-back', 'agent'],
      ]),
    );

    // Still the agent's call: they hang up, the customer is told, and the agent is offered calls again.
    const ended = once(open.customer, 'call:ended');
    const available = once(again, 'agent:state', undefined, (s) => s.status === 'available');
    await call(again, 'call:end', { sessionId: open.sessionId });
    expect(await ended).toEqual({ sessionId: open.sessionId, reason: 'hangup' });
    expect(await available).toEqual({ status: 'available' });
  });

  it('shows the supervisor whom a call is waiting for, and no one once they are back', async () => {
    const open = await openCall(live.pool, 'alice');
    const { token: supervisor } = await loginAgent(live.server.url, 'sam');
    const waitingFor = async () => {
      const response = await fetch(`${live.server.url}/api/supervisor/overview?hours=1`, { headers: { authorization: `Bearer ${supervisor}` } });
      const overview = envelopeSchema(supervisorOverviewSchema).parse(await response.json());
      return overview.ok ? overview.data.calls.find((each) => each.sessionId === open.sessionId)?.reconnecting : undefined;
    };
    expect(await waitingFor()).toEqual([]);
    open.agent.close();
    await expect.poll(waitingFor).toEqual(['agent']);
    const again = live.pool.open({ token: tokenOf(open.agent) });
    await connect(again);
    await expect.poll(waitingFor).toEqual([]);
  });

  it('does not keep the customer waiting when the agent signs out in the call: first in line at once', async () => {
    const open = await openCall(live.pool, 'alice');
    const ended = once(open.customer, 'call:ended');
    const first = once(open.customer, 'queue:status');
    const response = await fetch(`${live.server.url}/api/agent/logout`, { method: 'POST', headers: { authorization: `Bearer ${tokenOf(open.agent)}` } });
    expect(response.ok).toBe(true);
    // Well within the 20 s grace a lost connection would get.
    expect(await ended).toEqual({ sessionId: open.sessionId, reason: 'agent-lost' });
    expect(await first).toMatchObject({ ticketId: open.ticketId, position: 1 });
  });

  it('is offered nothing while away: a customer who arrives meanwhile goes to the agent who is there', async () => {
    const open = await openCall(live.pool, 'alice');
    open.agent.close();
    await once(open.customer, 'call:peerConnection', undefined, (p) => !p.connected);
    const bob = await live.pool.availableAgent('bob');
    const { joined } = await live.pool.queuedCustomer();
    expect((await bob.offer).ticketId).toBe(joined.ticketId);
  });
});

describe('an agent who does not come back within the grace period', () => {
  const live = serverPerTest(accounts, { RECONNECT_GRACE_MS: 800, WRAP_UP_SEC: 0 });

  it('puts the customer first in line with the same ticket and transcript, ahead of a newer arrival, for the next agent', async () => {
    const open = await openCall(live.pool, 'alice');
    await call(open.customer, 'text:chat', { sessionId: open.sessionId, clientId: 'c-1', text: 'my phone is off the Wi-Fi' });
    const newer = await live.pool.queuedCustomer();
    const ended = once(open.customer, 'call:ended');
    const first = once(open.customer, 'queue:status');
    const second = once(newer.socket, 'queue:status', undefined, (status) => status.position === 2);
    open.agent.close();

    expect(await ended).toEqual({ sessionId: open.sessionId, reason: 'agent-lost' });
    expect(await first).toMatchObject({ ticketId: open.ticketId, position: 1 });
    await second;
    // The ticket's progress page says what happened, in general terms.
    await expect
      .poll(async () => {
        const response = await fetch(`${live.server.url}/api/tickets/${encodeURIComponent(open.ticketId)}`, { headers: { authorization: `Bearer ${open.secret}` } });
        const progress = envelopeSchema(ticketProgressSchema).parse(await response.json());
        return progress.ok ? progress.data.steps.map((step) => [step.kind, step.by]) : [];
      })
      .toEqual([
        ['opened', 'you'],
        ['in-call', 'agent'],
        ['agent-lost', 'system'],
      ]);
    // Gone offline, not into wrap-up: signing in again finds them away, with nothing to wrap up.
    const alice = await live.pool.agent('alice');
    expect(alice.initialState).toEqual({ status: 'away' });

    const bob = await live.pool.availableAgent('bob');
    const offer = await bob.offer;
    expect(offer.ticketId).toBe(open.ticketId);
    const restarted = once(open.customer, 'call:started');
    await call(bob.socket, 'offer:accept', { offerId: offer.offerId });
    const next = await restarted;
    expect(next.sessionId).not.toBe(open.sessionId);
    const { lines } = await call(open.customer, 'text:transcript', { sessionId: next.sessionId });
    expect(lines.map((line) => line.text)).toContain('my phone is off the Wi-Fi');
  });

  it('leaves a customer who lost the connection too their own grace period to come back to the line', async () => {
    const open = await openCall(live.pool, 'alice');
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    // The agent's grace runs out 800 ms after they went, while the customer (gone 500 ms later) still has theirs.
    open.agent.close();
    await sleep(500);
    open.customer.close();
    await sleep(600);
    const again = live.pool.open({ token: open.token });
    const status = once(again, 'queue:status');
    await connect(again);
    expect(await status).toMatchObject({ ticketId: open.ticketId, position: 1 });
  });
});

describe('an agent who is away when the customer hangs up', () => {
  const live = serverPerTest(accounts, { RECONNECT_GRACE_MS: 20_000, WRAP_UP_SEC: 60 });

  it('hears of the end on coming back, with the ticket’s wrap-up still theirs to file, and is offered nothing meanwhile', async () => {
    const open = await openCall(live.pool, 'alice');
    await hangsUpWhileAgentAway(open);

    const again = live.pool.open({ token: tokenOf(open.agent) });
    const state = once(again, 'agent:state');
    const told = once(again, 'call:ended');
    await connect(again);
    const ended = await told;
    expect(ended).toEqual({ sessionId: open.sessionId, reason: 'hangup', wrapUp: { ticketId: open.ticketId, until: expect.any(Number) } });
    expect(ended.wrapUp!.until - Date.now()).toBeGreaterThan(50_000);
    // Offline when the call ended, so back away: nothing is offered until they choose to take calls.
    expect(await state).toEqual({ status: 'away' });
    await call(again, 'agent:wrapUp', { ticketId: open.ticketId, disposition: 'resolved', summary: 'Customer hung up while my browser reloaded.', followUp: true });
    expect(errorOf(await request(again, 'agent:wrapUp', { ticketId: open.ticketId, disposition: 'resolved', summary: 'again', followUp: false })).code).toBe(ErrorCode.Conflict);

    // Told once: another connection hears nothing more of that call.
    const later = live.pool.open({ token: tokenOf(open.agent) });
    const heard = record(later, 'call:ended');
    await connect(later);
    await call(later, 'agent:status', { status: 'available' });
    expect(heard).toEqual([]);
  });
});

describe('a customer token', () => {
  const live = serverPerTest(accounts);

  it('is revoked when the customer leaves the queue on purpose', async () => {
    const { socket, joined } = await live.pool.queuedCustomer();
    await call(socket, 'queue:leave', {});
    expect(await refusalOf(live.pool.open({ token: joined.token }))).toBe(ErrorCode.Unauthorized);
  });

  it('is revoked when the call ends', async () => {
    const open = await openCall(live.pool, 'alice');
    const ended = once(open.customer, 'call:ended');
    await call(open.agent, 'call:end', { sessionId: open.sessionId });
    await ended;
    expect(await refusalOf(live.pool.open({ token: open.token }))).toBe(ErrorCode.Unauthorized);
  });

  it('keeps working after a transfer, while the customer waits for the next agent', async () => {
    const open = await openCall(live.pool, 'alice');
    await call(open.agent, 'call:transfer', { sessionId: open.sessionId, queue: 'csl', note: '' });
    open.customer.close();

    const again = live.pool.open({ token: open.token });
    const status = once(again, 'queue:status');
    await connect(again);
    expect(await status).toMatchObject({ ticketId: open.ticketId, position: 1 });
  });

  it('is refused when it was never issued', async () => {
    expect(await refusalOf(live.pool.open({ token: 'not-a-token-the-server-issued' }))).toBe(ErrorCode.Unauthorized);
  });
});
