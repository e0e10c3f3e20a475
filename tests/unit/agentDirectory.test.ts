import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { AgentDirectory } from '../../server/auth/AgentDirectory.js';

const hash = bcrypt.hashSync('secret', 4);
const account = (skills: unknown) => JSON.stringify([{ username: 'li', name: 'Li Wei', passwordHash: hash, skills }]);

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
});
