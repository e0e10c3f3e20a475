import { describe, expect, it } from 'vitest';
import type { Hand } from '../../../client/src/vision/handLandmarks.js';
import { SigningDetector, signingDetectorDefaults, SigningState, type SigningSample } from '../../../client/src/vision/SigningDetector.js';
import { ASPECT, noise, openHand } from './syntheticHands.js';

const FRAME_MS = 80;

/** Feeds one sample per FRAME_MS from `fromMs` for `durationMs`, hands given per time; returns every state seen. */
function feed(detector: SigningDetector, hands: (ms: number) => Hand[], fromMs: number, durationMs: number): SigningState[] {
  const states: SigningState[] = [];
  for (let ms = fromMs; ms < fromMs + durationMs; ms += FRAME_MS) {
    const sample: SigningSample = { timestampMs: ms, hands: hands(ms), aspect: ASPECT };
    states.push(detector.update(sample));
  }
  return states;
}

/** A hand swinging sideways like the fixture clip: `amplitude` of the frame width over a `periodMs` sine. */
const swinging = (amplitude: number, periodMs = 2000, size = 0.3) => (ms: number) => [
  openHand(0.5 + amplitude * Math.sin((2 * Math.PI * ms) / periodMs), 0.5, size),
];

describe('SigningDetector', () => {
  it('starts as not signing', () => {
    expect(new SigningDetector().state).toBe(SigningState.NotSigning);
  });

  it('stays not signing for a still hand with tracker jitter', () => {
    const detector = new SigningDetector();
    const jitter = noise(0.002);
    const states = feed(detector, () => [openHand(0.5, 0.5, 0.3, jitter)], 0, 5000);
    expect(states.every((state) => state === SigningState.NotSigning)).toBe(true);
    // Below the threshold that ends signing, so a signer who stops is seen to stop.
    expect(detector.speed).toBeLessThan(signingDetectorDefaults.exitSpeed);
  });

  it('says signing once a hand has moved fast enough for most of the window', () => {
    const detector = new SigningDetector();
    const states = feed(detector, swinging(0.2), 0, 3000);
    const firstSigning = states.indexOf(SigningState.Signing);
    expect(firstSigning).toBeGreaterThan(0);
    // It needs most of the 1.5 s window covered before it can decide.
    expect(firstSigning * FRAME_MS).toBeGreaterThanOrEqual(0.6 * 1500 - FRAME_MS);
    expect(states.slice(firstSigning).every((state) => state === SigningState.Signing)).toBe(true);
  });

  it('says signing as readily when a busy device analyses a frame only every 1.1 s', () => {
    // The customer page's settings: a 2 s window and a 1.5 s gap limit, the tracker spacing analyses up to 1.125 s.
    const detector = new SigningDetector({ windowMs: 2000, maxGapMs: 1500 });
    const states: SigningState[] = [];
    for (let ms = 0; ms < 6000; ms += 1100) states.push(detector.update({ timestampMs: ms, hands: swinging(0.2, 6000)(ms), aspect: ASPECT }));
    expect(states.at(-1)).toBe(SigningState.Signing);
    // The same motion sampled at 12 frames a second reads alike: sparse sampling no longer dilutes it.
    const dense = new SigningDetector({ windowMs: 2000, maxGapMs: 1500 });
    feed(dense, swinging(0.2, 6000), 0, 6000);
    expect(detector.speed).toBeGreaterThan(0.6 * dense.speed);
  });

  it('measures motion in palm lengths, so the same gesture counts alike near and far from the camera', () => {
    const near = new SigningDetector();
    const far = new SigningDetector();
    feed(near, swinging(0.2, 2000, 0.4), 0, 3000);
    feed(far, swinging(0.1, 2000, 0.2), 0, 3000);
    expect(far.speed).toBeGreaterThan(0);
    expect(far.speed / near.speed).toBeCloseTo(1, 1);
  });

  it('keeps signing through a short slow-down between the enter and exit thresholds (hysteresis)', () => {
    const detector = new SigningDetector({ enterSpeed: 0.3, exitSpeed: 0.1 });
    feed(detector, swinging(0.2), 0, 3000);
    expect(detector.state).toBe(SigningState.Signing);
    const slower = feed(detector, swinging(0.025), 3000, 2000);
    expect(detector.speed).toBeGreaterThan(0.1);
    expect(detector.speed).toBeLessThan(0.3);
    expect(slower.every((state) => state === SigningState.Signing)).toBe(true);
  });

  it('goes back to not signing when the hands stop', () => {
    const detector = new SigningDetector();
    feed(detector, swinging(0.2), 0, 3000);
    expect(detector.state).toBe(SigningState.Signing);
    const states = feed(detector, () => [openHand(0.5, 0.5, 0.3)], 3000, 3000);
    expect(states.at(-1)).toBe(SigningState.NotSigning);
  });

  it('goes back to not signing when the hands leave the picture', () => {
    const detector = new SigningDetector();
    feed(detector, swinging(0.2), 0, 3000);
    const states = feed(detector, () => [], 3000, 2000);
    expect(states.at(-1)).toBe(SigningState.NotSigning);
  });

  it('does not count a hand appearing, or two hands swapping places in the list, as motion', () => {
    const detector = new SigningDetector();
    const left = openHand(0.25, 0.5, 0.25);
    const right = openHand(0.75, 0.5, 0.25);
    const states = feed(detector, (ms) => (ms < 400 ? [] : Math.floor(ms / FRAME_MS) % 2 ? [left, right] : [right, left]), 0, 4000);
    expect(states.every((state) => state === SigningState.NotSigning)).toBe(true);
    expect(detector.speed).toBe(0);
  });

  it('ignores a gap in tracking longer than maxGapMs instead of reading it as one big move', () => {
    const detector = new SigningDetector({ windowMs: 1500, maxGapMs: 500 });
    detector.update({ timestampMs: 0, hands: [openHand(0.3, 0.5, 0.3)], aspect: ASPECT });
    detector.update({ timestampMs: 1000, hands: [openHand(0.4, 0.5, 0.3)], aspect: ASPECT });
    expect(detector.speed).toBe(0);
  });

  it('ignores samples that do not move forward in time', () => {
    const detector = new SigningDetector();
    feed(detector, swinging(0.2), 0, 3000);
    const speed = detector.speed;
    detector.update({ timestampMs: 100, hands: [openHand(0.9, 0.9, 0.3)], aspect: ASPECT });
    expect(detector.speed).toBe(speed);
  });

  it('forgets everything on reset', () => {
    const detector = new SigningDetector();
    feed(detector, swinging(0.2), 0, 3000);
    detector.reset();
    expect(detector.state).toBe(SigningState.NotSigning);
    expect(detector.speed).toBe(0);
  });

  it('rejects thresholds that make no sense, naming the field', () => {
    expect(() => new SigningDetector({ windowMs: -1 })).toThrow(/windowMs/);
    expect(() => new SigningDetector({ enterSpeed: Number.NaN })).toThrow(/enterSpeed/);
    expect(() => new SigningDetector({ enterSpeed: 0.1, exitSpeed: 0.2 })).toThrow(/exitSpeed/);
  });
});
