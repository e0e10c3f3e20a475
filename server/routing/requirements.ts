import type { CallMode, QueueJoin, QueueName } from '../../signaling/index.js';
import type { SkillMap, SkillName, SkillRequirement } from './model.js';
import { PRODUCT_AREAS, SIGN_LANGUAGES } from './model.js';

/** Level an agent needs in the customer's language to take the call before any relaxation. */
export const LANGUAGE_MIN_LEVEL = 3;

/** What a customer's request asks of an agent: the language of the call, required; the device's product area, preferred. */
export function requirementsFor(request: Pick<QueueJoin, 'mode' | 'device' | 'locale'>): { required: SkillRequirement[]; preferred: SkillName[] } {
  const language: SkillName = isSignLanguage(request.mode) ? request.mode : request.locale === 'zh-CN' ? 'zh' : 'en';
  const area = (PRODUCT_AREAS as readonly string[]).includes(request.device) ? [request.device as SkillName] : [];
  return { required: [{ skill: language, minLevel: LANGUAGE_MIN_LEVEL }], preferred: area };
}

/** Tier an agent needs to take a call in the technical queue. */
export const TECHNICAL_MIN_TIER = 2;

/**
 * What a transferred call asks of the next agent: a language queue asks for that language (the
 * device's area preferred), the technical queue for the call's language and tier 2 or more; `extra`
 * requirements are added, the higher minimum winning where a skill is named twice.
 */
export function requirementsForTransfer(
  request: Pick<QueueJoin, 'mode' | 'device' | 'locale'>,
  queue: QueueName,
  extra: readonly SkillRequirement[],
): { required: SkillRequirement[]; preferred: SkillName[] } {
  const base = queue === 'technical' ? requirementsFor(request) : requirementsFor({ ...request, mode: queue });
  if (queue === 'technical') base.required.push({ skill: 'tier', minLevel: TECHNICAL_MIN_TIER });
  const levels = new Map<SkillName, number>();
  for (const r of [...base.required, ...extra]) levels.set(r.skill, Math.max(levels.get(r.skill) ?? 0, r.minLevel));
  return { required: [...levels].map(([skill, minLevel]) => ({ skill, minLevel })), preferred: base.preferred };
}

/** The call modes an agent can serve, from their skills, for the console and sign-in reply. */
export function modesOf(skills: SkillMap): CallMode[] {
  const modes: CallMode[] = SIGN_LANGUAGES.filter((language) => (skills[language] ?? 0) >= LANGUAGE_MIN_LEVEL && language !== 'tsl') as CallMode[];
  if ((skills.zh ?? 0) >= LANGUAGE_MIN_LEVEL || (skills.en ?? 0) >= LANGUAGE_MIN_LEVEL) modes.push('voice', 'text');
  return modes;
}

function isSignLanguage(mode: CallMode): mode is Extract<CallMode, 'csl' | 'asl' | 'hksl'> {
  return (SIGN_LANGUAGES as readonly string[]).includes(mode);
}
