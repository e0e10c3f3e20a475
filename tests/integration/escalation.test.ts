import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { ErrorCode, type TechJoinReply } from '../../signaling/index.js';
import type { AgentAccount } from '../../server/auth/AgentDirectory.js';
import { createLogger } from '../../server/logger.js';
import { SqlTicketJournal } from '../../server/records/SqlTicketJournal.js';
import { serverPerTest } from '../support/liveServer.js';
import { joinWithTransport, produceCamera } from '../support/media.js';
import { call, connect, errorOf, once, openCall, postJson, record, request } from '../support/sockets.js';
import { TEST_PASSWORD, testAgent, testTechnician } from '../support/testServer.js';

const engineer = (username: string): AgentAccount => ({
  username,
  name: `Engineer ${username}`,
  passwordHash: bcrypt.hashSync(TEST_PASSWORD, 4),
  skills: { csl: 3, watch: 5, phone: 2, tier: 3 },
});

/** Asks `read` again until `done` holds of its answer (the records are written after the events), for up to 5 s. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const accounts = () => [testAgent('alice', ['csl']), testAgent('bob', ['csl']), testTechnician('tess'), engineer('rd')];

describe('escalating a call: the list of technicians, warm and cold transfers by tier, one-time links', () => {
  const live = serverPerTest(accounts);

  it('lists everyone else online, highest tier first, with skills and state; only to agents', async () => {
    const open = await openCall(live.pool, 'alice');
    const tess = await live.pool.availableAgent('tess');
    await live.pool.agent('rd');

    const { technicians } = await call(open.agent, 'technicians:list', {});
    expect(technicians.map((t) => [t.agentId, t.tier, t.status])).toEqual([
      ['rd', 3, 'away'],
      ['tess', 2, 'available'],
    ]);
    expect(technicians[1]!.skills).toEqual({ csl: 4, phone: 5 });
    expect(technicians[1]!.name).toBe(tess.profile.name);
    expect(errorOf(await request(open.customer, 'technicians:list', {})).code).toBe(ErrorCode.Forbidden);
  });

  it('warm transfer to tier 2: the best free technician joins and is briefed while the first agent stays, then takes the call over', async () => {
    const open = await openCall(live.pool, 'alice', { topic: 'Phone will not charge' });
    const tess = await live.pool.availableAgent('tess');
    const customerEnded = record(open.customer, 'call:ended');
    const coming = once(open.customer, 'call:coming');
    const invitation = once(tess.socket, 'call:invitation');

    const invited = await call(open.agent, 'call:invite', { sessionId: open.sessionId, tier: 2, purpose: 'takeover', note: 'charger checked, port may be damaged' });

    expect(invited).toEqual({ agentId: 'tess', name: tess.profile.name });
    expect(await coming).toEqual({ sessionId: open.sessionId, name: tess.profile.name, tier: 2, purpose: 'takeover', note: 'charger checked, port may be damaged' });
    expect(await invitation).toMatchObject({ sessionId: open.sessionId, topic: 'Phone will not charge', device: 'phone', purpose: 'takeover', note: 'charger checked, port may be damaged' });
    // Nobody to hand over to yet: refused, and the call is as it was.
    expect(errorOf(await request(open.agent, 'call:handover', { sessionId: open.sessionId })).code).toBe(ErrorCode.InvalidState);

    await call(tess.socket, 'call:join', { sessionId: open.sessionId });
    // Briefed: the transcript so far is there for the one taking over.
    const { lines } = await call(tess.socket, 'text:transcript', { sessionId: open.sessionId });
    expect(lines.map((line) => line.text)).toContain('Agent alice invited Technician Tess to take the call over: charger checked, port may be damaged');
    // Only the call's agent can hand it over, and a technician cannot invite yet.
    expect(errorOf(await request(tess.socket, 'call:handover', { sessionId: open.sessionId })).code).toBe(ErrorCode.NotFound);

    const aliceLeft = once(open.agent, 'call:ended');
    const aliceFree = once(open.agent, 'agent:state', undefined, (state) => state.status === 'available');
    const tessInCall = once(tess.socket, 'agent:state', undefined, (state) => state.status === 'in-call');
    const handedOver = once(open.customer, 'call:handedOver');
    await call(open.agent, 'call:handover', { sessionId: open.sessionId });

    expect(await aliceLeft).toEqual({ sessionId: open.sessionId, reason: 'transferred' });
    expect(await handedOver).toEqual({ sessionId: open.sessionId, fromName: 'Agent alice', toAgentId: 'tess', toName: tess.profile.name });
    await aliceFree;
    // Routing counts Tess in the call from now (offered nothing), no longer away.
    await tessInCall;
    expect(customerEnded).toEqual([]);
    // Tess has the call now: she can invite, and the old agent is out of it.
    await live.pool.agent('rd');
    await call(tess.socket, 'call:invite', { sessionId: open.sessionId, agentId: 'rd', purpose: 'help' });
    expect(errorOf(await request(open.agent, 'call:signing', { sessionId: open.sessionId, signing: true })).code).toBe(ErrorCode.NotFound);
    const customerSeesEnd = once(open.customer, 'call:ended');
    const tessWrapsUp = once(tess.socket, 'agent:state', undefined, (state) => state.status === 'wrap-up');
    await call(tess.socket, 'call:end', { sessionId: open.sessionId });
    expect(await customerSeesEnd).toEqual({ sessionId: open.sessionId, reason: 'hangup' });
    // The one who finished the call writes its wrap-up.
    await tessWrapsUp;

    // The ticket's history in the records: who escalated to which tier, who handed over to whom, the end, the wrap-up.
    const journal = new SqlTicketJournal(live.records, createLogger('error'));
    const history = await until(() => journal.history(open.ticketId), (events) => events.at(-1)?.kind === 'wrap-up');
    expect(history.map((e) => [e.kind, e.actor, e.detail])).toEqual([
      ['opened', 'customer', { queue: 'csl', category: expect.any(String) }],
      ['in-call', 'agent:alice', { sessionId: open.sessionId }],
      ['escalated', 'agent:alice', { tier: 2, how: 'warm' }],
      ['handed-over', 'agent:alice', { to: 'tess' }],
      ['ended', 'system', { reason: 'hangup' }],
      ['wrap-up', 'agent:tess', { until: expect.any(Number) }],
    ]);
    expect(await journal.find(open.ticketId)).toMatchObject({ status: 'ended', agentId: 'tess' });
  });

  it("stays up when the first agent signs off after handing it over, though the call's media shares her station's router", async () => {
    const alice = await live.pool.agent('alice');
    const { stationId } = await call(alice.socket, 'station:join', {});
    await produceCamera(alice.socket, stationId, await joinWithTransport(alice.socket, stationId, 'send'), 4444);
    const open = await openCall(live.pool, 'alice');
    const tess = await live.pool.availableAgent('tess');
    await call(open.agent, 'call:invite', { sessionId: open.sessionId, agentId: 'tess', purpose: 'takeover' });
    await call(tess.socket, 'call:join', { sessionId: open.sessionId });
    await call(open.agent, 'call:handover', { sessionId: open.sessionId });
    const customerEnded = record(open.customer, 'call:ended');

    alice.socket.disconnect();
    open.agent.disconnect();
    // Wait until the server has seen her go (she leaves the list of who is online), station and all.
    for (;;) {
      const { technicians } = await call(tess.socket, 'technicians:list', {});
      if (!technicians.some((t) => t.agentId === 'alice')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    // The call's room still works: the customer joins its media afresh and the call was never ended.
    const { joined } = await joinWithTransport(open.customer, open.sessionId, 'recv');
    expect(joined.producers).toEqual([]);
    expect(customerEnded).toEqual([]);
  });

  it('says clearly when no agent of the tier is free, and changes nothing', async () => {
    const open = await openCall(live.pool, 'alice');
    await live.pool.agent('rd'); // online but away: not free
    const coming = record(open.customer, 'call:coming');
    const refused = errorOf(await request(open.agent, 'call:invite', { sessionId: open.sessionId, tier: 3, purpose: 'takeover' }));
    expect(refused.code).toBe(ErrorCode.NotFound);
    expect(refused.message).toMatch(/no tier-3 agent is free/);
    expect(errorOf(await request(open.agent, 'call:invite', { sessionId: open.sessionId, tier: 2, agentId: 'tess' })).code).toBe(ErrorCode.BadRequest);
    await call(open.customer, 'call:signing', { sessionId: open.sessionId, signing: true });
    expect(coming).toEqual([]);
  });

  it('cold transfer to tier 3: the customer is told where the call goes and why, and only a tier-3 agent is offered it', async () => {
    const open = await openCall(live.pool, 'alice', { device: 'watch', topic: 'Watch firmware crash' });
    const tess = await live.pool.availableAgent('tess');
    const tessOffers = record(tess.socket, 'offer:new');
    const coming = once(open.customer, 'call:coming');
    const ended = once(open.customer, 'call:ended');
    await call(open.agent, 'call:transfer', { sessionId: open.sessionId, queue: 'technical', tier: 3, note: 'crash log attached to the ticket' });
    expect(await coming).toEqual({ sessionId: open.sessionId, name: 'tier 3', tier: 3, purpose: 'transfer', note: 'crash log attached to the ticket' });
    expect(await ended).toEqual({ sessionId: open.sessionId, reason: 'transferred' });

    const rd = await live.pool.availableAgent('rd');
    const offer = await rd.offer;
    expect(offer).toMatchObject({ ticketId: open.ticketId, transfer: { fromAgent: 'Agent alice', note: 'crash log attached to the ticket' } });
    expect(tessOffers).toEqual([]);
  });

  it('a one-time link lets a technician without an account into that call once, for that call only', async () => {
    const open = await openCall(live.pool, 'alice');
    const other = await openCall(live.pool, 'bob');
    const link = await call(open.agent, 'call:link', { sessionId: open.sessionId });
    expect(link.path).toMatch(/^\/tech\?join=[\w-]{32}$/);
    expect(link.expiresAt - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(errorOf(await request(open.customer, 'call:link', { sessionId: open.sessionId })).code).toBe(ErrorCode.Forbidden);
    const token = new URLSearchParams(link.path.split('?')[1]).get('join')!;

    const coming = once(open.customer, 'call:coming');
    const first = await postJson(live.server.url, '/api/tech/join', { token, name: 'Wang Lei' });
    expect(first.status).toBe(200);
    const joined = ((await first.json()) as { data: TechJoinReply }).data;
    expect(joined.sessionId).toBe(open.sessionId);
    expect(await coming).toMatchObject({ name: 'Wang Lei', tier: null, purpose: 'help' });

    const second = await postJson(live.server.url, '/api/tech/join', { token, name: 'Someone else' });
    expect(second.status).toBe(410);
    expect(await second.json()).toMatchObject({ ok: false, error: { code: ErrorCode.LinkInvalid, message: expect.stringMatching(/used already/) } });
    expect((await postJson(live.server.url, '/api/tech/join', { token: 'x'.repeat(32), name: 'Guess' })).status).toBe(410);
    expect((await postJson(live.server.url, '/api/tech/join', { token, name: '' })).status).toBe(400);

    // The guides, to walk the customer through a fix; the agents' canned replies stay theirs.
    const asGuest = (path: string) => fetch(`${live.server.url}${path}`, { headers: { authorization: `Bearer ${joined.token}` } });
    expect((await asGuest('/api/guides')).status).toBe(200);
    expect((await asGuest('/api/canned-replies')).status).toBe(403);

    const guest = live.pool.open({ token: joined.token });
    await connect(guest);
    // Only that call: another call, agent events and queue events are refused.
    expect(errorOf(await request(guest, 'call:join', { sessionId: other.sessionId })).code).toBe(ErrorCode.NotFound);
    expect(errorOf(await request(guest, 'agent:status', { status: 'available' })).code).toBe(ErrorCode.Forbidden);
    expect(errorOf(await request(guest, 'queue:join', { mode: 'csl', topic: 'x', device: 'phone' })).code).toBe(ErrorCode.Forbidden);
    expect(errorOf(await request(guest, 'call:signing', { sessionId: other.sessionId, signing: true })).code).toBe(ErrorCode.NotFound);

    const started = once(guest, 'call:started');
    await call(guest, 'call:join', { sessionId: open.sessionId });
    expect(await started).toMatchObject({ sessionId: open.sessionId, role: 'technician' });
    const seen = once(open.agent, 'call:peerSigning');
    await call(guest, 'call:signing', { sessionId: open.sessionId, signing: true });
    expect(await seen).toEqual({ sessionId: open.sessionId, role: 'technician', signing: true });
    // Joining again is refused: the invitation the link made is spent.
    expect(errorOf(await request(guest, 'call:join', { sessionId: open.sessionId })).code).toBe(ErrorCode.NotFound);
  });
});
