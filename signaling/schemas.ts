import { z } from 'zod';

/** Longest free-text field accepted anywhere in the protocol. */
export const MAX_TEXT = 500;
/** An id on the wire: ticket, session, offer, transport, producer, consumer or agent. */
export const idSchema = z.string().min(1).max(64);
const id = idSchema;
const text = z.string().max(MAX_TEXT);

/** How the customer wants to talk: a sign language, voice, or text only. */
export const callModeSchema = z.enum(['csl', 'asl', 'hksl', 'voice', 'text']);
/** How the customer wants to talk. */
export type CallMode = z.infer<typeof callModeSchema>;

/** The media engines a deployment runs on: the embedded mediasoup SFU, or LiveKit for several nodes. */
export const mediaEngineKindSchema = z.enum(['mediasoup', 'livekit']);
/** A media engine's name. */
export type MediaEngineKind = z.infer<typeof mediaEngineKindSchema>;

/** The device the customer needs help with. */
export const deviceSchema = z.enum(['phone', 'tablet', 'laptop', 'watch', 'smart-home', 'other']);
/** What the customer needs help with. */
export type Device = z.infer<typeof deviceSchema>;

/** What kind of help the customer needs; each has its own target answer time. */
export const supportCategorySchema = z.enum(['consultation', 'software', 'hardware']);
/** What kind of help the customer needs. */
export type SupportCategory = z.infer<typeof supportCategorySchema>;

/** Sign languages an agent can sign and a customer can ask for. */
export const SIGN_LANGUAGES = ['csl', 'asl', 'hksl', 'tsl'] as const;
/** Spoken languages (voice calls). */
export const SPOKEN_LANGUAGES = ['zh', 'yue', 'en'] as const;
/** Product areas an agent knows. */
export const PRODUCT_AREAS = ['phone', 'tablet', 'laptop', 'watch', 'smart-home'] as const;

/** Every skill routing knows; `tier` is the support tier (1-3), the others are proficiency levels (1-5). */
export const skillNameSchema = z.enum([...SIGN_LANGUAGES, ...SPOKEN_LANGUAGES, ...PRODUCT_AREAS, 'tier']);
/** A skill routing knows. */
export type SkillName = z.infer<typeof skillNameSchema>;

/** A skill an entry needs, at a minimum level (1-5; `tier` 1-3). */
export const skillRequirementSchema = z
  .strictObject({ skill: skillNameSchema, minLevel: z.number().int().min(1).max(5) })
  .refine((r) => r.skill !== 'tier' || r.minLevel <= 3, { message: 'tier must be 1, 2 or 3', path: ['minLevel'] });
/** A skill an entry needs, at a minimum level. */
export type SkillRequirement = z.infer<typeof skillRequirementSchema>;

/** The queues customers wait in: one per call mode, and tier-2 technical support that calls are transferred to. */
export const queueNameSchema = z.enum(['csl', 'asl', 'hksl', 'voice', 'text', 'technical']);
/** A queue's name. */
export type QueueName = z.infer<typeof queueNameSchema>;

/** Client to server `queue:join`: a customer asks for an agent. */
export const queueJoinSchema = z.strictObject({
  mode: callModeSchema,
  topic: z.string().min(1).max(120),
  device: deviceSchema,
  category: supportCategorySchema.default('software'),
  needs: z.strictObject({ captions: z.boolean() }).partial().default({}),
  locale: z.enum(['zh-CN', 'en']).default('en'),
});
/** Payload of `queue:join`. */
export type QueueJoin = z.infer<typeof queueJoinSchema>;

/** Agent availability the agent controls. */
export const agentAvailabilitySchema = z.enum(['available', 'away']);

/** Client to server `agent:status`. */
export const agentStatusSchema = z.strictObject({ status: agentAvailabilitySchema });

/** Client to server `offer:accept` and `offer:decline`. */
export const offerReplySchema = z.strictObject({ offerId: id });

/** Client to server `call:end`. */
export const callEndSchema = z.strictObject({ sessionId: id });

/**
 * Client to server `call:transfer` (agents): the call goes to another queue or to a named agent, with
 * the ticket's context and a note, ahead of new arrivals; `skills` adds requirements for the next agent.
 */
export const callTransferSchema = z
  .strictObject({
    sessionId: id,
    queue: queueNameSchema.optional(),
    agentId: id.optional(),
    skills: z.array(skillRequirementSchema).max(8).default([]),
    /** Only agents of this support tier or higher may answer next (tier 1 to 2 to 3). */
    tier: z.union([z.literal(2), z.literal(3)]).optional(),
    note: text.default(''),
  })
  .refine((t) => (t.queue === undefined) !== (t.agentId === undefined), { message: 'name exactly one of queue or agentId', path: ['queue'] });
/** Payload of `call:transfer`. */
export type CallTransfer = z.infer<typeof callTransferSchema>;

const ms = z.number().min(0).max(3_600_000);

/** What one participant received over the last reporting interval (about 2 s), from `getStats()`. */
export const qualitySampleSchema = z.strictObject({
  /** Epoch ms when the sample was taken, on the reporting browser's clock. */
  at: z.number().int().positive(),
  /** Decoded video frames per second over the interval. */
  fps: z.number().min(0).max(240),
  width: z.number().int().min(0).max(8192),
  height: z.number().int().min(0).max(8192),
  /** Video freezes (WebRTC `freezeCount`) and their length, over the interval. */
  freezes: z.number().int().min(0).max(10_000),
  freezeMs: ms,
  /** Mean time a video frame waited in the jitter buffer over the interval. */
  jitterBufferMs: ms.nullable(),
  /** Video jitter-buffer delay minus audio's: how far the picture lags the sound at playout (positive: video late). */
  avSyncMs: z.number().min(-3_600_000).max(3_600_000).nullable(),
  /** Round-trip time to the server. */
  rttMs: ms.nullable(),
});
/** One quality sample. */
export type QualitySample = z.infer<typeof qualitySampleSchema>;

