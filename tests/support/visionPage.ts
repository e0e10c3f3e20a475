// Browser side of the vision tests and benchmark: bundled by tests/support/visionHarness.ts and run in a page of the
// real server, so that the wasm runtime and the models come from the server's own /vision routes.
import type { FramingHint } from '../../client/src/vision/FramingCheck.js';
import { HandTracker } from '../../client/src/vision/HandTracker.js';
import type { SigningState } from '../../client/src/vision/SigningDetector.js';
import { VisionMonitor, type VisionMonitorOptions, type VisionStats } from '../../client/src/vision/VisionMonitor.js';
import { customerVisionOptions } from '../../client/src/vision/visionOptions.js';

/** What the page records while a monitor watches the camera. */
export interface CameraLog {
  /** Every signing state the monitor reported, in order, starting with the initial one. */
  signing: SigningState[];
  /** Every framing hint list the monitor reported, in order. */
  framing: (readonly FramingHint[])[];
  /** Per analysed frame. */
  stats: VisionStats[];
  /** Analysed frames that had at least one hand. */
  framesWithHands: number;
  /** An error the monitor reported, if any. */
  error: string | null;
}

/** What one photo shows to the tracker. */
export interface PhotoResult {
  /** Landmark count of each hand found. */
  landmarksPerHand: number[];
  /** Faces found. */
  faces: number;
  /** Whether the face model loaded. */
  checksFaces: boolean;
}

/**
 * How a monitor runs: `default` with the tracker's defaults on the page's video element (the tests); `product` as
 * the customer page runs it (client/src/vision/visionOptions.ts, on the camera's stream); `max` the same with its
 * rate and busy-share caps lifted, analysing every frame inference keeps up with.
 */
export type MonitorRate = 'default' | 'product' | 'max';

/** The functions the tests call through page.evaluate. */
export interface VisionTestApi {
  /** Loads the tracker and analyses one photo given as a data URL. */
  analysePhoto(dataUrl: string): Promise<PhotoResult>;
  /** Opens the (fake) camera at 640x480, 30 fps, and shows it in a video element. */
  openCamera(): Promise<void>;
  /** Starts a VisionMonitor on the camera (at the tracker's default rate unless told) and records what it reports. */
  startMonitor(rate?: MonitorRate): Promise<void>;
  /** Closes the running monitor; what it reported stays in the log. */
  stopMonitor(): void;
  /** openCamera() then startMonitor(). */
  watchCamera(): Promise<void>;
  /** Counts presented frames of the camera's video element over a window, in frames per second. */
  measureFps(windowMs: number): Promise<number>;
  /** Resolves with the log once the monitor has reported `state`; rejects on a monitor error or after timeoutMs. */
  untilSigning(state: SigningState, timeoutMs: number): Promise<CameraLog>;
  /** Resolves with the log once `count` analysed frames had a hand; rejects on a monitor error or after timeoutMs. */
  untilFramesWithHands(count: number, timeoutMs: number): Promise<CameraLog>;
  /** What the monitor reported so far. */
  log: CameraLog;
}

let monitor: VisionMonitor | null = null;
const monitorOptions: Record<Exclude<MonitorRate, 'default'>, VisionMonitorOptions> = {
  product: customerVisionOptions,
  max: { ...customerVisionOptions, tracker: { ...customerVisionOptions.tracker, maxRateHz: 1000, maxBusyShare: 1 } },
};
const video = document.createElement('video');
const waiters = new Set<() => void>();

/** Resolves when `done()` holds, checked after each analysed frame; rejects on a monitor error or after timeoutMs. */
function until(done: () => boolean, timeoutMs: number, what: string): Promise<CameraLog> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (api.log.error !== null) finish(() => reject(new Error(`vision monitor failed: ${api.log.error}`)));
      else if (done()) finish(() => resolve(api.log));
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))), timeoutMs);
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      waiters.delete(check);
      settle();
    };
    waiters.add(check);
    check();
  });
}

const api: VisionTestApi = {
  async analysePhoto(dataUrl) {
    const image = new Image();
    image.src = dataUrl;
    await image.decode();
    const tracker = await HandTracker.load();
    try {
      const observation = tracker.analyse(image, true);
      return { landmarksPerHand: observation.hands.map((hand) => hand.length), faces: observation.faces?.length ?? 0, checksFaces: tracker.checksFaces };
    } finally {
      tracker.close();
    }
  },

  async openCamera() {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480, frameRate: 30 }, audio: false });
    video.muted = true;
    video.playsInline = true;
    video.srcObject = stream;
    document.body.append(video);
    await video.play();
  },

  async startMonitor(rate = 'default') {
    api.stopMonitor();
    monitor = rate === 'default' ? await VisionMonitor.start(video) : await VisionMonitor.start(video.srcObject as MediaStream, monitorOptions[rate]);
    api.log.signing.push(monitor.signing);
    monitor.on('signing', (state) => api.log.signing.push(state));
    monitor.on('framing', (hints) => api.log.framing.push(hints));
    monitor.on('stats', (stats) => {
      api.log.stats.push(stats);
      if (stats.hands > 0) api.log.framesWithHands++;
      for (const check of [...waiters]) check();
    });
    monitor.on('error', (error) => {
      api.log.error = error.message;
      for (const check of [...waiters]) check();
    });
  },

  stopMonitor() {
    monitor?.close();
    monitor = null;
  },

  async watchCamera() {
    await api.openCamera();
    await api.startMonitor();
  },

  measureFps(windowMs) {
    return new Promise((resolve) => {
      let first: { now: number; frames: number } | null = null;
      const onFrame = (now: number, metadata: VideoFrameCallbackMetadata) => {
        first ??= { now, frames: metadata.presentedFrames };
        if (now - first.now >= windowMs) resolve(((metadata.presentedFrames - first.frames) * 1000) / (now - first.now));
        else video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    });
  },

  untilSigning(state, timeoutMs) {
    return until(() => api.log.signing.includes(state), timeoutMs, `signing state "${state}"`);
  },

  untilFramesWithHands(count, timeoutMs) {
    return until(() => api.log.framesWithHands >= count, timeoutMs, `${count} frames with a hand`);
  },

  log: { signing: [], framing: [], stats: [], framesWithHands: 0, error: null },
};

(window as unknown as { visionTest: VisionTestApi }).visionTest = api;
