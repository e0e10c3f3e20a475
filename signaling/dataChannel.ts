import { z } from 'zod';
import { errorBodySchema } from './errors.js';
import { ANNOTATION_CHANNEL, annotationSchema, annotatorSchema } from './annotations.js';
import { idSchema } from './schemas.js';
import { speakerSchema, t140ChunkSchema } from './text.js';

/**
 * Data channels through the SFU (SCTP over the call's WebRTC transports). RFC 8865 carries T.140 real-time text on
 * a reliable, ordered channel whose subprotocol is "t140". mediasoup's channels go one way, so each participant has
 * two: its own T.140 channel to the server (the server reads, checks and records every message, then passes it on)
 * and an inbox from the server that brings the others' text, each message naming its speaker. Annotations of a shared
 * screen take the same way on a second channel of the participant's (`ANNOTATION_CHANNEL`), and come back on the inbox.
 */

/** Label and subprotocol of a participant's T.140 channel (RFC 8865 section 4.1). */
export const T140_CHANNEL = { label: 't140', protocol: 't140' } as const;
/** Label and subprotocol of the inbox the server sends the others' real-time text on. */
export const RTT_INBOX_CHANNEL = { label: 'rtt-inbox', protocol: 'signline-rtt' } as const;

/** A transport's SCTP association, as the browser opens it. */
export const sctpParametersSchema = z.looseObject({
  port: z.number().int().min(0).max(65535),
  OS: z.number().int().min(1).max(65535),
  MIS: z.number().int().min(1).max(65535),
  maxMessageSize: z.number().int().positive(),
});

/** The SCTP stream of one data channel. Only reliable, ordered streams are taken: T.140 must lose nothing. */
export const sctpStreamParametersSchema = z.strictObject({
  streamId: z.number().int().min(0).max(65534),
  ordered: z.literal(true).optional(),
  maxPacketLifeTime: z.undefined().optional(),
  maxRetransmits: z.undefined().optional(),
});

/** Client to server `media:produceData`: opens this participant's T.140 or annotation channel on its send transport. */
export const produceDataSchema = z
  .strictObject({
    sessionId: idSchema,
    transportId: idSchema,
    sctpStreamParameters: sctpStreamParametersSchema,
    label: z.enum([T140_CHANNEL.label, ANNOTATION_CHANNEL.label]),
    protocol: z.enum([T140_CHANNEL.protocol, ANNOTATION_CHANNEL.protocol]),
  })
  .refine((request) => (request.label === T140_CHANNEL.label ? T140_CHANNEL.protocol : ANNOTATION_CHANNEL.protocol) === request.protocol, {
    message: 'the protocol does not match the channel',
    path: ['protocol'],
  });

/** Reply to `media:produceData`. */
export const dataProducedSchema = z.object({ dataProducerId: idSchema });

/** Client to server `media:consumeInbox`: opens the server's channel to this participant on its receive transport. */
export const consumeInboxSchema = z.strictObject({ sessionId: idSchema, transportId: idSchema });

/** Reply to `media:consumeInbox`: what the browser's `transport.consumeData` takes. */
export const dataConsumerInfoSchema = z.object({
  id: idSchema,
  dataProducerId: idSchema,
  sctpStreamParameters: z.looseObject({ streamId: z.number().int() }),
  label: z.literal(RTT_INBOX_CHANNEL.label),
  protocol: z.literal(RTT_INBOX_CHANNEL.protocol),
});
/** Reply to `media:consumeInbox`. */
export type DataConsumerInfo = z.infer<typeof dataConsumerInfoSchema>;

/**
 * What the inbox carries, one JSON text per message: another participant's T.140 text or annotation, or why a message
 * this participant sent on one of its channels was refused (nothing of it went anywhere).
 */
export const rttInboxMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('rtt'), speaker: speakerSchema, text: t140ChunkSchema }),
  z.object({ type: z.literal('annotation'), from: annotatorSchema, annotation: annotationSchema }),
  z.object({ type: z.literal('refused'), error: errorBodySchema, channel: z.enum([T140_CHANNEL.label, ANNOTATION_CHANNEL.label]).default(T140_CHANNEL.label) }),
  /** The service heard this participant's byte order mark and knows who sent it: its data path may carry text now. */
  z.object({ type: z.literal('ready') }),
]);
/** One inbox message. */
export type RttInboxMessage = z.infer<typeof rttInboxMessageSchema>;
