import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AgentProfile, CallEndReason, CallMode, QueueName } from '../../signaling/index.js';
import type { MediaEngine, MediaRoom } from '../../media/MediaEngine.js';

/** A call in progress between one customer and one agent. */
export interface CallSession {
  id: string;
  ticketId: string;
  agent: AgentProfile;
  mode: CallMode;
  /** The queue the call was answered from, for service levels. */
  queue: QueueName;
  startedAt: number;
  room: MediaRoom;
  /** Socket.IO room names of the participants, which are also their media participant ids. */
  customerKey: string;
  agentKey: string;
}

/** Events of the session registry. */
export interface SessionRegistryEvents {
  /** A session ended; emitted once per session. */
  ended: [session: CallSession, reason: CallEndReason];
}

/** Socket.IO room (and media participant id) of a customer's ticket. */
export const customerKey = (ticketId: string): string => `ticket:${ticketId}`;
/** Socket.IO room (and media participant id) of an agent. */
export const agentKey = (agentId: string): string => `agent:${agentId}`;

/** Every call in progress, with its media room. */
export class SessionRegistry extends EventEmitter<SessionRegistryEvents> {
  readonly #media: MediaEngine;
  readonly #sessions = new Map<string, CallSession>();

  constructor(media: MediaEngine) {
    super();
    this.#media = media;
  }

  /** Opens the media room, beside the agent's station when there is one, and records the session. */
  async start(ticketId: string, agent: AgentProfile, call: { mode: CallMode; queue: QueueName }, station?: MediaRoom): Promise<CallSession> {
    const id = randomUUID();
    const room = await this.#media.createRoom(id, { colocateWith: station });
    const session: CallSession = {
      id,
      ticketId,
      agent,
      mode: call.mode,
      queue: call.queue,
      startedAt: Date.now(),
      room,
      customerKey: customerKey(ticketId),
      agentKey: agentKey(agent.id),
    };
    this.#sessions.set(id, session);
    room.once('closed', () => this.end(id, 'server-shutdown'));
    return session;
  }

  /** The session with this id, or undefined. */
  get(id: string): CallSession | undefined {
    return this.#sessions.get(id);
  }

  /** The session a participant (by key) is in, or undefined. */
  findByParticipant(key: string): CallSession | undefined {
    for (const session of this.#sessions.values()) {
      if (session.customerKey === key || session.agentKey === key) return session;
    }
    return undefined;
  }

  /** Ends a session and closes its room; a second call is a no-op. */
  end(id: string, reason: CallEndReason): void {
    const session = this.#sessions.get(id);
    if (!session) return;
    this.#sessions.delete(id);
    session.room.close();
    this.emit('ended', session, reason);
  }

  /** Ends every session (shutdown). */
  endAll(reason: CallEndReason): void {
    for (const id of [...this.#sessions.keys()]) this.end(id, reason);
  }
}
