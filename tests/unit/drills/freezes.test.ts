import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../bench/network/samples.js';
import { freezeCauses } from '../../../drills/freezes.js';

/** A sample every 500 ms: the receiver's cumulative counters, the sender's rate, the audio restarts so far and the camera's rate. */
function sample(i: number, framesDecoded: number, freezeCount: number, sentFps: number | null, restarts = 0, sourceFps: number | null = 30): Sample {
  return {
    at: i * 500,
    step: 'long',
    stats: { video: { framesDecoded, freezeCount } as NonNullable<NonNullable<Sample['stats']>['video']>, audio: null, audioRestartGapsMs: Array.from({ length: restarts }, () => 120), rtcpRttMs: null },
    send: [],
    sfu: null,
    fps: 30,
    height: 480,
    decodeMs: 1,
    sentFps,
    limitation: null,
    sourceFps,
  };
}

describe('freeze causes', () => {
  it('puts each freeze down to a short sender, a recent audio restart, or neither', () => {
    const samples = [
      sample(0, 0, 0, 30),
      sample(1, 15, 0, 30),
      sample(2, 30, 1, 30), // neither
      sample(3, 45, 1, 30),
      sample(4, 55, 2, 20), // the sender fell short with its camera at full rate
      sample(5, 70, 2, 30),
      sample(6, 85, 2, 30, 1), // the audio restarted here
      sample(7, 95, 3, 30, 1), // 500 ms later
      sample(8, 110, 3, 30, 1),
      sample(20, 290, 4, 30, 1), // 7 s after the restart: neither
      sample(21, 300, 4, 18, 1, 18),
      sample(22, 310, 5, 19, 1, 19), // the camera delivered too few
    ];
    expect(freezeCauses(samples, 0, 20_000)).toEqual({ total: 5, cameraShort: 1, encoderShort: 1, afterAudioRestart: 1, other: 2 });
  });

  it('counts a replaced receiver from its own first reading, and only within the span', () => {
    const samples = [sample(0, 100, 5, 30), sample(1, 115, 6, 30), sample(2, 3, 0, 30), sample(3, 18, 1, 30), sample(4, 33, 2, 30)];
    // The counters going back at sample 2 start a new receiver: its first freeze counts against sample 2's reading.
    expect(freezeCauses(samples, 0, 10_000).total).toBe(3);
    expect(freezeCauses(samples, 1_000, 10_000).total).toBe(2);
  });
});
