// 100,000 fuzzed inputs against one app node (its own process): Socket.IO events from anonymous customers, a queued
// customer and a signed-in agent who are not in the call under way, and HTTP requests to every route. Each input is
// a payload generated from the event's own schema (json-schema-faker on zod's JSON Schema, with the live call's ids
// put in) and then mutated: a field dropped or of the wrong type, a huge or deeply nested value, prototype keys,
// extra fields, not an object at all, an unknown event, no ack; revoked and forged tokens try to connect. Afterwards:
// the node must still run, every acked event must have had an answer, the call under way and the waiting customer must
// be untouched, and a fresh agent must still be able to answer the waiting customer. Memory is read before and after.
import { generateSync } from 'json-schema-faker';
import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';
import { agentLoginSchema, clientEventSchemas, surveySubmitSchema, techJoinRequestSchema } from '../signaling/index.js';
import { SeededRandom } from '../tests/support/random.js';
import { call, loginAgent, once, openCall, record, SocketPool, type ClientSocket } from '../tests/support/sockets.js';
import { alive, progress, report, residentBytes, scratch, sleep, startDrillServer } from './drill.js';

const DRILL = 'fuzz';
const TOTAL = Number(process.env.DRILL_FUZZ_INPUTS ?? 100_000);
/** Share of the inputs that are HTTP requests; the rest are Socket.IO events. */
const HTTP_SHARE = 0.2;
const FUZZ_SOCKETS = 12;
/** Events in flight per fuzzing socket. */
const WINDOW = 32;
const HTTP_CONCURRENCY = 16;
const ACK_TIMEOUT_MS = 10_000;
const GRACE_MS = 3000;

/** Seeded, so that a run can be repeated with DRILL_FUZZ_SEED. */
const seed = Number(process.env.DRILL_FUZZ_SEED ?? 20261207);
const rng = new SeededRandom(seed);
const random = rng.next;
const pick = <T>(items: readonly T[]): T => rng.item(items);

const EVENTS = Object.keys(clientEventSchemas) as (keyof typeof clientEventSchemas)[];
/** Payloads generated per schema before the run; each input mutates a copy of one (generating is the slow part). */
const SAMPLES_PER_SCHEMA = 16;

/** Payloads the schema describes (json-schema-faker on zod's JSON Schema), generated once. */
function samplesOf(schema: z.ZodType): unknown[] {
  const json = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' });
  return Array.from({ length: SAMPLES_PER_SCHEMA }, () => generateSync(json as never, { seed: Math.floor(random() * 2 ** 31), maxLength: 64, maxItems: 4 }));
}
const eventSamples = new Map(EVENTS.map((event) => [event, samplesOf(clientEventSchemas[event] as z.ZodType)]));
const bodySamples = new Map<z.ZodType, unknown[]>([agentLoginSchema, techJoinRequestSchema, surveySubmitSchema].map((schema) => [schema, samplesOf(schema)]));

/** A copy of a generated payload, with the drill's real ids where the field names ask for one. */
function sample(samples: readonly unknown[], ids: Record<string, string>): unknown {
  const value = structuredClone(pick(samples));
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const key of Object.keys(value)) if (key in ids && random() < 0.7) (value as Record<string, unknown>)[key] = ids[key];
  }
  return value;
}

function deep(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level++) value = random() < 0.5 ? [value] : { a: value };
  return value;
}

const WRONG_VALUES = [null, 0, -1, 1e308, Number.NaN, true, '', 'x'.repeat(300), [], {}, [[[]]], { $gt: '' }, '../../etc/passwd', '<script>alert(1)</script>'];

type Mutation = 'valid' | 'drop-field' | 'wrong-type' | 'huge' | 'deep' | 'proto' | 'extra-field' | 'not-object' | 'unknown-event' | 'no-ack' | 'extra-args';
const MUTATIONS: Mutation[] = ['valid', 'drop-field', 'wrong-type', 'huge', 'deep', 'proto', 'extra-field', 'not-object', 'unknown-event', 'no-ack', 'extra-args'];

