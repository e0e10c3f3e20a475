import { describe, expect, it } from 'vitest';
import { KeyedBuckets, TokenBucket } from '../../server/socket/TokenBucket.js';

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => void (time += ms) };
}

function takeAll(bucket: TokenBucket, attempts: number): number {
  let taken = 0;
  for (let i = 0; i < attempts; i++) if (bucket.take()) taken++;
  return taken;
}

describe('TokenBucket', () => {
  it('says how long until the next token, and when it has refilled to its burst', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(1 / 12, 2, clock.now);
    expect(bucket.full()).toBe(true);
    expect(bucket.waitSec()).toBe(0);
    takeAll(bucket, 2);
    expect(bucket.waitSec()).toBeCloseTo(12);
    clock.advance(3_000);
    expect(bucket.waitSec()).toBeCloseTo(9);
    expect(bucket.full()).toBe(false);
    clock.advance(21_000);
    expect(bucket.full()).toBe(true);
  });

  it('allows a full burst at once and refuses the next event', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(10, 5, clock.now);
    expect(takeAll(bucket, 5)).toBe(5);
    expect(bucket.take()).toBe(false);
  });

  it('refills at the given rate per second', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(10, 5, clock.now);
    takeAll(bucket, 5);
    clock.advance(99);
    expect(bucket.take()).toBe(false);
    clock.advance(1);
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    clock.advance(300);
    expect(takeAll(bucket, 10)).toBe(3);
  });

  it('never holds more than the burst after a long idle time', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(10, 5, clock.now);
    clock.advance(60_000);
    expect(takeAll(bucket, 100)).toBe(5);
  });

  it('does not lose refill time to refused attempts', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(4, 1, clock.now);
    expect(bucket.take()).toBe(true);
    for (let i = 0; i < 4; i++) {
      clock.advance(50);
      expect(bucket.take()).toBe(false);
    }
    clock.advance(50);
    expect(bucket.take()).toBe(true);
  });
});

describe('KeyedBuckets', () => {
  it('keeps an emptied key past its size bound and says how long it waits, knowing nothing of keys never taken from', () => {
    const buckets = new KeyedBuckets({ perSec: 1 / 3600, burst: 1 }, 1);
    expect(buckets.take('a')).toBe(true);
    expect(buckets.take('b')).toBe(true);
    expect(buckets.take('a')).toBe(false);
    expect(buckets.waitSec('a')).toBeGreaterThan(3000);
    expect(buckets.waitSec('never')).toBe(0);
  });
});
