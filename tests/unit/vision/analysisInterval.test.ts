import { describe, expect, it } from 'vitest';
import { analysisIntervalMs } from '../../../client/src/vision/HandTracker.js';

const customer = { maxRateHz: 3, maxBusyShare: 0.2, maxIntervalMs: 1125 };

describe('the interval between two analysed frames', () => {
  it('follows the rate cap while inference is cheap', () => {
    expect(analysisIntervalMs(customer, 30)).toBeCloseTo(1000 / 3);
  });

  it('stretches so that inference takes at most the busy share of wall time', () => {
    expect(analysisIntervalMs(customer, 150)).toBe(750);
  });

  it('never stretches past the longest interval, however slow inference gets', () => {
    expect(analysisIntervalMs(customer, 400)).toBe(1125);
    expect(analysisIntervalMs(customer, 5000)).toBe(1125);
  });

  it('leaves the busy share alone without a longest interval', () => {
    expect(analysisIntervalMs({ ...customer, maxIntervalMs: Number.POSITIVE_INFINITY }, 400)).toBe(2000);
  });
});
