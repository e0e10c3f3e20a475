// Browser side of the vision tests and benchmark: bundled by tests/support/visionHarness.ts and run in a page of the
// real server, so that the wasm runtime and the models come from the server's own /vision routes.
import { FramingHint } from '../../client/src/vision/FramingCheck.js';
import { HandTracker } from '../../client/src/vision/HandTracker.js';
import { SigningState } from '../../client/src/vision/SigningDetector.js';
import { VisionMonitor, type VisionStats } from '../../client/src/vision/VisionMonitor.js';

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

/** The functions the tests call through page.evaluate. */
export interface VisionTestApi {
  /** Loads the tracker and analyses one photo given as a data URL. */
  analysePhoto(dataUrl: string): Promise<PhotoResult>;
  /** Opens the (fake) camera at 640x480, 30 fps, shows it and starts a monitor on it. */
  watchCamera(): Promise<void>;
  /** Counts presented frames of the camera's video element over a window, in frames per second. */
  measureFps(windowMs: number): Promise<number>;
  /** Stops the monitor. */
  stopWatching(): void;
  /** What the monitor reported so far. */
  log: CameraLog;
}

let monitor: VisionMonitor | null = null;
const video = document.createElement('video');

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

  async watchCamera() {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480, frameRate: 30 }, audio: false });
    video.muted = true;
    video.playsInline = true;
    video.srcObject = stream;
    document.body.append(video);
    await video.play();
    monitor = await VisionMonitor.start(video);
    api.log.signing.push(monitor.signing);
    monitor.on('signing', (state) => api.log.signing.push(state));
    monitor.on('framing', (hints) => api.log.framing.push(hints));
    monitor.on('stats', (stats) => {
      api.log.stats.push(stats);
      if (stats.hands > 0) api.log.framesWithHands++;
    });
    monitor.on('error', (error) => {
      api.log.error = error.message;
    });
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

  stopWatching() {
    monitor?.close();
    monitor = null;
  },

  log: { signing: [], framing: [], stats: [], framesWithHands: 0, error: null },
};

(window as unknown as { visionTest: VisionTestApi }).visionTest = api;
// The enums travel with the bundle so that the tests compare against the module's own values.
(window as unknown as { visionEnums: unknown }).visionEnums = { FramingHint, SigningState };
