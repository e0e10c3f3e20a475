import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../signaling/index.js';
import { serverPerTest } from '../support/liveServer.js';
import { call, connect, errorOf, loginAgent, once, postJson, rawEmit, record, request } from '../support/sockets.js';
import { TEST_PASSWORD, testAgent } from '../support/testServer.js';

const TICKET_ID = /^SL-[0-9A-Z]{3}-[0-9A-Z]{3}$/;
const DEFAULT_OFFER_TIMEOUT_MS = 20_000;

const accounts = () => [testAgent('alice', ['csl']), testAgent('bob', ['csl']), testAgent('carol', ['asl'])];

describe('the queue over real sockets', () => {
  // About queueing and hang-up, not wrap-up: the agent is available right after a call.
  const live = serverPerTest(accounts, { WRAP_UP_SEC: 0 });

  it('gives a customer who joins a ticket id, a token and position 1', async () => {
    const customer = await live.pool.customer();
    const joined = await call(customer, 'queue:join', { mode: 'csl', topic: 'Watch will not pair', device: 'watch' });
    expect(joined.ticketId).toMatch(TICKET_ID);
    expect(joined.token).toEqual(expect.any(String));
    expect(joined.token.length).toBeGreaterThanOrEqual(16);
    expect(joined.position).toBe(1);
  });

  it('gives a second customer position 2 and moves them to 1 when the first is served', async () => {
    const first = await live.pool.queuedCustomer();
    const second = await live.pool.queuedCustomer();
    expect(second.joined.position).toBe(2);
    expect(second.joined.ticketId).not.toBe(first.joined.ticketId);

    // Earlier rounds of position updates may still be on their way: wait for the one that moves them up.
    const movedUp = once(second.socket, 'queue:status', undefined, (s) => s.position === 1);
    const alice = await live.pool.availableAgent('alice');
    const started = once(first.socket, 'call:started');
    await call(alice.socket, 'offer:accept', { offerId: (await alice.offer).offerId });

    expect(await movedUp).toMatchObject({ ticketId: second.joined.ticketId, position: 1 });
    await started;
  });

  it('refuses a second queue:join on the same connection with INVALID_STATE', async () => {
    const { socket } = await live.pool.queuedCustomer();
    const ack = await request(socket, 'queue:join', { mode: 'csl', topic: 'again', device: 'phone' });
    expect(errorOf(ack).code).toBe(ErrorCode.InvalidState);
  });

  it('tells a customer who reconnects with their token where they are in the queue', async () => {
    await live.pool.queuedCustomer();
    const { joined } = await live.pool.queuedCustomer();
    const again = live.pool.open({ token: joined.token });
    const status = once(again, 'queue:status', undefined, (s) => s.position === 2);
    await connect(again);
    expect(await status).toMatchObject({ ticketId: joined.ticketId, position: 2 });
  });

  it('announces a new agent as away and sends the offer with its context once they go available', async () => {
    const { joined } = await live.pool.queuedCustomer({ mode: 'csl', topic: 'Tablet screen stays black', device: 'tablet' });
    const alice = await live.pool.agent('alice');
    expect(alice.initialState).toEqual({ status: 'away' });
    expect(alice.profile).toEqual({ id: 'alice', name: 'Agent alice', modes: ['csl'] });

    const offered = once(alice.socket, 'offer:new');
    const state = once(alice.socket, 'agent:state', undefined, (s) => s.status === 'offered');
    const before = Date.now();
    await call(alice.socket, 'agent:status', { status: 'available' });
    const offer = await offered;
    const after = Date.now();

    expect(offer).toEqual({
      offerId: expect.any(String),
      ticketId: joined.ticketId,
      mode: 'csl',
      topic: 'Tablet screen stays black',
      device: 'tablet',
      slaClass: 'software',
      priority: 'normal',
      waitedMs: expect.any(Number),
      deadline: expect.any(Number),
      queue: { waiting: 1, longestWaitMs: expect.any(Number) },
    });
    expect(offer.waitedMs).toBeGreaterThanOrEqual(0);
    expect(offer.deadline).toBeGreaterThanOrEqual(before + DEFAULT_OFFER_TIMEOUT_MS);
    expect(offer.deadline).toBeLessThanOrEqual(after + DEFAULT_OFFER_TIMEOUT_MS);
    expect(await state).toEqual({ status: 'offered' });
  });

  it('starts the same call for both sides when the agent accepts', async () => {
    const { socket: customer, joined } = await live.pool.queuedCustomer({ mode: 'csl', topic: 'Laptop has no sound' });
    const alice = await live.pool.availableAgent('alice');
    const customerStarted = once(customer, 'call:started');
    const agentStarted = once(alice.socket, 'call:started');
    const inCall = once(alice.socket, 'agent:state', undefined, (s) => s.status === 'in-call');

    await call(alice.socket, 'offer:accept', { offerId: (await alice.offer).offerId });

    const [forCustomer, forAgent] = await Promise.all([customerStarted, agentStarted]);
    expect(forCustomer).toEqual({ sessionId: expect.any(String), ticketId: joined.ticketId, role: 'customer', mode: 'csl', peerName: 'Agent alice', color: 0, media: 'mediasoup' });
    expect(forAgent).toMatchObject({ sessionId: forCustomer.sessionId, ticketId: joined.ticketId, role: 'agent', mode: 'csl' });
    expect(await inCall).toEqual({ status: 'in-call' });
  });

  it('keeps a declined customer in their place and offers them to the next agent ahead of a later customer', async () => {
    const first = await live.pool.queuedCustomer();
    const alice = await live.pool.availableAgent('alice');
    const declined = await alice.offer;
    const cancelled = once(alice.socket, 'offer:cancelled');
    const missed = once(alice.socket, 'agent:state', undefined, (s) => s.status === 'away');

    await call(alice.socket, 'offer:decline', { offerId: declined.offerId });

    expect(await cancelled).toEqual({ offerId: declined.offerId, reason: 'declined' });
    expect(await missed).toEqual({ status: 'away', reason: 'missed' });
    const later = await live.pool.queuedCustomer();
    expect(later.joined.position).toBe(2);

    const bob = await live.pool.availableAgent('bob');
    const offer = await bob.offer;
    expect(offer.ticketId).toBe(first.joined.ticketId);
    expect(offer.offerId).not.toBe(declined.offerId);
  });

  it('refuses to accept an offer that was declined with OFFER_EXPIRED', async () => {
    await live.pool.queuedCustomer();
    const alice = await live.pool.availableAgent('alice');
    const { offerId } = await alice.offer;
    await call(alice.socket, 'offer:decline', { offerId });
    expect(errorOf(await request(alice.socket, 'offer:accept', { offerId })).code).toBe(ErrorCode.OfferExpired);
  });

  it("refuses to accept another agent's offer with OFFER_EXPIRED", async () => {
    await live.pool.queuedCustomer();
    const alice = await live.pool.availableAgent('alice');
    const bob = await live.pool.availableAgent('bob');
    const { offerId } = await alice.offer;
    expect(errorOf(await request(bob.socket, 'offer:accept', { offerId })).code).toBe(ErrorCode.OfferExpired);
  });

  it('refuses to change availability while holding an offer with INVALID_STATE', async () => {
    await live.pool.queuedCustomer();
    const alice = await live.pool.availableAgent('alice');
    await alice.offer;
    expect(errorOf(await request(alice.socket, 'agent:status', { status: 'away' })).code).toBe(ErrorCode.InvalidState);
  });

  it('never offers a CSL customer to an agent who signs only ASL', async () => {
    const cslCustomer = await live.pool.queuedCustomer({ mode: 'csl' });
    const aslCustomer = await live.pool.queuedCustomer({ mode: 'asl' });
    expect(aslCustomer.joined.position).toBe(1);
    const carol = await live.pool.agent('carol');
    const offers = record(carol.socket, 'offer:new');

    const offered = once(carol.socket, 'offer:new');
    await call(carol.socket, 'agent:status', { status: 'available' });

    expect((await offered).ticketId).toBe(aslCustomer.joined.ticketId);
    expect(offers.map((o) => o.ticketId)).not.toContain(cslCustomer.joined.ticketId);
  });

  it('holds the place of a customer who disconnects, serving the next one meanwhile', async () => {
    const first = await live.pool.queuedCustomer();
    const second = await live.pool.queuedCustomer();
    const movedUp = once(second.socket, 'queue:status', undefined, (s) => s.position === 1);

    first.socket.close();

    expect(await movedUp).toMatchObject({ ticketId: second.joined.ticketId, position: 1 });
    const alice = await live.pool.availableAgent('alice');
    expect((await alice.offer).ticketId).toBe(second.joined.ticketId);
  });

  it('withdraws the offer of a customer who disconnects and leaves the agent available', async () => {
    const { socket } = await live.pool.queuedCustomer();
    const alice = await live.pool.availableAgent('alice');
    const { offerId } = await alice.offer;
    const cancelled = once(alice.socket, 'offer:cancelled');
    const state = once(alice.socket, 'agent:state', undefined, (s) => s.status === 'available');

    socket.close();

    expect(await cancelled).toEqual({ offerId, reason: 'abandoned' });
    expect(await state).toEqual({ status: 'available' });
  });

  it('removes a customer who leaves the queue and refuses a second leave with INVALID_STATE', async () => {
    const first = await live.pool.queuedCustomer();
    const second = await live.pool.queuedCustomer();
    const movedUp = once(second.socket, 'queue:status', undefined, (s) => s.position === 1);

    await call(first.socket, 'queue:leave', {});

    expect(await movedUp).toMatchObject({ ticketId: second.joined.ticketId, position: 1 });
    expect(errorOf(await request(first.socket, 'queue:leave', {})).code).toBe(ErrorCode.InvalidState);
  });

  it('ends the call for both sides when the customer hangs up and makes the agent available again', async () => {
    const { socket: customer } = await live.pool.queuedCustomer();
    const alice = await live.pool.availableAgent('alice');
    const started = once(customer, 'call:started');
    await call(alice.socket, 'offer:accept', { offerId: (await alice.offer).offerId });
    const { sessionId } = await started;

    const customerEnded = once(customer, 'call:ended');
    const agentEnded = once(alice.socket, 'call:ended');
    const available = once(alice.socket, 'agent:state', undefined, (s) => s.status === 'available');
    await call(customer, 'call:end', { sessionId });

    expect(await customerEnded).toEqual({ sessionId, reason: 'hangup' });
    expect(await agentEnded).toEqual({ sessionId, reason: 'hangup' });
    expect(await available).toEqual({ status: 'available' });

    const offer = once(alice.socket, 'offer:new');
    const next = await live.pool.queuedCustomer();
    expect((await offer).ticketId).toBe(next.joined.ticketId);
  });
});

