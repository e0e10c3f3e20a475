import type { CallMode, Device, Technician } from '../../signaling/index.js';
import { AppError, ErrorCode } from '../../signaling/index.js';
import type { AgentRecord } from '../store/RoutingStore.js';

/** An agent's support tier; accounts that name none are tier 1. */
export function tierOf(record: Pick<AgentRecord, 'skills'>): number {
  return record.skills.tier ?? 1;
}

/** The console's list of who can be asked into a call: highest tier first, free ones first within a tier, then by name. */
export function technicianList(records: Iterable<AgentRecord>, exceptAgentId: string): Technician[] {
  const order = { available: 0, away: 1, missed: 1, 'wrap-up': 2, offered: 2, 'in-call': 3 } as const;
  return [...records]
    .filter((record) => record.agentId !== exceptAgentId)
    .map((record) => {
      const { tier: _tier, ...skills } = record.skills;
      return { agentId: record.agentId, name: record.name, tier: tierOf(record), skills, status: record.status };
    })
    .sort((a, b) => b.tier - a.tier || order[a.status] - order[b.status] || a.name.localeCompare(b.name));
}

/**
 * The best free agent of a tier for a call: at that tier or above (the lowest such tier first, so tier 3 is not
 * spent on tier-2 work), then the one who knows the call's sign language best (a deaf customer needs a signer
 * more than a slightly better technician), then the device's product area. Throws NOT_FOUND when nobody is free.
 */
export function pickTechnician(records: Iterable<AgentRecord>, need: { tier: number; mode: CallMode; device: Device; exceptAgentId: string }): AgentRecord {
  const free = [...records].filter((record) => record.status === 'available' && record.agentId !== need.exceptAgentId && tierOf(record) >= need.tier);
  const level = (record: AgentRecord, skill: string) => (record.skills as Record<string, number | undefined>)[skill] ?? 0;
  const language = need.mode === 'voice' || need.mode === 'text' ? undefined : need.mode;
  free.sort(
    (a, b) =>
      tierOf(a) - tierOf(b) ||
      (language ? level(b, language) - level(a, language) : 0) ||
      level(b, need.device) - level(a, need.device) ||
      a.idleSince - b.idleSince,
  );
  const best = free[0];
  if (!best) throw new AppError(ErrorCode.NotFound, 404, `no tier-${need.tier} agent is free now; try again, or transfer the call to the tier's queue`);
  return best;
}
