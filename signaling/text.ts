import { z } from 'zod';
import { idSchema, participantRoleSchema } from './schemas.js';
import { T140_MAX_CHUNK, t140Problem } from './t140.js';

/** Longest chat message, in UTF-16 units. */
export const MAX_CHAT_TEXT = 2000;

/** A chunk of T.140 text: 1 to `T140_MAX_CHUNK` code points, no control characters but T.140's. */
export const t140ChunkSchema = z
  .string()
  .min(1)
  .max(T140_MAX_CHUNK * 2)
  .refine((chunk) => Array.from(chunk).length <= T140_MAX_CHUNK, `at most ${T140_MAX_CHUNK} characters per message`)
  .superRefine((chunk, ctx) => {
    const problem = t140Problem(chunk);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Chat text: visible characters, spaces and new lines; no other control characters. */
export const chatTextSchema = z
  .string()
  .trim()
  .min(1)
  .max(MAX_CHAT_TEXT)
  .refine((text) => !/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/.test(text), 'control characters are not allowed in chat');

/** Client to server `text:rtt`: real-time text as it is typed (the Socket.IO path of RFC 8865's T.140 stream). */
export const rttSendSchema = z.strictObject({ sessionId: idSchema, text: t140ChunkSchema });

/** Client to server `text:chat`: a chat message; `clientId` makes a resend after a reconnect harmless. */
export const chatSendSchema = z.strictObject({ sessionId: idSchema, clientId: idSchema, text: chatTextSchema });

/** Client to server `text:chatDelivered`: this page received the message (its sender sees the mark). */
export const chatDeliveredSchema = z.strictObject({ sessionId: idSchema, messageId: idSchema });

/** Client to server `text:transcript`: the ticket's transcript so far, for a page that (re)joins a call. */
export const transcriptRequestSchema = z.strictObject({ sessionId: idSchema });

/** Who wrote or said something, as the others see them. */
export const speakerSchema = z.object({ role: participantRoleSchema, name: z.string().max(128) });
/** Who wrote or said something. */
export type Speaker = z.infer<typeof speakerSchema>;

/** Server to client `text:rtt`: another participant's real-time text, exactly as they typed it. */
export const rttReceivedSchema = z.object({ sessionId: idSchema, speaker: speakerSchema, text: t140ChunkSchema });
/** Payload of `text:rtt`. */
export type RttReceived = z.infer<typeof rttReceivedSchema>;

/** Server to client `text:chat`: a chat message from another participant. */
export const chatReceivedSchema = z.object({
  sessionId: idSchema,
  messageId: idSchema,
  speaker: speakerSchema,
  text: z.string().max(MAX_CHAT_TEXT),
  /** Epoch milliseconds the server took it. */
  at: z.number(),
});
/** Payload of `text:chat`. */
export type ChatReceived = z.infer<typeof chatReceivedSchema>;

/** Reply to `text:chat`: the server has the message (the "sent" mark). */
export const chatSentSchema = z.object({ messageId: idSchema, at: z.number() });
/** Reply to `text:chat`. */
export type ChatSent = z.infer<typeof chatSentSchema>;

/** Server to client `text:chatMark`: a message this participant sent reached another participant's page. */
export const chatMarkSchema = z.object({ sessionId: idSchema, messageId: idSchema, mark: z.literal('delivered'), by: participantRoleSchema });
/** Payload of `text:chatMark`. */
export type ChatMark = z.infer<typeof chatMarkSchema>;

/** What a transcript line is: a caption's final words, a closed RTT line, a chat message, or a call event. */
export const transcriptKindSchema = z.enum(['caption', 'rtt', 'chat', 'event']);
/** What a transcript line is. */
export type TranscriptKind = z.infer<typeof transcriptKindSchema>;

/**
 * Call events the transcript records. The step events carry the guide's own words as their text (the title, or
 * "2/5: the card's text", or "2/5" for an answer), which pages put into the event's phrase in their language.
 */
export const callEventSchema = z.enum(['joined', 'left', 'technician-invited', 'transferred', 'handed-over', 'ended', 'guide-sent', 'step-shown', 'step-done', 'step-again', 'step-stuck', 'media-restarted', 'connection-lost', 'connection-back']);
/** A call event in the transcript. */
export type CallEventName = z.infer<typeof callEventSchema>;

/** One line of a ticket's transcript. `seq` orders the lines of a ticket. */
export const transcriptLineSchema = z.object({
  seq: z.number().int().min(1),
  /** Epoch milliseconds. */
  at: z.number(),
  kind: transcriptKindSchema,
  speaker: speakerSchema,
  /** The words; for an event, a short English description (pages render `event` in their language). */
  text: z.string().max(MAX_CHAT_TEXT * 2),
  event: callEventSchema.optional(),
});
/** One line of a transcript. */
export type TranscriptLine = z.infer<typeof transcriptLineSchema>;

/** Server to client `transcript:line`: a line was added to the transcript of the call's ticket. */
export const transcriptLinePushSchema = z.object({ sessionId: idSchema, ticketId: idSchema, line: transcriptLineSchema });

/** Reply to `text:transcript`. */
export const transcriptReplySchema = z.object({ ticketId: idSchema, lines: z.array(transcriptLineSchema) });
/** Reply to `text:transcript`. */
export type TranscriptReply = z.infer<typeof transcriptReplySchema>;

/** One canned reply an agent can insert: a short title to find it by and the text it inserts. */
export const cannedReplySchema = z.strictObject({ id: idSchema, title: z.string().min(1).max(80), text: chatTextSchema });
/** One canned reply. */
export type CannedReply = z.infer<typeof cannedReplySchema>;

/** The canned replies file (and the reply of `GET /api/canned-replies`): a list per interface language. */
export const cannedRepliesSchema = z.strictObject({
  en: z.array(cannedReplySchema).max(200),
  'zh-CN': z.array(cannedReplySchema).max(200),
});
/** Canned replies per language. */
export type CannedReplies = z.infer<typeof cannedRepliesSchema>;
