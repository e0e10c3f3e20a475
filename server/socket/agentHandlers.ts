import { AppError } from '../../signaling/index.js';
import { agentKey } from '../calls/participantKeys.js';
import type { Services } from '../services.js';
import type { AppSocket, EventHandlers } from './types.js';

/** Events only a signed-in agent may send: availability, replies to offers, the station, inviting, joining and transferring. */
export function agentHandlers(services: Services): EventHandlers {
  const { router, calls } = services;
  return {
    'agent:status': async ({ status }, socket) => {
      await router.setAvailability(agentIdOf(socket), status);
      return null;
    },
    'offer:accept': async ({ offerId }, socket) => {
      await router.accept(agentIdOf(socket), offerId);
      return null;
    },
    'offer:decline': async ({ offerId }, socket) => {
      await router.decline(agentIdOf(socket), offerId);
      return null;
    },
    'station:join': async (_payload, socket) => {
      const room = await services.stations.open(agentKey(agentIdOf(socket)));
      return { stationId: room.id };
    },
    // Only a signed-in agent can be asked in, and only by the call's own agent.
    'call:invite': async ({ sessionId, agentId }, socket) => {
      const call = calls.ownCall(sessionId, agentIdOf(socket));
      const [target] = await services.io.in(agentKey(agentId)).fetchSockets();
      const principal = target?.data.principal;
      if (principal?.role !== 'agent') throw AppError.notFound('agent', agentId);
      call.invite(agentKey(agentIdOf(socket)), { key: agentKey(agentId), name: principal.agent.name });
      return null;
    },
    'call:join': async ({ sessionId }, socket) => {
      await calls.admitTechnician(sessionId, agentIdOf(socket));
      return null;
    },
    'call:transfer': ({ sessionId, queue, agentId, skills, note }, socket) => calls.transfer(sessionId, agentIdOf(socket), { queue, agentId, skills, note }),
  };
}

function agentIdOf(socket: AppSocket): string {
  const principal = socket.data.principal;
  if (principal?.role !== 'agent') throw AppError.unauthorized();
  return principal.agent.id;
}
