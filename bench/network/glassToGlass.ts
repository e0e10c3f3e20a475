import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The agent's camera: a 640x480, 30 fps clip with its frame index burnt in (scripts/make-fixtures.sh). */
export const COUNTER_VIDEO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../.cache/fixtures/counter-640x480-30fps.y4m');
/** The counter clip's length: a frame index recurs every loop. */
export const COUNTER_LOOP_MS = 18_000;

/** One frame seen on a page: the clip's frame index and the epoch ms it was presented. */
export interface FrameSeen {
  index: number;
  at: number;
}

/** A received frame matched with the moment the sender showed it. */
export interface FrameDelay {
  /** Epoch ms the receiver presented it. */
  at: number;
  delayMs: number;
}

/** Turns a page's flat [index, ms, index, ms, ...] log into frames. */
export function framesFromLog(log: readonly number[]): FrameSeen[] {
  const frames: FrameSeen[] = [];
  for (let i = 0; i + 1 < log.length; i += 2) frames.push({ index: log[i]!, at: log[i + 1]! });
  return frames;
}

/**
 * Pairs each received frame with the latest sending of the same index before it. The clip loops, so an index
 * recurs every `loopMs`: a pair counts only when the delay is under half a loop. A frame presented twice in a row
 * (a repaint, not a new frame) counts once.
 */
export function matchFrames(sent: readonly FrameSeen[], received: readonly FrameSeen[], loopMs: number): { delays: FrameDelay[]; unmatched: number } {
  const sentAt = new Map<number, number[]>();
  for (const frame of sent) {
    const times = sentAt.get(frame.index) ?? [];
    times.push(frame.at);
    sentAt.set(frame.index, times);
  }
  const delays: FrameDelay[] = [];
  let unmatched = 0;
  for (const frame of newFrames(received)) {
    const times = sentAt.get(frame.index) ?? [];
    const senderAt = times.filter((t) => t <= frame.at && frame.at - t < loopMs / 2).at(-1);
    if (senderAt === undefined) unmatched++;
    else delays.push({ at: frame.at, delayMs: frame.at - senderAt });
  }
  return { delays, unmatched };
}

/** How many different frames a page presented: a frame presented twice in a row counts once. */
export function distinctFrames(frames: readonly FrameSeen[]): number {
  return newFrames(frames).length;
}

/** Each frame at its first presentation: a frame presented twice in a row (a repaint) keeps its first. */
export function newFrames(frames: readonly FrameSeen[]): FrameSeen[] {
  return frames.filter((frame, i) => i === 0 || frames[i - 1]!.index !== frame.index);
}
