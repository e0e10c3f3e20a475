import { z } from 'zod';
import type { AckCallback } from './errors.js';
import {
  agentStateSchema,
  callEndedSchema,
  callInvitationSchema,
  callStartedSchema,
  newProducerSchema,
  offerCancelledSchema,
  offerSchema,
  peerConnectionSchema,
  peerSigningSchema,
  producerClosedSchema,
  protocolErrorSchema,
  queueStatusSchema,
  ticketClosedSchema,
} from './pushes.js';
import {
  consumerInfoSchema,
  mediaJoinedSchema,
  nothingSchema,
  producedSchema,
  queueJoinedSchema,
  stationJoinedSchema,
  transferredSchema,
  transportInfoSchema,
} from './replies.js';
import {
  agentStatusSchema,
  callEndSchema,
  callJoinSchema,
  callQualitySchema,
  callSigningSchema,
  callTransferSchema,
  connectTransportSchema,
  consumeSchema,
  consumerRefSchema,
  createTransportSchema,
  mediaJoinSchema,
  offerReplySchema,
  produceSchema,
  producerRefSchema,
  queueJoinSchema,
  setProducerPausedSchema,
} from './schemas.js';
import { agentWrapUpSchema } from './wrapUp.js';
import { progressUpdateSchema, progressWatchSchema, ticketProgressSchema } from './progress.js';
import { captionSchema, captionStatusSchema } from './captions.js';
import { annotationReceivedSchema, callAnnotateSchema, marksReplySchema, marksRequestSchema } from './annotations.js';
import { callGuideSchema, callStepReplySchema, callStepSchema, guideSentSchema, stepsStateSchema } from './steps.js';
import { callComingSchema, callHandedOverSchema, callHandoverSchema, callInviteSchema, callLinkSchema, invitedSchema, joinLinkSchema, techniciansListSchema, techniciansSchema } from './escalation.js';
import { consumeInboxSchema, dataConsumerInfoSchema, dataProducedSchema, produceDataSchema } from './dataChannel.js';
import {
  chatDeliveredSchema,
  chatMarkSchema,
  chatReceivedSchema,
  chatSendSchema,
  chatSentSchema,
  rttReceivedSchema,
  rttSendSchema,
  transcriptLinePushSchema,
  transcriptReplySchema,
  transcriptRequestSchema,
} from './text.js';

/** The schema of every client-to-server event; an event not listed here is unknown. */
export const clientEventSchemas = {
  'queue:join': queueJoinSchema,
  'queue:leave': z.strictObject({}),
  'queue:callback': z.strictObject({}),
  'agent:status': agentStatusSchema,
  'agent:wrapUp': agentWrapUpSchema,
  'offer:accept': offerReplySchema,
  'offer:decline': offerReplySchema,
  'call:end': callEndSchema,
  'call:transfer': callTransferSchema,
  'call:quality': callQualitySchema,
  'call:signing': callSigningSchema,
  'call:invite': callInviteSchema,
  'call:join': callJoinSchema,
  'call:handover': callHandoverSchema,
  'call:link': callLinkSchema,
  'technicians:list': techniciansListSchema,
  'station:join': z.strictObject({}),
  'media:join': mediaJoinSchema,
  'media:createTransport': createTransportSchema,
  'media:connectTransport': connectTransportSchema,
  'media:produce': produceSchema,
  'media:consume': consumeSchema,
  'media:resumeConsumer': consumerRefSchema,
  'media:closeConsumer': consumerRefSchema,
  'media:setProducerPaused': setProducerPausedSchema,
  'media:closeProducer': producerRefSchema,
  'call:annotate': callAnnotateSchema,
  'call:marks': marksRequestSchema,
  'call:guide': callGuideSchema,
  'call:step': callStepSchema,
  'call:stepReply': callStepReplySchema,
  'media:produceData': produceDataSchema,
  'media:consumeInbox': consumeInboxSchema,
  'text:rtt': rttSendSchema,
  'text:chat': chatSendSchema,
  'text:chatDelivered': chatDeliveredSchema,
  'text:transcript': transcriptRequestSchema,
  'progress:watch': progressWatchSchema,
} as const;

/** Name of any client-to-server event. */
export type ClientEventName = keyof typeof clientEventSchemas;

/** Validated payload of a client event. */
export type ClientEventPayload<E extends ClientEventName> = z.output<(typeof clientEventSchemas)[E]>;

