import { AppError } from '../../signaling/index.js';
import { agentKey } from '../calls/participantKeys.js';
import type { Services } from '../services.js';
import type { AppSocket, EventHandlers } from './types.js';

/**
 * Events only a signed-in agent may send: availability, replies to offers, the station, inviting, joining, handing
 * over, transferring and filing a call's wrap-up.
 */
export function agentHandlers(services: Services): EventHandlers {
  const { router, calls } = services;
  return {
    'agent:status': async ({ status }, socket) => {
      await router.setAvailability(agentIdOf(socket), status);
      return null;
    },
    'agent:wrapUp': async (wrapUp, socket) => {
      await calls.wrapUp(agentIdOf(socket), wrapUp);
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
      if (!services.media.stations) throw AppError.invalidState('stations belong to the embedded SFU: on LiveKit the console sends its camera into each call');
      const room = await services.stations.open(agentKey(agentIdOf(socket)));
      return { stationId: room.id };
    },
    // Only an online agent can be asked in, and only by the call's own agent.
    'call:invite': ({ sessionId, agentId, tier, purpose, note }, socket) => calls.invite(sessionId, agentIdOf(socket), { agentId, tier, purpose, note }),
    'call:handover': async ({ sessionId }, socket) => {
      await calls.handOver(sessionId, agentIdOf(socket));
      return null;
    },
    'call:link': ({ sessionId }, socket) => calls.createLink(sessionId, agentIdOf(socket)),
    'technicians:list': (_payload, socket) => ({ technicians: calls.technicians(agentIdOf(socket)) }),
    'call:join': async ({ sessionId }, socket) => {
      await calls.admitTechnician(sessionId, agentIdOf(socket));
      return null;
    },
    'call:transfer': ({ sessionId, queue, agentId, skills, tier, note }, socket) => calls.transfer(sessionId, agentIdOf(socket), { queue, agentId, skills, tier, note }),
  };
}

function agentIdOf(socket: AppSocket): string {
  const principal = socket.data.principal;
  if (principal?.role !== 'agent') throw AppError.unauthorized();
  return principal.agent.id;
}
