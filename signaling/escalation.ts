import { z } from 'zod';

// Bringing more help into a call: the technicians an agent can ask in, the two ways of asking (to help, or to take
// the call over: a warm transfer), one-time links for technicians without an account, and what the customer is
// told while someone is on the way.

const id = z.string().min(1).max(64);
const note = z.string().max(500);

/** The support tiers: 1 answers, 2 is technical support, 3 is research and development. */
export const tierSchema = z.number().int().min(1).max(3);
/** The tiers a call can be escalated to. */
export const escalationTierSchema = z.union([z.literal(2), z.literal(3)]);

/**
 * Why someone is asked in: `help` joins beside the agent, who keeps the call; `takeover` is a warm transfer: the
 * next agent joins, is briefed while the first stays, and the first hands over and leaves when ready.
 */
export const invitePurposeSchema = z.enum(['help', 'takeover']);
/** Why someone is asked into a call. */
export type InvitePurpose = z.infer<typeof invitePurposeSchema>;

/**
 * Client to server `call:invite` (the call's agent): asks a named agent, or the best free one of a tier, into the
 * call, with a note that briefs them and tells the customer why.
 */
export const callInviteSchema = z
  .strictObject({
    sessionId: id,
    agentId: id.optional(),
    tier: escalationTierSchema.optional(),
    purpose: invitePurposeSchema.default('help'),
    note: note.default(''),
  })
  .refine((invite) => (invite.agentId === undefined) !== (invite.tier === undefined), { message: 'name exactly one of agentId or tier', path: ['agentId'] });
/** Payload of `call:invite`. */
export type CallInvite = z.infer<typeof callInviteSchema>;

/** Reply to `call:invite`: who was asked (the server picks one when a tier was named). */
export const invitedSchema = z.object({ agentId: id, name: z.string() });

/** Client to server `call:handover` (the call's agent): a warm transfer completes; the agent who joined to take over has the call, the sender leaves it. */
export const callHandoverSchema = z.strictObject({ sessionId: id });

/** Client to server `technicians:list` (agents): everyone online who can be asked in, with tier, skills and state. */
export const techniciansListSchema = z.strictObject({});

/** One online agent as the invite list shows them. */
export const technicianSchema = z.object({
  agentId: id,
  name: z.string(),
  tier: tierSchema,
  /** Levels of sign languages, spoken languages and product areas (1-5). */
  skills: z.record(z.string(), z.number()),
  status: z.enum(['available', 'away', 'offered', 'in-call', 'wrap-up', 'missed']),
});
/** One online agent as the invite list shows them. */
export type Technician = z.infer<typeof technicianSchema>;

/** Reply to `technicians:list`: tier 3 first, then tier 2, then tier 1; free ones first within a tier. */
export const techniciansSchema = z.object({ technicians: z.array(technicianSchema) });

/** Client to server `call:link` (the call's agent): a one-time link into this call for a technician without an account. */
export const callLinkSchema = z.strictObject({ sessionId: id });

/** How long a one-time technician link can be used. */
export const JOIN_LINK_TTL_MS = 10 * 60_000;

/** Reply to `call:link`: the link's path (the page adds its origin) and when it lapses (epoch ms). */
export const joinLinkSchema = z.object({ path: z.string(), expiresAt: z.number() });

/** Body of `POST /api/tech/join`: a one-time link's token and the name the others will see. */
export const techJoinRequestSchema = z.strictObject({
  token: z.string().min(16).max(128),
  name: z.string().trim().min(1).max(60),
});

/** Reply to `POST /api/tech/join`: a bearer token that works for this one call only. */
export const techJoinReplySchema = z.object({ token: z.string(), sessionId: id, name: z.string() });
/** Reply to `POST /api/tech/join`. */
export type TechJoinReply = z.infer<typeof techJoinReplySchema>;

/**
 * Server to client `call:coming`, to everyone in the call: someone is on the way, who and why, so the customer never
 * waits in silence. `transfer` means the call is going back to a queue (cold), where the next agent will answer.
 */
export const callComingSchema = z.object({
  sessionId: id,
  name: z.string(),
  tier: tierSchema.nullable(),
  purpose: z.enum(['help', 'takeover', 'transfer']),
  note: z.string(),
});
/** Payload of `call:coming`. */
export type CallComing = z.infer<typeof callComingSchema>;

/** Server to client `call:handedOver`, to everyone still in the call: a warm transfer completed. */
export const callHandedOverSchema = z.object({ sessionId: id, fromName: z.string(), toAgentId: id, toName: z.string() });
/** Payload of `call:handedOver`. */
export type CallHandedOver = z.infer<typeof callHandedOverSchema>;