/** The schema of what a successful ack carries, per client event; the client checks every reply against it. */
export const clientEventReplySchemas = {
  'queue:join': queueJoinedSchema,
  'queue:leave': nothingSchema,
  'queue:callback': nothingSchema,
  'agent:status': nothingSchema,
  'agent:wrapUp': nothingSchema,
  'offer:accept': nothingSchema,
  'offer:decline': nothingSchema,
  'call:end': nothingSchema,
  'call:transfer': transferredSchema,
  'call:quality': nothingSchema,
  'call:signing': nothingSchema,
  'call:invite': invitedSchema,
  'call:join': nothingSchema,
  'call:handover': nothingSchema,
  'call:link': joinLinkSchema,
  'technicians:list': techniciansSchema,
  'station:join': stationJoinedSchema,
  'media:join': mediaJoinedSchema,
  'media:createTransport': transportInfoSchema,
  'media:connectTransport': nothingSchema,
  'media:produce': producedSchema,
  'media:consume': consumerInfoSchema,
  'media:resumeConsumer': nothingSchema,
  'media:closeConsumer': nothingSchema,
  'media:setProducerPaused': nothingSchema,
  'media:closeProducer': nothingSchema,
  'call:annotate': nothingSchema,
  'call:marks': marksReplySchema,
  'call:guide': guideSentSchema,
  'call:step': nothingSchema,
  'call:stepReply': nothingSchema,
  'media:produceData': dataProducedSchema,
  'media:consumeInbox': dataConsumerInfoSchema,
  'text:rtt': nothingSchema,
  'text:chat': chatSentSchema,
  'text:chatDelivered': nothingSchema,
  'text:transcript': transcriptReplySchema,
  'progress:watch': ticketProgressSchema,
} as const satisfies Record<ClientEventName, z.ZodType>;

/** What a successful ack carries, per client event. */
export type ClientEventReplies = { [E in ClientEventName]: z.infer<(typeof clientEventReplySchemas)[E]> };

/** Events a browser sends; every one takes a payload and an ack callback. */
export type ClientToServerEvents = {
  [E in ClientEventName]: (
    payload: z.input<(typeof clientEventSchemas)[E]>,
    ack: AckCallback<ClientEventReplies[E]>,
  ) => void;
};

/** The schema of every server-to-client push; the client checks each push against it before use. */
export const serverEventSchemas = {
  'queue:status': queueStatusSchema,
  /** The ticket this connection holds is no longer waiting or in a call. */
  'ticket:closed': ticketClosedSchema,
  'offer:new': offerSchema,
  'offer:cancelled': offerCancelledSchema,
  'agent:state': agentStateSchema,
  'call:started': callStartedSchema,
  /** The agent's station closed underneath (its SFU worker died): the console opens another. */
  'station:closed': stationJoinedSchema,
  'call:ended': callEndedSchema,
  /** Another agent asks this one into a call in progress. */
  'call:invitation': callInvitationSchema,
  /** Someone is on the way into the call (or the call is going back to a queue): who and why. */
  'call:coming': callComingSchema,
  /** A warm transfer completed: the call has a new agent. */
  'call:handedOver': callHandedOverSchema,
  /** Another participant started or stopped signing. */
  'call:peerSigning': peerSigningSchema,
  /** Another participant lost the connection, or is back. */
  'call:peerConnection': peerConnectionSchema,
  'media:newProducer': newProducerSchema,
  'media:producerClosed': producerClosedSchema,
  /** Another participant's mark on a shared screen (the Socket.IO path of the annotation channel). */
  'call:annotation': annotationReceivedSchema,
  /** The step-by-step guide in progress: its cards when new to the page, and where the customer is. */
  'call:steps': stepsStateSchema,
  /** Another participant's real-time text. */
  'text:rtt': rttReceivedSchema,
  /** A chat message from another participant. */
  'text:chat': chatReceivedSchema,
  /** A message this participant sent reached another page. */
  'text:chatMark': chatMarkSchema,
  /** A line was added to the ticket's transcript. */
  'transcript:line': transcriptLinePushSchema,
  /** Words recognized from a participant's speech, partial or final. */
  caption: captionSchema,
  /** Captions of a speaker are live, paused or off. */
  'caption:status': captionStatusSchema,
  /** A ticket this connection watches (`progress:watch`) changed. */
  'progress:update': progressUpdateSchema,
  /** A coded error for an event the server could not answer through an ack. */
  'protocol:error': protocolErrorSchema,
} as const;

/** Name of any server-to-client push. */
export type ServerEventName = keyof typeof serverEventSchemas;

/** Payload of a server push. */
export type ServerEventPayload<E extends ServerEventName> = z.infer<(typeof serverEventSchemas)[E]>;

/** Events the server pushes. */
export type ServerToClientEvents = { [E in ServerEventName]: (payload: ServerEventPayload<E>) => void };