/** One mutated input: the event name, its arguments, and whether it is sent with an ack. */
function mutate(event: string, payload: unknown, mutation: Mutation): { event: string; args: unknown[]; ack: boolean; oversize?: boolean } {
  const object = payload && typeof payload === 'object' && !Array.isArray(payload) ? { ...(payload as Record<string, unknown>) } : {};
  const keys = Object.keys(object);
  switch (mutation) {
    case 'valid':
      return { event, args: [payload], ack: true };
    case 'drop-field':
      if (keys.length > 0) delete object[pick(keys)];
      return { event, args: [object], ack: true };
    case 'wrong-type':
      object[keys.length > 0 ? pick(keys) : 'sessionId'] = pick(WRONG_VALUES);
      return { event, args: [object], ack: true };
    case 'huge': {
      // Past the event size limits, and 2 MB past Socket.IO's buffer (about 1 MB), which drops the connection.
      const bytes = pick([20_000, 200_000, 2_000_000]);
      object[keys.length > 0 ? pick(keys) : 'text'] = 'A'.repeat(bytes);
      return { event, args: [object], ack: true, oversize: bytes > 1_000_000 };
    }
    case 'deep':
      object[keys.length > 0 ? pick(keys) : 'guide'] = deep(pick([100, 500, 1500]));
      return { event, args: [object], ack: true };
    case 'proto':
      return { event, args: [JSON.parse(`{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},${JSON.stringify(object).slice(1)}`.replace(/,}$/, '}'))], ack: true };
    case 'extra-field':
      object[`x${Math.floor(random() * 1000)}`] = pick(WRONG_VALUES);
      return { event, args: [object], ack: true };
    case 'not-object':
      return { event, args: [pick([null, 42, 'text', [], true, undefined])], ack: true };
    case 'unknown-event':
      return { event: pick(['admin:grant', 'call:spy', 'queue:jump', '__proto__', 'constructor', 'x'.repeat(200), 'media:join ']), args: [object], ack: true };
    case 'no-ack':
      return { event, args: [payload], ack: false };
    case 'extra-args':
      return { event, args: [payload, payload, 'more'], ack: true };
  }
}

interface Tally {
  sent: number;
  answered: number;
  ok: number;
  errors: Map<string, number>;
  /** Acked events with no answer while the connection stayed up: each one is a defect. */
  unanswered: number;
  /** Connections the server closed (a payload past Socket.IO's buffer). */
  dropped: number;
  /** Acked events still in flight on a connection the server closed: never answered, and not counted as unanswered. */
  droppedInFlight: number;
  /** Inputs past Socket.IO's buffer, each sent on its own connection, that the server answered by dropping it. */
  oversizeDropped: number;
}

async function fuzzSocket(url: string, token: string | undefined, inputs: number, ids: Record<string, string>, tally: Tally): Promise<void> {
  let socket: Socket | undefined;
  let identity = token;
  const open = async (): Promise<Socket> => {
    const using = identity;
    const fresh = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, ...(using ? { auth: { token: using } } : {}) });
    let refusal = '';
    const connected = await new Promise<boolean>((resolve) => {
      fresh.once('connect', () => resolve(true));
      fresh.once('connect_error', (error) => {
        refusal = error.message;
        resolve(false);
      });
    });
    if (connected) {
      fresh.on('disconnect', (reason) => {
        if (reason !== 'io client disconnect') tally.dropped++;
      });
      return fresh;
    }
    // The identity's token was ended by a valid input (the customer's own `queue:leave`, the agent's sign-out over
    // HTTP): go on without one.
    fresh.close();
    if (!using) throw new Error(`an anonymous fuzzing socket could not connect: ${refusal}`);
    identity = undefined;
    return await open();
  };
  let inFlight = 0;
  let done = 0;
  let opening: Promise<Socket> | undefined;
  const record = (outcome: Error | null, reply: { ok: boolean; error?: { code: string } } | undefined, stillUp: boolean) => {
    if (outcome) {
      // Never answered, or dropped with the connection.
      if (stillUp) tally.unanswered++;
      else tally.droppedInFlight++;
      return;
    }
    tally.answered++;
    if (reply?.ok) return void tally.ok++;
    const code = reply?.error?.code ?? 'malformed-reply';
    tally.errors.set(code, (tally.errors.get(code) ?? 0) + 1);
  };
  await new Promise<void>((resolve) => {
    const settle = () => {
      inFlight--;
      done++;
      if (done >= inputs) resolve();
      else void next();
    };
    const next = async (): Promise<void> => {
      while (inFlight < WINDOW && done + inFlight < inputs) {
        if (!socket?.connected) {
          opening ??= open().finally(() => (opening = undefined));
          socket = await opening;
          continue;
        }
        const event = pick(EVENTS);
        const input = mutate(event, sample(eventSamples.get(event)!, ids), pick(MUTATIONS));
        tally.sent++;
        if (!input.ack) {
          socket.emit(input.event, ...input.args);
          done++;
          continue;
        }
        inFlight++;
        // Past Socket.IO's buffer the server drops the connection: such an input goes on a connection of its own, so
        // that the inputs in flight on this one are not lost with it.
        if (input.oversize) {
          void open().then((own) => {
            own.off('disconnect');
            own.once('disconnect', (reason) => {
              if (reason !== 'io client disconnect') tally.oversizeDropped++;
            });
            own.timeout(ACK_TIMEOUT_MS).emit(input.event, ...input.args, (error: Error | null, reply: { ok: boolean; error?: { code: string } }) => {
              if (!error || own.connected) record(error, reply, own.connected);
              own.close();
              settle();
            });
          }, settle);
          continue;
        }
        const on = socket;
        on.timeout(ACK_TIMEOUT_MS).emit(input.event, ...input.args, (error: Error | null, reply: { ok: boolean; error?: { code: string } }) => {
          record(error, reply, on.connected);
          settle();
        });
      }
      if (done >= inputs) resolve();
    };
    void next();
  });
  socket?.close();
}

