// Browser side of bench:network, injected into the product's pages: reads the frame index burnt into the counter clip
// (scripts/make-fixtures.sh) from a video element at each presented frame, and logs [index, Date.now()] pairs.

/** The reader as the page exposes it at `window.frameCounter`. */
export interface FrameCounterApi {
  /** Starts reading the video element `selector` names; a second call with the same selector does nothing. */
  start(selector: string): void;
  /** Takes the log so far: flat [index, epoch ms, index, epoch ms, ...]. */
  take(): number[];
  /** Presented frames whose counter could not be read (blur, no clip, wrong parity). */
  unreadable: number;
}

// The clip's band, scaled to a 160x120 canvas: cell k spans x 10k+1..10k+9, y 2..14.
const WIDTH = 160;
const HEIGHT = 120;
const BAND_ROWS = 16;
const CELLS = 16;
const BITS = 12;
const MIN_CONTRAST = 64;

const canvas = Object.assign(document.createElement('canvas'), { width: WIDTH, height: HEIGHT });
const context = canvas.getContext('2d', { willReadFrequently: true })!;
const log: number[] = [];
const started = new Set<string>();

/** Mean green level of a 5x7 patch at a cell's centre. */
function level(data: Uint8ClampedArray, cell: number): number {
  let sum = 0;
  for (let y = 5; y < 12; y++) for (let x = cell * 10 + 3; x < cell * 10 + 8; x++) sum += data[(y * WIDTH + x) * 4 + 1]!;
  return sum / 35;
}

/** The frame index in a video's current picture, or null when the band is unreadable. */
function readIndex(video: HTMLVideoElement): number | null {
  context.drawImage(video, 0, 0, WIDTH, HEIGHT);
  const { data } = context.getImageData(0, 0, WIDTH, BAND_ROWS);
  const white = level(data, 0);
  const black = level(data, CELLS - 1);
  if (white - black < MIN_CONTRAST) return null;
  const bit = (cell: number) => (level(data, cell) > (white + black) / 2 ? 1 : 0);
  let index = 0;
  let parity = 0;
  for (let cell = 1; cell <= BITS; cell++) {
    index = index * 2 + bit(cell);
    parity ^= bit(cell);
  }
  return bit(BITS + 1) === parity && bit(BITS + 2) !== parity ? index : null;
}

const api: FrameCounterApi = {
  unreadable: 0,
  start(selector) {
    if (started.has(selector)) return;
    started.add(selector);
    const video = document.querySelector<HTMLVideoElement>(selector);
    if (!video) throw new Error(`no video element ${selector}`);
    const onFrame = () => {
      const at = Date.now();
      const index = video.videoWidth > 0 ? readIndex(video) : null;
      if (index === null) api.unreadable++;
      else log.push(index, at);
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  },
  take: () => log.splice(0),
};
(window as unknown as { frameCounter: FrameCounterApi }).frameCounter = api;
