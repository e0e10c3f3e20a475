import { io, type Socket } from 'socket.io-client';
import {
  serverEventSchemas,
  type Ack,
  type AgentLoginReply,
  type AgentProfile,
  type AgentState,
  type CallStarted,
  type ClientEventName,
  type ClientEventReplies,
  type ClientToServerEvents,
  type ErrorBody,
  type Offer,
  type QueueJoin,
  type QueueJoined,
  type ServerToClientEvents,
} from '../../signaling/index.js';
import { TEST_PASSWORD } from './testServer.js';

/** The listener side of a socket with the event name left open, for helpers generic over events. */
interface AnyEventSource {
  on(event: string, listener: (payload: never) => void): unknown;
  off(event: string, listener: (payload: never) => void): unknown;
}

/** A typed Socket.IO client, as the browser pages use it. */
export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The payload of a server push. */
export type PushOf<E extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[E]>[0];

/** Ack timeout of every request a test makes, as the real clients always set one. */
export const ACK_TIMEOUT_MS = 5000;

/** How long a test waits for a push before it fails. */
export const PUSH_TIMEOUT_MS = 5000;

/** A push as the client's edge checks it: a payload that does not fit its schema fails the test. */
function checked<E extends keyof ServerToClientEvents>(event: E, payload: unknown): PushOf<E> {
  return serverEventSchemas[event].parse(payload) as PushOf<E>;
}

/**
 * Resolves with the next `event` on `socket` that passes `accept`, or rejects after `timeoutMs`; every payload
 * seen is checked against its schema. Call it before the action that causes the event.
 */
export function once<E extends keyof ServerToClientEvents>(
  socket: ClientSocket,
  event: E,
  timeoutMs = PUSH_TIMEOUT_MS,
  accept: (payload: PushOf<E>) => boolean = () => true,
): Promise<PushOf<E>> {
  const untyped = socket as unknown as AnyEventSource;
  const promise = new Promise<PushOf<E>>((resolve, reject) => {
    const listener = (raw: unknown): void => {
      let payload: PushOf<E>;
      try {
        payload = checked(event, raw);
      } catch (error) {
        clearTimeout(timer);
        untyped.off(event, listener);
        return reject(new Error(`"${event}" push does not fit its schema: ${String(error)}`));
      }
      if (!accept(payload)) return;
      clearTimeout(timer);
      untyped.off(event, listener);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      untyped.off(event, listener);
      reject(new Error(`no "${event}" within ${timeoutMs} ms`));
    }, timeoutMs);
    untyped.on(event, listener);
  });
  // A test that fails before awaiting this must not also report an unhandled rejection.
  promise.catch(() => undefined);
  return promise;
}

/** Collects every push of one event, for asserting what did or did not arrive. */
export function record<E extends keyof ServerToClientEvents>(socket: ClientSocket, event: E): PushOf<E>[] {
  const seen: PushOf<E>[] = [];
  (socket as unknown as AnyEventSource).on(event, (payload: unknown) => void seen.push(checked(event, payload)));
  return seen;
}

/** Sends a client event and resolves with its ack. */
export function request<E extends ClientEventName>(
  socket: ClientSocket,
  event: E,
  payload: Parameters<ClientToServerEvents[E]>[0],
): Promise<Ack<ClientEventReplies[E]>> {
  return rawRequest(socket, event, payload) as Promise<Ack<ClientEventReplies[E]>>;
}

/** Sends any event name with any arguments (for bad input) and resolves with the ack. */
export function rawRequest(socket: ClientSocket, event: string, ...args: unknown[]): Promise<Ack<unknown>> {
  return (socket as unknown as Socket).timeout(ACK_TIMEOUT_MS).emitWithAck(event, ...args) as Promise<Ack<unknown>>;
}

/** Sends any event name with any arguments and no ack callback. */
export function rawEmit(socket: ClientSocket, event: string, ...args: unknown[]): void {
  (socket as unknown as Socket).emit(event, ...args);
}

/** The data of a successful ack; fails the test with the coded error otherwise. */
export function okData<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`expected ok, got ${ack.error.code}: ${ack.error.message}`);
  return ack.data;
}

/** The coded error of a failed ack; fails the test when the ack succeeded. */
export function errorOf(ack: Ack<unknown>): ErrorBody {
  if (ack.ok) throw new Error(`expected an error, got ok with ${JSON.stringify(ack.data)}`);
  return ack.error;
}

/** Sends a client event, expects success and returns the ack data. */
export async function call<E extends ClientEventName>(
  socket: ClientSocket,
  event: E,
  payload: Parameters<ClientToServerEvents[E]>[0],
): Promise<ClientEventReplies[E]> {
  return okData(await request(socket, event, payload));
}

/** Signs an agent in over HTTP and returns the token and profile. */
export async function loginAgent(baseUrl: string, username: string, password = TEST_PASSWORD): Promise<AgentLoginReply> {
  const response = await postJson(baseUrl, '/api/agent/login', { username, password });
  const body = (await response.json()) as Ack<AgentLoginReply>;
  return okData(body);
}