describe('an offer that is not answered in time', () => {
  const live = serverPerTest(accounts, { OFFER_TIMEOUT_MS: 1000 });

  it('is cancelled with reason timeout, marks the agent missed and is offered again later', async () => {
    const { joined } = await live.pool.queuedCustomer();
    const alice = await live.pool.availableAgent('alice');
    const first = await alice.offer;
    const cancelled = once(alice.socket, 'offer:cancelled', 3000);
    const missed = once(alice.socket, 'agent:state', 3000, (s) => s.status === 'away');

    expect(await cancelled).toEqual({ offerId: first.offerId, reason: 'timeout' });
    expect(await missed).toEqual({ status: 'away', reason: 'missed' });
    expect(errorOf(await request(alice.socket, 'offer:accept', { offerId: first.offerId })).code).toBe(ErrorCode.OfferExpired);

    const again = once(alice.socket, 'offer:new');
    await call(alice.socket, 'agent:status', { status: 'available' });
    const second = await again;
    expect(second.ticketId).toBe(joined.ticketId);
    expect(second.offerId).not.toBe(first.offerId);
    expect(second.waitedMs).toBeGreaterThanOrEqual(1000);
  });
});

describe('a customer who loses the connection while queued', () => {
  const live = serverPerTest(accounts, { RECONNECT_GRACE_MS: 400 });

  it('gets the same place back on reconnecting within the grace period', async () => {
    const first = await live.pool.queuedCustomer();
    const second = await live.pool.queuedCustomer();
    const firstGone = once(second.socket, 'queue:status', undefined, (status) => status.position === 1);
    first.socket.disconnect();
    await firstGone;

    const back = live.pool.open({ token: first.joined.token });
    const status = once(back, 'queue:status', undefined, (s) => s.position === 1);
    const secondBehind = once(second.socket, 'queue:status', undefined, (s) => s.position === 2);
    back.connect();
    expect(await status).toMatchObject({ ticketId: first.joined.ticketId, position: 1 });
    await secondBehind;
    const alice = await live.pool.availableAgent('alice');
    expect((await alice.offer).ticketId).toBe(first.joined.ticketId);
  });
});

