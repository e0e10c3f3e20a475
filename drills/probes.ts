// Authorization probes: every Socket.IO event and HTTP route, aimed at a call under way (call A: a customer and agent
// alice), tried by each role that must not use it: no token, the customer of another call, the agent of another
// call, call A's own customer asking for what only its agent may, a technician whose one-time link was used and who
// left, a revoked (signed-out) token and an expired one. Every probe carries a payload that passes the event's schema,
// so it reaches the authorization check. A leak is a probe answered with success, or a push about call A reaching an
// outsider; a change is a push to call A's participants caused by a probe, or call A's transcript growing.
import { generateSync } from 'json-schema-faker';
import { z } from 'zod';
import { clientEventSchemas, type ClientEventName } from '../signaling/index.js';
import { call, connect, loginAgent, openCall, postJson, rawRequest, SocketPool, type ClientSocket } from '../tests/support/sockets.js';
import { progress, report, scratch, sleep, startDrillServer } from './drill.js';

const DRILL = 'probes';
/** Tokens live this long on the drill's server, so that one of them can expire during the drill. */
const TOKEN_TTL_MIN = 1;

/** Events only a signed-in agent may send; a customer or a guest must be refused them whatever they target. */
const AGENT_ONLY: ClientEventName[] = ['agent:status', 'agent:wrapUp', 'offer:accept', 'offer:decline', 'call:transfer', 'call:invite', 'call:handover', 'call:link', 'technicians:list', 'station:join', 'call:guide', 'call:step'];
/** Events whose target is a call (its session or ticket): nobody outside call A may use them on it. */
const ON_A_CALL: ClientEventName[] = (Object.keys(clientEventSchemas) as ClientEventName[]).filter((event) => event.startsWith('call:') || event.startsWith('media:') || event.startsWith('text:') || event === 'progress:watch');

/** A payload of `event` that passes its schema, aimed at call A's session, ticket and agent where it has such fields. */
function aimedPayload(event: ClientEventName, target: Record<string, string>): unknown {
  const schema = clientEventSchemas[event] as z.ZodType;
  const json = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' });
  for (let seed = 1; seed <= 200; seed++) {
    const value = generateSync(json as never, { seed, maxLength: 40, maxItems: 2 }) as Record<string, unknown>;
    if (value && typeof value === 'object') for (const key of Object.keys(value)) if (key in target) value[key] = target[key];
    if (schema.safeParse(value).success) return value;
  }
  return undefined;
}

interface Probe {
  who: string;
  what: string;
  outcome: 'refused' | 'leaked' | 'untested';
  detail: string;
}

