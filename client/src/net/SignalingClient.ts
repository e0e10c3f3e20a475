import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  ClientEventName,
  ClientEventReplies,
  ClientToServerEvents,
  ServerToClientEvents,
} from '../../../signaling/index.js';

/** Milliseconds an ack may take before the request fails with code TIMEOUT. */
export const ACK_TIMEOUT_MS = 8000;

/** A failed request, with the server's stable code (or TIMEOUT / DISCONNECTED from the client). */
export class RequestError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'RequestError';
    this.code = code;
  }
}

/** The typed browser socket. */
export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

type PayloadOf<E extends ClientEventName> = Parameters<ClientToServerEvents[E]>[0];

/** Socket.IO connection to the service; every request carries an ack timeout. */
export class SignalingClient {
  /** The underlying socket, for subscribing to pushes. */
  readonly socket: ClientSocket;

  constructor(options: { token?: string } = {}) {
    this.socket = io({ auth: options.token ? { token: options.token } : {}, transports: ['websocket'] });
  }

  /** Sends an event and resolves with the ack's data, or rejects with a RequestError. */
  async request<E extends ClientEventName>(event: E, payload: PayloadOf<E>): Promise<ClientEventReplies[E]> {
    let ack: Ack<ClientEventReplies[E]>;
    try {
      // The generic event name defeats Socket.IO's overloads; the event map above still types the call sites.
      const timed = this.socket.timeout(ACK_TIMEOUT_MS) as unknown as { emitWithAck(e: string, p: unknown): Promise<Ack<ClientEventReplies[E]>> };
      ack = await timed.emitWithAck(event, payload);
    } catch {
      throw this.socket.connected
        ? new RequestError('TIMEOUT', `no answer to ${event} within ${ACK_TIMEOUT_MS / 1000} s`)
        : new RequestError('DISCONNECTED', 'not connected to the service');
    }
    if (!ack.ok) throw new RequestError(ack.error.code, ack.error.message);
    return ack.data;
  }

  /** Closes the connection. */
  close(): void {
    this.socket.close();
  }
}
