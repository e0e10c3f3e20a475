import { describe, expect, it } from 'vitest';
import {
  envelopeSchema,
  ErrorCode,
  serviceLevelsReplySchema,
  type ServiceLevelsReply,
  surveyAnswerSchema,
  ticketProgressSchema,
  type Ack,
  type QueueJoin,
  type SurveySubmit,
  type TicketProgress,
} from '../../signaling/index.js';
import { serverPerTest, type LiveServer } from '../support/liveServer.js';
import { call, connect, errorOf, loginAgent, okData, once, openCall, record, request, type OpenCall } from '../support/sockets.js';
import { testAgent, testSupervisor } from '../support/testServer.js';

const SQL = `'); DROP TABLE surveys; -- " OR 1=1; SELECT pg_sleep(10); --`;

/** GET /api/tickets/:id with the secret (or any Authorization header) as given. */
async function getProgress(live: LiveServer, ticketId: string, secret?: string): Promise<{ status: number; body: Ack<unknown> }> {
  const response = await fetch(`${live.server.url}/api/tickets/${encodeURIComponent(ticketId)}`, secret === undefined ? {} : { headers: { authorization: `Bearer ${secret}` } });
  return { status: response.status, body: (await response.json()) as Ack<unknown> };
}

async function progressOf(live: LiveServer, ticketId: string, secret: string): Promise<TicketProgress> {
  const { body } = await getProgress(live, ticketId, secret);
  return okData(envelopeSchema(ticketProgressSchema).parse(body) as Ack<TicketProgress>);
}

async function postSurvey(live: LiveServer, ticketId: string, secret: string, body: unknown): Promise<{ status: number; body: Ack<unknown> }> {
  const response = await fetch(`${live.server.url}/api/tickets/${encodeURIComponent(ticketId)}/survey`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Ack<unknown> };
}

/** A socket watching a ticket's progress, as the progress page opens it. */
async function watcher(live: LiveServer, ticketId: string, secret: string) {
  const socket = live.pool.open();
  await connect(socket);
  const view = await call(socket, 'progress:watch', { ticketId, secret });
  return { socket, view };
}

/**
 * A call that `ender` hung up, once its end is written to the records (a watcher heard it) and routing freed the
 * agent for the next call.
 */
async function endedCall(live: LiveServer, agent: string, join: Partial<QueueJoin> = {}, ender: 'agent' | 'customer' = 'agent'): Promise<OpenCall> {
  const open = await openCall(live.pool, agent, join);
  const { socket } = await watcher(live, open.ticketId, open.secret);
  const ended = once(socket, 'progress:update', 5000, (update) => update.status === 'ended');
  const freed = once(open.agent, 'agent:state', 5000, (state) => state.status !== 'in-call');
  await call(open[ender], 'call:end', { sessionId: open.sessionId });
  await Promise.all([ended, freed]);
  socket.close();
  open.agent.close();
  return open;
}

/** Every value of every row of the progress tables and the keys, as text: what a copy of the database shows. */
async function rawText(live: LiveServer): Promise<string> {
  const rows = [
    ...(await live.records.query<Record<string, unknown>>('SELECT * FROM surveys')),
    ...(await live.records.query<Record<string, unknown>>('SELECT * FROM ticket_access')),
    ...(await live.records.query<Record<string, unknown>>('SELECT * FROM record_keys')),
  ];
  return rows
    .flatMap((row) => Object.values(row).map((value) => (value instanceof Uint8Array ? Buffer.from(value).toString('latin1') + Buffer.from(value).toString('utf8') : JSON.stringify(value))))
    .join('\n');
}

