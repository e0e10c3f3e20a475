import type { ReceiveStats } from './CallMedia.js';
import type { QualitySample } from '../../../signaling/index.js';

/** The cumulative receive counters a quality sample is computed from, read at one moment. */
export interface ReceiveCounters {
  at: number;
  video: {
    /** The stats entry's id: another id is another stream (a restarted consumer, or the busier of two cameras). */
    id: string;
    framesDecoded: number;
    frameWidth: number;
    frameHeight: number;
    freezeCount: number;
    totalFreezesDuration: number;
    jitterBufferDelay: number;
    jitterBufferEmittedCount: number;
  } | null;
  audio: { id: string; jitterBufferDelay: number; jitterBufferEmittedCount: number } | null;
  /** Round trip of the selected ICE candidate pair, seconds. */
  rttSec: number | null;
}

/** A stats entry of a report. */
export type StatsEntry = Record<string, unknown>;

/**
 * The inbound video and audio entries of a receive transport's report. Video is the busiest stream: with a
 * technician there are two cameras, and mediasoup-client's probator (padding only) shows up as video too. Tracks in
 * `exclude` (shared screens, which are not a person's picture) are left out.
 */
export function inboundStreams(report: RTCStatsReport, exclude: ReadonlySet<string> = new Set()): { video: StatsEntry | null; audio: StatsEntry | null } {
  let video: StatsEntry | null = null;
  let audio: StatsEntry | null = null;
  report.forEach((stat: StatsEntry) => {
    if (stat.type !== 'inbound-rtp' || exclude.has(String(stat.trackIdentifier))) return;
    if (stat.kind === 'audio') audio = stat;
    else if (stat.kind === 'video' && Number(stat.framesDecoded ?? 0) >= Number(video?.framesDecoded ?? 0)) video = stat;
  });
  return { video, audio };
}

/** The named numeric fields of a stats entry; absent ones read as 0. */
export function numbersOf<K extends string>(stat: StatsEntry, keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, Number(stat[key] ?? 0)])) as Record<K, number>;
}

/** Reads the counters from a receive transport's stats report. */
export function readCounters(report: RTCStatsReport, at: number, exclude: ReadonlySet<string> = new Set()): ReceiveCounters {
  const counters: ReceiveCounters = { at, video: null, audio: null, rttSec: null };
  const { video, audio } = inboundStreams(report, exclude);
  if (video) {
    counters.video = { id: String(video.id), ...numbersOf(video, ['framesDecoded', 'frameWidth', 'frameHeight', 'freezeCount', 'totalFreezesDuration', 'jitterBufferDelay', 'jitterBufferEmittedCount']) };
  }
  if (audio) counters.audio = { id: String(audio.id), ...numbersOf(audio, ['jitterBufferDelay', 'jitterBufferEmittedCount']) };
  report.forEach((stat: StatsEntry) => {
    if (stat.type === 'candidate-pair' && (stat.nominated || stat.selected) && stat.currentRoundTripTime !== undefined) {
      counters.rttSec = Number(stat.currentRoundTripTime);
    }
  });
  return counters;
}

/**
 * What was received between two readings of the counters; pure. Null when the video stream read is another one than
 * before (a second camera became the busier one, or a consumer was replaced): the two readings do not compare.
 */
export function qualitySample(before: ReceiveCounters, after: ReceiveCounters): QualitySample | null {
  const seconds = Math.max(0.001, (after.at - before.at) / 1000);
  const video = after.video;
  const last = before.video;
  // A stream that changed or only just appeared has no interval to measure yet (counting from 0 would overstate it).
  if (video && (!last || video.id !== last.id)) return null;
  const videoBufferMs = meanBufferMs(last, video);
  // A restarted audio track's counters start again: its first interval has no buffer figure.
  const audioBufferMs = before.audio?.id === after.audio?.id ? meanBufferMs(before.audio, after.audio) : null;
  return {
    at: after.at,
    fps: video ? Math.max(0, (video.framesDecoded - (last?.framesDecoded ?? 0)) / seconds) : 0,
    width: video?.frameWidth ?? 0,
    height: video?.frameHeight ?? 0,
    freezes: video ? Math.max(0, video.freezeCount - (last?.freezeCount ?? 0)) : 0,
    freezeMs: video ? Math.max(0, (video.totalFreezesDuration - (last?.totalFreezesDuration ?? 0)) * 1000) : 0,
    jitterBufferMs: videoBufferMs,
    avSyncMs: videoBufferMs !== null && audioBufferMs !== null ? videoBufferMs - audioBufferMs : null,
    rttMs: after.rttSec === null ? null : after.rttSec * 1000,
  };
}

