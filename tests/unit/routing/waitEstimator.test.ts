import { describe, expect, it } from 'vitest';
import { WaitEstimator } from '../../../server/routing/WaitEstimator.js';

/** Eight calls: 25th percentile 200 s, median 240 s, 75th percentile 300 s. */
const HANDLE_TIMES = [120, 200, 200, 220, 260, 300, 300, 600];

describe('WaitEstimator', () => {
  it('gives the first customer with one busy agent the quartile handle times as the range', () => {
    expect(new WaitEstimator().estimate({ position: 1, agents: 1, handleTimesSec: HANDLE_TIMES })).toEqual({ lowSec: 200, highSec: 300, sure: true });
  });

  it('grows the wait with the position', () => {
    expect(new WaitEstimator().estimate({ position: 3, agents: 1, handleTimesSec: HANDLE_TIMES })).toEqual({ lowSec: 600, highSec: 900, sure: true });
  });

  it('shares the wait among the qualified agents', () => {
    expect(new WaitEstimator().estimate({ position: 4, agents: 4, handleTimesSec: HANDLE_TIMES })).toEqual({ lowSec: 200, highSec: 300, sure: true });
  });

  it('rounds the low end down and the high end up to whole seconds', () => {
    expect(new WaitEstimator().estimate({ position: 1, agents: 3, handleTimesSec: HANDLE_TIMES })).toEqual({ lowSec: 66, highSec: 100, sure: true });
  });

  it('expects no wait when an idle agent is free for this place', () => {
    expect(new WaitEstimator().estimate({ position: 2, agents: 3, idle: 2, handleTimesSec: HANDLE_TIMES })).toEqual({ lowSec: 0, highSec: 0, sure: true });
  });

  it('counts only the places beyond the idle agents', () => {
    expect(new WaitEstimator().estimate({ position: 3, agents: 2, idle: 1, handleTimesSec: HANDLE_TIMES })).toEqual({ lowSec: 200, highSec: 300, sure: true });
  });

  it('widens the range to half and twice the median and is not sure with fewer than five handle times', () => {
    expect(new WaitEstimator().estimate({ position: 1, agents: 1, handleTimesSec: [200, 240, 400] })).toEqual({ lowSec: 120, highSec: 480, sure: false });
  });

  it('assumes the default handle time before any call was measured', () => {
    expect(new WaitEstimator({ minSamples: 5, defaultHandleSec: 100 }).estimate({ position: 1, agents: 1, handleTimesSec: [] })).toEqual({ lowSec: 50, highSec: 200, sure: false });
  });

  it('gives no upper bound when no qualified agent is logged in', () => {
    expect(new WaitEstimator().estimate({ position: 3, agents: 0, handleTimesSec: HANDLE_TIMES })).toEqual({ lowSec: 400, highSec: null, sure: false });
  });

  it('gives the first customer no lower bound either when no qualified agent is logged in', () => {
    expect(new WaitEstimator().estimate({ position: 1, agents: 0, handleTimesSec: HANDLE_TIMES })).toEqual({ lowSec: 0, highSec: null, sure: false });
  });

  it('does not reorder the handle times it was given', () => {
    const times = [300, 100, 200];
    new WaitEstimator().estimate({ position: 1, agents: 1, handleTimesSec: times });
    expect(times).toEqual([300, 100, 200]);
  });

  it('rejects a position below 1', () => {
    expect(() => new WaitEstimator().estimate({ position: 0, agents: 1, handleTimesSec: [] })).toThrow(/position/);
  });

  it('rejects a negative number of agents', () => {
    expect(() => new WaitEstimator().estimate({ position: 1, agents: -1, handleTimesSec: [] })).toThrow(/agents/);
  });

  it('rejects more idle agents than agents', () => {
    expect(() => new WaitEstimator().estimate({ position: 1, agents: 1, idle: 2, handleTimesSec: [] })).toThrow(/idle/);
  });

  it('rejects a handle time that is not a finite, non-negative number', () => {
    expect(() => new WaitEstimator().estimate({ position: 1, agents: 1, handleTimesSec: [120, Number.NaN] })).toThrow(/handleTimesSec/);
  });

  it('rejects settings without a positive default handle time', () => {
    expect(() => new WaitEstimator({ minSamples: 5, defaultHandleSec: 0 })).toThrow(/defaultHandleSec/);
  });

  it('rejects settings that need no samples to be sure', () => {
    expect(() => new WaitEstimator({ minSamples: 0, defaultHandleSec: 300 })).toThrow(/minSamples/);
  });
});
