import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/logger.js';
import { loadKeyring } from '../../server/records/keys.js';
import { migrate } from '../../server/records/migrations.js';
import { openPglite } from '../../server/records/pgliteDb.js';
import { SqlTicketJournal } from '../../server/records/SqlTicketJournal.js';
import { DataKeys } from '../../server/records/DataKeys.js';
import { SqlTranscriptStore } from '../../server/records/SqlTranscriptStore.js';
import { newMasterKeyText } from '../../server/records/sealing.js';
import { startServerProcess, type ServerProcess } from '../support/serverProcess.js';
import { call, connect, loginAgent, once, openCall, SocketPool } from '../support/sockets.js';
import { testAgent } from '../support/testServer.js';

const log = createLogger('error');

/**
 * Server processes on a folder of embedded records of their own, stopped and removed after the suite; `env` is the
 * environment every start of it uses.
 */
function serverProcessesOnOneFolder(prefix: string): { started: ServerProcess[]; env: () => Promise<Record<string, string>> } {
  const started: ServerProcess[] = [];
  let root = '';
  afterAll(async () => {
    for (const server of started) await server.stop(0);
    if (root) await rm(root, { recursive: true, force: true });
  });
  const env = async () => {
    root = await mkdtemp(path.join(os.tmpdir(), prefix));
    return {
      PORT: '0',
      HOST: '127.0.0.1',
      MEDIASOUP_WORKERS: '1',
      CAPTIONS: 'off',
      LOG_LEVEL: 'warn',
      // Room for the restart and the reconnects on a busy machine: a place lapses only after this long away.
      RECONNECT_GRACE_MS: '60000',
      // The agent takes the next call straight after the first.
      WRAP_UP_SEC: '0',
      RECORDS_DIR: path.join(root, 'records'),
      RECORDS_KEY: newMasterKeyText(),
      AGENT_ACCOUNTS: JSON.stringify([testAgent('alice', ['csl'])]),
    };
  };
  return { started, env };
}

describe('a server killed with SIGKILL in the middle of a call (embedded records, the default)', () => {
  const { started, env: freshEnv } = serverProcessesOnOneFolder('signline-crash-');

  it('loses no acknowledged line, survey, ticket or place: the waiting and the cut-off customers resume their tickets on the restarted node', async () => {
    const env = await freshEnv();
    // The first start creates the embedded database (initdb in WebAssembly): give it time on a busy machine.
    const first = await startServerProcess(env, 120_000);
    started.push(first);
    const pool = new SocketPool(first.url);

    // A call that ended and was rated before the crash.
    const rated = await openCall(pool, 'alice', { topic: 'Printer offline' });
    const freed = once(rated.agent, 'agent:state', 5000, (state) => state.status !== 'in-call');
    await call(rated.agent, 'call:end', { sessionId: rated.sessionId });
    await freed;
    expect((await postSurvey(first.url, rated.ticketId, rated.secret, { rating: 5, solved: true, comment: 'clear and patient' })).status).toBe(201);
    rated.agent.close();

    // A call in progress, and a customer waiting behind it.
    const open = await openCall(pool, 'alice', { topic: 'Router keeps restarting' });
    const sent: string[] = [];
    for (let i = 0; i < 20; i++) {
      const [socket, who] = i % 2 ? [open.agent, 'agent'] : [open.customer, 'customer'];
      const text = `${who} line ${i} 路由器`;
      // The ack comes once the line is stored: from here on it must survive anything.
      await call(socket, 'text:chat', { sessionId: open.sessionId, clientId: `c${i}`, text });
      sent.push(text);
    }
    const waiting = await pool.queuedCustomer({ topic: 'Watch will not pair' });
    // A sign-in from before the crash, as the agent's console keeps it.
    const { token: agentToken } = await loginAgent(first.url, 'alice');
    await first.stop(0);
    pool.closeAll();

    // The server comes back on the folder it crashed on (a stale lock, an unclean database) and serves again.
    const second = await startServerProcess(env, 120_000);
    started.push(second);
    const again = new SocketPool(second.url);

    // The customers' pages reconnect with the tokens they kept: the call's customer is told the call was cut off and
    // waits again; the waiting customer has their place.
    const cutOff = again.open({ token: open.token });
    const cutOffEnded = once(cutOff, 'call:ended', 20_000);
    const cutOffStatus = once(cutOff, 'queue:status', 20_000);
    const stillWaiting = again.open({ token: waiting.joined.token });
    const waitingStatus = once(stillWaiting, 'queue:status', 20_000);
    await Promise.all([connect(cutOff), connect(stillWaiting)]);
    expect(await cutOffEnded).toEqual({ sessionId: open.sessionId, reason: 'interrupted' });
    expect(await cutOffStatus).toMatchObject({ ticketId: open.ticketId, position: 1 });
    expect(await waitingStatus).toMatchObject({ ticketId: waiting.joined.ticketId, position: 2 });

    // The agent, with the token from before the crash, drops the cut-off call and is offered that customer first.
    const agent = again.open({ token: agentToken });
    const agentTold = once(agent, 'call:ended', 20_000);
    await connect(agent);
    expect(await agentTold).toEqual({ sessionId: open.sessionId, reason: 'interrupted' });
    const offered = once(agent, 'offer:new', 20_000);
    await call(agent, 'agent:status', { status: 'available' });
    const offer = await offered;
    expect(offer.ticketId).toBe(open.ticketId);
    const resumed = once(cutOff, 'call:started', 20_000);
    await call(agent, 'offer:accept', { offerId: offer.offerId });
    const restarted = await resumed;
    await call(cutOff, 'text:chat', { sessionId: restarted.sessionId, clientId: 'after', text: 'back after the restart' });
    sent.push('back after the restart');

    // The rated ticket keeps its survey; its progress page still opens with its secret.
    const progress = (await (await fetch(`${second.url}/api/tickets/${rated.ticketId}`, { headers: { authorization: `Bearer ${rated.secret}` } })).json()) as {
      data: { status: string; survey: { rating: number; comment: string | null } | null };
    };
    expect(progress.data).toMatchObject({ status: 'ended', survey: { rating: 5, comment: 'clear and patient' } });
    again.closeAll();
    await second.stop(5000);

    const db = await openPglite(env.RECORDS_DIR);
    try {
      await migrate(db);
      const keyring = loadKeyring({ key: env.RECORDS_KEY, defaultFile: undefined, embedded: true }, log);
      const lines = await new SqlTranscriptStore(db, new DataKeys(keyring)).lines(open.ticketId);
      expect(lines.filter((line) => line.kind === 'chat').map((line) => line.text)).toEqual(sent);
      expect(lines.map((line) => line.seq)).toEqual(lines.map((_line, i) => i + 1));
      const history = await new SqlTicketJournal(db, log).history(open.ticketId);
      expect(history.map((event) => [event.kind, event.actor]).slice(0, 4)).toEqual([
        ['opened', 'customer'],
        ['in-call', 'agent:alice'],
        ['interrupted', 'system'],
        ['in-call', 'agent:alice'],
      ]);
    } finally {
      await db.close();
    }
  }, 300_000);
});