/** Client to server `call:quality`: a participant's receive figures, every 2 s during a call. */
export const callQualitySchema = z.strictObject({ sessionId: id, sample: qualitySampleSchema });

/** Client to server `call:join`: an invited technician (or one with a one-time link) enters the call; `call:started` follows. */
export const callJoinSchema = z.strictObject({ sessionId: id });

/** Client to server `call:signing`: whether this participant is signing now (the state only; landmarks never leave the browser). */
export const callSigningSchema = z.strictObject({ sessionId: id, signing: z.boolean() });

/** Which way a WebRTC transport carries media. */
export const transportDirectionSchema = z.enum(['send', 'recv']);

/**
 * Client to server `media:join`: the participant enters the session's media room; `send` asks for a send transport
 * too, `data` for data channels on both transports (a send transport is then made even without media to send).
 */
export const mediaJoinSchema = z.strictObject({ sessionId: id, send: z.boolean().default(true), data: z.boolean().default(false) });

/** Client to server `media:createTransport`. */
export const createTransportSchema = z.strictObject({ sessionId: id, direction: transportDirectionSchema });

const dtlsParametersSchema = z.strictObject({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(z.strictObject({ algorithm: z.string().max(16), value: z.string().max(200) }))
    .min(1)
    .max(8),
});

/** Client to server `media:connectTransport`. */
export const connectTransportSchema = z.strictObject({
  sessionId: id,
  transportId: id,
  dtlsParameters: dtlsParametersSchema,
});

/**
 * The media a producer carries, as the product names it: `screen` is a shared screen, `device` a second camera
 * showing the device being fixed (a phone's rear camera); both are shown for their detail, not their motion.
 */
export const mediaSourceSchema = z.enum(['camera', 'microphone', 'screen', 'device']);
/** The media a producer carries. */
export type MediaSource = z.infer<typeof mediaSourceSchema>;

const rtpCodecSchema = z.looseObject({
  mimeType: z.string().max(64),
  payloadType: z.number().int().min(0).max(127),
  clockRate: z.number().int().positive(),
  channels: z.number().int().positive().max(8).optional(),
  parameters: z.record(z.string().max(64), z.union([z.string().max(256), z.number()])).optional(),
  rtcpFeedback: z.array(z.looseObject({ type: z.string().max(32), parameter: z.string().max(32).optional() })).max(16).optional(),
});

/** RTP parameters as mediasoup-client produces them; mediasoup checks them in depth. */
export const rtpParametersSchema = z.looseObject({
  mid: z.string().max(32).optional(),
  codecs: z.array(rtpCodecSchema).min(1).max(16),
  headerExtensions: z.array(z.looseObject({ uri: z.string().max(200), id: z.number().int() })).max(32).optional(),
  encodings: z.array(z.looseObject({})).max(8).optional(),
  rtcp: z.looseObject({}).optional(),
});

/** RTP parameters as a client may send them. */
export type RtpParametersInput = z.input<typeof rtpParametersSchema>;

/** Client to server `media:produce`. */
export const produceSchema = z.strictObject({
  sessionId: id,
  transportId: id,
  kind: z.enum(['audio', 'video']),
  rtpParameters: rtpParametersSchema,
  source: mediaSourceSchema,
});

/** Receive capabilities as mediasoup-client reports them. */
export const rtpCapabilitiesSchema = z.looseObject({
  codecs: z.array(z.looseObject({ mimeType: z.string().max(64), kind: z.enum(['audio', 'video']) })).max(64).optional(),
  headerExtensions: z.array(z.looseObject({})).max(64).optional(),
});

/** Client to server `media:consume`. */
export const consumeSchema = z.strictObject({
  sessionId: id,
  transportId: id,
  producerId: id,
  rtpCapabilities: rtpCapabilitiesSchema,
});

/** Client to server `media:resumeConsumer` and `media:closeConsumer`: one of the participant's own consumers. */
export const consumerRefSchema = z.strictObject({ sessionId: id, consumerId: id });

/** Client to server `media:closeProducer`: the participant stops sending one of its own producers (a screen share). */
export const producerRefSchema = z.strictObject({ sessionId: id, producerId: id });

/** Client to server `media:setProducerPaused`: mute and camera off. */
export const setProducerPausedSchema = z.strictObject({ sessionId: id, producerId: id, paused: z.boolean() });

/** Who a participant is in a call. */
export const participantRoleSchema = z.enum(['customer', 'agent', 'technician']);
/** Who a participant is in a call. */
export type ParticipantRole = z.infer<typeof participantRoleSchema>;

/**
 * How video is sent and forwarded: `product` is frame-rate first for signing (camera `contentHint`
 * motion, `maintain-framerate`, VP8 simulcast L1T3, the server's layer policy); `default` is
 * mediasoup-demo's simulcast with browser and SFU defaults, for comparison in benchmarks.
 */
export const mediaPolicySchema = z.enum(['product', 'default']);
/** How video is sent and forwarded. */
export type MediaPolicy = z.infer<typeof mediaPolicySchema>;

/** HTTP body of `POST /api/agent/login`. */
export const agentLoginSchema = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});
