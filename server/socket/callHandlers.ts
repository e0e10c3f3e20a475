import { AppError } from '../../signaling/index.js';
import type { MediaRoom, SfuSignaling } from '../../media/MediaEngine.js';
import type { Principal } from '../auth/TokenRegistry.js';
import { agentKey, customerKey, guestKey } from '../calls/participantKeys.js';
import type { Services } from '../services.js';
import type { AppSocket, EventHandlers } from './types.js';

/** The media participant id of a principal: the same string as its Socket.IO room. */
export function participantKeyOf(principal: Principal | undefined): string {
  if (!principal) throw AppError.invalidState('join the queue first (queue:join)');
  switch (principal.role) {
    case 'agent':
      return agentKey(principal.agent.id);
    case 'customer':
      return customerKey(principal.ticketId);
    case 'guest-technician':
      return guestKey(principal.guestId);
    case 'supervisor':
      throw AppError.forbidden('a supervisor takes no part in calls');
  }
}

/** In-call events (media signaling, signing state, quality, text and chat, hang up), each scoped to the asking participant's own call. */
export function callHandlers(services: Services): EventHandlers {
  const { calls } = services;
  const me = (socket: AppSocket): string => participantKeyOf(socket.data.principal);
  // Media requests may also address the agent's own station, which is not a call.
  const room = (sessionId: string, socket: AppSocket): MediaRoom => {
    const key = me(socket);
    const station = services.stations.get(key);
    return station?.id === sessionId ? station : calls.memberCall(sessionId, key).call.mediaFor(key);
  };
  const sfu = (sessionId: string, socket: AppSocket): SfuSignaling => sfuOf(room(sessionId, socket));
  const callSfu = (sessionId: string, socket: AppSocket): SfuSignaling => sfuOf(calls.memberCall(sessionId, me(socket)).call.mediaFor(me(socket)));
  return {
    'call:quality': ({ sessionId, sample }, socket) => {
      calls.memberCall(sessionId, me(socket)).call.addQualitySample(me(socket), sample);
      return null;
    },
    'call:signing': ({ sessionId, signing }, socket) => {
      calls.memberCall(sessionId, me(socket)).call.setSigning(me(socket), signing);
      return null;
    },
    'call:end': ({ sessionId }, socket) => {
      calls.memberCall(sessionId, me(socket)).call.hangUp(me(socket));
      return null;
    },
    'text:rtt': ({ sessionId, text }, socket) => {
      calls.memberCall(sessionId, me(socket)).call.sendRtt(me(socket), text);
      return null;
    },
    'text:chat': ({ sessionId, clientId, text }, socket) => calls.memberCall(sessionId, me(socket)).call.chat(me(socket), clientId, text),
    'text:chatDelivered': ({ sessionId, messageId }, socket) => {
      calls.memberCall(sessionId, me(socket)).call.chatDelivered(me(socket), messageId);
      return null;
    },
    'text:transcript': ({ sessionId }, socket) => calls.memberCall(sessionId, me(socket)).call.transcript(me(socket)),
    'media:join': async ({ sessionId, send, data }, socket) => {
      // A station carries media only; data channels are a call's, unless the operator turned them off.
      const station = services.stations.get(me(socket))?.id === sessionId;
      const withData = data && !station && services.config.RTT_DATA_CHANNELS === 'on';
      return { ...(await room(sessionId, socket).join(me(socket), { send, data: withData })), iceServers: services.config.ICE_SERVERS };
    },
    'media:createTransport': ({ sessionId, direction }, socket) => sfu(sessionId, socket).createTransport(me(socket), direction),
    'media:connectTransport': async ({ sessionId, transportId, dtlsParameters }, socket) => {
      await sfu(sessionId, socket).connectTransport(me(socket), transportId, dtlsParameters);
      return null;
    },
    'media:produce': ({ sessionId, ...request }, socket) => sfu(sessionId, socket).produce(me(socket), request),
    'media:consume': ({ sessionId, ...request }, socket) => sfu(sessionId, socket).consume(me(socket), request),
    'media:resumeConsumer': async ({ sessionId, consumerId }, socket) => {
      await sfu(sessionId, socket).resumeConsumer(me(socket), consumerId);
      return null;
    },
    'media:closeConsumer': ({ sessionId, consumerId }, socket) => {
      sfu(sessionId, socket).closeConsumer(me(socket), consumerId);
      return null;
    },
    'media:produceData': ({ sessionId, ...request }, socket) => callSfu(sessionId, socket).produceData(me(socket), request),
    'media:consumeInbox': ({ sessionId, transportId }, socket) => callSfu(sessionId, socket).consumeInbox(me(socket), transportId),
    'media:closeProducer': ({ sessionId, producerId }, socket) => {
      sfu(sessionId, socket).closeProducer(me(socket), producerId);
      return null;
    },
    'call:annotate': ({ sessionId, annotation }, socket) => {
      calls.memberCall(sessionId, me(socket)).call.annotate(me(socket), annotation);
      return null;
    },
    'call:marks': ({ sessionId }, socket) => calls.memberCall(sessionId, me(socket)).call.marks(me(socket)),
    'call:guide': ({ sessionId, guide, slow }, socket) => calls.memberCall(sessionId, me(socket)).call.sendGuide(me(socket), guide, slow),
    'call:step': ({ sessionId, guideNo, index, image }, socket) => {
      calls.memberCall(sessionId, me(socket)).call.showStep(me(socket), guideNo, index, image);
      return null;
    },
    'call:stepReply': ({ sessionId, guideNo, index, reply }, socket) => {
      calls.memberCall(sessionId, me(socket)).call.answerStep(me(socket), guideNo, index, reply);
      return null;
    },
    'media:setProducerPaused': async ({ sessionId, producerId, paused }, socket) => {
      await sfu(sessionId, socket).setProducerPaused(me(socket), producerId, paused);
      return null;
    },
  };
}

/** The embedded SFU's requests of a room; on an engine the browser reaches itself (LiveKit) they are refused. */
function sfuOf(room: MediaRoom): SfuSignaling {
  if (!room.sfu) throw AppError.invalidState('this service runs its media on LiveKit: the browser connects to it with the token media:join gave');
  return room.sfu;
}
