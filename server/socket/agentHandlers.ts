import { AppError } from '../../signaling/index.js';
import { agentKey } from '../sessions/SessionRegistry.js';
import type { Services } from '../services.js';
import type { AppSocket, EventHandlers } from './types.js';

/** Events only a signed-in agent may send: availability and replies to offers. */
export function agentHandlers(services: Services): EventHandlers {
  const { dispatcher } = services;
  return {
    'agent:status': ({ status }, socket) => {
      dispatcher.setAvailability(agentIdOf(socket), status);
      return null;
    },
    'offer:accept': ({ offerId }, socket) => {
      dispatcher.accept(agentIdOf(socket), offerId);
      return null;
    },
    'station:join': async (_payload, socket) => {
      const room = await services.stations.open(agentKey(agentIdOf(socket)));
      return { stationId: room.id };
    },
    'offer:decline': ({ offerId }, socket) => {
      dispatcher.decline(agentIdOf(socket), offerId);
      return null;
    },
  };
}

function agentIdOf(socket: AppSocket): string {
  const principal = socket.data.principal;
  if (principal?.role !== 'agent') throw AppError.unauthorized();
  return principal.agent.id;
}
