import { describe, expect, it } from 'vitest';
import { chooseLayers, isCut, settledBandwidth, type EstimateEntry, type LayerCandidate, type LayerPolicyOptions } from '../../media/layers/layerPolicy.js';

/** No headroom, no audio reserve and no up margin, so the figures below read as budgets. */
const EXACT: LayerPolicyOptions = { usable: 1, audioReserve: 0, upMargin: 0 };

/** Two simulcast encodings (320x240 and 640x480), three temporal layers each, cumulative bit/s. */
const TWO_LAYERS = [
  [100_000, 150_000, 200_000],
  [300_000, 450_000, 600_000],
];

function camera(id = 'cam', overrides: Partial<LayerCandidate> = {}): LayerCandidate {
  return { id, content: 'camera', bitrates: TWO_LAYERS, ...overrides };
}

describe('the frame-rate-first layer policy', () => {
  it('gives a camera the top spatial layer at full frame rate when the link carries it', () => {
    expect(chooseLayers(1_000_000, 0, [camera()], EXACT).get('cam')).toEqual({ spatial: 1, temporal: 2 });
  });

  it('drops resolution before frame rate: the low layer at 30 fps rather than the high one at 7.5 fps', () => {
    expect(chooseLayers(400_000, 0, [camera()], EXACT).get('cam')).toEqual({ spatial: 0, temporal: 2 });
  });

  it('drops temporal layers only when even the lowest spatial layer at full rate does not fit', () => {
    expect(chooseLayers(160_000, 0, [camera()], EXACT).get('cam')).toEqual({ spatial: 0, temporal: 1 });
  });

  it('keeps the cheapest picture when nothing fits', () => {
    expect(chooseLayers(50_000, 0, [camera()], EXACT).get('cam')).toEqual({ spatial: 0, temporal: 0 });
  });

  it('reserves bandwidth for audio before video', () => {
    const options = { ...EXACT, audioReserve: 64_000 };
    expect(chooseLayers(650_000, 0, [camera()], options).get('cam')).toEqual({ spatial: 1, temporal: 2 });
    expect(chooseLayers(650_000, 1, [camera()], options).get('cam')).toEqual({ spatial: 0, temporal: 2 });
  });

  it('serves the signer’s camera before a screen share, whatever the order given', () => {
    const screen: LayerCandidate = { id: 'screen', content: 'screen', bitrates: TWO_LAYERS };
    // 300 kbit/s: the signer at full rate takes its 200, the screen gets the cheapest of what is left.
    const chosen = chooseLayers(300_000, 0, [screen, camera()], EXACT);
    expect(chosen.get('cam')).toEqual({ spatial: 0, temporal: 2 });
    expect(chosen.get('screen')).toEqual({ spatial: 0, temporal: 0 });
  });

  it('gives the signer full frame rate, then the screen its lines, then the signer its resolution, then the screen its rate', () => {
    const screen: LayerCandidate = { id: 'screen', content: 'screen', bitrates: TWO_LAYERS };
    const at = (bitrate: number) => {
      const chosen = chooseLayers(bitrate, 0, [screen, camera()], EXACT);
      return [chosen.get('cam'), chosen.get('screen')];
    };
    expect(at(500_000)).toEqual([{ spatial: 0, temporal: 2 }, { spatial: 1, temporal: 0 }]);
    expect(at(700_000)).toEqual([{ spatial: 0, temporal: 2 }, { spatial: 1, temporal: 1 }]);
    expect(at(1_000_000)).toEqual([{ spatial: 1, temporal: 2 }, { spatial: 1, temporal: 0 }]);
    expect(at(1_200_000)).toEqual([{ spatial: 1, temporal: 2 }, { spatial: 1, temporal: 2 }]);
  });

  it('keeps a screen share’s resolution and lowers its frame rate instead', () => {
    const screen: LayerCandidate = { id: 'screen', content: 'screen', bitrates: TWO_LAYERS };
    expect(chooseLayers(400_000, 0, [screen], EXACT).get('screen')).toEqual({ spatial: 1, temporal: 0 });
  });

  it('splits a 0.8 Mbit/s link as the product shares: the signer at full rate before the 1080-line screen, which keeps its lines', () => {
    // The screen in two encodings (540 and 1080 lines) at 20, 10 and 5 fps (L1T3), beside the signer's camera and audio.
    const screen: LayerCandidate = { id: 'screen', content: 'screen', bitrates: [[60_000, 100_000, 150_000], [150_000, 260_000, 400_000]] };
    const options = { usable: 0.95, audioReserve: 40_000, upMargin: 0 };
    const chosen = chooseLayers(800_000, 1, [screen, camera()], options);
    expect(chosen.get('cam')).toEqual({ spatial: 0, temporal: 2 });
    expect(chosen.get('screen')?.spatial).toBe(1);
    // With the signer's full resolution in reach, it comes before the screen's frame rate.
    expect(chooseLayers(1_000_000, 1, [screen, camera()], options).get('cam')).toEqual({ spatial: 1, temporal: 2 });
    expect(chooseLayers(1_000_000, 1, [screen, camera()], options).get('screen')).toEqual({ spatial: 1, temporal: 1 });
  });

  it('needs headroom to move up, so a link near a threshold does not flap', () => {
    const options = { ...EXACT, upMargin: 0.15 };
    const current = { spatial: 0, temporal: 2 };
    expect(chooseLayers(650_000, 0, [camera('cam', { current })], options).get('cam')).toEqual(current);
    expect(chooseLayers(700_000, 0, [camera('cam', { current })], options).get('cam')).toEqual({ spatial: 1, temporal: 2 });
  });

  it('steps down without headroom as soon as the current choice no longer fits', () => {
    const options = { ...EXACT, upMargin: 0.15 };
    expect(chooseLayers(590_000, 0, [camera('cam', { current: { spatial: 1, temporal: 2 } })], options).get('cam')).toEqual({ spatial: 0, temporal: 2 });
  });

  it('ignores layers that are not being received, and leaves a consumer with no figures to the SFU', () => {
    const highOnly = camera('high', { bitrates: [[0, 0, 0], [300_000, 450_000, 600_000]] });
    const unmeasured = camera('new', { bitrates: [[0, 0, 0], [0, 0, 0]] });
    const chosen = chooseLayers(1_000_000, 0, [highOnly, unmeasured], EXACT);
    expect(chosen.get('high')).toEqual({ spatial: 1, temporal: 2 });
    expect(chosen.has('new')).toBe(false);
  });

  it('uses only the usable share of the estimate', () => {
    expect(chooseLayers(600_000, 0, [camera()], { ...EXACT, usable: 0.95 }).get('cam')).toEqual({ spatial: 0, temporal: 2 });
  });
});

