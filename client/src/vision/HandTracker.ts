import { FaceDetector, FilesetResolver, HandLandmarker } from '@mediapipe/tasks-vision';
import type { FaceBox, Hand } from './handLandmarks.js';

/** Where the MediaPipe runtime and models are served from, and how often to analyse frames. */
export interface HandTrackerOptions {
  /** Folder URL of the tasks-vision wasm files. */
  wasmBaseUrl: string;
  /** URL of the hand_landmarker.task bundle. */
  handModelUrl: string;
  /** URL of the face detector model; null leaves faces unchecked. */
  faceModelUrl: string | null;
  /** At most this many frames per second are analysed. */
  maxRateHz: number;
  /** At most this share of wall time goes to inference; slower devices analyse fewer frames instead of dropping video frames. */
  maxBusyShare: number;
  /**
   * Frames are analysed at least this often, whatever maxBusyShare allows: motion needs samples close enough to
   * pair (VisionMonitor sets it from the signing detector's gap limit). Infinity leaves the busy share alone.
   */
  maxIntervalMs: number;
  /** The face detector runs on every this-many analysed frames. */
  faceEvery: number;
}

/** The defaults: the routes server/http/httpApp.ts serves, about 12 analysed frames per second. */
export const defaultHandTrackerOptions: HandTrackerOptions = {
  wasmBaseUrl: '/vision/wasm',
  handModelUrl: '/vision/models/hand_landmarker.task',
  faceModelUrl: '/vision/models/face_detector.tflite',
  maxRateHz: 12,
  maxBusyShare: 0.35,
  maxIntervalMs: Number.POSITIVE_INFINITY,
  faceEvery: 3,
};

/**
 * How long to wait from the start of one analysis to the next: no sooner than the rate cap, later when inference
 * is slow (so it takes at most maxBusyShare of wall time), but never later than maxIntervalMs. Pure.
 */
export function analysisIntervalMs(options: Pick<HandTrackerOptions, 'maxRateHz' | 'maxBusyShare' | 'maxIntervalMs'>, busyMs: number): number {
  return Math.min(options.maxIntervalMs, Math.max(1000 / options.maxRateHz, busyMs / options.maxBusyShare));
}

/** What one analysed frame shows. It stays in the page: nothing in this folder sends it anywhere. */
export interface VisionObservation {
  /** When the frame was analysed, on the page's performance.now() clock. */
  timestampMs: number;
  /** Hands found, 21 landmarks each, in frame coordinates. */
  hands: Hand[];
  /** Faces found; undefined when this frame was not checked for faces. */
  faces: FaceBox[] | undefined;
  /** Mean luma of the frame, 0 to 255. */
  brightness: number;
  /** Frame width divided by height. */
  aspect: number;
  /** Time the hand landmarker took on this frame, in milliseconds. */
  handMs: number;
  /** Time the face detector took on this frame, or null when it did not run. */
  faceMs: number | null;
}

/** A frame the tracker can analyse. */
export type FrameSource = HTMLVideoElement | HTMLImageElement | HTMLCanvasElement | ImageBitmap;

// The brightness estimate needs only a thumbnail; reading back 32x24 pixels costs far less than a frame.
const THUMB_WIDTH = 32;
const THUMB_HEIGHT = 24;

/**
 * MediaPipe's HandLandmarker (VIDEO mode, CPU delegate, up to two hands) and, when available, its FaceDetector,
 * loaded from this server only. Analyses a video at a reduced rate so a 30 fps call keeps its frame rate.
 */
export class HandTracker {
  readonly #options: HandTrackerOptions;
  readonly #hands: HandLandmarker;
  readonly #faces: FaceDetector | null;
  readonly #thumb: CanvasRenderingContext2D;
  #lastTimestamp = 0;
  #analysed = 0;
  #busyMs = 0;
  #loop: { stop(): void } | null = null;
  #closed = false;

  private constructor(options: HandTrackerOptions, hands: HandLandmarker, faces: FaceDetector | null) {
    this.#options = options;
    this.#hands = hands;
    this.#faces = faces;
    const canvas = document.createElement('canvas');
    canvas.width = THUMB_WIDTH;
    canvas.height = THUMB_HEIGHT;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('HandTracker: no 2D canvas for the brightness estimate');
    this.#thumb = context;
  }

  /** Loads the wasm runtime and the models. A face model that fails to load leaves faces unchecked, never guessed. */
  static async load(options: Partial<HandTrackerOptions> = {}): Promise<HandTracker> {
    const o = { ...defaultHandTrackerOptions, ...options };
    if (!(o.maxRateHz > 0)) throw new TypeError('HandTracker: maxRateHz must be positive');
    if (!(o.maxBusyShare > 0 && o.maxBusyShare <= 1)) throw new TypeError('HandTracker: maxBusyShare must be in (0, 1]');
    if (!(o.maxIntervalMs > 0)) throw new TypeError('HandTracker: maxIntervalMs must be positive');
    if (!(Number.isInteger(o.faceEvery) && o.faceEvery >= 1)) throw new TypeError('HandTracker: faceEvery must be a positive integer');
    const fileset = await FilesetResolver.forVisionTasks(o.wasmBaseUrl);
    const hands = await HandLandmarker.createFromOptions(fileset, {
      baseOptions: { modelAssetPath: o.handModelUrl, delegate: 'CPU' },
      runningMode: 'VIDEO',
      numHands: 2,
    });
    let faces: FaceDetector | null = null;
    if (o.faceModelUrl !== null) {
      faces = await FaceDetector.createFromOptions(fileset, {
        baseOptions: { modelAssetPath: o.faceModelUrl, delegate: 'CPU' },
        runningMode: 'VIDEO',
      }).catch((error: unknown) => {
        console.warn('vision: face detector unavailable, faces stay unchecked', error);
        return null;
      });
    }
    return new HandTracker(o, hands, faces);
  }

