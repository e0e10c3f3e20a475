import { decodeMsPerFrame, type OutboundVideo } from '../../client/src/media/qualitySample.js';
import type { PageStats } from '../../tests/support/CallDriver.js';
import type { SfuSample } from './sfuProbe.js';

/** The counter clip's frame rate: what the agent's fake camera delivers. */
export const CLIP_FPS = 30;
/** The receiver's line: a sample under it is a dip. */
export const SMOOTH_FPS = 25;
/**
 * A sender under this many frames per second fell short of the clip: 90% of it, which one-second counting windows
 * stay above when every frame goes out. It lies above SMOOTH_FPS, so a sender that alone explains a dip is marked.
 */
export const SENDER_SHORT_FPS = 0.9 * CLIP_FPS;
/** Rates are counted over this many sample intervals (1 s at one sample every 0.5 s). */
const WINDOW_SAMPLES = 2;

/** What the bench read at one moment: the customer's receive stats, the agent's send stats and the SFU's side. */
export interface Reading {
  at: number;
  step: string;
  /** The customer page's receive stats; null outside a call. Its video entry is null while the consumer is replaced. */
  stats: PageStats | null;
  /** The agent page's outgoing video, one entry per encoding (the station sends it). */
  send: OutboundVideo[];
  /** What the SFU sent the customer and what waited at the cap. */
  sfu: SfuSample | null;
}

/** A reading with the rates of the window that ends at it. */
export interface Sample extends Reading {
  /** The customer's decoded frames per second over the window. */
  fps: number;
  /** Height of the frames decoded since the previous sample; null when none were (no picture to report). */
  height: number | null;
  /** The customer's mean decode time per frame over the window, ms; null when none were decoded. */
  decodeMs: number | null;
  /** Frames per second the agent sent on the encoding the SFU forwards to the customer; null when unknown. */
  sentFps: number | null;
  /** That encoding's qualityLimitationReason; null when unknown. */
  limitation: string | null;
  /** Frames per second the agent's camera delivered to that encoding (what the encoder could have sent); null when unknown. */
  sourceFps: number | null;
}

/** Why a sample does not count as decided by the network alone. */
export type Mark = 'sender-short' | 'sender-cpu' | 'sender-unknown';

type Video = NonNullable<PageStats['video']>;

/** The sample a new reading makes, given the samples before it (in order, from the same call). */
export function toSample(history: readonly Sample[], reading: Reading): Sample {
  const previous = history.at(-1);
  const back = history[history.length - WINDOW_SAMPLES] ?? history[0];
  const video = reading.stats?.video ?? null;
  const backVideo = back?.stats?.video ?? null;
  // A counter that went back means a new consumer: its first figures are Chromium's own.
  const sameReceiver = video !== null && backVideo !== null && video.framesDecoded >= backVideo.framesDecoded;
  const fps = back && sameReceiver ? ((video.framesDecoded - backVideo.framesDecoded) * 1000) / (reading.at - back.at) : (video?.framesPerSecond ?? 0);
  const sent = sentOnForwardedLayer(back?.send ?? [], reading.send, reading.sfu);
  return {
    ...reading,
    fps,
    height: video && decodedSince(previous?.stats?.video ?? null, video) ? video.frameHeight : null,
    decodeMs: sameReceiver ? decodeMsPerFrame(backVideo, video) : null,
    sentFps: sent?.fps ?? null,
    limitation: sent?.limitation ?? null,
    sourceFps: sent?.sourceFps ?? null,
  };
}

/** Whether frames were decoded between two readings of the receiver's video. */
function decodedSince(before: Video | null, after: Video): boolean {
  if (!before || after.framesDecoded < before.framesDecoded) return after.framesDecoded > 0;
  return after.framesDecoded > before.framesDecoded;
}

/**
 * The sender's rate and limitation on the encoding that reaches the customer: the SFU's current spatial layer is
 * mediasoup-client's rid `r<layer>`; without simulcast there is one encoding; while the SFU forwards nothing, the
 * encoding that sent most.
 */
function sentOnForwardedLayer(before: readonly OutboundVideo[], after: readonly OutboundVideo[], sfu: SfuSample | null): { fps: number | null; limitation: string; sourceFps: number | null } | null {
  const rates = after.flatMap((encoding) => {
    const earlier = before.find((e) => e.rid === encoding.rid);
    const seconds = earlier ? (encoding.timestamp - earlier.timestamp) / 1000 : 0;
    const rate = (now: number | null, then: number | null | undefined) => (now !== null && then != null && seconds > 0 && now >= then ? (now - then) / seconds : null);
    return [{ encoding, fps: rate(encoding.framesSent, earlier?.framesSent), sourceFps: rate(encoding.sourceFrames, earlier?.sourceFrames) }];
  });
  if (rates.length === 0) return null;
  const layer = /^(\d+)\./.exec(sfu?.layers ?? '')?.[1];
  const chosen =
    (rates.length === 1 ? rates[0] : undefined) ??
    rates.find((r) => layer !== undefined && r.encoding.rid === `r${layer}`) ??
    [...rates].sort((a, b) => (b.fps ?? -1) - (a.fps ?? -1))[0]!;
  return { fps: chosen.fps, limitation: chosen.encoding.qualityLimitationReason, sourceFps: chosen.sourceFps };
}

/** A known sender-side rate (frames sent, or the camera's) under SENDER_SHORT_FPS. */
export function senderShort(fps: number | null | undefined): boolean {
  return fps != null && fps < SENDER_SHORT_FPS;
}

/** Why a sample's frame rate may be the machine's rather than the network's; empty when the network alone decided it. */
export function marksOf(sample: Sample): Mark[] {
  const marks: Mark[] = [];
  if (sample.sentFps === null) marks.push('sender-unknown');
  else if (senderShort(sample.sentFps)) marks.push('sender-short');
  if (sample.limitation === 'cpu') marks.push('sender-cpu');
  return marks;
}
