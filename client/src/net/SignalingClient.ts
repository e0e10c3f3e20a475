import { io, type Socket } from 'socket.io-client';
import {
  clientEventReplySchemas,
  envelopeSchema,
  ErrorCode,
  errorBodySchema,
  serverEventSchemas,
  type ClientEventName,
  type ClientEventReplies,
  type ClientToServerEvents,
  type ServerEventName,
  type ServerEventPayload,
  type ServerToClientEvents,
} from '../../../signaling/index.js';

/** Milliseconds an ack may take before the request fails with code TIMEOUT. */
export const ACK_TIMEOUT_MS = 8000;

/** A failed request, with the server's stable code, or TIMEOUT / DISCONNECTED / BAD_REPLY from the client. */
export class RequestError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'RequestError';
    this.code = code;
  }
}

/** What a page hears about the connection itself. */
export interface ConnectionHandlers {
  /** Connected, first time or again. */
  connect?(): void;
  /** The connection dropped; Socket.IO retries by itself unless the page closed it. */
  disconnect?(): void;
  /**
   * The server refused the connection (e.g. UNAUTHORIZED for an expired or revoked token), or closed it because the
   * sign-in ended; no retry follows.
   */
  refused?(error: RequestError): void;
}

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type PayloadOf<E extends ClientEventName> = Parameters<ClientToServerEvents[E]>[0];
type Listener = (payload: unknown) => void;

/**
 * The page's one connection to the service and its one edge: every push is checked against its schema in
 * `signaling/` before a handler sees it, and every ack against its reply schema; requests always time out.
 */
export class SignalingClient {
  readonly #socket: ClientSocket;

  /**
   * Connects to the page's own origin, or to `url`. `token()` is read at every (re)connection, so a reconnect always
   * presents the latest token.
   */
  constructor(options: { token?: () => string | null; url?: string } = {}) {
    const token = options.token;
    const settings = { auth: token ? (cb: (auth: object) => void) => cb({ token: token() ?? undefined }) : {}, transports: ['websocket'] };
    this.#socket = options.url ? io(options.url, settings) : io(settings);
  }

  /** Whether the connection is up now. */
  get connected(): boolean {
    return this.#socket.connected;
  }

  /** Calls `handler` with each valid `event` push; malformed pushes are dropped with a console warning. Returns an unsubscribe. */
  on<E extends ServerEventName>(event: E, handler: (payload: ServerEventPayload<E>) => void): () => void {
    const schema = serverEventSchemas[event];
    const listener: Listener = (payload) => {
      const parsed = schema.safeParse(payload);
      if (parsed.success) handler(parsed.data as ServerEventPayload<E>);
      else console.warn(`dropped a malformed "${event}" push: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    };
    // The socket's typed `on` cannot take a generic event name; the schema above checks the payload instead.
    const untyped = this.#socket as unknown as { on(e: string, l: Listener): void; off(e: string, l: Listener): void };
    untyped.on(event, listener);
    return () => untyped.off(event, listener);
  }

  /** Subscribes to the connection's own events. */
  onConnection(handlers: ConnectionHandlers): void {
    if (handlers.connect) this.#socket.on('connect', handlers.connect);
    this.#socket.on('disconnect', (reason) => {
      // The server closes a connection itself only when its sign-in ends (signed out on another tab or node); no
      // reconnect follows, so it is a refusal, not a lost connection.
      if (reason === 'io server disconnect') handlers.refused?.(new RequestError(ErrorCode.Unauthorized, 'signed out'));
      else handlers.disconnect?.();
    });
    this.#socket.on('connect_error', (error: Error & { data?: unknown }) => {
      // A middleware refusal carries a coded body and leaves the socket inactive; network errors are retried.
      const body = errorBodySchema.safeParse(error.data);
      if (body.success && !this.#socket.active) handlers.refused?.(new RequestError(body.data.code, body.data.message));
    });
  }

  /** Sends an event and resolves with the ack's checked data, or rejects with a RequestError. */
  async request<E extends ClientEventName>(event: E, payload: PayloadOf<E>): Promise<ClientEventReplies[E]> {
    let ack: unknown;
    try {
      // The generic event name defeats Socket.IO's overloads; the event map still types the call sites.
      const timed = this.#socket.timeout(ACK_TIMEOUT_MS) as unknown as { emitWithAck(e: string, p: unknown): Promise<unknown> };
      ack = await timed.emitWithAck(event, payload);
    } catch {
      throw this.#socket.connected
        ? new RequestError('TIMEOUT', `no answer to ${event} within ${ACK_TIMEOUT_MS / 1000} s`)
        : new RequestError('DISCONNECTED', 'not connected to the service');
    }
    const reply = ackSchemaOf(event).safeParse(ack);
    if (!reply.success) throw new RequestError('BAD_REPLY', `the service answered ${event} with something unexpected`);
    if (!reply.data.ok) throw new RequestError(reply.data.error.code, reply.data.error.message);
    return reply.data.data as ClientEventReplies[E];
  }

  /** Closes the connection for good. */
  close(): void {
    this.#socket.close();
  }
}

const ackSchemas = new Map<ClientEventName, ReturnType<typeof envelopeSchema>>();

function ackSchemaOf(event: ClientEventName): ReturnType<typeof envelopeSchema> {
  let schema = ackSchemas.get(event);
  if (!schema) ackSchemas.set(event, (schema = envelopeSchema(clientEventReplySchemas[event])));
  return schema;
}
