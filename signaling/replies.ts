import { z } from 'zod';
import { sctpParametersSchema } from './dataChannel.js';
import { errorBodySchema } from './errors.js';
import { csatReportSchema, ticketSecretSchema } from './progress.js';
import { newProducerSchema, waitRangeSchema } from './pushes.js';
import {
  callModeSchema,
  idSchema,
  mediaEngineKindSchema,
  mediaPolicySchema,
  mediaSourceSchema,
  participantRoleSchema,
  qualitySampleSchema,
  queueNameSchema,
} from './schemas.js';

/** Reply to `queue:join`. */
export const queueJoinedSchema = z.object({
  /** Human-readable ticket id, e.g. "SL-4K7-Q2M". */
  ticketId: idSchema,
  /** Bearer token bound to the ticket; it reconnects the customer to it while the wait or the call lasts. */
  token: z.string().min(16),
  /** The ticket's secret, given once: it opens the ticket's progress page (`progressPath`) and its survey. */
  secret: ticketSecretSchema,
  position: z.number().int().min(1),
  eta: waitRangeSchema,
  /** How long a customer who loses the connection keeps their place (and their call), seconds. */
  reconnectGraceSec: z.number().min(0),
  /** From this estimated wait (its low end, seconds) the customer may leave the line and be called back. */
  callbackAfterSec: z.number().min(0),
});
/** What the customer gets back from `queue:join`. */
export type QueueJoined = z.infer<typeof queueJoinedSchema>;

/** Reply to `call:transfer`: the call's place in the queue it went to. */
export const transferredSchema = z.object({ position: z.number().int().min(1) });

/** Reply to `station:join`. */
export const stationJoinedSchema = z.object({ stationId: idSchema });

const iceCandidateSchema = z.looseObject({
  foundation: z.string(),
  priority: z.number(),
  ip: z.string(),
  protocol: z.enum(['udp', 'tcp']),
  port: z.number().int(),
  type: z.enum(['host', 'srflx', 'prflx', 'relay']),
  tcpType: z.enum(['active', 'passive', 'so']).optional(),
});

/** A DTLS fingerprint algorithm (RFC 4572). */
export const fingerprintAlgorithmSchema = z.enum(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']);

/** Reply to `media:createTransport`: what the browser needs to open a WebRTC transport to the SFU. */
export const transportInfoSchema = z.object({
  id: idSchema,
  iceParameters: z.looseObject({ usernameFragment: z.string(), password: z.string(), iceLite: z.boolean().optional() }),
  iceCandidates: z.array(iceCandidateSchema).max(16),
  dtlsParameters: z.looseObject({
    role: z.enum(['auto', 'client', 'server']).optional(),
    fingerprints: z.array(z.object({ algorithm: fingerprintAlgorithmSchema, value: z.string() })).min(1),
  }),
  /** Present when the transport carries data channels (the join asked for them). */
  sctpParameters: sctpParametersSchema.optional(),
});
/** A WebRTC transport as the browser opens it. */
export type TransportInfo = z.infer<typeof transportInfoSchema>;

/** TURN/STUN servers for clients behind restrictive networks. */
export const iceServerSchema = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});

/** RTP capabilities or parameters: checked in depth by the media library on each side, only their shape here. */
const rtpObjectSchema = z.looseObject({ codecs: z.array(z.looseObject({ mimeType: z.string() })).optional() });

/** Reply to `media:join` on the embedded SFU: everything to start media in one round trip. */
export const sfuJoinedSchema = z.object({
  engine: z.literal('mediasoup'),
  routerRtpCapabilities: rtpObjectSchema,
  /** How this participant's browser should send video. */
  policy: mediaPolicySchema,
  /** Producers already in the room that this participant may consume. */
  producers: z.array(newProducerSchema),
  recvTransport: transportInfoSchema,
  /** Present when the join asked to send. */
  sendTransport: transportInfoSchema.optional(),
  /** Empty when the server is reached directly. */
  iceServers: z.array(iceServerSchema),
});

