import { describe, expect, it } from 'vitest';
import { ErrorCode, type AgentWrapUp } from '../../signaling/index.js';
import { DataKeys } from '../../server/records/DataKeys.js';
import { Keyring, newMasterKeyText, parseMasterKey } from '../../server/records/sealing.js';
import { SqlWrapUpStore } from '../../server/records/SqlWrapUpStore.js';
import { serverPerTest, type LiveServer } from '../support/liveServer.js';
import { call, errorOf, once, openCall, record, request, type ClientSocket, type OpenCall } from '../support/sockets.js';
import { testAgent } from '../support/testServer.js';

const SQL = `'); DROP TABLE wrap_ups; -- " OR 1=1; SELECT pg_sleep(10); --`;

/** The agent hangs up; resolves with the wrap-up state routing then pushes to them. */
async function endIntoWrapUp(open: OpenCall) {
  const wrapUp = once(open.agent, 'agent:state', 5000, (state) => state.status === 'wrap-up');
  await call(open.agent, 'call:end', { sessionId: open.sessionId });
  return wrapUp;
}

function filing(ticketId: string, overrides: Partial<AgentWrapUp> = {}): AgentWrapUp {
  return { ticketId, disposition: 'resolved', summary: 'Reset the network settings; Wi-Fi works again.', followUp: false, ...overrides };
}

/** The ticket's journal as (kind, actor) pairs, once `kind` is there (the journal writes without holding up the call). */
async function eventsOnceThere(live: LiveServer, ticketId: string, kind: string): Promise<{ kind: string; actor: string; detail: Record<string, unknown> }[]> {
  const read = () => live.records.query<{ kind: string; actor: string; detail: Record<string, unknown> }>('SELECT kind, actor, detail FROM ticket_events WHERE ticket_id = $1 ORDER BY seq', [ticketId]);
  await expect.poll(async () => (await read()).map((event) => event.kind), { timeout: 5000 }).toContain(kind);
  return read();
}

async function wrapUpRow(live: LiveServer, ticketId: string): Promise<Record<string, unknown> | undefined> {
  const [row] = await live.records.query<Record<string, unknown>>('SELECT * FROM wrap_ups WHERE ticket_id = $1', [ticketId]);
  return row;
}

