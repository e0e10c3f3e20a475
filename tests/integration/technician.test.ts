import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { ErrorCode, type TechJoinReply } from '../../signaling/index.js';
import type { AgentAccount } from '../../server/auth/AgentDirectory.js';
import { serverPerTest } from '../support/liveServer.js';
import { call, connect, errorOf, once, openCall, postJson, record, refusalOf, request, technicianJoins, tokenOf, type OpenCall, type SocketPool } from '../support/sockets.js';
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

/** A technician without an account joins the call by a one-time link; resolves to their connected socket and token. */
async function guestJoins(open: OpenCall, pool: SocketPool, url: string, name: string): Promise<{ socket: ReturnType<SocketPool['open']>; token: string }> {
  const link = await call(open.agent, 'call:link', { sessionId: open.sessionId });
  const response = await postJson(url, '/api/tech/join', { token: new URLSearchParams(link.path.split('?')[1]).get('join'), name });
  const { token } = ((await response.json()) as { data: TechJoinReply }).data;
  const socket = pool.open({ token });
  await connect(socket);
  await call(socket, 'call:join', { sessionId: open.sessionId });
  return { socket, token };
}

describe('a technician who loses the connection in a call and comes back within the grace period', () => {
  const live = serverPerTest(accounts, { RECONNECT_GRACE_MS: 20_000 });

  it('keeps their seat: the others see them go and come back, and their console starts its media afresh', async () => {
    const open = await openCall(live.pool, 'alice');
    const tess = await live.pool.agent('tess');
    await technicianJoins(open, tess);

    const gone = once(open.customer, 'call:peerConnection', undefined, (p) => !p.connected);
    const goneForAgent = once(open.agent, 'call:peerConnection', undefined, (p) => !p.connected);
    tess.socket.close();
    const lost = { sessionId: open.sessionId, role: 'technician', name: 'Technician tess', connected: false };
    expect(await gone).toEqual(lost);
    expect(await goneForAgent).toEqual(lost);

    const again = live.pool.open({ token: tokenOf(tess.socket) });
    const state = once(again, 'agent:state');
    const started = once(again, 'call:started');
    const back = once(open.customer, 'call:peerConnection', undefined, (p) => p.connected);
    await connect(again);
    // Away to routing, as while helping: no offer reaches them in the call.
    expect(await state).toEqual({ status: 'away' });
    expect(await started).toMatchObject({ sessionId: open.sessionId, role: 'technician', restart: true });
    expect(await back).toEqual({ ...lost, connected: true });
    const seen = once(open.customer, 'call:peerSigning');
    await call(again, 'call:signing', { sessionId: open.sessionId, signing: true });
    expect(await seen).toEqual({ sessionId: open.sessionId, role: 'technician', signing: true });
  });

  it('takes a technician who came by a link back in with the token their page kept, until the call ends', async () => {
    const open = await openCall(live.pool, 'alice');
    const guest = await guestJoins(open, live.pool, live.server.url, 'Wang Lei');
    const gone = once(open.agent, 'call:peerConnection', undefined, (p) => !p.connected);
    guest.socket.close();
    expect(await gone).toMatchObject({ role: 'technician', name: 'Wang Lei', connected: false });

    const again = live.pool.open({ token: guest.token });
    const started = once(again, 'call:started');
    await connect(again);
    expect(await started).toMatchObject({ sessionId: open.sessionId, role: 'technician', restart: true });

    const ended = once(again, 'call:ended');
    await call(open.agent, 'call:end', { sessionId: open.sessionId });
    await ended;
    // The call is over: the token goes with it.
    expect(await refusalOf(live.pool.open({ token: guest.token }))).toBe(ErrorCode.Unauthorized);
  });

  it('does not keep the seat of a technician who hangs up or signs out', async () => {
    const open = await openCall(live.pool, 'alice');
    const guest = await guestJoins(open, live.pool, live.server.url, 'Wang Lei');
    const left = once(guest.socket, 'call:ended');
    await call(guest.socket, 'call:end', { sessionId: open.sessionId });
    expect(await left).toEqual({ sessionId: open.sessionId, reason: 'hangup' });
    expect(await refusalOf(live.pool.open({ token: guest.token }))).toBe(ErrorCode.Unauthorized);

    const tess = await live.pool.agent('tess');
    await technicianJoins(open, tess);
    const peers = record(open.customer, 'call:peerConnection');
    const response = await fetch(`${live.server.url}/api/agent/logout`, { method: 'POST', headers: { authorization: `Bearer ${tokenOf(tess.socket)}` } });
    expect(response.status).toBe(204);
    // Gone at once, not waited for: the transcript says they left, and nobody was told to wait.
    await expect
      .poll(async () => (await call(open.customer, 'text:transcript', { sessionId: open.sessionId })).lines.filter((line) => line.kind === 'event' && line.event === 'left').length)
      .toBe(2);
    expect(peers).toEqual([]);
  });

  it('refuses the hand-over to a technician who lost the connection until they are back', async () => {
    const open = await openCall(live.pool, 'alice');
    const tess = await live.pool.agent('tess');
    await call(open.agent, 'call:invite', { sessionId: open.sessionId, agentId: 'tess', purpose: 'takeover' });
    await call(tess.socket, 'call:join', { sessionId: open.sessionId });
    const gone = once(open.agent, 'call:peerConnection', undefined, (p) => !p.connected);
    tess.socket.close();
    await gone;
    expect(errorOf(await request(open.agent, 'call:handover', { sessionId: open.sessionId })).code).toBe(ErrorCode.InvalidState);

    const again = live.pool.open({ token: tokenOf(tess.socket) });
    const back = once(open.agent, 'call:peerConnection', undefined, (p) => p.connected);
    await connect(again);
    await back;
    const handedOver = once(open.customer, 'call:handedOver');
    await call(open.agent, 'call:handover', { sessionId: open.sessionId });
    expect(await handedOver).toMatchObject({ toAgentId: 'tess' });
  });
});

