import { z } from 'zod';
import { AppError, clientEventSchemas, type CallQualityRecord, type ClientEventName, type ErrorBody, type LiveCall } from '../../signaling/index.js';
import type { Principal } from '../auth/TokenRegistry.js';
import { toErrorBody } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AppServer, AppSocket, EventHandler, EventHandlers } from './types.js';

/** An in-call event a node does not host, as it asks the other nodes to run it. */
export interface ForwardedCallEvent {
  event: ClientEventName;
  payload: { sessionId: string };
  /** Who sent it, as the entry node authenticated them. */
  principal: Principal;
}

/** A node's answer: it does not host the session, or the event's result there. */
export type ForwardedCallReply = { hosted: false } | { hosted: true; ok: true; data: unknown } | { hosted: true; ok: false; error: ErrorBody & { status: number } };

/** A participant's last connection to a node went, or a connection came back: the node hosting their call is told. */
export interface PresenceChange {
  /** The participant's key (`customer:<ticket>`, `agent:<id>`, `guest:<id>`). */
  key: string;
  present: boolean;
}

const presenceChangeSchema = z.object({ key: z.string().min(1).max(200), present: z.boolean() });

/** The events nodes send each other through the Socket.IO Redis adapter. */
export interface InterNodeEvents {
  'call:forward': (request: ForwardedCallEvent, reply: (answer: ForwardedCallReply) => void) => void;
  /** Answers whether this node hosts a call of the participant (and told it). */
  'call:presence': (change: PresenceChange, reply: (hosted: boolean) => void) => void;
  /** Answers with this node's live calls, for a supervisor on any node (`supervisor/clusterView.ts`). */
  'supervisor:calls': (reply: (calls: LiveCall[]) => void) => void;
  /** Answers with the quality record of a call this node hosts, or null. */
  'supervisor:quality': (sessionId: string, reply: (record: CallQualityRecord | null) => void) => void;
}

/** What a call does when its participant's connection goes (whether it waits for them as its agent) or comes back. */
interface PresenceListener {
  disconnected(key: string): boolean;
  reconnected(key: string): void;
}

/**
 * A participant's connection and their call may be on different nodes: the node that saw the connection go (or come
 * back) and found no call of theirs asks the others, and the one hosting the call starts its grace period (or ends
 * it) as for a connection of its own. Resolves whether some node hosts the call; for a connection that went, whether
 * they are that call's agent and it waits for them to come back (routing keeps them in it). A node with no call of a
 * participant who came back elsewhere runs `backElsewhere` (it tells an agent the ends of calls they missed).
 */
export function sharePresence(io: AppServer, callOf: (key: string) => PresenceListener | undefined, backElsewhere: (key: string) => void = () => undefined): (change: PresenceChange) => Promise<boolean> {
  io.on('call:presence', (change: PresenceChange, reply: (hosted: boolean) => void) => {
    const checked = presenceChangeSchema.safeParse(change);
    if (!checked.success) return reply(false);
    const call = callOf(checked.data.key);
    if (!call) {
      if (checked.data.present) backElsewhere(checked.data.key);
      return reply(false);
    }
    if (!checked.data.present) return reply(call.disconnected(checked.data.key));
    call.reconnected(checked.data.key);
    reply(true);
  });
  return async (change) => {
    const answers = await answersCame(io.serverSideEmitWithAck('call:presence', change));
    return answers.some((hosted) => hosted === true);
  };
}

/**
 * The answers of the other nodes to a `serverSideEmitWithAck`: all of them, or, when some did not answer within the
 * adapter's request timeout, those that came.
 */
export function answersCame(asking: Promise<unknown[]>): Promise<unknown[]> {
  return asking.catch((error: { responses?: unknown[] }) => error.responses ?? []);
}

/**
 * How long the other nodes have to answer a forwarded event (the Redis adapter's `requestsTimeout`, set where the
 * adapter is made); a node that does not answer is taken as not hosting the session.
 */
export const FORWARD_TIMEOUT_MS = 5_000;

/**
 * When fewer nodes answer than are in the cluster (their Redis subscriptions are being restored after Redis came
 * back), a forwarded event is sent again this often, for up to FORWARD_RETRY_FOR_MS, before the session is taken as
 * not found anywhere.
 */
