import { describe, expect, it } from 'vitest';
import { AudioBufferWatch, type AudioReading } from '../../../client/src/media/audioBufferWatch.js';

const OPTIONS = { highMs: 200, calmJitterMs: 30, holdMs: 3_000, cooldownMs: 30_000, maxCooldownMs: 120_000 };
const SAMPLES_PER_SECOND = 48_000;

/**
 * Readings once a second from `from` (s) for `seconds`, the buffer holding `bufferMs` and arrivals jittering
 * `jitterMs`; `ownMs`, when given, is the part of the buffer the arrivals alone ask for (else the browser reports none).
 */
function readings(from: number, seconds: number, bufferMs: number, jitterMs: number, start = { delay: 0, emitted: 0 }, ownMs?: number): AudioReading[] {
  return Array.from({ length: seconds }, (_, i) => {
    const emitted = start.emitted + (i + 1) * SAMPLES_PER_SECOND;
    const own = ownMs === undefined ? null : ((start.emitted + (i + 1) * SAMPLES_PER_SECOND) * ownMs) / 1000;
    return { at: (from + i) * 1000, jitterBufferEmittedCount: emitted, jitterBufferDelay: start.delay + ((i + 1) * SAMPLES_PER_SECOND * bufferMs) / 1000, jitter: jitterMs / 1000, jitterBufferMinimumDelay: own };
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

  it('leaves a buffer alone that lip sync holds large while the audio itself needs little', () => {
    // A video arriving late (a sender short of CPU) holds the audio back with it: a new receiver would sync again.
    expect(restarts(new AudioBufferWatch(OPTIONS), readings(0, 60, 320, 5, undefined, 40))).toEqual([]);
  });

  it('restarts when the audio itself still asks for the large buffer', () => {
    expect(restarts(new AudioBufferWatch(OPTIONS), readings(0, 10, 320, 5, undefined, 300))).toEqual([3]);
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

  it('waits longer each time the buffer grows back soon after a restart, and as long as the cooldown again after a quiet spell', () => {
    const watch = new AudioBufferWatch(OPTIONS);
    // High throughout: restarts at 3 s, then 30, 60 and 120 s apart (capped at maxCooldownMs), each reading the
    // restarted track from its next reading on.
    const high = (from: number, seconds: number) => readings(from, seconds, 320, 5);
    expect(restarts(watch, high(0, 400))).toEqual([3, 33, 93, 213, 333]);
    // 10 minutes of a small buffer, then high again: one cooldown (30 s) after the next restart.
    const quiet = readings(400, 600, 80, 5);
    expect(restarts(watch, quiet)).toEqual([]);
    expect(restarts(watch, high(1000, 60))).toEqual([1003, 1033]);
  });
});