describe('a technician who does not come back within the grace period', () => {
  const live = serverPerTest(accounts, { RECONNECT_GRACE_MS: 800 });

  it('leaves the call, which goes on: the others stop waiting for them, and a link guest’s token goes', async () => {
    const open = await openCall(live.pool, 'alice');
    const tess = await live.pool.agent('tess');
    await technicianJoins(open, tess);
    const guest = await guestJoins(open, live.pool, live.server.url, 'Wang Lei');
    const customerEnded = record(open.customer, 'call:ended');

    const tessLeft = once(open.customer, 'call:peerConnection', undefined, (p) => p.left === true && p.name === 'Technician tess');
    const guestLeft = once(open.customer, 'call:peerConnection', undefined, (p) => p.left === true && p.name === 'Wang Lei');
    tess.socket.close();
    guest.socket.close();
    expect(await tessLeft).toEqual({ sessionId: open.sessionId, role: 'technician', name: 'Technician tess', connected: false, left: true });
    await guestLeft;

    const { lines } = await call(open.customer, 'text:transcript', { sessionId: open.sessionId });
    expect(lines.filter((line) => line.kind === 'event' && line.event === 'left').map((line) => line.speaker.name)).toEqual(expect.arrayContaining(['Technician tess', 'Wang Lei']));
    expect(customerEnded).toEqual([]);
    expect(await refusalOf(live.pool.open({ token: guest.token }))).toBe(ErrorCode.Unauthorized);
    // Out of the call: a connection with the signed-in technician's token is not taken back in.
    const again = live.pool.open({ token: tokenOf(tess.socket) });
    const startedAgain = record(again, 'call:started');
    await connect(again);
    await call(open.agent, 'call:signing', { sessionId: open.sessionId, signing: true });
    expect(errorOf(await request(again, 'call:signing', { sessionId: open.sessionId, signing: true })).code).toBe(ErrorCode.NotFound);
    expect(startedAgain).toEqual([]);
  });
});
