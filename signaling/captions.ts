import { z } from 'zod';
import { idSchema } from './schemas.js';
import { MAX_CHAT_TEXT, speakerSchema } from './text.js';

/**
 * Server to client `caption`: words recognized from a participant's speech. Partials (`final: false`) replace each
 * other while the person speaks; the final of the same `captionId` replaces them at the end of the utterance and is
 * what the transcript keeps. An empty final withdraws the partials (it was not words).
 */
export const captionSchema = z.object({
  sessionId: idSchema,
  captionId: idSchema,
  speaker: speakerSchema,
  text: z.string().max(MAX_CHAT_TEXT),
  final: z.boolean(),
  /** Epoch milliseconds the utterance began. */
  at: z.number(),
});
/** Payload of `caption`. */
export type Caption = z.infer<typeof captionSchema>;

/**
 * Server to client `caption:status`: captions of a speaker are `live`, `paused` (the recognizer fell behind or
 * restarts; the call goes on, and captions come back by themselves) or `off` (the recognizer gave up on this speaker,
 * or the call has no captions).
 */
export const captionStatusSchema = z.object({ sessionId: idSchema, speaker: speakerSchema, state: z.enum(['live', 'paused', 'off']) });
/** Payload of `caption:status`. */
export type CaptionStatus = z.infer<typeof captionStatusSchema>;