/** Mean jitter-buffer wait of the frames or samples emitted between two readings, ms; null when none were. */
function meanBufferMs(
  before: { jitterBufferDelay: number; jitterBufferEmittedCount: number } | null,
  after: { jitterBufferDelay: number; jitterBufferEmittedCount: number } | null,
): number | null {
  if (!after) return null;
  const emitted = after.jitterBufferEmittedCount - (before?.jitterBufferEmittedCount ?? 0);
  if (emitted <= 0) return null;
  return ((after.jitterBufferDelay - (before?.jitterBufferDelay ?? 0)) / emitted) * 1000;
}

/** One encoding of a page's outgoing video (a simulcast layer, or the only one), cumulative as in the W3C stats. */
export interface OutboundVideo {
  /** The encoding's rid (`r0`, `r1`, ... in mediasoup-client's order, lowest first); null without simulcast. */
  rid: string | null;
  /** Stats timestamp, epoch ms. */
  timestamp: number;
  framesSent: number;
  /** Frames the camera delivered to this encoding's track so far (its media-source entry); null when not reported. */
  sourceFrames: number | null;
  frameHeight: number;
  /** Why the encoder sends less than it was asked for: `none`, `cpu`, `bandwidth` or `other`. */
  qualityLimitationReason: string;
}

/** The outbound video entries of a send transport's report, one per encoding. */
export function outboundVideo(report: RTCStatsReport): OutboundVideo[] {
  const encodings: OutboundVideo[] = [];
  report.forEach((stat: StatsEntry) => {
    if (stat.type !== 'outbound-rtp' || stat.kind !== 'video') return;
    const source = typeof stat.mediaSourceId === 'string' ? (report.get(stat.mediaSourceId) as StatsEntry | undefined) : undefined;
    encodings.push({
      rid: typeof stat.rid === 'string' ? stat.rid : null,
      ...numbersOf(stat, ['timestamp', 'framesSent', 'frameHeight']),
      sourceFrames: typeof source?.frames === 'number' ? source.frames : null,
      qualityLimitationReason: typeof stat.qualityLimitationReason === 'string' ? stat.qualityLimitationReason : 'none',
    });
  });
  return encodings.sort((a, b) => (a.rid ?? '').localeCompare(b.rid ?? ''));
}

/** Mean decode time per frame between two readings of an inbound video's counters, ms; null when no frame was decoded. */
export function decodeMsPerFrame(before: { framesDecoded: number; totalDecodeTime: number }, after: { framesDecoded: number; totalDecodeTime: number }): number | null {
  const frames = after.framesDecoded - before.framesDecoded;
  if (frames <= 0) return null;
  return ((after.totalDecodeTime - before.totalDecodeTime) / frames) * 1000;
}

/** The receive figures of the other side's camera and microphone (shared views left out), from a stats report. */
export function receiveFigures(report: RTCStatsReport, exclude: ReadonlySet<string>): Pick<ReceiveStats, 'video' | 'audio'> {
  const { video, audio } = inboundStreams(report, exclude);
  return {
    video: video
      ? numbersOf(video, [
          'framesDecoded',
          'framesPerSecond',
          'frameWidth',
          'frameHeight',
          'jitterBufferDelay',
          'jitterBufferEmittedCount',
          'jitterBufferTargetDelay',
          'jitterBufferMinimumDelay',
          'freezeCount',
          'packetsLost',
          'nackCount',
          'pliCount',
          'totalDecodeTime',
        ])
      : null,
    audio: audio ? numbersOf(audio, ['packetsReceived', 'jitterBufferDelay', 'jitterBufferEmittedCount', 'jitterBufferTargetDelay', 'jitterBufferMinimumDelay']) : null,
  };
}

/**
 * A call's quality reports: every reading of the receive counters after the first gives one sample of the interval
 * since the previous, handed to `send`.
 */
export class QualityReporter {
  readonly #send: (sample: QualitySample) => Promise<unknown>;
  #last: ReceiveCounters | null = null;

  constructor(send: (sample: QualitySample) => Promise<unknown>) {
    this.#send = send;
  }

  /** Reads the counters from `report` and sends the sample of the interval since the last reading, if any. */
  async report(report: RTCStatsReport, exclude: ReadonlySet<string>): Promise<void> {
    const counters = readCounters(report, Date.now(), exclude);
    const before = this.#last;
    this.#last = counters;
    const sample = before && qualitySample(before, counters);
    // A lost report is only a gap in the record; the call goes on.
    if (sample) await this.#send(sample).catch((e: unknown) => console.warn('quality report failed', e));
  }
}