/** HTTP inputs: every route, with generated and mutated bodies, bad ids, forged and revoked tokens. */
function httpInput(ids: Record<string, string>, tokens: string[]): { method: string; path: string; headers: Record<string, string>; body?: string } {
  const bearer = pick([undefined, ...tokens, 'x', 'Bearer', 'a'.repeat(10_000)]);
  const headers: Record<string, string> = bearer ? { authorization: `Bearer ${bearer}` } : {};
  const id = pick([ids.ticketId!, ids.sessionId!, '../../etc/passwd', '%00', 'a'.repeat(500), '1e308', '__proto__']);
  const bodyOf = (schema: z.ZodType): string => {
    const generated = sample(bodySamples.get(schema)!, ids);
    const input = mutate('http', generated, pick(MUTATIONS));
    if (random() < 0.1) return '{"unterminated": ';
    return JSON.stringify(input.args[0] ?? null) ?? 'null';
  };
  const route: { method: string; path: string; body?: string } = pick<() => { method: string; path: string; body?: string }>([
    () => ({ method: 'POST', path: '/api/agent/login', body: bodyOf(agentLoginSchema) }),
    () => ({ method: 'POST', path: '/api/tech/join', body: bodyOf(techJoinRequestSchema) }),
    () => ({ method: 'POST', path: '/api/agent/logout' }),
    () => ({ method: 'GET', path: '/api/media/capabilities' }),
    () => ({ method: 'GET', path: '/api/supervisor/overview?hours=' + pick(['1', '-1', 'NaN', '1e9', 'x']) }),
    () => ({ method: 'GET', path: '/api/service-levels' }),
    () => ({ method: 'GET', path: `/api/calls/${encodeURIComponent(id)}/quality` }),
    () => ({ method: 'GET', path: '/api/canned-replies' }),
    () => ({ method: 'GET', path: '/api/guides' }),
    () => ({ method: 'GET', path: `/api/tickets/${encodeURIComponent(id)}` }),
    () => ({ method: 'POST', path: `/api/tickets/${encodeURIComponent(id)}/rejoin` }),
    () => ({ method: 'POST', path: `/api/tickets/${encodeURIComponent(id)}/survey`, body: bodyOf(surveySubmitSchema) }),
    () => ({ method: 'GET', path: '/metrics' }),
    () => ({ method: pick(['GET', 'POST', 'PUT', 'DELETE']), path: pick(['/api/admin', '/api/tickets', '/t/' + encodeURIComponent(id), '/assets/../../package.json', '/vision/models/%2e%2e/x']) }),
  ])();
  return { ...route, headers: { ...headers, ...(route.body !== undefined ? { 'content-type': 'application/json' } : {}) } };
}

