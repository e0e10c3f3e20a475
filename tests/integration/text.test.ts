import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { cannedRepliesSchema, ErrorCode, T140, type CannedReplies, type TranscriptLine } from '../../signaling/index.js';
import type { AgentAccount } from '../../server/auth/AgentDirectory.js';
import { sfuJoin } from '../support/media.js';
import { serverPerTest } from '../support/liveServer.js';
import { call, errorOf, loginAgent, once, openCall, rawRequest, record, request, technicianJoins } from '../support/sockets.js';
import { TEST_PASSWORD, testAgent } from '../support/testServer.js';

const technician = (username: string): AgentAccount => ({
  username,
  name: `Technician ${username}`,
  passwordHash: bcrypt.hashSync(TEST_PASSWORD, 4),
  skills: { csl: 4, phone: 5, tier: 2 },
});

const PAUSE_MS = 600;

/** Resolves once `lines` holds `count` lines (pushes arrive on their own time), or fails after 5 s. */
async function linesReach(lines: { line: TranscriptLine }[], count: number): Promise<TranscriptLine[]> {
  const deadline = Date.now() + 5000;
  while (lines.length < count) {
    if (Date.now() > deadline) throw new Error(`only ${lines.length} of ${count} transcript lines arrived: ${JSON.stringify(lines)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return lines.map((pushed) => pushed.line);
}

describe('real-time text, chat and the transcript of a call (Socket.IO path, real server and SFU worker)', () => {
  const live = serverPerTest(() => [testAgent('alice', ['csl', 'text']), testAgent('bob', ['csl']), technician('tess')], { RTT_LINE_PAUSE_MS: PAUSE_MS });

  it('passes real-time text on as typed to the others only, and records a line at a line separator and after a pause', async () => {
    const open = await openCall(live.pool, 'alice', { mode: 'text' });
    const agentHears = record(open.agent, 'text:rtt');
    const customerHears = record(open.customer, 'text:rtt');
    // The transcript's reply comes after the pushes of every line stored so far (the joins), so recording after it
    // sees only what the typing adds.
    const startLines = (await call(open.agent, 'text:transcript', { sessionId: open.sessionId })).lines.length;
    const lines = record(open.agent, 'transcript:line');

    for (const chunk of ['my', ' wach', T140.backspace.repeat(2), 'tch', ` is off${T140.lineSeparator}it `]) {
      await call(open.customer, 'text:rtt', { sessionId: open.sessionId, text: chunk });
    }
    await call(open.agent, 'text:rtt', { sessionId: open.sessionId, text: 'which model?' });

    // The line separator closes the customer's first line at once; the open lines close after the pause.
    const recorded = await linesReach(lines, 3);
    expect(recorded[0]).toMatchObject({ kind: 'rtt', text: 'my watch is off', speaker: { role: 'customer' } });
    expect(recorded.slice(1).map((line) => `${line.speaker.role}: ${line.text}`).sort()).toEqual(['agent: which model?', 'customer: it ']);
    expect(agentHears.map((pushed) => pushed.text).join('')).toBe(`my wach${T140.backspace.repeat(2)}tch is off${T140.lineSeparator}it `);
    expect(agentHears.every((pushed) => pushed.speaker.role === 'customer')).toBe(true);
    expect(customerHears.map((pushed) => pushed.text)).toEqual(['which model?']);
    const transcript = await call(open.customer, 'text:transcript', { sessionId: open.sessionId });
    expect(transcript.lines).toHaveLength(startLines + 3);
  });

  it('marks a chat message sent (ack) and delivered (the other page received it), and a resend changes nothing', async () => {
    const open = await openCall(live.pool, 'alice');
    const received = once(open.agent, 'text:chat');
    const sent = await call(open.customer, 'text:chat', { sessionId: open.sessionId, clientId: 'c-1', text: 'Is the screen on?' });
    const message = await received;
    expect(message).toMatchObject({ sessionId: open.sessionId, messageId: sent.messageId, text: 'Is the screen on?', speaker: { role: 'customer' } });

    const mark = once(open.customer, 'text:chatMark');
    await call(open.agent, 'text:chatDelivered', { sessionId: open.sessionId, messageId: sent.messageId });
    expect(await mark).toEqual({ sessionId: open.sessionId, messageId: sent.messageId, mark: 'delivered', by: 'agent' });

    const again = await call(open.customer, 'text:chat', { sessionId: open.sessionId, clientId: 'c-1', text: 'Is the screen on?' });
    expect(again).toEqual(sent);
    const chats = (await call(open.agent, 'text:transcript', { sessionId: open.sessionId })).lines.filter((line) => line.kind === 'chat');
    expect(chats.map((line) => line.text)).toEqual(['Is the screen on?']);
  });

  it('keeps one transcript per ticket in order: joins, invitation, chat, RTT, a technician leaving, the end', async () => {
    const open = await openCall(live.pool, 'alice');
    const tess = await live.pool.agent('tess');
    await technicianJoins(open, tess);
    await call(open.customer, 'text:chat', { sessionId: open.sessionId, clientId: 'm', text: 'hello' });
    await call(tess.socket, 'text:rtt', { sessionId: open.sessionId, text: `restart it${T140.lineSeparator}` });
    const before = (await call(open.customer, 'text:transcript', { sessionId: open.sessionId })).lines;
    const customerLines = record(open.customer, 'transcript:line');
    await call(tess.socket, 'call:end', { sessionId: open.sessionId });
    const ended = once(open.customer, 'call:ended');
    await call(open.agent, 'call:end', { sessionId: open.sessionId });
    await ended;

    const lines = [...before, ...(await linesReach(customerLines, 2))];
    expect(lines.map((line) => line.seq)).toEqual(lines.map((_line, i) => i + 1));
    expect(lines.map((line) => [line.kind, line.event ?? line.text, line.speaker.role])).toEqual([
      ['event', 'joined', 'customer'],
      ['event', 'joined', 'agent'],
      ['event', 'technician-invited', 'agent'],
      ['event', 'joined', 'technician'],
      ['chat', 'hello', 'customer'],
      ['rtt', 'restart it', 'technician'],
      ['event', 'left', 'technician'],
      ['event', 'ended', 'agent'],
    ]);
  });

  it('refuses bad text with a coded error and changes nothing: control characters, oversize, floods, strangers', async () => {
    const open = await openCall(live.pool, 'alice');
    const agentHears = record(open.agent, 'text:rtt');
    const stranger = await live.pool.agent('bob');
    const bad: [string, unknown, ErrorCode][] = [
      ['text:rtt', { sessionId: open.sessionId, text: 'a\u001b[2Jb' }, ErrorCode.BadRequest],
      ['text:rtt', { sessionId: open.sessionId, text: 'line\nbreak' }, ErrorCode.BadRequest],
      ['text:rtt', { sessionId: open.sessionId, text: '' }, ErrorCode.BadRequest],
      ['text:rtt', { sessionId: open.sessionId, text: 'x'.repeat(5000) }, ErrorCode.BadRequest],
      ['text:chat', { sessionId: open.sessionId, clientId: 'x', text: 'x'.repeat(2001) }, ErrorCode.BadRequest],
      ['text:chat', { sessionId: open.sessionId, clientId: 'x', text: 'bell\u0007' }, ErrorCode.BadRequest],
      ['text:chat', { sessionId: open.sessionId, clientId: 'x', text: '   ' }, ErrorCode.BadRequest],
      ['text:chatDelivered', { sessionId: open.sessionId, messageId: 'no-such-message' }, ErrorCode.NotFound],
    ];
    for (const [event, payload, code] of bad) expect(errorOf(await rawRequest(open.customer, event, payload)), `${event} ${JSON.stringify(payload).slice(0, 60)}`).toMatchObject({ code });
    expect(errorOf(await request(stranger.socket, 'text:rtt', { sessionId: open.sessionId, text: 'hi' })).code).toBe(ErrorCode.NotFound);
    expect(errorOf(await request(stranger.socket, 'text:transcript', { sessionId: open.sessionId })).code).toBe(ErrorCode.NotFound);
    // Nor can a stranger open a data channel in the call, and only reliable T.140 and annotation channels are taken at all.
    const stream = { streamId: 1, ordered: true as const };
    expect(errorOf(await request(stranger.socket, 'media:produceData', { sessionId: open.sessionId, transportId: 't', sctpStreamParameters: stream, label: 't140', protocol: 't140' })).code).toBe(ErrorCode.NotFound);
    expect(errorOf(await request(stranger.socket, 'media:consumeInbox', { sessionId: open.sessionId, transportId: 't' })).code).toBe(ErrorCode.NotFound);
    for (const payload of [
      { sessionId: open.sessionId, transportId: 't', sctpStreamParameters: stream, label: 'pointer', protocol: 't140' },
      { sessionId: open.sessionId, transportId: 't', sctpStreamParameters: stream, label: 'annotation', protocol: 't140' },
      { sessionId: open.sessionId, transportId: 't', sctpStreamParameters: { streamId: 1, ordered: false }, label: 't140', protocol: 't140' },
      { sessionId: open.sessionId, transportId: 't', sctpStreamParameters: { streamId: 1, maxRetransmits: 0 }, label: 't140', protocol: 't140' },
    ]) {
      expect(errorOf(await rawRequest(open.customer, 'media:produceData', payload)).code).toBe(ErrorCode.BadRequest);
    }

    // A flood is cut by the per-connection rate limit; what got through before it arrived whole and in order.
    const flood = await Promise.all(Array.from({ length: 150 }, (_v, i) => request(open.customer, 'text:rtt', { sessionId: open.sessionId, text: String(i % 10) })));
    const refused = flood.filter((ack) => !ack.ok);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((ack) => errorOf(ack).code === ErrorCode.RateLimited)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const accepted = flood.map((ack, i) => (ack.ok ? String(i % 10) : '')).join('');
    expect(agentHears.map((pushed) => pushed.text).join('')).toBe(accepted);
    const transcript = await call(open.agent, 'text:transcript', { sessionId: open.sessionId });
    expect(transcript.lines.every((line) => line.kind === 'event')).toBe(true);
  });
});

describe('canned replies over HTTP', () => {
  const live = serverPerTest(() => [testAgent('alice', ['csl', 'text'])]);

  it('gives signed-in staff the configured replies in both languages and refuses anyone else', async () => {
    const { token } = await loginAgent(live.server.url, 'alice');
    const response = await fetch(`${live.server.url}/api/canned-replies`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: CannedReplies };
    expect(cannedRepliesSchema.parse(data)).toEqual(data);
    expect(data.en.map((reply) => reply.id)).toEqual(data['zh-CN'].map((reply) => reply.id));
    expect(data['zh-CN'].find((reply) => reply.id === 'greet')?.text).toMatch(/您好/);

    const customer = await live.pool.queuedCustomer();
    // No token is unauthenticated; a customer's token is known but not staff's.
    const refusals: [Record<string, string>, number, ErrorCode][] = [
      [{}, 401, ErrorCode.Unauthorized],
      [{ authorization: `Bearer ${customer.joined.token}` }, 403, ErrorCode.Forbidden],
    ];
    for (const [headers, status, code] of refusals) {
      const refused = await fetch(`${live.server.url}/api/canned-replies`, { headers });
      expect(refused.status).toBe(status);
      expect(await refused.json()).toMatchObject({ ok: false, error: { code } });
    }
  });
});

describe('data channels for real-time text, and the operator switch', () => {
  const on = serverPerTest(() => [testAgent('alice', ['csl', 'text'])]);
  const off = serverPerTest(() => [testAgent('alice', ['csl', 'text'])], { RTT_DATA_CHANNELS: 'off' });

  it('offers SCTP on both transports of a call that asks for data, never on a station, and none when turned off', async () => {
    const open = await openCall(on.pool, 'alice', { mode: 'text' });
    const joined = await sfuJoin(open.customer, { sessionId: open.sessionId, send: false, data: true });
    expect(joined.recvTransport.sctpParameters).toMatchObject({ port: 5000, maxMessageSize: expect.any(Number) });
    expect(joined.sendTransport?.sctpParameters).toBeDefined();
    const mediaOnly = await sfuJoin(open.agent, { sessionId: open.sessionId, send: false });
    expect(mediaOnly.sendTransport).toBeUndefined();
    expect(mediaOnly.recvTransport.sctpParameters).toBeUndefined();
    const { stationId } = await call(open.agent, 'station:join', {});
    const station = await sfuJoin(open.agent, { sessionId: stationId, send: true, data: true });
    expect(station.recvTransport.sctpParameters).toBeUndefined();

    const plain = await openCall(off.pool, 'alice', { mode: 'text' });
    const refused = await sfuJoin(plain.customer, { sessionId: plain.sessionId, send: false, data: true });
    expect(refused.recvTransport.sctpParameters).toBeUndefined();
    expect(refused.sendTransport).toBeUndefined();
    expect(errorOf(await request(plain.customer, 'media:consumeInbox', { sessionId: plain.sessionId, transportId: refused.recvTransport.id })).code).toBe(ErrorCode.InvalidState);
  });
});
