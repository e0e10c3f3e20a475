import { AppError } from '../../signaling/index.js';
import type { MediaRoom } from '../../media/MediaEngine.js';
import type { Principal } from '../auth/TokenRegistry.js';
import type { ParticipantRole } from '../../signaling/index.js';
import { agentKey, customerKey, participantKeys, roleIn, type CallSession } from '../sessions/SessionRegistry.js';
import type { Services } from '../services.js';
import type { AppSocket, EventHandlers } from './types.js';

/** The media participant id of a principal: the same string as its Socket.IO room. */
export function participantKeyOf(principal: Principal | undefined): string {
  if (!principal) throw AppError.invalidState('join the queue first (queue:join)');
  return principal.role === 'agent' ? agentKey(principal.agent.id) : customerKey(principal.ticketId);
}

/**
 * The call the asking participant is in, with their role and key; another participant's call is reported exactly
 * like a missing one. Calls only: an agent's station is not a call.
 */
export function callOf(services: Services, sessionId: string, socket: AppSocket): { session: CallSession; role: ParticipantRole; me: string } {
  const me = participantKeyOf(socket.data.principal);
  const session = services.sessions.get(sessionId);
  const role = session && roleIn(session, me);
  if (!session || !role) throw AppError.notFound('session', sessionId);
  return { session, role, me };
}

/** In-call events (media signaling, hang up); every request is scoped to the asking participant's own session and objects. */
export function callHandlers(services: Services): EventHandlers {
  // Media requests may also address the agent's own station.
  const scope = (sessionId: string, socket: AppSocket): { room: MediaRoom; me: string } => {
    const me = participantKeyOf(socket.data.principal);
    const station = services.stations.get(me);
    if (station?.id === sessionId) return { room: station, me };
    return { room: callOf(services, sessionId, socket).session.room, me };
  };
  return {
    'call:quality': ({ sessionId, sample }, socket) => {
      const { role } = callOf(services, sessionId, socket);
      services.quality.add(sessionId, role, sample);
      return null;
    },
    'call:signing': ({ sessionId, signing }, socket) => {
      const { session, role, me } = callOf(services, sessionId, socket);
      if (signing) session.signing.add(me);
      else session.signing.delete(me);
      services.io.to(participantKeys(session).filter((key) => key !== me)).emit('call:peerSigning', { sessionId, role, signing });
      return null;
    },
    // A technician hanging up leaves; the customer or the agent hanging up ends the call for everyone.
    'call:end': ({ sessionId }, socket) => {
      const { session, role, me } = callOf(services, sessionId, socket);
      if (role !== 'technician') {
        services.sessions.end(sessionId, 'hangup');
        return null;
      }
      services.sessions.removeGuest(session, me);
      socket.emit('call:ended', { sessionId, reason: 'hangup' });
      return null;
    },
    'media:join': async ({ sessionId, send }, socket) => {
      const { room, me } = scope(sessionId, socket);
      return { ...(await room.join(me, { send })), iceServers: services.config.ICE_SERVERS };
    },
    'media:createTransport': ({ sessionId, direction }, socket) => {
      const { room, me } = scope(sessionId, socket);
      return room.createTransport(me, direction);
    },
    'media:connectTransport': async ({ sessionId, transportId, dtlsParameters }, socket) => {
      const { room, me } = scope(sessionId, socket);
      await room.connectTransport(me, transportId, dtlsParameters);
      return null;
    },
    'media:produce': ({ sessionId, ...request }, socket) => {
      const { room, me } = scope(sessionId, socket);
      return room.produce(me, request);
    },
    'media:consume': ({ sessionId, ...request }, socket) => {
      const { room, me } = scope(sessionId, socket);
      return room.consume(me, request);
    },
    'media:resumeConsumer': async ({ sessionId, consumerId }, socket) => {
      const { room, me } = scope(sessionId, socket);
      await room.resumeConsumer(me, consumerId);
      return null;
    },
    'media:closeConsumer': ({ sessionId, consumerId }, socket) => {
      const { room, me } = scope(sessionId, socket);
      room.closeConsumer(me, consumerId);
      return null;
    },
    'media:setProducerPaused': async ({ sessionId, producerId, paused }, socket) => {
      const { room, me } = scope(sessionId, socket);
      await room.setProducerPaused(me, producerId, paused);
      return null;
    },
  };
}
