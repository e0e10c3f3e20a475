import { MAX_STROKE_POINTS, type NormalizedPoint } from '../../../signaling/index.js';

/**
 * Where marks go on a shared view: between the page's pixels and positions normalized to the video's frame. The video
 * is shown whole (`object-fit: contain`), so the frame is a centred rectangle inside its element; a mark's spot on the
 * frame is the same for every viewer whatever their window, and the letterbox around it is not part of the frame.
 * Pure.
 */

/** A rectangle in CSS pixels. */
export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** A point in CSS pixels. */
export type PixelPoint = [x: number, y: number];

/** The rectangle a `videoWidth` x `videoHeight` frame fills inside a `boxWidth` x `boxHeight` element (contain, centred). */
export function containedRect(boxWidth: number, boxHeight: number, videoWidth: number, videoHeight: number): Rect {
  if (boxWidth <= 0 || boxHeight <= 0) return { left: 0, top: 0, width: 0, height: 0 };
  if (videoWidth <= 0 || videoHeight <= 0) return { left: 0, top: 0, width: boxWidth, height: boxHeight };
  const scale = Math.min(boxWidth / videoWidth, boxHeight / videoHeight);
  const width = videoWidth * scale;
  const height = videoHeight * scale;
  return { left: (boxWidth - width) / 2, top: (boxHeight - height) / 2, width, height };
}

/** The frame position of a point in the element, or null when it falls outside the frame (on the letterbox). */
export function toNormalized([x, y]: PixelPoint, frame: Rect): NormalizedPoint | null {
  if (frame.width <= 0 || frame.height <= 0) return null;
  const nx = (x - frame.left) / frame.width;
  const ny = (y - frame.top) / frame.height;
  if (nx < 0 || nx > 1 || ny < 0 || ny > 1) return null;
  return [nx, ny];
}

/** The frame position nearest a point in the element (a drag that leaves the frame ends on its edge). */
export function toNormalizedClamped([x, y]: PixelPoint, frame: Rect): NormalizedPoint {
  const clamp = (value: number) => Math.min(1, Math.max(0, value));
  return [clamp((x - frame.left) / (frame.width || 1)), clamp((y - frame.top) / (frame.height || 1))];
}

/** The element position of a frame position. */
export function toPixels([nx, ny]: NormalizedPoint, frame: Rect): PixelPoint {
  return [frame.left + nx * frame.width, frame.top + ny * frame.height];
}

/** The two ends of an arrow's head at `head`, pointing away from `tail`, with sides `size` long at 30 degrees. */
export function arrowHead(tail: PixelPoint, head: PixelPoint, size: number): [PixelPoint, PixelPoint] {
  const angle = Math.atan2(head[1] - tail[1], head[0] - tail[0]);
  const side = (turn: number): PixelPoint => [head[0] - size * Math.cos(angle + turn), head[1] - size * Math.sin(angle + turn)];
  return [side(Math.PI / 6), side(-Math.PI / 6)];
}

/** The ellipse that fills the box with corners `a` and `b` (a circle drawn on a frame stays on the same box for everyone). */
export function ellipseIn(a: PixelPoint, b: PixelPoint): { cx: number; cy: number; rx: number; ry: number } {
  return { cx: (a[0] + b[0]) / 2, cy: (a[1] + b[1]) / 2, rx: Math.abs(b[0] - a[0]) / 2, ry: Math.abs(b[1] - a[1]) / 2 };
}

/**
 * A freehand path cut to at most `max` points: points closer than `minStep` (frame units) to the last kept one are
 * skipped, then, if still too many, every n-th is kept; the first and last always stay.
 */
export function thinPath(points: readonly NormalizedPoint[], max: number = MAX_STROKE_POINTS, minStep = 0.002): NormalizedPoint[] {
  if (points.length <= 2) return [...points];
  const kept: NormalizedPoint[] = [points[0]!];
  for (const point of points.slice(1, -1)) {
    const last = kept[kept.length - 1]!;
    if (Math.hypot(point[0] - last[0], point[1] - last[1]) >= minStep) kept.push(point);
  }
  kept.push(points[points.length - 1]!);
  if (kept.length <= max) return kept;
  const step = (kept.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => kept[Math.round(i * step)]!);
}
