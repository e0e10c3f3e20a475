import { AppError } from '../../signaling/index.js';
import { requirementsForTransfer } from '../routing/requirements.js';
import { agentKey } from '../sessions/SessionRegistry.js';
import type { Services } from '../services.js';
import type { AppSocket, EventHandlers } from './types.js';

/** Events only a signed-in agent may send: availability, replies to offers, and opening the station. */
export function agentHandlers(services: Services): EventHandlers {
  const { router } = services;
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
    // Queued first, so a refused transfer leaves the call as it was; then the call ends for this agent.
    'call:transfer': async ({ sessionId, queue, agentId, skills, note }, socket) => {
      const me = agentIdOf(socket);
      const session = services.sessions.get(sessionId);
      if (!session || session.agentKey !== agentKey(me)) throw AppError.notFound('session', sessionId);
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
