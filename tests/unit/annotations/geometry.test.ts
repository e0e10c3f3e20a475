import { describe, expect, it } from 'vitest';
import { arrowHead, containedRect, ellipseIn, thinPath, toNormalized, toNormalizedClamped, toPixels } from '../../../client/src/annotations/geometry.js';
import type { NormalizedPoint } from '../../../signaling/index.js';

describe('annotation geometry: marks are placed on the video frame, not the page', () => {
  it('finds the frame of a wide video letterboxed in a tall tile, centred', () => {
    expect(containedRect(400, 400, 1920, 1080)).toEqual({ left: 0, top: 87.5, width: 400, height: 225 });
    expect(containedRect(1000, 300, 640, 480)).toEqual({ left: 300, top: 0, width: 400, height: 300 });
  });

  it('takes the whole element while the video has no size yet, and nothing for an element of no size', () => {
    expect(containedRect(320, 200, 0, 0)).toEqual({ left: 0, top: 0, width: 320, height: 200 });
    expect(containedRect(0, 200, 640, 480).width).toBe(0);
  });

  it('puts a mark on the same spot of the picture for two viewers of different sizes', () => {
    const drawer = containedRect(1280, 720, 1920, 1080);
    const viewer = containedRect(375, 600, 1920, 1080);
    // The technician points at the spot 3/4 across and 1/3 down the shared screen.
    const normalized = toNormalized([960, 240], drawer)!;
    expect(normalized[0]).toBeCloseTo(0.75);
    expect(normalized[1]).toBeCloseTo(1 / 3);
    const [x, y] = toPixels(normalized, viewer);
    // On the phone the frame is 375 wide and sits (600 - 210.9375) / 2 from the top.
    expect(x).toBeCloseTo(281.25);
    expect(y).toBeCloseTo((600 - 210.9375) / 2 + 210.9375 / 3);
  });

  it('refuses a point on the letterbox, and clamps a drag that leaves the frame to its edge', () => {
    const frame = containedRect(400, 400, 1920, 1080);
    expect(toNormalized([200, 50], frame)).toBeNull();
    expect(toNormalizedClamped([-20, 50], frame)).toEqual([0, 0]);
    expect(toNormalizedClamped([450, 400], frame)).toEqual([1, 1]);
  });

  it('draws an arrow head whose two sides meet at the head and open back towards the tail', () => {
    const [left, right] = arrowHead([0, 0], [100, 0], 10);
    expect(left[0]).toBeCloseTo(100 - 10 * Math.cos(Math.PI / 6));
    expect(right[0]).toBeCloseTo(left[0]);
    expect(left[1]).toBeCloseTo(-right[1]);
    expect(Math.abs(left[1])).toBeCloseTo(5);
  });

  it('fills the box between the two corners of a circle, whichever way it was dragged', () => {
    expect(ellipseIn([10, 10], [50, 30])).toEqual({ cx: 30, cy: 20, rx: 20, ry: 10 });
    expect(ellipseIn([50, 30], [10, 10])).toEqual({ cx: 30, cy: 20, rx: 20, ry: 10 });
  });

  it('thins a freehand path to the most points a stroke may have, keeping both ends', () => {
    const path: NormalizedPoint[] = Array.from({ length: 1000 }, (_, i) => [i / 999, 0.5]);
    const thinned = thinPath(path, 256);
    expect(thinned).toHaveLength(256);
    expect(thinned[0]).toEqual([0, 0.5]);
    expect(thinned.at(-1)).toEqual([1, 0.5]);
    // Points that barely moved are dropped first.
    expect(thinPath([[0, 0], [0.0001, 0], [0.0002, 0], [0.5, 0.5]])).toEqual([[0, 0], [0.5, 0.5]]);
  });
});