describe('the ticket progress page and the satisfaction survey (real server, records in PostgreSQL)', () => {
  // Agents take call after call here: no wrap-up time between them.
  const live = serverPerTest(() => [testAgent('alice', ['csl', 'voice']), testAgent('bob', ['csl', 'voice']), testSupervisor('sue')], { WRAP_UP_SEC: 0 });

  it('opens a ticket only with its secret: none is UNAUTHORIZED, a wrong one and an unknown ticket the same NOT_FOUND', async () => {
    const { joined } = await live.pool.queuedCustomer();
    expect(joined.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await progressOf(live, joined.ticketId, joined.secret))).toMatchObject({ ticketId: joined.ticketId, status: 'queued', queue: 'csl' });

    const missing = await getProgress(live, joined.ticketId);
    expect(missing).toMatchObject({ status: 401, body: { ok: false, error: { code: ErrorCode.Unauthorized } } });
    const wrongSecret = await getProgress(live, joined.ticketId, `${joined.secret.slice(0, -1)}${joined.secret.endsWith('A') ? 'B' : 'A'}`);
    const unknownTicket = await getProgress(live, 'SL-ZZZ-ZZZ', joined.secret);
    expect(wrongSecret.status).toBe(404);
    expect(unknownTicket.status).toBe(404);
    expect(errorOf(wrongSecret.body).code).toBe(ErrorCode.NotFound);
    // The two answers differ only in the id the caller gave.
    expect(errorOf(wrongSecret.body).message.replace(joined.ticketId, 'X')).toBe(errorOf(unknownTicket.body).message.replace('SL-ZZZ-ZZZ', 'X'));
    const socket = live.pool.open();
    await connect(socket);
    expect(errorOf(await request(socket, 'progress:watch', { ticketId: joined.ticketId, secret: 'A'.repeat(43) })).code).toBe(ErrorCode.NotFound);
    expect(errorOf(await request(socket, 'progress:watch', { ticketId: joined.ticketId, secret: 'short' })).code).toBe(ErrorCode.BadRequest);

    // Only the secret's SHA-256 is stored.
    expect(await rawText(live)).not.toContain(joined.secret);
    expect(await live.records.query('SELECT 1 FROM ticket_access WHERE ticket_id = $1', [joined.ticketId])).toHaveLength(1);
  });

  it('pushes each change of a watched ticket while the page is open, and nothing to a watcher with a wrong secret', async () => {
    const { socket: customer, joined } = await live.pool.queuedCustomer();
    const { socket, view } = await watcher(live, joined.ticketId, joined.secret);
    expect(view.steps.map((step) => [step.kind, step.by])).toEqual([['opened', 'you']]);
    const updates = record(socket, 'progress:update');
    const intruder = live.pool.open();
    await connect(intruder);
    await request(intruder, 'progress:watch', { ticketId: joined.ticketId, secret: 'B'.repeat(43) });
    const intruderHears = record(intruder, 'progress:update');

    const inCall = once(socket, 'progress:update', 5000, (update) => update.status === 'in-call');
    const agent = await live.pool.availableAgent('alice');
    const started = once(customer, 'call:started');
    await call(agent.socket, 'offer:accept', { offerId: (await agent.offer).offerId });
    const { sessionId } = await started;
    expect((await inCall).step).toMatchObject({ kind: 'in-call', by: 'agent', seq: 2 });

    const ended = once(socket, 'progress:update', 5000, (update) => update.status === 'ended');
    await call(customer, 'call:end', { sessionId });
    expect((await ended).step).toMatchObject({ kind: 'ended', by: 'system', seq: 3 });
    expect(updates.map((update) => update.step.seq)).toEqual([2, 3]);
    expect(intruderHears).toEqual([]);
  });

  it('shows the status, a history with no agent or session ids, the transcript to save, and the open survey after the call', async () => {
    const open = await openCall(live.pool, 'alice');
    await call(open.customer, 'text:chat', { sessionId: open.sessionId, clientId: 'c1', text: 'My Wi-Fi drops every hour' });
    const { socket } = await watcher(live, open.ticketId, open.secret);
    const ended = once(socket, 'progress:update', 5000, (update) => update.status === 'ended');
    await call(open.agent, 'call:end', { sessionId: open.sessionId });
    await ended;

    const progress = (await progressOf(live, open.ticketId, open.secret));
    expect(progress).toMatchObject({ status: 'ended', queue: 'csl', survey: null, surveyOpen: true });
    expect(progress.steps.map((step) => step.kind)).toEqual(['opened', 'in-call', 'ended']);
    expect(progress.transcript.some((line) => line.text === 'My Wi-Fi drops every hour')).toBe(true);
    const { agent: profile } = await loginAgent(live.server.url, 'alice');
    const raw = JSON.stringify(progress.steps);
    expect(raw).not.toContain(profile.id);
    expect(raw).not.toContain(open.sessionId);
  });

  it('takes one survey per ticket once its call is over: before that INVALID_STATE, a second one CONFLICT, and nothing changes', async () => {
    const { socket: waiting, joined } = await live.pool.queuedCustomer();
    expect(await postSurvey(live, joined.ticketId, joined.secret, { rating: 5, solved: true })).toMatchObject({ status: 409, body: { error: { code: ErrorCode.InvalidState } } });
    await call(waiting, 'queue:leave', {});

    const open = await endedCall(live, 'alice');
    expect(await postSurvey(live, open.ticketId, 'C'.repeat(43), { rating: 5, solved: true })).toMatchObject({ status: 404, body: { error: { code: ErrorCode.NotFound } } });
    for (const bad of [{ rating: 6, solved: true }, { rating: 4 }, { rating: 4, solved: true, extra: 1 }, { rating: 4, solved: true, comment: 'x'.repeat(1001) }]) {
      expect((await postSurvey(live, open.ticketId, open.secret, bad)).body).toMatchObject({ ok: false, error: { code: ErrorCode.BadRequest } });
    }
    const first = await postSurvey(live, open.ticketId, open.secret, { rating: 4, solved: true, comment: 'Thank you, patient and clear' });
    expect(first.status).toBe(201);
    expect(surveyAnswerSchema.parse((first.body as { data: unknown }).data)).toMatchObject({ rating: 4, solved: true, comment: 'Thank you, patient and clear' });
    const second = await postSurvey(live, open.ticketId, open.secret, { rating: 1, solved: false, comment: 'changed my mind' });
    expect(second).toMatchObject({ status: 409, body: { ok: false, error: { code: ErrorCode.Conflict } } });

    const progress = (await progressOf(live, open.ticketId, open.secret));
    expect(progress).toMatchObject({ surveyOpen: false, survey: { rating: 4, solved: true, comment: 'Thank you, patient and clear' } });
    expect(await live.records.query('SELECT rating FROM surveys')).toEqual([{ rating: 4 }]);
  });

  it('seals the survey comment: the raw tables hold none of it, and a tampered or moved comment is RECORD_TAMPERED', async () => {
    const [first, second] = [await endedCall(live, 'alice'), await endedCall(live, 'alice')];
    const comment = 'my router password is hunter2 路由器';
    await postSurvey(live, first.ticketId, first.secret, { rating: 2, solved: false, comment });
    await postSurvey(live, second.ticketId, second.secret, { rating: 5, solved: true, comment: 'second ticket comment' });
    const raw = await rawText(live);
    for (const plain of ['hunter2', '路由器', 'second ticket comment']) expect(raw).not.toContain(plain);
    expect((await progressOf(live, first.ticketId, first.secret)).survey?.comment).toBe(comment);

    // One bit flipped in storage.
    await live.records.query('UPDATE surveys SET comment_sealed = set_byte(comment_sealed, 20, get_byte(comment_sealed, 20) # 1) WHERE ticket_id = $1', [first.ticketId]);
    const tampered = await getProgress(live, first.ticketId, first.secret);
    expect(tampered).toMatchObject({ status: 500, body: { ok: false, error: { code: ErrorCode.RecordTampered } } });
    expect(JSON.stringify(tampered.body)).not.toContain('hunter2');
    // Another ticket's comment copied over this one's: it opens only on its own row.
    await live.records.query('UPDATE surveys SET comment_sealed = (SELECT comment_sealed FROM surveys WHERE ticket_id = $1) WHERE ticket_id = $2', [second.ticketId, first.ticketId]);
    expect((await getProgress(live, first.ticketId, first.secret)).body).toMatchObject({ error: { code: ErrorCode.RecordTampered } });
    expect(await live.records.query('SELECT rating FROM surveys ORDER BY rating')).toEqual([{ rating: 2 }, { rating: 5 }]);
  });

  it('keeps SQL-looking strings verbatim and harmless in the topic, the chat, the comment, the ticket id and the secret', async () => {
    const open = await openCall(live.pool, 'alice', { topic: SQL.slice(0, 120) });
    await call(open.customer, 'text:chat', { sessionId: open.sessionId, clientId: 'sql', text: SQL });
    const { socket } = await watcher(live, open.ticketId, open.secret);
    const ended = once(socket, 'progress:update', 5000, (update) => update.status === 'ended');
    await call(open.agent, 'call:end', { sessionId: open.sessionId });
    await ended;
    expect((await postSurvey(live, open.ticketId, open.secret, { rating: 3, solved: false, comment: SQL })).status).toBe(201);

    const progress = (await progressOf(live, open.ticketId, open.secret));
    expect(progress.survey?.comment).toBe(SQL);
    expect(progress.transcript.some((line) => line.text === SQL)).toBe(true);
    expect((await getProgress(live, SQL.slice(0, 60), open.secret)).status).toBe(404);
    expect((await getProgress(live, open.ticketId, SQL)).status).toBe(404);
    expect((await postSurvey(live, SQL.slice(0, 60), SQL, { rating: 1, solved: false, comment: SQL })).status).toBe(404);
    expect(await live.records.query('SELECT count(*)::int AS n FROM surveys')).toEqual([{ n: 1 }]);
  });

  it('reports CSAT, the share of surveys rated 4 or 5, per queue and per agent in the service levels', async () => {
    const rate = async (agent: string, mode: 'csl' | 'voice', answer: SurveySubmit) => {
      const open = await endedCall(live, agent, { mode }, 'customer');
      expect((await postSurvey(live, open.ticketId, open.secret, answer)).status).toBe(201);
    };
    await rate('alice', 'csl', { rating: 5, solved: true });
    await rate('alice', 'csl', { rating: 2, solved: false });
    await rate('bob', 'csl', { rating: 4, solved: true });
    await rate('bob', 'voice', { rating: 3, solved: true });

    const { token } = await loginAgent(live.server.url, 'sue');
    const response = await fetch(`${live.server.url}/api/service-levels`, { headers: { authorization: `Bearer ${token}` } });
    const { csat } = okData(envelopeSchema(serviceLevelsReplySchema).parse(await response.json()) as Ack<ServiceLevelsReply>);
    expect(csat?.queues).toEqual([
      { queue: 'csl', responses: 3, satisfied: 2, csat: 2 / 3 },
      { queue: 'voice', responses: 1, satisfied: 0, csat: 0 },
    ]);
    const ids = { alice: (await loginAgent(live.server.url, 'alice')).agent.id, bob: (await loginAgent(live.server.url, 'bob')).agent.id };
    expect(csat?.agents).toEqual(
      expect.arrayContaining([
        { agentId: ids.alice, responses: 2, satisfied: 1, csat: 0.5 },
        { agentId: ids.bob, responses: 2, satisfied: 1, csat: 0.5 },
      ]),
    );
    // The supervisor's console shows the same figures: 2 of the 4 answers rated 4 or 5.
    const overview = await fetch(`${live.server.url}/api/supervisor/overview`, { headers: { authorization: `Bearer ${token}` } });
    const { data } = (await overview.json()) as { data: { csat: number | null; agents: { id: string; csat: number | null }[] } };
    expect(data.csat).toBe(0.5);
  });
});
