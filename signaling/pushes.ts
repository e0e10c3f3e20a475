import { z } from 'zod';
import { callModeSchema, mediaEngineKindSchema, deviceSchema, idSchema, mediaSourceSchema, participantRoleSchema, supportCategorySchema } from './schemas.js';
import { invitePurposeSchema } from './escalation.js';

/** An estimated wait: "about lowSec–highSec", or "more than lowSec" when highSec is null; a rough guide when not sure. */
export const waitRangeSchema = z.object({
  lowSec: z.number().min(0),
  highSec: z.number().min(0).nullable(),
  sure: z.boolean(),
});
/** An estimated wait. */
export type WaitRange = z.infer<typeof waitRangeSchema>;

/** Server to client `queue:status`: the customer's place in line and estimated wait changed. */
export const queueStatusSchema = z.object({
  ticketId: idSchema,
  /** 1-based place among waiting customers that compete for the same agents. */
  position: z.number().int().min(1),
  eta: waitRangeSchema,
});
/** Payload of `queue:status`. */
export type QueueStatus = z.infer<typeof queueStatusSchema>;

/** Why a ticket stopped being served: the customer's place lapsed while they were away, or the ticket ended. */
export const ticketClosedReasonSchema = z.enum(['lapsed', 'ended']);

/** Server to client `ticket:closed`: the ticket this connection holds is no longer waiting or in a call. */
export const ticketClosedSchema = z.object({ ticketId: idSchema, reason: ticketClosedReasonSchema });
/** Payload of `ticket:closed`. */
export type TicketClosed = z.infer<typeof ticketClosedSchema>;

/** The queue at a glance, shown with every offer. */
export const queueSummarySchema = z.object({ waiting: z.number().int().min(0), longestWaitMs: z.number().min(0) });
/** The queue at a glance. */
export type QueueSummary = z.infer<typeof queueSummarySchema>;

/** What a transferred call carries to the next agent. */
export const transferContextSchema = z.object({ fromAgent: z.string(), note: z.string() });
/** What a transferred call carries to the next agent. */
export type TransferContext = z.infer<typeof transferContextSchema>;

/** Server to client `offer:new`: a waiting customer offered to this agent. */
export const offerSchema = z.object({
  offerId: idSchema,
  ticketId: idSchema,
  mode: callModeSchema,
  topic: z.string(),
  device: deviceSchema,
  slaClass: supportCategorySchema,
  priority: z.enum(['normal', 'urgent']),
  /** Milliseconds the customer had waited when the offer was made. */
  waitedMs: z.number().min(0),
  /** Epoch milliseconds after which the offer lapses. */
  deadline: z.number(),
  /** The whole queue when the offer was made. */
  queue: queueSummarySchema,
  /** Set when another agent transferred the call: who, and their note. */
  transfer: transferContextSchema.optional(),
});
/** An offer of a waiting customer to an agent. */
export type Offer = z.infer<typeof offerSchema>;

/** Why an offer was withdrawn. */
export const offerCancelReasonSchema = z.enum(['timeout', 'declined', 'abandoned', 'taken']);
/** Why an offer was withdrawn. */
export type OfferCancelReason = z.infer<typeof offerCancelReasonSchema>;

/** Server to client `offer:cancelled`. */
export const offerCancelledSchema = z.object({ offerId: idSchema, reason: offerCancelReasonSchema });

/**
 * Server to client `agent:state`: the agent's state as the console shows it; `suggestBreak` after a long stretch of
 * signing; in `wrap-up` (after a call, no offers) `wrapUpUntil` is when it ends by itself.
 */
export const agentStateSchema = z.object({
  status: z.enum(['available', 'away', 'offered', 'in-call', 'wrap-up']),
  wrapUpUntil: z.number().optional(),
  reason: z.literal('missed').optional(),
  suggestBreak: z.boolean().optional(),
});
/** Agent state as the agent's console shows it. */
export type AgentState = z.infer<typeof agentStateSchema>;