  /** Whether faces are checked (the face model loaded). */
  get checksFaces(): boolean {
    return this.#faces !== null;
  }

  /** Whether close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Analyses one frame now. `checkFace` forces the face detector to run on it (when loaded). */
  analyse(source: FrameSource, checkFace = false): VisionObservation {
    if (this.#closed) throw new Error('HandTracker: closed');
    const { width, height } = frameSize(source);
    if (width === 0 || height === 0) throw new Error('HandTracker: the frame has no size yet');
    // Both tasks need strictly increasing timestamps, also when two frames land in the same millisecond.
    const timestampMs = Math.max(performance.now(), this.#lastTimestamp + 1);
    this.#lastTimestamp = timestampMs;

    const handStart = performance.now();
    const result = this.#hands.detectForVideo(source, timestampMs);
    const handMs = performance.now() - handStart;
    const hands: Hand[] = result.landmarks.map((landmarks) => landmarks.map(({ x, y }) => ({ x, y })));

    let faces: FaceBox[] | undefined;
    let faceMs: number | null = null;
    if (this.#faces && (checkFace || this.#analysed % this.#options.faceEvery === 0)) {
      const faceStart = performance.now();
      const detections = this.#faces.detectForVideo(source, timestampMs).detections;
      faceMs = performance.now() - faceStart;
      faces = detections.flatMap(({ boundingBox: box }) =>
        box ? [{ x: box.originX / width, y: box.originY / height, width: box.width / width, height: box.height / height }] : [],
      );
    }
    this.#analysed++;
    return { timestampMs, hands, faces, brightness: this.#brightness(source), aspect: width / height, handMs, faceMs };
  }

  /**
   * Analyses the video's frames at up to maxRateHz, fewer when inference is slow, until stop() or close().
   * Uses requestVideoFrameCallback so each analysis sees a new frame, and a timer where it is missing.
   */
  start(video: HTMLVideoElement, onObservation: (observation: VisionObservation) => void, onError: (error: Error) => void): void {
    if (this.#closed) throw new Error('HandTracker: closed');
    this.stop();
    let nextAt = 0;
    let stopped = false;
    let handle: number | undefined;
    const step = () => {
      if (stopped || this.#closed) return;
      const now = performance.now();
      if (now >= nextAt && video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && video.videoWidth > 0) {
        try {
          const observation = this.analyse(video);
          const spent = observation.handMs + (observation.faceMs ?? 0);
          // The first frame pays for warm-up; after it, a moving average keeps one slow frame from halving the rate.
          if (this.#analysed > 1) this.#busyMs = this.#busyMs === 0 ? spent : 0.8 * this.#busyMs + 0.2 * spent;
          nextAt = now + analysisIntervalMs(this.#options, this.#busyMs);
          onObservation(observation);
        } catch (error) {
          stopped = true;
          onError(error instanceof Error ? error : new Error(String(error)));
          return;
        }
      }
      schedule();
    };
    const frameCallbacks = 'requestVideoFrameCallback' in video;
    const schedule = () => {
      if (stopped || this.#closed) return;
      handle = frameCallbacks ? video.requestVideoFrameCallback(step) : window.setTimeout(step, Math.max(5, nextAt - performance.now()));
    };
    this.#loop = {
      stop: () => {
        stopped = true;
        if (handle === undefined) return;
        if (frameCallbacks) video.cancelVideoFrameCallback(handle);
        else window.clearTimeout(handle);
      },
    };
    schedule();
  }

  /** Stops analysing the video; the models stay loaded for another start(). */
  stop(): void {
    this.#loop?.stop();
    this.#loop = null;
  }

  /** Stops and frees the models. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.stop();
    this.#closed = true;
    this.#hands.close();
    this.#faces?.close();
  }

  #brightness(source: FrameSource): number {
    this.#thumb.drawImage(source, 0, 0, THUMB_WIDTH, THUMB_HEIGHT);
    const pixels = this.#thumb.getImageData(0, 0, THUMB_WIDTH, THUMB_HEIGHT).data;
    let sum = 0;
    for (let i = 0; i < pixels.length; i += 4) sum += 0.299 * pixels[i]! + 0.587 * pixels[i + 1]! + 0.114 * pixels[i + 2]!;
    return sum / (pixels.length / 4);
  }
}

function frameSize(source: FrameSource): { width: number; height: number } {
  if (source instanceof HTMLVideoElement) return { width: source.videoWidth, height: source.videoHeight };
  if (source instanceof HTMLImageElement) return { width: source.naturalWidth, height: source.naturalHeight };
  return { width: source.width, height: source.height };
}
