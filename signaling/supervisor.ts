import { z } from 'zod';
import { agentProfileSchema, queueServiceLevelSchema, qualitySummarySchema } from './replies.js';
import { callModeSchema, idSchema, participantRoleSchema, queueNameSchema, supportCategorySchema } from './schemas.js';

/** Query of `GET /api/supervisor/overview`: how many of the last hours the SLA classes and charts cover. */
export const supervisorOverviewQuerySchema = z.strictObject({
  hours: z.coerce.number().int().min(1).max(24).default(4),
});

/** CSAT: the share of surveys rated 4 or 5 of 5; null until surveys have answers. */
export const csatSchema = z.number().min(0).max(1).nullable();

/**
 * What a signed-in agent is doing, as a supervisor sees it. `resting` is an agent who went away after their console
 * suggested a break from signing; `away` is any other away (their choice, just signed in, or a missed offer).
 * `wrap-up` is the time after a call for its notes (`WRAP_UP_SEC`), when routing offers the agent nothing.
 */
export const supervisedAgentStatusSchema = z.enum(['available', 'offered', 'in-call', 'wrap-up', 'away', 'resting']);
/** What a signed-in agent is doing. */
export type SupervisedAgentStatus = z.infer<typeof supervisedAgentStatusSchema>;

/** One signed-in agent in the supervisor's view. */
export const supervisedAgentSchema = agentProfileSchema.extend({
  status: supervisedAgentStatusSchema,
  /** Away after missing an offer: back by itself after the cool-down. */
  missedOffer: z.boolean(),
  /** The agent has signed long enough without a break that their console suggests one. */
  suggestBreak: z.boolean(),
  /** Epoch ms since which the agent has had no call or offer. */
  idleSince: z.number(),
  csat: csatSchema,
});
/** One signed-in agent in the supervisor's view. */
export type SupervisedAgent = z.infer<typeof supervisedAgentSchema>;

/** How a call went against EN 301 549 so far: every criterion passed, one failed, or too little data to say. */
export const overallVerdictSchema = z.enum(['pass', 'fail', 'unknown']);
/** How a call went against EN 301 549 so far. */
export type OverallVerdict = z.infer<typeof overallVerdictSchema>;

/** One call in progress on the server node that answered. */
export const liveCallSchema = z.object({
  sessionId: idSchema,
  ticketId: idSchema,
  queue: queueNameSchema,
  mode: callModeSchema,
  agentName: z.string(),
  startedAt: z.number(),
  /** Each participant's receive verdicts so far (only those who sent samples). */
  verdicts: z.partialRecord(participantRoleSchema, qualitySummarySchema.shape.verdicts),
  /** The worst of every participant's verdicts. */
  overall: overallVerdictSchema,
  /** `GET` path of the call's full quality record. */
  qualityPath: z.string(),
  /** Who lost the connection and is being waited for (their reconnect grace is running). */
  reconnecting: z.array(participantRoleSchema).default([]),
});
/** One call in progress. */
export type LiveCall = z.infer<typeof liveCallSchema>;

/** One SLA class (the customer's support category) over the covered hours, from the ticket records. */
export const slaClassLevelSchema = z.object({
  slaClass: supportCategorySchema,
  targetSec: z.number().min(0),
  answered: z.number().int().min(0),
  /** Share answered within the class's target; null before any answer. */
  answeredWithinTarget: z.number().min(0).max(1).nullable(),
  abandoned: z.number().int().min(0),
  /** Abandoned over answered plus abandoned; null before either. */
  abandonmentRate: z.number().min(0).max(1).nullable(),
});
/** One SLA class over the covered hours. */
export type SlaClassLevel = z.infer<typeof slaClassLevelSchema>;

/** One interval of the charts: the customers answered in it, how long they had waited, and the share within target. */
export const historyPointSchema = z.object({
  /** Epoch ms at which the interval starts. */
  at: z.number(),
  answered: z.number().int().min(0),
  meanWaitSec: z.number().min(0).nullable(),
  maxWaitSec: z.number().min(0).nullable(),
  /** Share of the interval's answers within their class's target (as the queues count it); null without answers. */
  serviceLevel: z.number().min(0).max(1).nullable(),
});
/** One interval of the charts. */
export type HistoryPoint = z.infer<typeof historyPointSchema>;

/** Data of `GET /api/supervisor/overview`: one snapshot of queues, agents, calls, SLA classes and history. */
export const supervisorOverviewSchema = z.object({
  at: z.number(),
  /** Live queues over every node, counted since the routing store began. */
  queues: z.array(queueServiceLevelSchema),
  slaClasses: z.array(slaClassLevelSchema),
  agents: z.array(supervisedAgentSchema),
  /** Calls on the node that answered. */
  calls: z.array(liveCallSchema),
  history: z.object({ fromMs: z.number(), bucketMs: z.number().int().min(1), points: z.array(historyPointSchema) }),
  /** Mean satisfaction over the covered hours. */
  csat: csatSchema,
});
/** Data of `GET /api/supervisor/overview`. */
export type SupervisorOverview = z.infer<typeof supervisorOverviewSchema>;