describe('wrap-up after a call', () => {
  const masterKey = newMasterKeyText();
  const live = serverPerTest(() => [testAgent('alice'), testAgent('bob')], { WRAP_UP_SEC: 60, RECORDS_KEY: masterKey });
  const wrapUps = () => new SqlWrapUpStore(live.records, new DataKeys(new Keyring([parseMasterKey(masterKey)])));

  it('offers an agent in wrap-up nothing, and offers the waiting customer as soon as the wrap-up is filed', async () => {
    const open = await openCall(live.pool, 'alice');
    const endedAt = Date.now();
    const state = await endIntoWrapUp(open);
    expect(state.wrapUpUntil).toBeGreaterThanOrEqual(endedAt + 59_000);
    const offers = record(open.agent, 'offer:new');
    const { joined } = await live.pool.queuedCustomer();

    const available = once(open.agent, 'agent:state', 5000, (next) => next.status === 'available');
    const offered = once(open.agent, 'offer:new');
    await call(open.agent, 'agent:wrapUp', filing(open.ticketId, { disposition: 'follow-up', summary: SQL, followUp: true }));
    await available;
    expect((await offered).ticketId).toBe(joined.ticketId);
    expect(offers).toHaveLength(1);

    expect(await wrapUps().find(open.ticketId)).toMatchObject({ ticketId: open.ticketId, disposition: 'follow-up', summary: SQL, followUp: true });
    const events = await eventsOnceThere(live, open.ticketId, 'wrapped-up');
    expect(events.map((event) => event.kind).slice(-3)).toEqual(['ended', 'wrap-up', 'wrapped-up']);
    expect(events.at(-1)).toMatchObject({ actor: expect.stringMatching(/^agent:/), detail: { disposition: 'follow-up', followUp: true } });
    const [ticket] = await live.records.query<{ status: string }>('SELECT status FROM tickets WHERE id = $1', [open.ticketId]);
    expect(ticket!.status).toBe('ended');
  });

  it('keeps no summary in plain text in the wrap_ups table', async () => {
    const open = await openCall(live.pool, 'alice');
    await endIntoWrapUp(open);
    const summary = 'Customer said their passcode was 4711 and the router is in the kitchen';
    await call(open.agent, 'agent:wrapUp', filing(open.ticketId, { summary }));
    const row = await wrapUpRow(live, open.ticketId);
    const raw = Object.values(row!).map((value) => (value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : String(value))).join('|');
    expect(raw).not.toContain('4711');
    expect(raw).not.toContain('kitchen');
    expect((await wrapUps().find(open.ticketId))?.summary).toBe(summary);
  });

  it('refuses a wrap-up that is bad, early, not yours or a second one with a coded error, changing nothing', async () => {
    const open = await openCall(live.pool, 'alice');
    const bob = await live.pool.agent('bob');
    const refused = async (socket: ClientSocket, payload: unknown) => errorOf(await request(socket, 'agent:wrapUp', payload as AgentWrapUp)).code;

    expect(await refused(open.agent, filing(open.ticketId))).toBe(ErrorCode.InvalidState);
    await endIntoWrapUp(open);
    expect(await refused(open.agent, { ...filing(open.ticketId), disposition: 'resolved; DROP TABLE wrap_ups' })).toBe(ErrorCode.BadRequest);
    expect(await refused(open.agent, filing(open.ticketId, { summary: 'x'.repeat(2001) }))).toBe(ErrorCode.BadRequest);
    expect(await refused(open.agent, { ...filing(open.ticketId), followUp: 'yes' })).toBe(ErrorCode.BadRequest);
    expect(await refused(bob.socket, filing(open.ticketId))).toBe(ErrorCode.NotFound);
    expect(await refused(open.agent, filing(SQL.slice(0, 60)))).toBe(ErrorCode.NotFound);
    expect(await wrapUpRow(live, open.ticketId)).toMatchObject({ agent_id: expect.any(String), submitted_at_ms: null, summary_sealed: null });

    await call(open.agent, 'agent:wrapUp', filing(open.ticketId));
    expect(await refused(open.agent, filing(open.ticketId, { disposition: 'not-resolved', summary: 'changed my mind' }))).toBe(ErrorCode.Conflict);
    expect(await wrapUps().find(open.ticketId)).toMatchObject({ disposition: 'resolved', summary: filing(open.ticketId).summary });
  });
});

describe('wrap-up time running out', () => {
  const live = serverPerTest(() => [testAgent('alice')], { WRAP_UP_SEC: 1 });

  it('makes the agent available once the wrap-up time passes, and still takes the wrap-up afterwards', async () => {
    const open = await openCall(live.pool, 'alice');
    const available = once(open.agent, 'agent:state', 5000, (state) => state.status === 'available');
    await endIntoWrapUp(open);
    await available;
    await call(open.agent, 'agent:wrapUp', filing(open.ticketId, { disposition: 'no-contact', summary: '' }));
    expect(await wrapUpRow(live, open.ticketId)).toMatchObject({ disposition: 'no-contact', follow_up: false });
  });
});

describe('without a wrap-up time', () => {
  const live = serverPerTest(() => [testAgent('alice')], { WRAP_UP_SEC: 0 });

  it('makes the agent available straight after the call, with no wrap-up to file', async () => {
    const open = await openCall(live.pool, 'alice');
    const next = once(open.agent, 'agent:state', 5000, (state) => state.status !== 'in-call');
    await call(open.agent, 'call:end', { sessionId: open.sessionId });
    expect((await next).status).toBe('available');
    expect(errorOf(await request(open.agent, 'agent:wrapUp', filing(open.ticketId))).code).toBe(ErrorCode.NotFound);
  });
});
