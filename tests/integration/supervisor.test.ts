import { describe, expect, it } from 'vitest';
import { callQualityRecordSchema, envelopeSchema, ErrorCode, supervisorOverviewSchema, type SupervisorOverview } from '../../signaling/index.js';
import { serverPerTest } from '../support/liveServer.js';
import { connect, loginAgent, openCall } from '../support/sockets.js';
import { testAgent, testSupervisor } from '../support/testServer.js';

const accounts = () => [testAgent('alice', ['csl']), testSupervisor('sam')];

/** GETs a path with an optional Bearer token; resolves to the status and the parsed JSON body. */
async function get(url: string, token?: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: response.status, body: await response.json() };
}

/** The overview as a supervisor sees it, validated by the wire schema. */
async function overviewOf(baseUrl: string, token: string, query = ''): Promise<SupervisorOverview> {
  const { status, body } = await get(`${baseUrl}/api/supervisor/overview${query}`, token);
  expect(status).toBe(200);
  const parsed = envelopeSchema(supervisorOverviewSchema).parse(body);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.data;
}

describe('the supervisor overview', () => {
  const live = serverPerTest(accounts);

  it('gives a supervisor the waiting customers, the signed-in agents and an empty history in one snapshot', async () => {
    const { token, role } = await loginAgent(live.server.url, 'sam');
    expect(role).toBe('supervisor');
    await live.pool.agent('alice');
    await live.pool.queuedCustomer({ mode: 'csl', category: 'hardware' });

    const overview = await overviewOf(live.server.url, token);

    expect(overview.queues.find((queue) => queue.queue === 'csl')).toMatchObject({ waiting: 1, answered: 0 });
    expect(overview.agents).toEqual([expect.objectContaining({ id: 'alice', status: 'away', missedOffer: false, csat: null })]);
    expect(overview.calls).toEqual([]);
    expect(overview.slaClasses.map((level) => level.slaClass)).toEqual(['consultation', 'software', 'hardware']);
    expect(overview.history.points).toHaveLength(48);
    expect(overview.history.bucketMs).toBe((4 * 3_600_000) / 48);
    expect(overview.csat).toBeNull();
  });

  it('lists a call in progress with its verdict so far and a quality path the supervisor can open', async () => {
    const { token } = await loginAgent(live.server.url, 'sam');
    const open = await openCall(live.pool, 'alice');

    const overview = await overviewOf(live.server.url, token);

    expect(overview.calls).toEqual([expect.objectContaining({ sessionId: open.sessionId, ticketId: open.ticketId, agentName: 'Agent alice', overall: 'unknown' })]);
    expect(overview.agents[0]).toMatchObject({ id: 'alice', status: 'in-call' });
    const quality = await get(`${live.server.url}${overview.calls[0]!.qualityPath}`, token);
    expect(quality.status).toBe(200);
    expect(envelopeSchema(callQualityRecordSchema).parse(quality.body)).toMatchObject({ ok: true, data: { sessionId: open.sessionId } });
  });

  it('counts an answered customer in its SLA class and in the charts, read back from the ticket records', async () => {
    const { token } = await loginAgent(live.server.url, 'sam');
    await openCall(live.pool, 'alice', { category: 'consultation' });

    // The ticket's history is written without holding up the call: wait until the records have the answer.
    const consultation = async () => (await overviewOf(live.server.url, token, '?hours=1')).slaClasses.find((level) => level.slaClass === 'consultation');
    await expect.poll(consultation, { timeout: 15_000, interval: 500 }).toMatchObject({ answered: 1, answeredWithinTarget: 1, abandoned: 0, targetSec: 120 });
    const { history } = await overviewOf(live.server.url, token, '?hours=1');
    expect(history.points.reduce((sum, point) => sum + point.answered, 0)).toBe(1);
    expect(history.points.at(-1)).toMatchObject({ answered: 1, serviceLevel: 1, meanWaitSec: expect.any(Number) });
  });

  it('refuses an agent’s token with FORBIDDEN on every supervisor endpoint, and no token with UNAUTHORIZED', async () => {
    const { token } = await loginAgent(live.server.url, 'alice');
    const open = await openCall(live.pool, 'alice');
    for (const path of ['/api/supervisor/overview', '/api/service-levels', `/api/calls/${open.sessionId}/quality`]) {
      const asAgent = await get(`${live.server.url}${path}`, token);
      expect(asAgent, path).toMatchObject({ status: 403, body: { ok: false, error: { code: ErrorCode.Forbidden } } });
      const asCustomer = await get(`${live.server.url}${path}`, open.token);
      expect(asCustomer, path).toMatchObject({ status: 403, body: { ok: false, error: { code: ErrorCode.Forbidden } } });
      const anonymous = await get(`${live.server.url}${path}`);
      expect(anonymous, path).toMatchObject({ status: 401, body: { ok: false, error: { code: ErrorCode.Unauthorized } } });
    }
  });

  it('refuses hours outside 1 to 24 and unknown query fields with BAD_REQUEST', async () => {
    const { token } = await loginAgent(live.server.url, 'sam');
    for (const query of ['?hours=0', '?hours=25', '?hours=two', '?hours=1.5', '?agent=alice']) {
      const response = await get(`${live.server.url}/api/supervisor/overview${query}`, token);
      expect(response, query).toMatchObject({ status: 400, body: { ok: false, error: { code: ErrorCode.BadRequest } } });
    }
  });

  it('lets a supervisor read the agents’ guides, but refuses their token on a socket, so they are never routed a call', async () => {
    const { token } = await loginAgent(live.server.url, 'sam');
    expect((await get(`${live.server.url}/api/guides`, token)).status).toBe(200);

    const socket = live.pool.open({ token });
    const refused = await connect(socket).then(
      () => null,
      (error: Error & { data?: { code?: string } }) => error.data?.code,
    );
    expect(refused).toBe(ErrorCode.Forbidden);
  });
});