/** Server to client `call:started`: this participant is in a call (again, after a reconnect: same session). */
export const callStartedSchema = z.object({
  sessionId: idSchema,
  ticketId: idSchema,
  role: participantRoleSchema,
  mode: callModeSchema,
  /** Display name of the other side: the agent's name for a customer, the ticket id for an agent. */
  peerName: z.string(),
  /** This participant's annotation colour (an index into the pages' palette), the one the others see their marks in. */
  color: z.number().int().min(0).max(7),
  /** Which media engine carries the call: the page picks its media client by it (the SFU's, or LiveKit's). */
  media: mediaEngineKindSchema,
  /** The call moved to a fresh media room (the SFU lost the last one): the page starts its media again at once. */
  restart: z.literal(true).optional(),
});
/** Payload of `call:started`. */
export type CallStarted = z.infer<typeof callStartedSchema>;

/**
 * Why a call ended. `agent-lost`: the agent lost the connection and did not come back within the reconnect grace
 * period; the customer waits again, first in line, with the same ticket.
 */
export const callEndReasonSchema = z.enum(['hangup', 'disconnected', 'server-shutdown', 'transferred', 'interrupted', 'agent-lost']);
/** Why a call ended. */
export type CallEndReason = z.infer<typeof callEndReasonSchema>;

/**
 * Server to client `call:ended`. `wrapUp`: told to an agent whose console was away when the call ended, the wrap-up of
 * the ticket that is still theirs to file (it stays open after `until`, which is when it was due).
 */
export const callEndedSchema = z.object({ sessionId: idSchema, reason: callEndReasonSchema, wrapUp: z.object({ ticketId: idSchema, until: z.number() }).optional() });
/** Payload of `call:ended`. */
export type CallEnded = z.infer<typeof callEndedSchema>;

/** Server to client `call:invitation`: another agent asks this one into a call in progress. */
export const callInvitationSchema = z.object({
  sessionId: idSchema,
  ticketId: idSchema,
  mode: callModeSchema,
  topic: z.string(),
  device: deviceSchema,
  fromAgent: z.string(),
  /** To help beside the agent, or to take the call over (a warm transfer). */
  purpose: invitePurposeSchema,
  /** The inviting agent's briefing. */
  note: z.string(),
});
/** Payload of `call:invitation`. */
export type CallInvitation = z.infer<typeof callInvitationSchema>;

/** Server to client `call:peerSigning`: another participant started or stopped signing. */
export const peerSigningSchema = z.object({ sessionId: idSchema, role: participantRoleSchema, signing: z.boolean() });
/** Payload of `call:peerSigning`. */
export type PeerSigning = z.infer<typeof peerSigningSchema>;

/**
 * Server to client `call:peerConnection`: another participant lost the connection (and may come back), is back, or
 * (`left`, a technician) did not come back and left the call, which goes on.
 */
export const peerConnectionSchema = z.object({ sessionId: idSchema, role: participantRoleSchema, name: z.string().max(128), connected: z.boolean(), left: z.literal(true).optional() });
/** Payload of `call:peerConnection`. */
export type PeerConnection = z.infer<typeof peerConnectionSchema>;

/** Server to client `media:newProducer`: another participant started sending. */
export const newProducerSchema = z.object({
  sessionId: idSchema,
  producerId: idSchema,
  /** Whose it is, so the page can give each participant a tile. */
  from: participantRoleSchema,
  kind: z.enum(['audio', 'video']),
  source: mediaSourceSchema,
});
/** Payload of `media:newProducer`. */
export type NewProducer = z.infer<typeof newProducerSchema>;

/** Server to client `media:producerClosed`. */
export const producerClosedSchema = z.object({ sessionId: idSchema, producerId: idSchema });

/** Server to client `protocol:error`: a coded error for an event the server could not answer through an ack. */
export const protocolErrorSchema = z.object({ event: z.string(), code: z.string(), message: z.string() });
