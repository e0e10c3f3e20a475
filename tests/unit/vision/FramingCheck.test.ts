import { describe, expect, it } from 'vitest';
import { FramingCheck, FramingHint, type FramingObservation } from '../../../client/src/vision/FramingCheck.js';
import type { FaceBox, Hand } from '../../../client/src/vision/handLandmarks.js';
import { openHand } from './syntheticHands.js';

const FRAME_MS = 100;
const WELL_LIT = 120;
const FACE: FaceBox = { x: 0.4, y: 0.1, width: 0.2, height: 0.25 };
const centred = openHand(0.5, 0.6, 0.2);

/** Feeds the same kind of frame every FRAME_MS for `durationMs`; returns the hints after the last one. */
function feed(check: FramingCheck, frame: (ms: number) => Omit<FramingObservation, 'timestampMs'>, fromMs: number, durationMs: number): readonly FramingHint[] {
  let hints: readonly FramingHint[] = [];
  for (let ms = fromMs; ms < fromMs + durationMs; ms += FRAME_MS) hints = check.update({ timestampMs: ms, ...frame(ms) });
  return hints;
}

const good = (hands: Hand[] = [centred]) => () => ({ hands, brightness: WELL_LIT, faces: [FACE] });

describe('FramingCheck', () => {
  it('gives no hint for a well-lit frame with a face and hands inside the picture', () => {
    const check = new FramingCheck();
    expect(feed(check, good(), 0, 5000)).toEqual([]);
  });

  it('says too dark only after the picture has stayed dark for darkAfterMs', () => {
    const check = new FramingCheck({ darkLuma: 40, darkAfterMs: 1000 });
    expect(feed(check, () => ({ hands: [centred], brightness: 20, faces: [FACE] }), 0, 900)).toEqual([]);
    expect(feed(check, () => ({ hands: [centred], brightness: 20, faces: [FACE] }), 900, 300)).toEqual([FramingHint.TooDark]);
  });

  it('ignores one dark frame', () => {
    const check = new FramingCheck();
    const hints = feed(check, (ms) => ({ hands: [centred], brightness: ms === 1000 ? 5 : WELL_LIT, faces: [FACE] }), 0, 3000);
    expect(hints).toEqual([]);
  });

  it('keeps saying too dark until the light is clearly back (hysteresis)', () => {
    const check = new FramingCheck({ darkLuma: 40, darkHysteresis: 10 });
    feed(check, () => ({ hands: [centred], brightness: 30, faces: [FACE] }), 0, 2000);
    expect(feed(check, () => ({ hands: [centred], brightness: 45, faces: [FACE] }), 2000, 1000)).toContain(FramingHint.TooDark);
    expect(feed(check, () => ({ hands: [centred], brightness: 55, faces: [FACE] }), 3000, 100)).toEqual([]);
  });

  it('says no hands after noHandsAfterMs without any hand, and stops once a hand shows', () => {
    const check = new FramingCheck({ noHandsAfterMs: 3000 });
    expect(feed(check, good([]), 0, 2900)).toEqual([]);
    expect(feed(check, good([]), 2900, 200)).toEqual([FramingHint.NoHands]);
    expect(feed(check, good(), 3100, 100)).toEqual([]);
  });

  it('says the face is not visible after noFaceAfterMs without a face', () => {
    const check = new FramingCheck({ noFaceAfterMs: 2000 });
    const hints = feed(check, () => ({ hands: [centred], brightness: WELL_LIT, faces: [] }), 0, 2500);
    expect(hints).toEqual([FramingHint.FaceNotVisible]);
  });

  it('says nothing about the face when frames are not checked for faces', () => {
    const check = new FramingCheck();
    expect(feed(check, () => ({ hands: [centred], brightness: WELL_LIT }), 0, 5000)).toEqual([]);
  });

  it('counts a face seen on only some frames (the face detector runs less often) as visible', () => {
    const check = new FramingCheck();
    const hints = feed(check, (ms) => ({ hands: [centred], brightness: WELL_LIT, faces: ms % 300 === 0 ? [FACE] : undefined }), 0, 5000);
    expect(hints).toEqual([]);
  });

  it('says hands are outside the signing space when a hand keeps touching the frame edge', () => {
    const check = new FramingCheck();
    const cutOff = openHand(0.95, 0.6, 0.3);
    expect(feed(check, good([cutOff]), 0, 2000)).toEqual([FramingHint.HandsOutside]);
  });

  it('does not say hands are outside for a hand that touches the edge on a few frames only', () => {
    const check = new FramingCheck({ edgeShare: 0.5, edgeWindowMs: 1500 });
    const hints = feed(check, (ms) => good([ms % 1000 < 300 ? openHand(0.95, 0.6, 0.3) : centred])(), 0, 4000);
    expect(hints).toEqual([]);
  });

  it('lists several hints most important first', () => {
    const check = new FramingCheck();
    const hints = feed(check, () => ({ hands: [], brightness: 10, faces: [] }), 0, 4000);
    expect(hints).toEqual([FramingHint.TooDark, FramingHint.NoHands, FramingHint.FaceNotVisible]);
  });

  it('forgets everything on reset', () => {
    const check = new FramingCheck();
    feed(check, () => ({ hands: [], brightness: 10, faces: [] }), 0, 4000);
    check.reset();
    expect(check.hints).toEqual([]);
    expect(check.update({ timestampMs: 10_000, hands: [], brightness: 10, faces: [] })).toEqual([]);
  });

  it('rejects thresholds that make no sense, naming the field', () => {
    expect(() => new FramingCheck({ darkLuma: -1 })).toThrow(/darkLuma/);
    expect(() => new FramingCheck({ edgeMargin: Number.POSITIVE_INFINITY })).toThrow(/edgeMargin/);
  });
});
