import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../signaling/index.js';
import type { AgentAccount } from '../../server/auth/AgentDirectory.js';
import { serverPerTest } from '../support/liveServer.js';
import { call, errorOf, once, openCall, record, request, technicianJoins } from '../support/sockets.js';
import { TEST_PASSWORD, testAgent } from '../support/testServer.js';

const technician = (username: string): AgentAccount => ({
  username,
  name: `Technician ${username}`,
  passwordHash: bcrypt.hashSync(TEST_PASSWORD, 4),
  skills: { csl: 4, phone: 5, tier: 2 },
});

const accounts = () => [testAgent('alice', ['csl']), testAgent('bob', ['csl']), technician('tess')];

describe('a technician joining a call in progress', () => {
  const live = serverPerTest(accounts);

  it('gets the invitation with the call’s context, joins as technician and sees everyone’s signing state', async () => {
    const open = await openCall(live.pool, 'alice', { topic: 'Watch does not pair' });
    const tess = await live.pool.agent('tess');
    const invitation = once(tess.socket, 'call:invitation');

    await call(open.agent, 'call:invite', { sessionId: open.sessionId, agentId: 'tess' });

    expect(await invitation).toEqual({ sessionId: open.sessionId, ticketId: open.ticketId, mode: 'csl', topic: 'Watch does not pair', device: 'phone', fromAgent: 'Agent alice', purpose: 'help', note: '' });
    const started = once(tess.socket, 'call:started');
    await call(tess.socket, 'call:join', { sessionId: open.sessionId });
    expect(await started).toMatchObject({ sessionId: open.sessionId, role: 'technician' });

    const seenByAgent = once(open.agent, 'call:peerSigning');
    const seenByTechnician = once(tess.socket, 'call:peerSigning');
    await call(open.customer, 'call:signing', { sessionId: open.sessionId, signing: true });
    const expected = { sessionId: open.sessionId, role: 'customer', signing: true };
    expect(await seenByAgent).toEqual(expected);
    expect(await seenByTechnician).toEqual(expected);
  });

  it('lets the technician leave while the call goes on, and ends it for the technician too when the agent hangs up', async () => {
    const open = await openCall(live.pool, 'alice');
    const tess = await live.pool.agent('tess');
    await technicianJoins(open, tess);
    const customerEnded = record(open.customer, 'call:ended');

    const left = once(tess.socket, 'call:ended');
    await call(tess.socket, 'call:end', { sessionId: open.sessionId });
    expect(await left).toEqual({ sessionId: open.sessionId, reason: 'hangup' });
    await call(open.customer, 'call:signing', { sessionId: open.sessionId, signing: false });
    expect(customerEnded).toEqual([]);

    await call(tess.socket, 'agent:status', { status: 'away' });
    await call(open.agent, 'call:invite', { sessionId: open.sessionId, agentId: 'tess' });
    await call(tess.socket, 'call:join', { sessionId: open.sessionId });
    const technicianEnded = once(tess.socket, 'call:ended');
    await call(open.agent, 'call:end', { sessionId: open.sessionId });
    expect(await technicianEnded).toEqual({ sessionId: open.sessionId, reason: 'hangup' });
  });

  it('refuses to join without an invitation, and keeps the technician out of the call', async () => {
    const open = await openCall(live.pool, 'alice');
    const bob = await live.pool.agent('bob');
    expect(errorOf(await request(bob.socket, 'call:join', { sessionId: open.sessionId })).code).toBe(ErrorCode.NotFound);
    expect(errorOf(await request(bob.socket, 'call:signing', { sessionId: open.sessionId, signing: true })).code).toBe(ErrorCode.NotFound);
  });

  it('refuses an invitation from an agent who is not the call’s, or to an agent who is not signed in', async () => {
    const open = await openCall(live.pool, 'alice');
    const bob = await live.pool.agent('bob');
    expect(errorOf(await request(bob.socket, 'call:invite', { sessionId: open.sessionId, agentId: 'tess' })).code).toBe(ErrorCode.NotFound);
    expect(errorOf(await request(open.agent, 'call:invite', { sessionId: open.sessionId, agentId: 'tess' })).code).toBe(ErrorCode.NotFound);
    expect(errorOf(await request(open.agent, 'call:invite', { sessionId: open.sessionId, agentId: 'alice' })).code).toBe(ErrorCode.InvalidState);
    expect(errorOf(await request(open.customer, 'call:invite', { sessionId: open.sessionId, agentId: 'bob' })).code).toBe(ErrorCode.Forbidden);
  });
});
