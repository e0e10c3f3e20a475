import { describe, expect, it } from 'vitest';
import { AppError } from '../../../signaling/index.js';
import { pickTechnician, technicianList } from '../../../server/calls/technicians.js';
import type { AgentRecord } from '../../../server/store/RoutingStore.js';

const record = (agentId: string, skills: AgentRecord['skills'], status: AgentRecord['status'] = 'available', idleSince = 0): AgentRecord => ({ agentId, name: agentId.toUpperCase(), skills, status, idleSince });

describe('who can be asked into a call', () => {
  const online = [
    record('alice', { csl: 4, zh: 5 }, 'in-call'),
    record('tess', { csl: 2, phone: 5, tier: 2 }, 'available', 50),
    record('tom', { csl: 5, phone: 1, tier: 2 }, 'available', 90),
    record('rd', { csl: 3, watch: 5, tier: 3 }, 'available'),
    record('ray', { tier: 3 }, 'away'),
  ];

  it('lists the others highest tier first, free ones first, with tier taken out of the skills', () => {
    const list = technicianList(online, 'alice');
    expect(list.map((t) => `${t.agentId}:${t.tier}:${t.status}`)).toEqual(['rd:3:available', 'ray:3:away', 'tess:2:available', 'tom:2:available']);
    expect(list[0]!.skills).toEqual({ csl: 3, watch: 5 });
  });

  it('picks the lowest tier that qualifies, then the best signer of the call’s language, then the device', () => {
    expect(pickTechnician(online, { tier: 2, mode: 'csl', device: 'phone', exceptAgentId: 'alice' }).agentId).toBe('tom');
    expect(pickTechnician(online, { tier: 2, mode: 'voice', device: 'phone', exceptAgentId: 'alice' }).agentId).toBe('tess');
    expect(pickTechnician(online, { tier: 3, mode: 'csl', device: 'phone', exceptAgentId: 'alice' }).agentId).toBe('rd');
  });

  it('never picks someone busy, away, below the tier or the asking agent, and says so when nobody is left', () => {
    const busy = [record('tess', { tier: 2 }, 'in-call'), record('ray', { tier: 3 }, 'away'), record('joe', { tier: 1 })];
    expect(() => pickTechnician(busy, { tier: 2, mode: 'csl', device: 'phone', exceptAgentId: 'alice' })).toThrow(AppError);
    expect(() => pickTechnician([record('me', { tier: 3 })], { tier: 2, mode: 'csl', device: 'phone', exceptAgentId: 'me' })).toThrow(/no tier-2 agent is free/);
  });
});
