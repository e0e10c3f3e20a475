import { describe, expect, it } from 'vitest';
import { LossyLinkBuffer, type LinkReading } from '../../../client/src/media/lossyLinkBuffer.js';

/** Readings every second from `from` ms: `perSec` packets arrive, of which `lostShare` are lost, at `rttMs`. */
function feed(buffer: LossyLinkBuffer, state: { at: number; received: number; lost: number }, seconds: number, lostShare: number, rttMs: number | null): (number | null | undefined)[] {
  const changes: (number | null | undefined)[] = [];
  for (let second = 0; second < seconds; second++) {
    state.at += 1000;
    state.lost += Math.round(100 * lostShare);
    state.received += 100 - Math.round(100 * lostShare);
    const reading: LinkReading = { at: state.at, packetsReceived: state.received, packetsLost: state.lost, rttSec: rttMs === null ? null : rttMs / 1000 };
    changes.push(buffer.update(reading));
  }
  return changes;
}

describe('LossyLinkBuffer', () => {
  it('waits one and a half round trips plus 100 ms once 10 % loss at 200 ms has lasted its 4 s window, and no more changes while it lasts', () => {
    const buffer = new LossyLinkBuffer();
    const state = { at: 0, received: 0, lost: 0 };
    const changes = feed(buffer, state, 10, 0.1, 200);
    expect(changes.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(changes.filter((change) => change !== undefined)).toEqual([400]);
    expect(buffer.target).toBe(400);
  });

  it('leaves a near or clean link to the browser, and caps the wait at a second', () => {
    const near = new LossyLinkBuffer();
    expect(feed(near, { at: 0, received: 0, lost: 0 }, 10, 0.1, 40).every((change) => change === undefined)).toBe(true);
    const clean = new LossyLinkBuffer();
    expect(feed(clean, { at: 0, received: 0, lost: 0 }, 10, 0.01, 300).every((change) => change === undefined)).toBe(true);
    const far = new LossyLinkBuffer();
    expect(feed(far, { at: 0, received: 0, lost: 0 }, 10, 0.2, 900).find((change) => change !== undefined)).toBe(1000);
    const unknown = new LossyLinkBuffer();
    expect(feed(unknown, { at: 0, received: 0, lost: 0 }, 10, 0.2, null).every((change) => change === undefined)).toBe(true);
  });

  it('gives the buffer back to the browser after 10 s of loss under 2 %, not before, and not while loss stays between', () => {
    const buffer = new LossyLinkBuffer();
    const state = { at: 0, received: 0, lost: 0 };
    feed(buffer, state, 8, 0.1, 200);
    expect(feed(buffer, state, 8, 0.03, 200).every((change) => change === undefined)).toBe(true);
    const calm = feed(buffer, state, 20, 0, 200);
    // The window still holds lossy seconds for a while; then ten calm seconds.
    expect(calm.filter((change) => change !== undefined)).toEqual([null]);
    expect(calm.indexOf(null)).toBeGreaterThanOrEqual(10);
    expect(buffer.target).toBeNull();
  });

  it('follows a round trip that grows, and starts judging afresh on a new receiver whose counters start again', () => {
    const buffer = new LossyLinkBuffer();
    const state = { at: 0, received: 0, lost: 0 };
    feed(buffer, state, 6, 0.1, 200);
    expect(feed(buffer, state, 2, 0.1, 400).filter((change) => change !== undefined)).toEqual([700]);
    const fresh = { at: state.at, received: 0, lost: 0 };
    expect(feed(buffer, fresh, 3, 0.1, 200)).toEqual([undefined, undefined, undefined]);
  });
});
