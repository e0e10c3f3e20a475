import type { QualitySample, QualitySummary, Verdict } from '../../signaling/index.js';

/** The EN 301 549 clause 6.5 figures a call is held to, for sign language over video. */
export const EN_301_549 = {
  /** 6.5.4: at least 20 frames per second (30 preferred). */
  minFps: 20,
  preferredFps: 30,
  /** 6.5.3: at least QVGA. */
  minWidth: 320,
  minHeight: 240,
  /** 6.5.5: audio and video within 100 ms of each other. */
  maxAvSyncMs: 100,
  /** Overall delay under 0.4 s (over 0.8 s hinders signing). */
  maxDelayMs: 400,
} as const;

/** Samples taken in the first seconds of video show the ramp-up, not the call. */
export const WARM_UP_MS = 4_000;

/**
 * Summarizes one participant's samples; pure. The warm-up counts from the first sample with video (before it there is
 * nothing to judge), and a call still warming up is judged on nothing: its verdicts are unknown, not the ramp-up's.
 */
export function summarize(samples: readonly QualitySample[]): QualitySummary {
  const withAnyVideo = samples.filter((s) => s.height > 0);
  const start = Math.min(...(withAnyVideo.length > 0 ? withAnyVideo : samples).map((s) => s.at));
  const judged = samples.filter((s) => s.at - start >= WARM_UP_MS);
  const fps = sorted(judged.map((s) => s.fps));
  const withVideo = judged.filter((s) => s.height > 0);
  const avSync = sorted(judged.flatMap((s) => (s.avSyncMs === null ? [] : [Math.abs(s.avSyncMs)])));
  const delays = sorted(
    judged.flatMap((s) => (s.rttMs === null || s.jitterBufferMs === null ? [] : [s.rttMs / 2 + s.jitterBufferMs + (2 * 1000) / Math.max(s.fps, 1)])),
  );
  const fpsP10 = quantile(fps, 0.1);
  const minWidth = withVideo.length > 0 ? Math.min(...withVideo.map((s) => s.width)) : null;
  const minHeight = withVideo.length > 0 ? Math.min(...withVideo.map((s) => s.height)) : null;
  const avSyncP95Ms = quantile(avSync, 0.95);
  const delayP95Ms = quantile(delays, 0.95);
  return {
    samples: samples.length,
    fpsP10,
    fpsP50: quantile(fps, 0.5),
    minWidth,
    minHeight,
    freezes: samples.reduce((sum, s) => sum + s.freezes, 0),
    freezeMs: samples.reduce((sum, s) => sum + s.freezeMs, 0),
    avSyncP95Ms,
    delayP95Ms,
    verdicts: {
      frameRate: atLeast(fpsP10, EN_301_549.minFps),
      resolution: minWidth === null || minHeight === null
        ? { verdict: 'unknown', measured: null, limit: EN_301_549.minHeight }
        : { verdict: minWidth >= EN_301_549.minWidth && minHeight >= EN_301_549.minHeight ? 'pass' : 'fail', measured: minHeight, limit: EN_301_549.minHeight },
      avSync: atMost(avSyncP95Ms, EN_301_549.maxAvSyncMs),
      delay: atMost(delayP95Ms, EN_301_549.maxDelayMs),
    },
  };
}

function atLeast(measured: number | null, limit: number): Verdict {
  return { verdict: measured === null ? 'unknown' : measured >= limit ? 'pass' : 'fail', measured: round(measured), limit };
}

function atMost(measured: number | null, limit: number): Verdict {
  return { verdict: measured === null ? 'unknown' : measured <= limit ? 'pass' : 'fail', measured: round(measured), limit };
}

function sorted(values: number[]): number[] {
  return values.sort((a, b) => a - b);
}

/** The q-quantile of sorted values (nearest rank), or null when there are none. */
function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  return round(values[Math.min(values.length - 1, Math.max(0, Math.ceil(q * values.length) - 1))]!);
}

function round(value: number | null | undefined): number | null {
  return value === null || value === undefined ? null : Math.round(value * 10) / 10;
}