/** POSTs a JSON body (a string is sent as it is) and returns the response. */
export function postJson(baseUrl: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A plausible `queue:join` payload; fields may be overridden. */
export function joinRequest(overrides: Partial<QueueJoin> = {}): Parameters<ClientToServerEvents['queue:join']>[0] {
  return { mode: 'csl', topic: 'My phone will not connect to Wi-Fi', device: 'phone', ...overrides };
}

/** An agent's connected socket and the state the server announced on connection. */
export interface ConnectedAgent {
  socket: ClientSocket;
  profile: AgentProfile;
  initialState: AgentState;
}

/**
 * Opens sockets against one server and closes every one of them in `closeAll()`,
 * so each test gets fresh connections and leaves none behind.
 */
export class SocketPool {
  readonly #url: string;
  readonly #sockets: ClientSocket[] = [];

  constructor(url: string) {
    this.#url = url;
  }

  /** A socket that is not connected yet, so listeners can be attached before the first push. */
  open(auth?: { token: unknown }): ClientSocket {
    const socket: ClientSocket = io(this.#url, {
      transports: ['websocket'],
      autoConnect: false,
      reconnection: false,
      forceNew: true,
      ...(auth ? { auth } : {}),
    });
    this.#sockets.push(socket);
    return socket;
  }

  /** A connected customer socket without a token, as the support page opens it. */
  async customer(): Promise<ClientSocket> {
    const socket = this.open();
    await connect(socket);
    return socket;
  }

  /** A connected customer that has joined the queue, with its ticket. */
  async queuedCustomer(overrides: Partial<QueueJoin> = {}): Promise<{ socket: ClientSocket; joined: QueueJoined }> {
    const socket = await this.customer();
    const joined = await call(socket, 'queue:join', joinRequest(overrides));
    return { socket, joined };
  }

  /** Signs an agent in, connects with the token, and waits for the first `agent:state`. */
  async agent(username: string): Promise<ConnectedAgent> {
    const { token, agent } = await loginAgent(this.#url, username);
    const socket = this.open({ token });
    const state = once(socket, 'agent:state');
    await connect(socket);
    return { socket, profile: agent, initialState: await state };
  }

  /** Signs an agent in, connects, goes available and returns the first offer it gets. */
  async availableAgent(username: string): Promise<ConnectedAgent & { offer: Promise<Offer> }> {
    const agent = await this.agent(username);
    const offer = once(agent.socket, 'offer:new');
    await call(agent.socket, 'agent:status', { status: 'available' });
    return { ...agent, offer };
  }

  /** Disconnects every socket this pool opened. */
  closeAll(): void {
    for (const socket of this.#sockets.splice(0)) socket.close();
  }
}

/** The call's agent loses the connection; once the customer is told, the customer hangs up, and is told it ended. */
export async function hangsUpWhileAgentAway(open: OpenCall): Promise<void> {
  const lost = once(open.customer, 'call:peerConnection', undefined, (p) => !p.connected);
  open.agent.close();
  await lost;
  const ended = once(open.customer, 'call:ended');
  await call(open.customer, 'call:end', { sessionId: open.sessionId });
  await ended;
}

/** Connecting with the token fails with the server's coded refusal; resolves to its code. */
export async function refusalOf(socket: ClientSocket): Promise<string> {
  const error = await connect(socket).then(
    () => new Error('connected, but the token should have been refused'),
    (refused: Error & { data?: { code?: string } }) => refused,
  );
  if (!('data' in error)) throw error;
  return String(error.data?.code);
}

/** The bearer token a socket connected with, to connect again as a reloaded page does. */
export function tokenOf(socket: ClientSocket): string {
  return (socket.auth as { token: string }).token;
}

/** Connects a socket and resolves once connected; rejects with the server's `connect_error`. */
export function connect(socket: ClientSocket, timeoutMs = PUSH_TIMEOUT_MS): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`not connected within ${timeoutMs} ms`));
    }, timeoutMs);
    const onConnect = (): void => {
      cleanup();
      resolve();
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('connect_error', onError);
    };
    socket.on('connect', onConnect);
    socket.on('connect_error', onError);
    socket.connect();
  });
}

/** Both sides of a call that an agent accepted. */
export interface OpenCall {
  customer: ClientSocket;
  agent: ClientSocket;
  ticketId: string;
  /** The customer's token, which reconnects them to the ticket. */
  token: string;
  /** The ticket's secret, which opens its progress page and survey. */
  secret: string;
  sessionId: string;
  customerStarted: CallStarted;
  agentStarted: CallStarted;
}

/**
 * Brings an agent and a new customer into a call: the customer joins the queue, the agent goes
 * available, accepts the offer, and both get `call:started`. The agent connects through `agentPool`
 * when given (another node of the same deployment).
 */
export async function openCall(pool: SocketPool, agentName: string, overrides: Partial<QueueJoin> = {}, agentPool: SocketPool = pool): Promise<OpenCall> {
  const { socket: customer, joined } = await pool.queuedCustomer(overrides);
  const agent = await agentPool.availableAgent(agentName);
  const offer = await agent.offer;
  if (offer.ticketId !== joined.ticketId) throw new Error(`agent ${agentName} was offered ${offer.ticketId}, not ${joined.ticketId}`);
  const customerStarted = once(customer, 'call:started');
  const agentStarted = once(agent.socket, 'call:started');
  await call(agent.socket, 'offer:accept', { offerId: offer.offerId });
  const [customerCall, agentCall] = await Promise.all([customerStarted, agentStarted]);
  return {
    customer,
    agent: agent.socket,
    ticketId: joined.ticketId,
    token: joined.token,
    secret: joined.secret,
    sessionId: customerCall.sessionId,
    customerStarted: customerCall,
    agentStarted: agentCall,
  };
}

/** The call's agent invites a technician, who takes the invitation and joins; resolves once the join is answered. */
export async function technicianJoins(open: OpenCall, technician: ConnectedAgent): Promise<void> {
  const invitation = once(technician.socket, 'call:invitation');
  await call(open.agent, 'call:invite', { sessionId: open.sessionId, agentId: technician.profile.id });
  await invitation;
  await call(technician.socket, 'call:join', { sessionId: open.sessionId });
}
