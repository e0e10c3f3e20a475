import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AgentProfile, CallEndReason, CallMode, ParticipantRole, QueueName } from '../../signaling/index.js';
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
  /** Agents invited in (technicians), by participant key, with their display names. */
  invited: Map<string, string>;
  /** Technicians in the call, by participant key, with their display names. */
  guests: Map<string, string>;
  /** Who is signing now, by participant key, so someone joining later sees it at once. */
  signing: Set<string>;
}

/** Every participant key of a session: customer, agent, technicians. */
export function participantKeys(session: CallSession): string[] {
  return [session.customerKey, session.agentKey, ...session.guests.keys()];
}

/** A participant's role in the session, or undefined when the key is not in it. */
export function roleIn(session: CallSession, key: string): ParticipantRole | undefined {
  if (key === session.customerKey) return 'customer';
  if (key === session.agentKey) return 'agent';
  return session.guests.has(key) ? 'technician' : undefined;
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
    // The session is referenced lazily: the room asks for roles only once participants join.
    let session: CallSession | undefined;
    const room = await this.#media.createRoom(id, { colocateWith: station, roleOf: (key) => (session && roleIn(session, key)) ?? 'technician' });
    session = {
      id,
      ticketId,
      agent,
      mode: call.mode,
      queue: call.queue,
      startedAt: Date.now(),
      room,
      customerKey: customerKey(ticketId),
      agentKey: agentKey(agent.id),
      invited: new Map(),
      guests: new Map(),
      signing: new Set(),
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
      if (roleIn(session, key)) return session;
    }
    return undefined;
  }

  /** A technician leaves a call that goes on: out of the room, out of the session. */
  removeGuest(session: CallSession, key: string): void {
    if (!session.guests.delete(key)) return;
    session.signing.delete(key);
    session.room.remove(key);
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
