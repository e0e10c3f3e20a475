import type { Hand, Point } from '../../../client/src/vision/handLandmarks.js';

/** Width/height of the frames the synthetic hands live in (640x480). */
export const ASPECT = 4 / 3;

/**
 * An open hand of 21 landmarks in MediaPipe's order, fingers up: palm centre at (cx, cy), palm length (wrist to
 * middle-finger base) `size` as a fraction of the frame height, each point shifted by `jitter(i)` if given.
 */
export function openHand(cx: number, cy: number, size: number, jitter: (i: number) => Point = () => ({ x: 0, y: 0 })): Hand {
  const points: Point[] = [{ x: cx, y: cy + size / 2 }];
  for (let finger = 0; finger < 5; finger++) {
    const baseX = cx + ((finger - 2) * 0.25 * size) / ASPECT;
    // The thumb starts lower, nearer the wrist, than the other four fingers.
    const baseY = cy - size / 2 + (finger === 0 ? 0.6 * size : 0);
    for (let joint = 0; joint < 4; joint++) points.push({ x: baseX, y: baseY - joint * 0.3 * size });
  }
  return points.map((point, i) => ({ x: point.x + jitter(i).x, y: point.y + jitter(i).y }));
}

/** Deterministic noise of the given amplitude (fraction of the frame), like a tracker's frame-to-frame jitter. */
export function noise(amplitude: number, seed = 1): (i: number) => Point {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return (state / 2147483648) * 2 - 1;
  };
  return () => ({ x: next() * amplitude, y: next() * amplitude });
}