const FORWARD_RETRY_EVERY_MS = 200;
const FORWARD_RETRY_FOR_MS = 3_000;

/**
 * In-call events reach whichever node the participant's connection landed on, but a call lives on one node: the one
 * whose SFU hosts its media (its agent's station). With several nodes (Redis), an event for a session this node does
 * not host is sent to the others; the node that hosts it runs the same handler for the same principal and its answer
 * (data or coded error) goes back to the participant as if answered here. Pushes already reach every node (Socket.IO
 * rooms over Redis), and the participant's media connects to the hosting node's announced address.
 *
 * `hostedHere(sessionId, principal)` says whether this node runs the event itself. Without Redis every call is here.
 */
export function forwardCallEvents(
  io: AppServer,
  handlers: EventHandlers,
  hostedHere: (sessionId: string, principal: Principal | undefined) => boolean,
  log: Logger,
  peers: () => Promise<number>,
): EventHandlers {
  io.on('call:forward', (request: ForwardedCallEvent, reply: (answer: ForwardedCallReply) => void) => {
    void runForwarded(request, handlers, hostedHere, log).then(reply);
  });
  const forwarding: EventHandlers = {};
  for (const [event, handler] of Object.entries(handlers) as [ClientEventName, EventHandler<ClientEventName>][]) {
    const forward = (async (payload: { sessionId: string }, socket: AppSocket) => {
      if (hostedHere(payload.sessionId, socket.data.principal)) return handler(payload as never, socket);
      const principal = socket.data.principal;
      if (!principal) throw AppError.invalidState('join the queue first (queue:join)');
      return forwardToHost(io, { event, payload, principal }, peers);
    }) as unknown as EventHandler<ClientEventName>;
    (forwarding as Record<string, EventHandler<ClientEventName>>)[event] = forward;
  }
  return forwarding;
}

/** On the other side: runs a forwarded event if this node hosts its session. */
async function runForwarded(
  request: ForwardedCallEvent,
  handlers: EventHandlers,
  hostedHere: (sessionId: string, principal: Principal | undefined) => boolean,
  log: Logger,
): Promise<ForwardedCallReply> {
  try {
    // The entry node checked the payload; checked again here, as nothing from outside this process is taken on trust.
    const payload = clientEventSchemas[request.event].parse(request.payload) as { sessionId?: unknown };
    if (typeof payload.sessionId !== 'string' || !hostedHere(payload.sessionId, request.principal)) return { hosted: false };
    const handler = handlers[request.event] as EventHandler<ClientEventName> | undefined;
    if (!handler) return { hosted: false };
    // The handlers of in-call events read only who is asking from the socket.
    const asked = { data: { principal: request.principal } } as AppSocket;
    return { hosted: true, ok: true, data: await handler(payload as never, asked) };
  } catch (error) {
    return { hosted: true, ok: false, error: toErrorBody(error, (message, cause) => log.error(`forwarded ${request.event}: ${message}`, cause)) };
  }
}

/**
 * Asks every other node; the one hosting the session answers. None while every node answered: the session is not
 * anywhere (NOT_FOUND). Some did not hear it (Redis just came back): asked again for a few seconds first.
 */
async function forwardToHost(io: AppServer, request: ForwardedCallEvent, peers: () => Promise<number>): Promise<unknown> {
  const giveUpAt = Date.now() + FORWARD_RETRY_FOR_MS;
  for (;;) {
    // A node that does not answer within the adapter's request timeout (`FORWARD_TIMEOUT_MS`) fails the promise; the
    // answers that came are on the error. Such a node may have run the event: it is not sent again.
    let timedOut = false;
    const answers = await io.serverSideEmitWithAck('call:forward', request).catch((error: { responses?: ForwardedCallReply[] }) => {
      timedOut = true;
      return error.responses ?? [];
    });
    const hosted = answers.find((answer) => answer.hosted);
    if (hosted) {
      if (!hosted.ok) throw new AppError(hosted.error.code, hosted.error.status, hosted.error.message);
      return hosted.data;
    }
    const unheard = !timedOut && answers.length < (await peers().catch(() => 0));
    if (!unheard || Date.now() >= giveUpAt) throw AppError.notFound('session', request.payload.sessionId);
    await new Promise((resolve) => setTimeout(resolve, FORWARD_RETRY_EVERY_MS));
  }
}
