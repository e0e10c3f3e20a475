import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { AgentDirectory } from '../../server/auth/AgentDirectory.js';

const hash = bcrypt.hashSync('secret', 4);
const account = (skills: unknown, extra: Record<string, unknown> = {}) => JSON.stringify([{ username: 'li', name: 'Li Wei', passwordHash: hash, skills, ...extra }]);

describe('agent accounts from configuration', () => {
  it('reads skills with levels and derives the modes the agent can serve', async () => {
    const directory = AgentDirectory.load({ json: account({ csl: 4, hksl: 2, zh: 5, phone: 3, tier: 2 }) });
    const verified = await directory.verify('li', 'secret');
    expect(verified?.profile.modes).toEqual(['csl', 'voice', 'text']);
    expect(verified?.skills).toEqual({ csl: 4, hksl: 2, zh: 5, phone: 3, tier: 2 });
  });

  it('refuses to start with a skill routing does not know, naming it', () => {
    expect(() => AgentDirectory.load({ json: account({ csl: 4, klingon: 3 }) })).toThrow(/AGENT_ACCOUNTS: 0\.skills.*klingon|AGENT_ACCOUNTS: 0\.skills/);
  });

  it('refuses impossible levels: above 5, below 1, not whole, or a tier above 3', () => {
    for (const skills of [{ csl: 6 }, { csl: 0 }, { csl: 2.5 }, { csl: 3, tier: 4 }]) {
      expect(() => AgentDirectory.load({ json: account(skills) }), JSON.stringify(skills)).toThrow(/AGENT_ACCOUNTS: 0\.skills/);
    }
  });

  it('makes an account an agent unless it says it is a supervisor', async () => {
    expect((await AgentDirectory.load({ json: account({ csl: 4 }) }).verify('li', 'secret'))?.role).toBe('agent');
    expect((await AgentDirectory.load({ json: account({}, { role: 'supervisor' }) }).verify('li', 'secret'))?.role).toBe('supervisor');
  });

  it('refuses a role other than agent or supervisor, naming the field', () => {
    expect(() => AgentDirectory.load({ json: account({ csl: 4 }, { role: 'admin' }) })).toThrow(/AGENT_ACCOUNTS: 0\.role/);
  });
});
