import { describe, expect, it } from 'vitest';
import { AppError, ErrorCode, JOIN_LINK_TTL_MS } from '../../../signaling/index.js';
import { JoinLinks } from '../../../server/auth/JoinLinks.js';

function links() {
  let now = 1_000_000;
  return { links: new JoinLinks({ now: () => now }), advance: (ms: number) => void (now += ms) };
}

function refusal(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(ErrorCode.LinkInvalid);
    return (error as AppError).message;
  }
  throw new Error('expected a refusal');
}

describe('one-time technician links', () => {
  it('give their call once, then say they were used', () => {
    const { links: registry } = links();
    const { token } = registry.create('session-1');
    expect(registry.redeem(token)).toBe('session-1');
    expect(refusal(() => registry.redeem(token))).toMatch(/used already/);
  });

  it('lapse after ten minutes, and are unguessable and distinct', () => {
    const { links: registry, advance } = links();
    const a = registry.create('session-1');
    const b = registry.create('session-1');
    expect(a.token).not.toBe(b.token);
    expect(a.token).toMatch(/^[\w-]{32}$/);
    expect(a.expiresAt).toBe(1_000_000 + JOIN_LINK_TTL_MS);
    advance(JOIN_LINK_TTL_MS - 1);
    expect(registry.redeem(a.token)).toBe('session-1');
    advance(1);
    expect(refusal(() => registry.redeem(b.token))).toMatch(/expired or does not exist/);
  });

  it('stop working when their call ends', () => {
    const { links: registry } = links();
    const { token } = registry.create('session-1');
    const other = registry.create('session-2');
    registry.forgetSession('session-1');
    expect(refusal(() => registry.redeem(token))).toMatch(/expired or does not exist/);
    expect(registry.redeem(other.token)).toBe('session-2');
  });
});