/** Reply to `media:join` on LiveKit: the browser connects to the LiveKit server itself with a token for this call only. */
export const livekitJoinedSchema = z.object({
  engine: z.literal('livekit'),
  /** The LiveKit server's signalling address, `wss://…`. */
  url: z.string().regex(/^wss?:\/\//).max(2_048),
  /** A short-lived token for this participant in this call's room, with only the rights its role has. */
  token: z.string().min(1).max(8_192),
  /** The identity of the service's own participant in the room: it takes the data channels and is no one's tile. */
  serviceIdentity: z.string().min(1).max(128),
  policy: mediaPolicySchema,
  iceServers: z.array(iceServerSchema),
});

/** Reply to `media:join`: the engine decides how the browser reaches the media. */
export const mediaJoinedSchema = z.discriminatedUnion('engine', [sfuJoinedSchema, livekitJoinedSchema]);
/** Reply to `media:join`. */
export type MediaJoined = z.infer<typeof mediaJoinedSchema>;
/** Reply to `media:join` on the embedded SFU. */
export type SfuJoined = z.infer<typeof sfuJoinedSchema>;
/** Reply to `media:join` on LiveKit. */
export type LiveKitJoined = z.infer<typeof livekitJoinedSchema>;

/** Reply to `media:produce`. */
export const producedSchema = z.object({ producerId: idSchema });

/** Reply to `media:consume`. */
export const consumerInfoSchema = z.object({
  id: idSchema,
  producerId: idSchema,
  from: participantRoleSchema,
  kind: z.enum(['audio', 'video']),
  rtpParameters: rtpObjectSchema,
  source: mediaSourceSchema,
});
/** Reply to `media:consume`. */
export type ConsumerInfo = z.infer<typeof consumerInfoSchema>;

/** The ack of an event that answers nothing but success. */
export const nothingSchema = z.null();

/** An agent's profile as sign-in returns it. */
export const agentProfileSchema = z.object({ id: idSchema, name: z.string(), modes: z.array(callModeSchema) });
/** An agent's profile. */
export type AgentProfile = z.infer<typeof agentProfileSchema>;

/** What a staff account may do: an agent takes calls; a supervisor watches queues, agents and calls, and takes none. */
export const staffRoleSchema = z.enum(['agent', 'supervisor']);
/** What a staff account may do. */
export type StaffRole = z.infer<typeof staffRoleSchema>;

/** Data of `POST /api/agent/login`: the token stands for the account's role, and only that role. */
export const agentLoginReplySchema = z.object({ token: z.string().min(16), agent: agentProfileSchema, role: staffRoleSchema });
/** Data of `POST /api/agent/login`. */
export type AgentLoginReply = z.infer<typeof agentLoginReplySchema>;

/** One queue's service levels, for supervisors. */
export const queueServiceLevelSchema = z.object({
  queue: queueNameSchema,
  waiting: z.number().int().min(0),
  longestWaitMs: z.number().min(0),
  /** Calls answered (offers accepted) since the counters began. */
  answered: z.number().int().min(0),
  /** Share of answered calls answered within their SLA target; null before any answer. */
  answeredWithinTarget: z.number().min(0).max(1).nullable(),
  abandoned: z.number().int().min(0),
  /** Abandoned over answered plus abandoned; null before either. */
  abandonmentRate: z.number().min(0).max(1).nullable(),
  /** Mean handle time of finished calls, seconds; null before any. */
  averageHandleSec: z.number().min(0).nullable(),
});
/** One queue's service levels. */
export type QueueServiceLevel = z.infer<typeof queueServiceLevelSchema>;

/** Data of `GET /api/service-levels`. */
export const serviceLevelsReplySchema = z.object({
  at: z.number(),
  queues: z.array(queueServiceLevelSchema),
  /** Customer satisfaction from the surveys, per queue and per agent; absent where no records are read. */
  csat: csatReportSchema.optional(),
});
/** Data of `GET /api/service-levels`. */
export type ServiceLevelsReply = z.infer<typeof serviceLevelsReplySchema>;

/** How one EN 301 549 criterion went: the figure judged (null with no data) against its limit. */
export const verdictSchema = z.object({
  verdict: z.enum(['pass', 'fail', 'unknown']),
  measured: z.number().nullable(),
  limit: z.number(),
});
/** How one criterion went. */
export type Verdict = z.infer<typeof verdictSchema>;

/** One participant's receive quality over a call, judged against EN 301 549 clause 6.5. */
export const qualitySummarySchema = z.object({
  samples: z.number().int().min(0),
  /** Frame rate held 90 % of the time (10th percentile), and the median. */
  fpsP10: z.number().nullable(),
  fpsP50: z.number().nullable(),
  /** Smallest resolution seen after warm-up. */
  minWidth: z.number().nullable(),
  minHeight: z.number().nullable(),
  freezes: z.number().int().min(0),
  freezeMs: z.number().min(0),
  /** 95th percentile of |video − audio| playout offset. */
  avSyncP95Ms: z.number().nullable(),
  /** 95th percentile of the estimated overall delay: half the round trip, the jitter buffer, two frame times for capture, coding and display. */
  delayP95Ms: z.number().nullable(),
  verdicts: z.object({ frameRate: verdictSchema, resolution: verdictSchema, avSync: verdictSchema, delay: verdictSchema }),
});
/** One participant's receive quality over a call. */
export type QualitySummary = z.infer<typeof qualitySummarySchema>;

/** Data of `GET /api/calls/:sessionId/quality`: every participant's samples and summary. */
export const callQualityRecordSchema = z.object({
  sessionId: idSchema,
  ticketId: idSchema,
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  participants: z.partialRecord(participantRoleSchema, z.object({ samples: z.array(qualitySampleSchema), summary: qualitySummarySchema })),
});
/** A call's quality record. */
export type CallQualityRecord = z.infer<typeof callQualityRecordSchema>;

/** Data of `GET /api/media/capabilities`: what every room of the media engine can receive and send. */
export const mediaCapabilitiesReplySchema = z.object({ engine: mediaEngineKindSchema, rtpCapabilities: rtpObjectSchema });
/** Data of `GET /api/media/capabilities`. */
export type MediaCapabilitiesReply = z.infer<typeof mediaCapabilitiesReplySchema>;

/** The envelope of every ack and every HTTP API reply: `{ ok: true, data }` or `{ ok: false, error }`. */
export function envelopeSchema<T extends z.ZodType>(data: T) {
  return z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), data }), z.object({ ok: z.literal(false), error: errorBodySchema })]);
}