describe('agent sign-in', () => {
  const live = serverPerTest(accounts);

  it('issues a token and the profile for the right password', async () => {
    const response = await postJson(live.server.url, '/api/agent/login', { username: 'alice', password: TEST_PASSWORD });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ok: true,
      data: { token: expect.any(String), agent: { id: 'alice', name: 'Agent alice', modes: ['csl'] }, role: 'agent' },
    });
  });

  it('answers a wrong password with 401 UNAUTHORIZED as JSON', async () => {
    const response = await postJson(live.server.url, '/api/agent/login', { username: 'alice', password: 'wrong' });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ ok: false, error: { code: ErrorCode.Unauthorized, message: expect.any(String) } });
  });

  it('answers an unknown username exactly like a wrong password', async () => {
    const response = await postJson(live.server.url, '/api/agent/login', { username: 'mallory', password: 'wrong' });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ ok: false, error: { code: ErrorCode.Unauthorized, message: 'wrong username or password' } });
  });

  it('refuses an account after 5 failed sign-ins with 429 and Retry-After, the right password too, while another account still signs in', async () => {
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect((await postJson(live.server.url, '/api/agent/login', { username: 'alice', password: `guess ${attempt}` })).status).toBe(401);
    }
    const limited = await postJson(live.server.url, '/api/agent/login', { username: 'ALICE', password: TEST_PASSWORD });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(12);
    expect(await limited.json()).toEqual({ ok: false, error: { code: ErrorCode.RateLimited, message: expect.stringMatching(/too many failed sign-ins; try again in \d+ s/) } });
    // The address has room left (agents may share one): another account is unaffected.
    expect((await postJson(live.server.url, '/api/agent/login', { username: 'bob', password: TEST_PASSWORD })).status).toBe(200);
  });

  it('signs out: the token is refused from then on, its console is disconnected and cannot connect with it again', async () => {
    const { token } = await loginAgent(live.server.url, 'alice');
    const socket = live.pool.open({ token });
    await connect(socket);
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    const logout = (bearer?: string) => fetch(`${live.server.url}/api/agent/logout`, { method: 'POST', headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
    expect((await logout()).status).toBe(401);
    expect((await logout(token)).status).toBe(204);
    expect(await disconnected).toBe('io server disconnect');
    expect((await fetch(`${live.server.url}/api/guides`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    expect((await logout(token)).status).toBe(401);
    const again = live.pool.open({ token });
    await expect(connect(again)).rejects.toThrow('UNAUTHORIZED');
  });

  it('answers a malformed JSON body with 400 BAD_REQUEST', async () => {
    const response = await postJson(live.server.url, '/api/agent/login', '{"username": "alice", ');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ ok: false, error: { code: ErrorCode.BadRequest, message: expect.any(String) } });
  });

  it('refuses a socket with an unknown token with a connect_error', async () => {
    const socket = live.pool.open({ token: 'not-a-real-token' });
    const error = (await connect(socket).then(
      () => undefined,
      (e: unknown) => e,
    )) as (Error & { data?: unknown }) | undefined;
    expect(error).toBeInstanceOf(Error);
    expect(error?.message).toBe('UNAUTHORIZED');
    expect(error?.data).toEqual({ code: ErrorCode.Unauthorized, message: expect.any(String) });
    expect(socket.connected).toBe(false);
  });

  it('shows an open offer again to a second console the agent opens, with the same offer id and deadline', async () => {
    await live.pool.queuedCustomer();
    const alice = await live.pool.availableAgent('alice');
    const offer = await alice.offer;
    const { token } = await loginAgent(live.server.url, 'alice');
    const second = live.pool.open({ token });
    const shown = once(second, 'offer:new');
    await connect(second);
    expect(await shown).toMatchObject({ offerId: offer.offerId, ticketId: offer.ticketId, deadline: offer.deadline });
    // Either console may answer it.
    await call(second, 'offer:accept', { offerId: offer.offerId });
  });

  it('refuses a socket whose token is not a string with a connect_error', async () => {
    const socket = live.pool.open({ token: 12345 });
    await expect(connect(socket)).rejects.toThrow('UNAUTHORIZED');
  });
});