export async function run(): Promise<void> {
  const folder = await scratch(DRILL);
  const server = await startDrillServer(folder.dir, { TOKEN_TTL_MIN: String(TOKEN_TTL_MIN), EVENT_RATE_PER_SEC: '10000', EVENT_BURST: '10000' });
  const pool = new SocketPool(server.url);
  const probes: Probe[] = [];
  try {
    // A token that will have expired by the end: signed in first.
    const expiring = await loginAgent(server.url, 'tess');
    const expiringAt = Date.now() + TOKEN_TTL_MIN * 60_000;
    const a = await openCall(pool, 'alice');
    const b = await openCall(pool, 'bob', { topic: 'The other call' });
    const target = { sessionId: a.sessionId, ticketId: a.ticketId, stationId: a.sessionId, secret: b.secret };

    // A technician joins call A by a one-time link, then leaves: their link and token are used up (the token revoked).
    const link = await call(a.agent, 'call:link', { sessionId: a.sessionId });
    const linkToken = new URLSearchParams(link.path.split('?')[1]).get('join')!;
    const joined = ((await (await postJson(server.url, '/api/tech/join', { token: linkToken, name: 'Guest' })).json()) as { data: { token: string } }).data;
    const guest = pool.open({ token: joined.token });
    await connect(guest);
    await call(guest, 'call:join', { sessionId: a.sessionId });
    await call(guest, 'call:end', { sessionId: a.sessionId });
    // A signed-out agent's token.
    const revoked = await loginAgent(server.url, 'sam');
    await fetch(`${server.url}/api/agent/logout`, { method: 'POST', headers: { authorization: `Bearer ${revoked.token}` } });
    const anonymous = await pool.customer();

    // From here, call A's participants must hear nothing and its transcript must not grow.
    await sleep(1000);
    const before = (await call(a.customer, 'text:transcript', { sessionId: a.sessionId })).lines.length;
    const pushesToA: string[] = [];
    for (const [name, socket] of [['customer', a.customer], ['agent', a.agent]] as const) socket.onAny((event: string) => pushesToA.push(`${name} got ${event}`));
    const outsiders: [string, ClientSocket][] = [['no token', anonymous], ['customer of call B', b.customer], ['agent of call B', b.agent], ['technician whose link was used', guest]];
    const leaksToOutsiders: string[] = [];
    for (const [who, socket] of outsiders) {
      socket.onAny((event: string, payload: unknown) => {
        if (JSON.stringify(payload ?? null).includes(a.sessionId) || JSON.stringify(payload ?? null).includes(a.ticketId)) leaksToOutsiders.push(`${who} got ${event} about call A`);
      });
    }

    const probe = async (who: string, socket: ClientSocket, event: ClientEventName) => {
      const payload = aimedPayload(event, target);
      if (payload === undefined) return void probes.push({ who, what: event, outcome: 'untested', detail: 'no payload passing the schema' });
      const ack = await rawRequest(socket, event, payload).catch((error: unknown) => ({ ok: false as const, error: { code: 'NO_ANSWER', message: String(error) } }));
      probes.push({ who, what: event, outcome: ack.ok ? 'leaked' : 'refused', detail: ack.ok ? JSON.stringify(ack.data).slice(0, 200) : ack.error.code });
    };
    for (const [who, socket] of outsiders) for (const event of new Set([...ON_A_CALL, ...(who === 'agent of call B' ? [] : AGENT_ONLY)])) await probe(who, socket, event);
    for (const event of AGENT_ONLY) await probe('customer of call A', a.customer, event);

    // HTTP: the ticket and call routes of call A with another's credentials, and the supervisor's with an agent's.
    const http = async (who: string, method: string, path: string, token: string | undefined, body?: unknown) => {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      const leaked = response.ok || text.includes(a.sessionId) || text.includes('alice');
      probes.push({ who, what: `${method} ${path.replace(a.ticketId, '{A ticket}').replace(a.sessionId, '{A session}')}`, outcome: leaked ? 'leaked' : 'refused', detail: `HTTP ${response.status}` });
    };
    const agentB = await loginAgent(server.url, 'bob');
    const credentials: [string, string | undefined][] = [
      ['no token', undefined],
      ['customer of call B (token)', b.token],
      ['customer of call B (ticket secret)', b.secret],
      ['agent of call B', agentB.token],
      ['technician whose link was used', joined.token],
      ['revoked token', revoked.token],
    ];
    for (const [who, token] of credentials) {
      await http(who, 'GET', `/api/tickets/${a.ticketId}`, token);
      await http(who, 'POST', `/api/tickets/${a.ticketId}/rejoin`, token);
      await http(who, 'POST', `/api/tickets/${a.ticketId}/survey`, token, { rating: 1, solved: false, comment: 'probe' });
      await http(who, 'GET', `/api/calls/${a.sessionId}/quality`, token);
      await http(who, 'GET', '/api/supervisor/overview', token);
      await http(who, 'GET', '/api/service-levels', token);
      await http(who, 'GET', '/metrics', token);
    }
    const reuse = await postJson(server.url, '/api/tech/join', { token: linkToken, name: 'Guest again' });
    probes.push({ who: 'technician whose link was used', what: 'POST /api/tech/join (the same link)', outcome: reuse.ok ? 'leaked' : 'refused', detail: `HTTP ${reuse.status}` });

    // Tokens that must not open a connection: revoked, used up, forged, and (after waiting) expired.
    const connects = async (who: string, token: string) => {
      const socket = pool.open({ token });
      const outcome = await new Promise<string>((resolve) => {
        socket.once('connect', () => resolve('connected'));
        socket.once('connect_error', (error) => resolve(error.message));
        socket.connect();
      });
      probes.push({ who, what: 'connect', outcome: outcome === 'connected' ? 'leaked' : 'refused', detail: outcome });
      socket.close();
    };
    await connects('revoked token', revoked.token);
    // Out of the call (hung up): the guest's token went with their seat, so it opens no connection to come back with.
    await connects('technician whose link was used', joined.token);
    await connects('forged token', `${b.token.slice(0, -4)}abcd`);
    progress(DRILL, `waiting ${Math.max(0, Math.round((expiringAt - Date.now()) / 1000) + 2)} s for a token to expire`);
    await sleep(Math.max(0, expiringAt - Date.now()) + 2000);
    await connects('expired token', expiring.token);
    await http('expired token', 'GET', '/api/supervisor/overview', expiring.token);
    await http('expired token', 'GET', '/api/guides', expiring.token);

    await sleep(500);
    const after = (await call(a.customer, 'text:transcript', { sessionId: a.sessionId })).lines.length;
    const changes = [...pushesToA, ...(after !== before ? [`call A's transcript went from ${before} to ${after} lines`] : [])];
    const leaked = probes.filter((entry) => entry.outcome === 'leaked');
    const untested = probes.filter((entry) => entry.outcome === 'untested');
    for (const entry of [...leaked, ...untested]) progress(DRILL, `${entry.outcome}: ${entry.who} ${entry.what} (${entry.detail})`);
    for (const change of [...changes, ...leaksToOutsiders]) progress(DRILL, `changed or leaked: ${change}`);
    const roles = new Set(probes.map((entry) => entry.who));
    report({ drill: DRILL, metric: 'probes', value: probes.length - untested.length, lost: null, note: `${roles.size} roles: ${[...roles].join(', ')}; ${untested.length} events had no schema-valid payload to try` });
    report({ drill: DRILL, metric: 'leaks', value: leaked.length + leaksToOutsiders.length, lost: null, goal: '0', met: leaked.length + leaksToOutsiders.length === 0 });
    report({ drill: DRILL, metric: 'changes', value: changes.length, lost: changes.length, goal: '0', met: changes.length === 0, note: 'pushes to call A or lines in its transcript caused by probes' });
  } finally {
    pool.closeAll();
    await server.stop();
    await folder.cleanup();
  }
}
