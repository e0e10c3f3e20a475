import { describe, expect, it } from 'vitest';
import { ErrorCode, type QueueJoined } from '../../signaling/index.js';
import { serverPerTest, type LiveServer } from '../support/liveServer.js';
import { call, connect, errorOf, once, request } from '../support/sockets.js';
import { testAgent } from '../support/testServer.js';

/** Lets timers that should not change anything run out; what is then checked is the state after them. */
const pass = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function rejoin(live: LiveServer, joined: QueueJoined, secret = joined.secret): Promise<{ status: number; body: { ok: boolean; data?: { token: string; ticketId: string }; error?: { code: string } } }> {
  const response = await fetch(`${live.server.url}/api/tickets/${joined.ticketId}/rejoin`, { method: 'POST', headers: { authorization: `Bearer ${secret}` } });
  return { status: response.status, body: (await response.json()) as never };
}

/** A socket watching a ticket's progress, as the progress page opens it. */
async function watcher(live: LiveServer, joined: QueueJoined) {
  const socket = live.pool.open();
  await connect(socket);
  await call(socket, 'progress:watch', { ticketId: joined.ticketId, secret: joined.secret });
  return socket;
}

describe('callback instead of waiting (real server)', () => {
  const GRACE_MS = 1500;
  const live = serverPerTest(() => [testAgent('alice', ['csl'])], { CALLBACK_AFTER_SEC: 0, CALLBACK_ATTEMPTS: 2, RECONNECT_GRACE_MS: GRACE_MS });

  it('keeps the place with no page open, signals the progress page when an agent answers, and joins the customer into the call', async () => {
    const { socket, joined } = await live.pool.queuedCustomer();
    expect(joined.callbackAfterSec).toBe(0);
    await call(socket, 'queue:callback', {});
    const progress = await watcher(live, joined);
    socket.close();
    // Longer than the reconnect grace: without the callback the place would have lapsed by now.
    await pass(GRACE_MS * 2);

    const agent = await live.pool.availableAgent('alice');
    const offer = await agent.offer;
    expect(offer.ticketId).toBe(joined.ticketId);
    const signalled = once(progress, 'progress:update', 5000, (update) => update.status === 'in-call');
    await call(agent.socket, 'offer:accept', { offerId: offer.offerId });
    await signalled;

    const rejoined = await rejoin(live, joined);
    expect(rejoined.status).toBe(200);
    const customer = live.pool.open({ token: rejoined.body.data!.token });
    const started = once(customer, 'call:started');
    await connect(customer);
    expect(await started).toMatchObject({ ticketId: joined.ticketId, role: 'customer' });
  });

  it('tries an unanswered callback again ahead of new arrivals, then records it as missed and closes the ticket', async () => {
    const { socket, joined } = await live.pool.queuedCustomer();
    await call(socket, 'queue:callback', {});
    const progress = await watcher(live, joined);
    socket.close();
    const agent = await live.pool.agent('alice');
    let offered = once(agent.socket, 'offer:new', 10_000);
    await call(agent.socket, 'agent:status', { status: 'available' });
    for (let attempt = 1; attempt <= 2; attempt++) {
      const { offerId, ticketId } = await offered;
      expect(ticketId).toBe(joined.ticketId);
      // The next try may be offered before the progress page hears of the miss: listen first.
      offered = once(agent.socket, 'offer:new', 10_000);
      const missed = once(progress, 'progress:update', 10_000, (update) => update.step.kind === 'callback-missed');
      await call(agent.socket, 'offer:accept', { offerId });
      const update = await missed;
      expect(update.status).toBe(attempt === 1 ? 'queued' : 'abandoned');
    }
    offered.catch(() => undefined);
    expect(await rejoin(live, joined)).toMatchObject({ status: 409, body: { error: { code: ErrorCode.InvalidState } } });
  });

  it('refuses a second callback, one for a ticket in a call or closed, and a rejoin with the wrong secret: nothing changes', async () => {
    const { socket, joined } = await live.pool.queuedCustomer();
    await call(socket, 'queue:callback', {});
    expect(errorOf(await request(socket, 'queue:callback', {})).code).toBe(ErrorCode.Conflict);
    expect(errorOf(await request(socket, 'queue:callback', { when: 'now' } as never)).code).toBe(ErrorCode.BadRequest);
    expect((await rejoin(live, joined, 'x'.repeat(43))).status).toBe(404);

    const other = await live.pool.queuedCustomer();
    await call(other.socket, 'queue:leave', {});
    expect(errorOf(await request(other.socket, 'queue:callback', {})).code).toBe(ErrorCode.InvalidState);
    expect((await rejoin(live, other.joined)).status).toBe(409);
  });
});

describe('callback offered only for long waits (real server)', () => {
  const live = serverPerTest(() => [testAgent('alice', ['csl'])], { CALLBACK_AFTER_SEC: 86_400 });

  it('refuses a callback while the estimated wait is under CALLBACK_AFTER_SEC, and the place is unchanged', async () => {
    const { socket, joined } = await live.pool.queuedCustomer();
    expect(errorOf(await request(socket, 'queue:callback', {}))).toMatchObject({ code: ErrorCode.InvalidState, message: expect.stringContaining('86400') });
    const agent = await live.pool.availableAgent('alice');
    expect((await agent.offer).ticketId).toBe(joined.ticketId);
  });
});
