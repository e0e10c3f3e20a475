import { z } from 'zod';
import { callModeSchema, idSchema, queueNameSchema } from './schemas.js';
import { transcriptLineSchema } from './text.js';

/** Bytes of randomness in a ticket's secret: 256 bits, far past guessing. */
export const TICKET_SECRET_BYTES = 32;

/** A ticket's secret as it travels: base64url of 32 random bytes (43 characters), the key to its progress page. */
export const ticketSecretSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not a ticket secret');

/** The progress page's path of a ticket; the secret goes after `#`, so it never reaches a server log or a Referer. */
export function progressPath(ticketId: string, secret: string): string {
  return `/t/${encodeURIComponent(ticketId)}#${secret}`;
}

/** Where a ticket is in its life, as its progress page shows it. */
export const ticketStatusSchema = z.enum(['queued', 'in-call', 'ended', 'abandoned']);
/** Where a ticket is in its life. */
export type TicketStatus = z.infer<typeof ticketStatusSchema>;

/** What happened to a ticket, one of the kinds its history records. */
export const progressStepKindSchema = z.enum([
  'opened',
  'in-call',
  'escalated',
  'handed-over',
  'transferred',
  'interrupted',
  'agent-lost',
  'callback-scheduled',
  'callback-missed',
  'ended',
  'abandoned',
]);

/**
 * One step of a ticket's history as its customer reads it: what happened, when, and by whom in general terms (no
 * agent ids, no session ids); the queue where a step moved the ticket to one.
 */
export const progressStepSchema = z.object({
  seq: z.number().int().min(1),
  at: z.number(),
  kind: progressStepKindSchema,
  by: z.enum(['you', 'agent', 'system']),
  queue: queueNameSchema.optional(),
});
/** One step of a ticket's history. */
export type ProgressStep = z.infer<typeof progressStepSchema>;

/** Reply to `POST /api/tickets/:id/rejoin`: a fresh customer token for a ticket still being served (a callback). */
export const ticketRejoinSchema = z.object({
  ticketId: idSchema,
  token: z.string().min(16),
  mode: callModeSchema,
  reconnectGraceSec: z.number().min(0),
});
/** A fresh customer token for a live ticket. */
export type TicketRejoin = z.infer<typeof ticketRejoinSchema>;

/** The longest survey comment, in characters. */
export const SURVEY_COMMENT_MAX = 1000;

/** A satisfaction rating: 1 (very bad) to 5 (very good); CSAT counts 4 and 5 as satisfied. */
export const surveyRatingSchema = z.number().int().min(1).max(5);

/** Body of `POST /api/tickets/:id/survey`: one answer per ticket, after its call. */
export const surveySubmitSchema = z.strictObject({
  rating: surveyRatingSchema,
  solved: z.boolean(),
  comment: z.string().trim().max(SURVEY_COMMENT_MAX).optional(),
});
/** A survey answer as the customer sends it. */
export type SurveySubmit = z.infer<typeof surveySubmitSchema>;

/** A survey answer as it was stored; `comment` is null when none was written. */
export const surveyAnswerSchema = z.object({
  rating: surveyRatingSchema,
  solved: z.boolean(),
  comment: z.string().max(SURVEY_COMMENT_MAX).nullable(),
  at: z.number(),
});
/** A stored survey answer. */
export type SurveyAnswer = z.infer<typeof surveyAnswerSchema>;

/**
 * Data of `GET /api/tickets/:id` and of the `progress:watch` ack: where the ticket is, how it got there, its transcript
 * (to save as text), and its survey: the answer, or whether one may be given now.
 */
export const ticketProgressSchema = z.object({
  ticketId: idSchema,
  status: ticketStatusSchema,
  queue: queueNameSchema,
  createdAt: z.number(),
  updatedAt: z.number(),
  steps: z.array(progressStepSchema),
  transcript: z.array(transcriptLineSchema),
  survey: surveyAnswerSchema.nullable(),
  /** True once the call is over and until the survey is answered. */
  surveyOpen: z.boolean(),
});
/** A ticket's progress. */
export type TicketProgress = z.infer<typeof ticketProgressSchema>;

/** Client to server `progress:watch`: pushes of this ticket's changes to this connection, authorized by its secret. */
export const progressWatchSchema = z.strictObject({ ticketId: idSchema, secret: ticketSecretSchema });

/** Server to client `progress:update`: a watched ticket changed; the step is new unless its `seq` was seen already. */
export const progressUpdateSchema = z.object({ ticketId: idSchema, status: ticketStatusSchema, step: progressStepSchema });
/** Payload of `progress:update`. */
export type ProgressUpdate = z.infer<typeof progressUpdateSchema>;

/** Customer satisfaction over some calls: answers, how many rated 4 or 5, and that share (null before any answer). */
export const csatFigureSchema = z.object({
  responses: z.number().int().min(0),
  satisfied: z.number().int().min(0),
  csat: z.number().min(0).max(1).nullable(),
});
/** Customer satisfaction over some calls. */
export type CsatFigure = z.infer<typeof csatFigureSchema>;

/** CSAT (share of surveys rated 4 or 5 of 5) per queue the ticket was last in and per agent who served it last. */
export const csatReportSchema = z.object({
  queues: z.array(csatFigureSchema.extend({ queue: queueNameSchema })),
  agents: z.array(csatFigureSchema.extend({ agentId: idSchema })),
});
/** CSAT per queue and per agent. */
export type CsatReport = z.infer<typeof csatReportSchema>;

/** A CSAT figure from counts: the satisfied share, null before any answer. Pure. */
export function csatOf(responses: number, satisfied: number): CsatFigure {
  return { responses, satisfied, csat: responses > 0 ? satisfied / responses : null };
}
