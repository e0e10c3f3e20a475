import { z } from 'zod';
import { idSchema } from './schemas.js';

/** Longest wrap-up summary, in characters. */
export const WRAP_UP_SUMMARY_MAX = 2000;

/** How a call ended for the customer, as the agent files it: a fixed list, so reports can count them. */
export const dispositionSchema = z.enum(['resolved', 'workaround', 'escalated', 'follow-up', 'not-resolved', 'no-contact']);
/** One of the disposition codes. */
export type Disposition = z.infer<typeof dispositionSchema>;

/** Client to server `agent:wrapUp`: the agent's notes on a call of theirs that ended; once per ticket. */
export const agentWrapUpSchema = z.strictObject({
  ticketId: idSchema,
  disposition: dispositionSchema,
  summary: z.string().max(WRAP_UP_SUMMARY_MAX),
  followUp: z.boolean(),
});
/** A wrap-up as the agent sends it. */
export type AgentWrapUp = z.infer<typeof agentWrapUpSchema>;

/** A wrap-up as it was stored. */
export const wrapUpRecordSchema = agentWrapUpSchema.extend({
  agentId: idSchema,
  /** Epoch ms the call ended (the wrap-up opened) and the notes were submitted. */
  openedAt: z.number(),
  submittedAt: z.number(),
});
/** A wrap-up as it was stored. */
export type WrapUpRecord = z.infer<typeof wrapUpRecordSchema>;
