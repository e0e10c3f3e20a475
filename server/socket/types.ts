import type { Server, Socket } from 'socket.io';
import type {
  ClientEventName,
  ClientEventPayload,
  ClientEventReplies,
  ClientToServerEvents,
  ServerToClientEvents,
} from '../../signaling/index.js';
import type { Principal } from '../auth/TokenRegistry.js';
import type { InterNodeEvents } from './callForwarding.js';
import type { TokenBucket } from './TokenBucket.js';

/** What the server keeps on each socket. */
export interface SocketData {
  /** Who the socket speaks for; a new customer has none until `queue:join`. */
  principal?: Principal;
  bucket: TokenBucket;
}

/** The typed Socket.IO server. */
export type AppServer = Server<ClientToServerEvents, ServerToClientEvents, InterNodeEvents, SocketData>;
/** The typed Socket.IO socket. */
export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterNodeEvents, SocketData>;

/** A handler sees a validated payload and returns the ack data or throws an AppError. */
export type EventHandler<E extends ClientEventName> = (
  payload: ClientEventPayload<E>,
  socket: AppSocket,
) => Promise<ClientEventReplies[E]> | ClientEventReplies[E];

/** Handlers for some of the client events. */
export type EventHandlers = { [E in ClientEventName]?: EventHandler<E> };
