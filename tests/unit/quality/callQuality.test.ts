import { describe, expect, it } from 'vitest';
import type { QualitySample } from '../../../signaling/index.js';
import { WARM_UP_MS, summarize } from '../../../server/quality/callQuality.js';

/** One 2-second sample at `at` ms; video at 640x480 unless `fps` is 0 (no video yet). */
function sample(at: number, fps: number): QualitySample {
  const video = fps > 0;
  return { at, fps, width: video ? 640 : 0, height: video ? 480 : 0, freezes: 0, freezeMs: 0, jitterBufferMs: video ? 40 : null, avSyncMs: video ? 10 : null, rttMs: 2 };
}

describe('a participant’s call quality against EN 301 549', () => {
  it('leaves out the ramp-up after the first frame, counting the warm-up from it rather than from the first sample', () => {
    // Two samples before any video, a slow first second of video, then a steady 28 fps.
    const samples = [sample(0, 0), sample(2_000, 0), sample(4_000, 12), sample(6_000, 16.5), sample(8_000 - 5, 28), sample(10_000, 28), sample(12_000, 28)];
    const summary = summarize(samples);
    expect(summary.samples).toBe(7);
    expect(summary.fpsP10).toBe(28);
    expect(summary.verdicts.frameRate).toEqual({ verdict: 'pass', measured: 28, limit: 20 });
    expect(summary.verdicts.resolution.verdict).toBe('pass');
  });

  it('says "unknown" while the video is still warming up, instead of judging the ramp-up', () => {
    // The last sample comes a few ms short of the warm-up's end, as timers do.
    const summary = summarize([sample(0, 12), sample(2_000, 16.5), sample(WARM_UP_MS - 5, 28)]);
    expect(Object.values(summary.verdicts).map((verdict) => verdict.verdict)).toEqual(['unknown', 'unknown', 'unknown', 'unknown']);
    expect(summarize([]).verdicts.frameRate.verdict).toBe('unknown');
  });

  it('fails a steady stretch below 20 fps, and a call that never had video', () => {
    const slow = summarize([sample(0, 25), sample(2_000, 25), sample(4_000, 18), sample(6_000, 19)]);
    expect(slow.verdicts.frameRate).toEqual({ verdict: 'fail', measured: 18, limit: 20 });
    const noVideo = summarize([sample(0, 0), sample(2_000, 0), sample(4_000, 0)]);
    expect(noVideo.verdicts.frameRate.verdict).toBe('fail');
    expect(noVideo.verdicts.resolution.verdict).toBe('unknown');
  });
});