async function fuzzHttp(url: string, inputs: number, ids: Record<string, string>, tokens: string[], statuses: Map<number, number>): Promise<number> {
  let next = 0;
  let failures = 0;
  await Promise.all(
    Array.from({ length: HTTP_CONCURRENCY }, async () => {
      while (next < inputs) {
        next++;
        const input = httpInput(ids, tokens);
        try {
          const response = await fetch(`${url}${input.path}`, { method: input.method, headers: input.headers, ...(input.body !== undefined ? { body: input.body } : {}), redirect: 'manual' });
          await response.arrayBuffer();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        } catch {
          failures++;
        }
      }
    }),
  );
  return failures;
}

export async function run(): Promise<void> {
  const folder = await scratch(DRILL);
  // Every event must reach the schema checks: the per-connection rate limit (tested on its own) is raised here.
  // A short reconnect grace, so that the fuzzing customers' tickets lapse once their sockets close.
  const server = await startDrillServer(folder.dir, { EVENT_RATE_PER_SEC: '10000', EVENT_BURST: '10000', RECONNECT_GRACE_MS: String(GRACE_MS) });
  const pool = new SocketPool(server.url);
  try {
    // The state the fuzzing must not touch: a call under way, and a customer waiting behind it.
    const underWay = await openCall(pool, 'alice');
    const ended = [record(underWay.customer, 'call:ended'), record(underWay.agent, 'call:ended')];
    const waiting = await pool.queuedCustomer({ topic: 'Waiting through the fuzzing' });
    const waitingClosed = record(waiting.socket, 'ticket:closed');
    // Tokens to replay: an agent's revoked by signing out, and the fuzzing agent's live one.
    const revoked = await loginAgent(server.url, 'sam');
    await fetch(`${server.url}/api/agent/logout`, { method: 'POST', headers: { authorization: `Bearer ${revoked.token}` } });
    const fuzzer = await loginAgent(server.url, 'bob');
    const ids = { sessionId: underWay.sessionId, ticketId: underWay.ticketId, agentId: fuzzer.agent.id, stationId: underWay.sessionId };
    await sleep(2000);
    const rssBefore = await residentBytes(server.pid);

    const socketInputs = Math.round(TOTAL * (1 - HTTP_SHARE));
    const httpInputs = TOTAL - socketInputs;
    const tally: Tally = { sent: 0, answered: 0, ok: 0, errors: new Map(), unanswered: 0, dropped: 0, droppedInFlight: 0, oversizeDropped: 0 };
    const statuses = new Map<number, number>();
    const startedAt = Date.now();
    const ticker = setInterval(() => progress(DRILL, `${tally.sent} events, ${[...statuses.values()].reduce((a, b) => a + b, 0)} requests`), 5000);
    // Anonymous customers, a customer with a ticket of their own, and the signed-in agent who is not in the call.
    const own = await pool.queuedCustomer({ topic: 'The fuzzing customer' });
    const identities = [undefined, undefined, undefined, undefined, own.joined.token, own.joined.token, fuzzer.token, fuzzer.token, fuzzer.token, undefined, own.joined.token, fuzzer.token];
    let httpFailures = 0;
    await Promise.all([
      ...identities.slice(0, FUZZ_SOCKETS).map((token, index) => fuzzSocket(server.url, token, Math.floor(socketInputs / FUZZ_SOCKETS) + (index < socketInputs % FUZZ_SOCKETS ? 1 : 0), ids, tally)),
      fuzzHttp(server.url, httpInputs, ids, [revoked.token, fuzzer.token, underWay.token, 'forged.' + 'x'.repeat(40)], statuses).then((failed) => (httpFailures = failed)),
    ]);
    clearInterval(ticker);
    const seconds = (Date.now() - startedAt) / 1000;
    own.socket.close();

    // Replayed and forged tokens must not connect.
    let replayAccepted = 0;
    for (const token of [revoked.token, 'forged.' + 'x'.repeat(40), underWay.token.slice(0, -2) + 'xx']) {
      const probe = pool.open({ token });
      const outcome = await new Promise<'in' | 'out'>((resolve) => {
        probe.once('connect', () => resolve('in'));
        probe.once('connect_error', () => resolve('out'));
        probe.connect();
      });
      if (outcome === 'in') replayAccepted++;
    }

    // The fuzzing customers' tickets lapse with their grace; the waiting customer is then the only one in line.
    await sleep(GRACE_MS + 3000);
    const rssAfter = await residentBytes(server.pid);
    const crashed = alive(server.pid) ? 0 : 1;
    const health = await fetch(`${server.url}/healthz`).then((response) => response.ok, () => false);
    // Invariants: the call still up on both sides with its transcript readable, the waiting customer still waiting,
    // and a fresh agent answering them.
    const violations: string[] = [];
    if (!health) violations.push('healthz');
    if (!underWay.customer.connected || !underWay.agent.connected) violations.push('call sockets dropped');
    if (ended.some((seen) => seen.length > 0)) violations.push('call ended');
    const transcript = await call(underWay.customer as ClientSocket, 'text:transcript', { sessionId: underWay.sessionId }).catch(() => null);
    if (!transcript) violations.push('transcript unreadable');
    if (!waiting.socket.connected || waitingClosed.length > 0) violations.push('waiting customer dropped');
    const ticket = await fetch(`${server.url}/api/tickets/${waiting.joined.ticketId}`, { headers: { authorization: `Bearer ${waiting.joined.secret}` } });
    const ticketState = ticket.ok ? ((await ticket.json()) as { data: { status: string } }).data.status : `HTTP ${ticket.status}`;
    if (ticketState !== 'queued') violations.push(`waiting ticket is ${ticketState}`);
    const answering = await pool.availableAgent('bob').catch(() => null);
    const offer = answering ? await answering.offer.catch(() => null) : null;
    if (!offer) violations.push('no offer to a fresh agent');
    // The waiting customer joined before any fuzzing ticket: theirs is the longest wait, and the offer's.
    else if (offer.ticketId !== waiting.joined.ticketId) violations.push(`the fresh agent was offered ${offer.ticketId}, not the waiting customer`);
    else {
      const started = once(waiting.socket, 'call:started', 10_000);
      const accepted = await call(answering!.socket, 'offer:accept', { offerId: offer.offerId }).then(() => true, () => false);
      if (!accepted || !(await started.then(() => true, () => false))) violations.push('the waiting customer could not be answered');
    }
    const errors = Object.fromEntries([...tally.errors].sort((a, b) => b[1] - a[1]));
    progress(DRILL, `socket replies: ${tally.ok} ok, errors ${JSON.stringify(errors)}; HTTP statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    const inputs = tally.sent + [...statuses.values()].reduce((a, b) => a + b, 0) + httpFailures;
    report({ drill: DRILL, metric: 'inputs', value: inputs, lost: null, note: `${tally.sent} Socket.IO events, ${inputs - tally.sent} HTTP requests in ${Math.round(seconds)} s, seed ${seed}` });
    report({ drill: DRILL, metric: 'crashes', value: crashed, lost: null, goal: '0', met: crashed === 0 });
    report({ drill: DRILL, metric: 'unanswered_events', value: tally.unanswered, lost: null, goal: '0', met: tally.unanswered === 0, note: 'acked events with no reply on a connection that stayed up' });
    report({ drill: DRILL, metric: 'connections_dropped', value: tally.dropped + tally.oversizeDropped, lost: null, note: `by the server: ${tally.oversizeDropped} for 2 MB inputs, each on a connection of its own; ${tally.dropped} others (the fuzzing agent's sign-out, a valid HTTP input, ends its connections), taking ${tally.droppedInFlight} events in flight with them` });
    report({ drill: DRILL, metric: 'replayed_tokens_accepted', value: replayAccepted, lost: null, goal: '0', met: replayAccepted === 0 });
    report({ drill: DRILL, metric: 'invariants_broken', value: violations.length, lost: violations.length, goal: '0', met: violations.length === 0, note: violations.join('; ') || 'call up, transcript readable, waiting customer waiting and answered' });
    report({ drill: DRILL, metric: 'rss_mb', value: Math.round(rssAfter / 1e6), lost: null, unit: 'MB', note: `before ${Math.round(rssBefore / 1e6)} MB, after ${Math.round(rssAfter / 1e6)} MB` });
  } finally {
    pool.closeAll();
    await server.stop();
    await folder.cleanup();
  }
}
