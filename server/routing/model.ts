import { z } from 'zod';
import { skillNameSchema, supportCategorySchema, type SkillName, type SkillRequirement } from '../../signaling/index.js';

export { PRODUCT_AREAS, SIGN_LANGUAGES, SPOKEN_LANGUAGES, skillNameSchema, skillRequirementSchema } from '../../signaling/index.js';
export type { SkillName, SkillRequirement } from '../../signaling/index.js';

/** An agent's skills and their levels; `tier` must be 1-3, every other level 1-5. */
export const skillMapSchema = z
  .partialRecord(skillNameSchema, z.number().int().min(1).max(5))
  .refine((skills) => skills.tier === undefined || skills.tier <= 3, { message: 'tier must be 1, 2 or 3', path: ['tier'] });
/** An agent's skills and levels. */
export type SkillMap = z.infer<typeof skillMapSchema>;

/** Service-level classes with their target answer times (configurable; defaults from the service's own standards). */
export const slaClassSchema = supportCategorySchema;
/** A service-level class. */
export type SlaClass = z.infer<typeof slaClassSchema>;
/** Default target answer time per class, in seconds. */
export const DEFAULT_SLA_TARGETS_SEC: Record<SlaClass, number> = { consultation: 120, software: 300, hardware: 600 };

/** Entry priority: urgent entries are served before normal ones. */
export const prioritySchema = z.enum(['normal', 'urgent']);
/** Entry priority. */
export type Priority = z.infer<typeof prioritySchema>;

/** A customer waiting for an agent, as the routing policy sees it. */
export interface RoutingEntry {
  ticketId: string;
  /** Every one must be met (after relaxation) for an agent to qualify. */
  required: SkillRequirement[];
  /** Nice to have; agents matching more of them win among the qualified. */
  preferred: SkillName[];
  slaClass: SlaClass;
  priority: Priority;
  /** A call transferred in from another queue or agent: served ahead of new arrivals of the same priority. */
  transferred: boolean;
  /** The returning customer's last agent, still within the configured window. */
  preferredAgentId?: string | undefined;
  /** An agent never to offer this entry to: the one who transferred the call away. */
  notAgentId?: string | undefined;
  /** Epoch ms of the original arrival; declines, timeouts and reconnects never change it. */
  enqueuedAt: number;
  /** Arrival order, to break ties between equal `enqueuedAt`. */
  seq: number;
}

/** An agent who could take a call now (available, not missed, under capacity), as the routing policy sees it. */
export interface RoutingAgent {
  agentId: string;
  skills: SkillMap;
  /** Epoch ms since which the agent has had no call or offer. */
  idleSince: number;
  /** Milliseconds of continuous signing so far (reset by a break). */
  signingMs: number;
}

/** One decision: offer this entry to this agent. */
export interface Match {
  ticketId: string;
  agentId: string;
}

/** A step of relaxation: once an entry has waited `afterSec`, its requirements loosen. Steps accumulate. */
export const relaxationStepSchema = z.strictObject({
  afterSec: z.number().min(0),
  /** Stop favouring the preferred agent (the returning customer's last agent). */
  dropPreferredAgent: z.boolean().default(false),
  /** Ignore preferred skills. */
  dropPreferredSkills: z.boolean().default(false),
  /** Lower every required minimum level by this much (never below 1). */
  lowerMinLevelBy: z.number().int().min(0).max(4).default(0),
});
/** A step of relaxation. */
export type RelaxationStep = z.infer<typeof relaxationStepSchema>;

/** Policy settings, validated at the edge (configuration). */
export const routingOptionsSchema = z.strictObject({
  slaTargetsSec: z.strictObject({
    consultation: z.number().positive(),
    software: z.number().positive(),
    hardware: z.number().positive(),
  }),
  relaxation: z.array(relaxationStepSchema).max(10),
  /** Continuous signing after which an agent is offered calls only when no other qualified agent is idle. */
  fatigueAfterMs: z.number().int().positive(),
});
/** Policy settings. */
export type RoutingOptions = z.infer<typeof routingOptionsSchema>;

/** Defaults: 45 min fatigue, preferred agent kept for 30 s, preferred skills for 60 s, levels lowered by one after 180 s. */
export const DEFAULT_ROUTING_OPTIONS: RoutingOptions = {
  slaTargetsSec: DEFAULT_SLA_TARGETS_SEC,
  relaxation: [
    { afterSec: 30, dropPreferredAgent: true, dropPreferredSkills: false, lowerMinLevelBy: 0 },
    { afterSec: 60, dropPreferredAgent: true, dropPreferredSkills: true, lowerMinLevelBy: 0 },
    { afterSec: 180, dropPreferredAgent: true, dropPreferredSkills: true, lowerMinLevelBy: 1 },
  ],
  fatigueAfterMs: 45 * 60_000,
};
