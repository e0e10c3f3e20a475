import { describe, expect, it } from 'vitest';
import { TokenRegistry } from '../../server/auth/TokenRegistry.js';

const agent = { role: 'agent' as const, agent: { id: 'li', name: 'Li Wei', modes: ['csl' as const] }, skills: { csl: 4 } };

/** A registry on a clock the test moves by hand. */
function registry(ttlMs = 1000): { tokens: TokenRegistry; advance(ms: number): void } {
  let now = 1_000_000;
  return { tokens: new TokenRegistry({ ttlMs, now: () => now }), advance: (ms) => void (now += ms) };
}

describe('the token registry', () => {
  it('resolves a token to its principal until it expires, and not after', async () => {
    const { tokens, advance } = registry(1000);
    const token = tokens.issue(agent);
    advance(999);
    expect(await tokens.resolve(token)).toEqual(agent);
    advance(1);
    expect(await tokens.resolve(token)).toBeUndefined();
  });

  it('issues unguessable tokens, a different one each time', () => {
    const { tokens } = registry();
    const issued = new Set(Array.from({ length: 100 }, () => tokens.issue(agent)));
    expect(issued.size).toBe(100);
    for (const token of issued) expect(token).toMatch(/^[\w-]{32}$/);
  });

  it('revokes every token of a ticket at once and leaves other tickets’ tokens alone', async () => {
    const { tokens } = registry();
    const first = tokens.issue({ role: 'customer', ticketId: 'SL-AAA-AAA' });
    const second = tokens.issue({ role: 'customer', ticketId: 'SL-AAA-AAA' });
    const other = tokens.issue({ role: 'customer', ticketId: 'SL-BBB-BBB' });
    tokens.revokeTicket('SL-AAA-AAA');
    expect(await tokens.resolve(first)).toBeUndefined();
    expect(await tokens.resolve(second)).toBeUndefined();
    expect(await tokens.resolve(other)).toEqual({ role: 'customer', ticketId: 'SL-BBB-BBB' });
  });

  it('ignores revoking an unknown token or a ticket without tokens', async () => {
    const { tokens } = registry();
    const token = tokens.issue(agent);
    tokens.revoke('never-issued');
    tokens.revokeTicket('SL-ZZZ-ZZZ');
    expect(await tokens.resolve(token)).toEqual(agent);
  });
});
