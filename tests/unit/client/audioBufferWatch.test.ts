import { describe, expect, it } from 'vitest';
import { AudioBufferWatch, type AudioReading } from '../../../client/src/media/audioBufferWatch.js';

const OPTIONS = { highMs: 200, calmJitterMs: 30, holdMs: 3_000, cooldownMs: 30_000 };
const SAMPLES_PER_SECOND = 48_000;

/** Readings once a second from `from` (s) for `seconds`, the buffer holding `bufferMs` and arrivals jittering `jitterMs`. */
function readings(from: number, seconds: number, bufferMs: number, jitterMs: number, start = { delay: 0, emitted: 0 }): AudioReading[] {
  return Array.from({ length: seconds }, (_, i) => {
    const emitted = start.emitted + (i + 1) * SAMPLES_PER_SECOND;
    return { at: (from + i) * 1000, jitterBufferEmittedCount: emitted, jitterBufferDelay: start.delay + ((i + 1) * SAMPLES_PER_SECOND * bufferMs) / 1000, jitter: jitterMs / 1000 };
  });
}

/** The times (s) at which the watch asked for a restart. */
function restarts(watch: AudioBufferWatch, all: AudioReading[]): number[] {
  return all.filter((reading) => watch.update(reading)).map((reading) => reading.at / 1000);
}

describe('the audio buffer watch', () => {
  it('never restarts a buffer that stays small', () => {
    expect(restarts(new AudioBufferWatch(OPTIONS), readings(0, 60, 80, 5))).toEqual([]);
  });

  it('restarts a buffer that stays large after arrivals calmed, once it has held for holdMs', () => {
    // The first reading is the baseline; the buffer is high from then on, so 3 s of it have held at 3 s.
    expect(restarts(new AudioBufferWatch(OPTIONS), readings(0, 10, 320, 5))).toEqual([3]);
  });

  it('leaves a large buffer alone while arrivals still jitter: then it is what keeps the audio whole', () => {
    expect(restarts(new AudioBufferWatch(OPTIONS), readings(0, 20, 320, 60))).toEqual([]);
  });

  it('waits again from the start after the buffer dipped below highMs', () => {
    const first = readings(0, 3, 320, 5);
    const dip = readings(3, 1, 100, 5, { delay: first.at(-1)!.jitterBufferDelay, emitted: first.at(-1)!.jitterBufferEmittedCount });
    const again = readings(4, 6, 320, 5, { delay: dip[0]!.jitterBufferDelay, emitted: dip[0]!.jitterBufferEmittedCount });
    // High again from 3 s (the interval up to the reading at 4 s): held for 3 s at 6 s.
    expect(restarts(new AudioBufferWatch(OPTIONS), [...first, ...dip, ...again])).toEqual([6]);
  });

  it('restarts at most once per cooldown, and judges the restarted track from its own first readings', () => {
    const watch = new AudioBufferWatch(OPTIONS);
    expect(restarts(watch, readings(0, 4, 320, 5))).toEqual([3]);
    // The new receiver's counters begin at zero; its buffer is high from its first reading, at 4 s, but the next
    // restart waits for the cooldown to end.
    expect(restarts(watch, readings(4, 40, 320, 5))).toEqual([33]);
  });
});