describe('a server stopped with SIGTERM in the middle of a call (a deploy; embedded records)', () => {
  const { started, env: freshEnv } = serverProcessesOnOneFolder('signline-stop-');

  it('tells both sides the call was cut off before it goes, and the restarted node puts the customer first in line for the same agent', async () => {
    const env = await freshEnv();
    const first = await startServerProcess(env, 120_000);
    started.push(first);
    const pool = new SocketPool(first.url);
    const open = await openCall(pool, 'alice', { topic: 'Router keeps restarting' });
    await call(open.customer, 'text:chat', { sessionId: open.sessionId, clientId: 'c1', text: 'it restarts every ten minutes' });
    const { token: agentToken } = await loginAgent(first.url, 'alice');
    // Heard over the connections the stop is about to close: the pages wait to reconnect instead of showing an end.
    const customerTold = once(open.customer, 'call:ended', 20_000);
    const agentTold = once(open.agent, 'call:ended', 20_000);
    await first.stop(20_000);
    expect(await customerTold).toEqual({ sessionId: open.sessionId, reason: 'interrupted' });
    expect(await agentTold).toEqual({ sessionId: open.sessionId, reason: 'interrupted' });
    pool.closeAll();

    const second = await startServerProcess(env, 120_000);
    started.push(second);
    const again = new SocketPool(second.url);
    const customer = again.open({ token: open.token });
    const status = once(customer, 'queue:status', 20_000);
    await connect(customer);
    expect(await status).toMatchObject({ ticketId: open.ticketId, position: 1 });
    const agent = again.open({ token: agentToken });
    await connect(agent);
    const offered = once(agent, 'offer:new', 20_000);
    await call(agent, 'agent:status', { status: 'available' });
    const offer = await offered;
    expect(offer.ticketId).toBe(open.ticketId);
    const resumed = once(customer, 'call:started', 20_000);
    await call(agent, 'offer:accept', { offerId: offer.offerId });
    const { lines } = await call(customer, 'text:transcript', { sessionId: (await resumed).sessionId });
    expect(lines.map((line) => line.text)).toContain('it restarts every ten minutes');
    again.closeAll();
  }, 300_000);
});

async function postSurvey(baseUrl: string, ticketId: string, secret: string, body: unknown): Promise<Response> {
  return fetch(`${baseUrl}/api/tickets/${ticketId}/survey`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