describe('how long a rise must hold before the layers follow it', () => {
  const SETTLE = { stableMs: 5_000, afterCutMs: 20_000, cutRatio: 2 / 3 };
  /** The bandwidth to choose with at `now`, from the entries made up to then. */
  const settledAt = (history: EstimateEntry[], now: number) => settledBandwidth(history.filter((entry) => entry.at <= now), now, SETTLE).bitrate;
  /** One entry every 500 ms from `from` to `to` (ms), all at `bitrate`. */
  const ticks = (from: number, to: number, bitrate: number): EstimateEntry[] =>
    Array.from({ length: (to - from) / 500 + 1 }, (_, i) => ({ at: from + i * 500, bitrate }));

  it('takes a drop at once', () => {
    const history = [...ticks(0, 9_500, 2_000_000), { at: 10_000, bitrate: 300_000 }];
    expect(settledAt(history, 10_000)).toBe(300_000);
  });

  it('follows a rise once it has held for stableMs on a link that was never cut', () => {
    // A slow fall (never a third in one tick), then a rise.
    const history = [...ticks(0, 1_000, 400_000), ...ticks(1_500, 4_500, 300_000), ...ticks(5_000, 12_000, 2_000_000)];
    expect(settledAt(history, 9_500)).toBe(300_000);
    expect(settledAt(history, 10_000)).toBe(2_000_000);
  });

  it('holds the lower figure for afterCutMs after a sharp fall of the estimate', () => {
    // 2 Mbit/s, then the estimate falls to 250 kbit/s in one tick; 6 s later a probe lifts it to 1.2 Mbit/s.
    const history = [...ticks(0, 9_500, 2_000_000), ...ticks(10_000, 15_500, 250_000), ...ticks(16_000, 35_000, 1_200_000)];
    expect(settledAt(history, 25_000)).toBe(250_000);
    expect(settledAt(history, 30_000)).toBe(250_000);
    expect(settledAt(history, 31_000)).toBe(1_200_000);
  });

  it('calls a fall to cutRatio or less a cut, and nothing gentler (the controller also steers at once on a cut)', () => {
    expect(isCut(900_000, 600_000, SETTLE)).toBe(true);
    expect(isCut(900_000, 600_001, SETTLE)).toBe(false);
    expect(isCut(300_000, 900_000, SETTLE)).toBe(false);
  });

  it('keeps only what a later call can still need', () => {
    const history = ticks(0, 30_000, 1_000_000);
    const { keep } = settledBandwidth(history, 30_000, SETTLE);
    // The last 20 s, and the entry before them that the first is compared with.
    expect(keep[0]?.at).toBe(9_500);
    expect(keep.at(-1)?.at).toBe(30_000);
  });
});
