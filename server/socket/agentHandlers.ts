import { AppError } from '../../signaling/index.js';
import { requirementsForTransfer } from '../routing/requirements.js';
import { agentKey, roleIn, type CallSession } from '../sessions/SessionRegistry.js';
import { callOf } from './callHandlers.js';
import type { Services } from '../services.js';
import type { AppSocket, EventHandlers } from './types.js';

/** Events only a signed-in agent may send: availability, replies to offers, and opening the station. */
export function agentHandlers(services: Services): EventHandlers {
  const { router } = services;
  // Inviting and transferring belong to the call's own agent; to anyone else the call does not exist.
  const ownCall = (sessionId: string, socket: AppSocket): CallSession => {
    const { session, role } = callOf(services, sessionId, socket);
    if (role !== 'agent') throw AppError.notFound('session', sessionId);
    return session;
  };
  return {
    'agent:status': async ({ status }, socket) => {
      await router.setAvailability(agentIdOf(socket), status);
      return null;
    },
    'offer:accept': async ({ offerId }, socket) => {
      await router.accept(agentIdOf(socket), offerId);
      return null;
    },
    'station:join': async (_payload, socket) => {
      const room = await services.stations.open(agentKey(agentIdOf(socket)));
      return { stationId: room.id };
    },
    'offer:decline': async ({ offerId }, socket) => {
      await router.decline(agentIdOf(socket), offerId);
      return null;
    },
    'call:invite': async ({ sessionId, agentId }, socket) => {
      const me = agentIdOf(socket);
      const session = ownCall(sessionId, socket);
      const key = agentKey(agentId);
      if (agentId === me || session.guests.has(key)) throw AppError.invalidState(`agent "${agentId}" is in the call already`);
      const [technician] = await services.io.in(key).fetchSockets();
      const principal = technician?.data.principal;
      if (principal?.role !== 'agent') throw AppError.notFound('agent', agentId);
      session.invited.set(key, principal.agent.name);
      services.io.to(key).emit('call:invitation', { sessionId, ticketId: session.ticketId, mode: session.mode, topic: services.tickets.get(session.ticketId)?.request.topic ?? '', fromAgent: session.agent.name });
      return null;
    },
    'call:join': async ({ sessionId }, socket) => {
      const me = agentIdOf(socket);
      const key = agentKey(me);
      const session = services.sessions.get(sessionId);
      const name = session?.invited.get(key);
      if (!session || name === undefined) throw AppError.notFound('invitation to session', sessionId);
      session.invited.delete(key);
      session.guests.set(key, name);
      // The technician's camera already flows into their station; the call forwards it from there.
      const station = services.stations.get(key);
      if (station) await session.room.adoptProducers(key, station);
      // Helping in a call, the technician gets no offers; going available again is theirs to do.
      await router.setAvailability(me, 'away').catch(() => undefined);
      socket.emit('call:started', { sessionId, ticketId: session.ticketId, mode: session.mode, role: 'technician', peerName: `${session.agent.name} · ${session.ticketId}` });
      for (const signer of session.signing) socket.emit('call:peerSigning', { sessionId, role: roleIn(session, signer)!, signing: true });
      return null;
    },
    // Queued first, so a refused transfer leaves the call as it was; then the call ends for this agent.
    'call:transfer': async ({ sessionId, queue, agentId, skills, note }, socket) => {
      const me = agentIdOf(socket);
      const session = ownCall(sessionId, socket);
      if (agentId === me) throw AppError.invalidState('the call is already yours');
      const ticket = services.tickets.get(session.ticketId);
      if (!ticket) throw AppError.notFound('ticket', session.ticketId);
      const target = queue ?? session.queue;
      const status = await router.transfer({
        ticketId: ticket.id,
        ...requirementsForTransfer(ticket.request, target, skills),
        slaClass: ticket.request.category,
        priority: 'normal',
        mode: ticket.request.mode,
        queue: target,
        topic: ticket.request.topic,
        device: ticket.request.device,
        transfer: { fromAgent: session.agent.name, note },
        toAgentId: agentId,
        notAgentId: me,
      });
      services.sessions.end(sessionId, 'transferred');
      return { position: status.position };
    },
  };
}

function agentIdOf(socket: AppSocket): string {
  const principal = socket.data.principal;
  if (principal?.role !== 'agent') throw AppError.unauthorized();
  return principal.agent.id;
}
