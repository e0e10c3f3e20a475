import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../signaling/index.js';
import type { AgentAccount } from '../../server/auth/AgentDirectory.js';
import { serverPerTest } from '../support/liveServer.js';
import { call, errorOf, loginAgent, once, openCall, request } from '../support/sockets.js';
import { TEST_PASSWORD, testAgent, testSupervisor } from '../support/testServer.js';

/** A tier-2 technician who signs CSL. */
function technician(username: string): AgentAccount {
  return { username, name: `Technician ${username}`, passwordHash: bcrypt.hashSync(TEST_PASSWORD, 4), skills: { csl: 4, phone: 4, tier: 2 } };
}

const accounts = () => [testAgent('alice', ['csl']), testAgent('bob', ['csl']), technician('tess'), testSupervisor('sam')];

describe('transferring a call in progress', () => {
  const live = serverPerTest(accounts);

  it('moves the call to the technical queue, where a tier-2 agent gets it with the context and the note', async () => {
    const open = await openCall(live.pool, 'alice', { topic: 'Screen flickers after update' });
    const ended = once(open.customer, 'call:ended');
    const tess = await live.pool.availableAgent('tess');

    const reply = await call(open.agent, 'call:transfer', { sessionId: open.sessionId, queue: 'technical', note: 'flicker persists after reset' });

    expect(reply.position).toBe(1);
    expect(await ended).toEqual({ sessionId: open.sessionId, reason: 'transferred' });
    expect(await tess.offer).toMatchObject({
      ticketId: open.ticketId,
      topic: 'Screen flickers after update',
      transfer: { fromAgent: 'Agent alice', note: 'flicker persists after reset' },
    });
    const started = once(open.customer, 'call:started');
    await call(tess.socket, 'offer:accept', { offerId: (await tess.offer).offerId });
    expect(await started).toMatchObject({ ticketId: open.ticketId, peerName: 'Technician tess' });
  });

  it('offers a call transferred to a named agent to that agent', async () => {
    const open = await openCall(live.pool, 'alice');
    const bob = await live.pool.availableAgent('bob');
    await call(open.agent, 'call:transfer', { sessionId: open.sessionId, agentId: 'bob' });
    expect((await bob.offer).ticketId).toBe(open.ticketId);
  });

  it('refuses a transfer to a queue that does not exist, and the call goes on', async () => {
    const open = await openCall(live.pool, 'alice');
    const ack = await request(open.agent, 'call:transfer', { sessionId: open.sessionId, queue: 'billing' as 'technical' });
    expect(errorOf(ack).code).toBe(ErrorCode.BadRequest);
    await expectCallStillOpen(open.agent, open.sessionId);
  });

  it('refuses a transfer that asks for an unknown skill or an impossible level, and the call goes on', async () => {
    const open = await openCall(live.pool, 'alice');
    const unknown = await request(open.agent, 'call:transfer', { sessionId: open.sessionId, queue: 'technical', skills: [{ skill: 'klingon' as 'csl', minLevel: 3 }] });
    const tooHigh = await request(open.agent, 'call:transfer', { sessionId: open.sessionId, queue: 'technical', skills: [{ skill: 'csl', minLevel: 6 }] });
    const badTier = await request(open.agent, 'call:transfer', { sessionId: open.sessionId, queue: 'technical', skills: [{ skill: 'tier', minLevel: 4 }] });
    for (const ack of [unknown, tooHigh, badTier]) expect(errorOf(ack).code).toBe(ErrorCode.BadRequest);
    await expectCallStillOpen(open.agent, open.sessionId);
  });

  it('refuses a transfer naming both a queue and an agent, or neither', async () => {
    const open = await openCall(live.pool, 'alice');
    const both = await request(open.agent, 'call:transfer', { sessionId: open.sessionId, queue: 'technical', agentId: 'bob' });
    const neither = await request(open.agent, 'call:transfer', { sessionId: open.sessionId });
    for (const ack of [both, neither]) expect(errorOf(ack).code).toBe(ErrorCode.BadRequest);
  });

  it('refuses a transfer to an agent who is not signed in or not available, and the call goes on', async () => {
    const open = await openCall(live.pool, 'alice');
    expect(errorOf(await request(open.agent, 'call:transfer', { sessionId: open.sessionId, agentId: 'nobody' })).code).toBe(ErrorCode.NotFound);
    await live.pool.agent('bob');
    expect(errorOf(await request(open.agent, 'call:transfer', { sessionId: open.sessionId, agentId: 'bob' })).code).toBe(ErrorCode.InvalidState);
    await expectCallStillOpen(open.agent, open.sessionId);
  });

  it('refuses to transfer a call that is not the agent’s own, and a customer cannot transfer at all', async () => {
    const open = await openCall(live.pool, 'alice');
    const bob = await live.pool.agent('bob');
    expect(errorOf(await request(bob.socket, 'call:transfer', { sessionId: open.sessionId, queue: 'technical' })).code).toBe(ErrorCode.NotFound);
    expect(errorOf(await request(open.customer, 'call:transfer', { sessionId: open.sessionId, queue: 'technical' })).code).toBe(ErrorCode.Forbidden);
    await expectCallStillOpen(open.agent, open.sessionId);
  });
});

describe('service levels over HTTP', () => {
  const live = serverPerTest(accounts);

  it('reports each queue’s waiting customers, answers within target and handle time to a signed-in supervisor', async () => {
    const open = await openCall(live.pool, 'alice');
    await call(open.agent, 'call:end', { sessionId: open.sessionId });
    await live.pool.queuedCustomer();
    const { token } = await loginAgent(live.server.url, 'sam');

    const response = await fetch(`${live.server.url}/api/service-levels`, { headers: { authorization: `Bearer ${token}` } });

    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: { queues: { queue: string }[] } };
    expect(data.queues.map((q) => q.queue)).toEqual(['csl', 'asl', 'hksl', 'voice', 'text', 'technical']);
    expect(data.queues[0]).toMatchObject({ queue: 'csl', waiting: 1, answered: 1, answeredWithinTarget: 1, abandoned: 0, abandonmentRate: 0 });
    expect(data.queues[0]).toHaveProperty('averageHandleSec', expect.any(Number));
  });

  it('refuses the service levels without a token, and to a customer or an agent', async () => {
    const anonymous = await fetch(`${live.server.url}/api/service-levels`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ ok: false, error: { code: ErrorCode.Unauthorized } });
    const customer = await live.pool.queuedCustomer();
    const agent = await loginAgent(live.server.url, 'bob');
    for (const token of [customer.joined.token, agent.token]) {
      const response = await fetch(`${live.server.url}/api/service-levels`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ ok: false, error: { code: ErrorCode.Forbidden } });
    }
  });
});

/** The call is still up: hanging up works (a transferred or ended call would be not found). */
async function expectCallStillOpen(agent: Parameters<typeof call>[0], sessionId: string): Promise<void> {
  await call(agent, 'call:end', { sessionId });
}
