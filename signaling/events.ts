import { z } from 'zod';
import type { AckCallback } from './errors.js';
import {
  agentStatusSchema,
  callEndSchema,
  callTransferSchema,
  callQualitySchema,
  callSigningSchema,
  callInviteSchema,
  callJoinSchema,
  type CallInvitation,
  type PeerSigning,
  type CallEndReason,
  type CallStarted,
  connectTransportSchema,
  consumeSchema,
  consumerRefSchema,
  type ConsumerInfo,
  createTransportSchema,
  type MediaJoined,
  mediaJoinSchema,
  type NewProducer,
  type Offer,
  type OfferCancelReason,
  offerReplySchema,
  produceSchema,
  type QueueJoined,
  queueJoinSchema,
  type QueueStatus,
  setProducerPausedSchema,
  type TransportInfo,
} from './schemas.js';

/** The schema of every client-to-server event; an event not listed here is unknown. */
export const clientEventSchemas = {
  'queue:join': queueJoinSchema,
  'queue:leave': z.strictObject({}),
  'agent:status': agentStatusSchema,
  'offer:accept': offerReplySchema,
  'offer:decline': offerReplySchema,
  'call:end': callEndSchema,
  'call:transfer': callTransferSchema,
  'call:quality': callQualitySchema,
  'call:signing': callSigningSchema,
  'call:invite': callInviteSchema,
  'call:join': callJoinSchema,
  'station:join': z.strictObject({}),
  'media:join': mediaJoinSchema,
  'media:createTransport': createTransportSchema,
  'media:connectTransport': connectTransportSchema,
  'media:produce': produceSchema,
  'media:consume': consumeSchema,
  'media:resumeConsumer': consumerRefSchema,
  'media:closeConsumer': consumerRefSchema,
  'media:setProducerPaused': setProducerPausedSchema,
} as const;

/** Name of any client-to-server event. */
export type ClientEventName = keyof typeof clientEventSchemas;

/** Validated payload of a client event. */
export type ClientEventPayload<E extends ClientEventName> = z.output<(typeof clientEventSchemas)[E]>;

/** What a successful ack carries, per client event. */
export interface ClientEventReplies {
  'queue:join': QueueJoined;
  'queue:leave': null;
  'agent:status': null;
  'offer:accept': null;
  'offer:decline': null;
  'call:end': null;
  'call:transfer': { position: number };
  'call:quality': null;
  'call:signing': null;
  'call:invite': null;
  'call:join': null;
  'station:join': { stationId: string };
  'media:join': MediaJoined;
  'media:createTransport': TransportInfo;
  'media:connectTransport': null;
  'media:produce': { producerId: string };
  'media:consume': ConsumerInfo;
  'media:resumeConsumer': null;
  'media:closeConsumer': null;
  'media:setProducerPaused': null;
}

/** Events a browser sends; every one takes a payload and an ack callback. */
export type ClientToServerEvents = {
  [E in ClientEventName]: (
    payload: z.input<(typeof clientEventSchemas)[E]>,
    ack: AckCallback<ClientEventReplies[E]>,
  ) => void;
};

/** Agent state as the agent's console shows it; `suggestBreak` after a long stretch of signing. */
export type AgentState = { status: 'available' | 'away' | 'offered' | 'in-call'; reason?: 'missed'; suggestBreak?: boolean };

/** Events the server pushes. */
export interface ServerToClientEvents {
  'queue:status': (status: QueueStatus) => void;
  'offer:new': (offer: Offer) => void;
  'offer:cancelled': (cancel: { offerId: string; reason: OfferCancelReason }) => void;
  'agent:state': (state: AgentState) => void;
  'call:started': (call: CallStarted) => void;
  'call:ended': (end: { sessionId: string; reason: CallEndReason }) => void;
  /** Another agent asks this one into a call in progress. */
  'call:invitation': (invitation: CallInvitation) => void;
  /** Another participant started or stopped signing. */
  'call:peerSigning': (state: PeerSigning) => void;
  'media:newProducer': (producer: NewProducer) => void;
  'media:producerClosed': (closed: { sessionId: string; producerId: string }) => void;
  /** A coded error for an event the server could not answer through an ack. */
  'protocol:error': (error: { event: string; code: string; message: string }) => void;
}
