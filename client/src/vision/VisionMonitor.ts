import { FramingCheck, type FramingCheckOptions, type FramingHint } from './FramingCheck.js';
import { HandTracker, type HandTrackerOptions, type VisionObservation } from './HandTracker.js';
import { SigningDetector, signingDetectorDefaults, type SigningDetectorOptions, type SigningState } from './SigningDetector.js';

/** Per analysed frame: how long inference took and what was found, as counts. Never the landmarks themselves. */
export interface VisionStats {
  /** Hand landmarker time, in milliseconds. */
  handMs: number;
  /** Face detector time, in milliseconds, or null when it did not run on this frame. */
  faceMs: number | null;
  /** Number of hands found. */
  hands: number;
  /** Motion averaged over the signing detector's window, in palm lengths per second. */
  speed: number;
}

/** What a VisionMonitor tells its page. Only states leave this folder: landmarks stay inside it. */
export interface VisionMonitorEvents {
  /** The framing hints changed (most important first; empty when the framing is fine). */
  framing: readonly FramingHint[];
  /** The signing state changed. */
  signing: SigningState;
  /** One frame was analysed: timings and counts, for diagnostics and benchmarks. */
  stats: VisionStats;
  /** Analysis stopped because of an error; the monitor is closed. */
  error: Error;
  /** The monitor closed; emitted last. */
  closed: void;
}

/** Options of the tracker and of the two checks. */
export interface VisionMonitorOptions {
  /** Where the models come from and how often frames are analysed. */
  tracker?: Partial<HandTrackerOptions>;
  /** Thresholds of the framing hints. */
  framing?: Partial<FramingCheckOptions>;
  /** Thresholds of the signing detector. */
  signing?: Partial<SigningDetectorOptions>;
}

/** The tracker's longest interval as a share of the detector's gap limit: room for the wait on the next video frame. */
const SAMPLE_GAP_SHARE = 0.75;

type Listener<E extends keyof VisionMonitorEvents> = (value: VisionMonitorEvents[E]) => void;

/**
 * The page's entry to client/vision: watches a camera (a video element or a MediaStream) and reports framing hints
 * and whether the person is signing. Everything runs in the browser; nothing here sends anything to the server.
 */
export class VisionMonitor {
  readonly #tracker: HandTracker;
  readonly #framing: FramingCheck;
  readonly #signing: SigningDetector;
  readonly #ownVideo: HTMLVideoElement | null;
  readonly #listeners: { [E in keyof VisionMonitorEvents]: Set<Listener<E>> } = {
    framing: new Set(),
    signing: new Set(),
    stats: new Set(),
    error: new Set(),
    closed: new Set(),
  };
  #hints: readonly FramingHint[] = [];
  #closed = false;

  private constructor(tracker: HandTracker, options: VisionMonitorOptions, ownVideo: HTMLVideoElement | null) {
    this.#tracker = tracker;
    this.#framing = new FramingCheck(options.framing);
    this.#signing = new SigningDetector(options.signing);
    this.#ownVideo = ownVideo;
  }

  /**
   * Loads the models and starts watching. Pass the page's self-view video, or a MediaStream, which then plays in a
   * detached, muted video element of the monitor's own. Rejects when the browser cannot run MediaPipe.
   */
  static async start(source: HTMLVideoElement | MediaStream, options: VisionMonitorOptions = {}): Promise<VisionMonitor> {
    if (!(source instanceof HTMLVideoElement) && !(source instanceof MediaStream)) {
      throw new TypeError('VisionMonitor: source must be a video element or a MediaStream');
    }
    // The tracker may slow down on a busy device, but never so far that the signing detector's samples stop pairing.
    const maxGapMs = options.signing?.maxGapMs ?? signingDetectorDefaults.maxGapMs;
    const maxIntervalMs = Math.min(options.tracker?.maxIntervalMs ?? Number.POSITIVE_INFINITY, SAMPLE_GAP_SHARE * maxGapMs);
    const tracker = await HandTracker.load({ ...options.tracker, maxIntervalMs });
    let video: HTMLVideoElement;
    let ownVideo: HTMLVideoElement | null = null;
    if (source instanceof MediaStream) {
      video = ownVideo = document.createElement('video');
      video.muted = true;
      video.playsInline = true;
      video.srcObject = source;
      await video.play().catch((error: unknown) => {
        tracker.close();
        throw error;
      });
    } else {
      video = source;
    }
    const monitor = new VisionMonitor(tracker, options, ownVideo);
    tracker.start(
      video,
      (observation) => monitor.#onObservation(observation),
      (error) => monitor.#fail(error),
    );
    return monitor;
  }

  /** The current framing hints, most important first. */
  get hints(): readonly FramingHint[] {
    return this.#hints;
  }

  /** The current signing state. */
  get signing(): SigningState {
    return this.#signing.state;
  }

  /** Whether faces are checked; false when the face model could not load, so face hints never show. */
  get checksFaces(): boolean {
    return this.#tracker.checksFaces;
  }

  /** Whether the monitor is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Subscribes to one event; returns the function that unsubscribes. */
  on<E extends keyof VisionMonitorEvents>(event: E, listener: Listener<E>): () => void {
    const listeners = this.#listeners[event] as Set<Listener<E>>;
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Stops watching and frees the models. Idempotent; "closed" is emitted last. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#tracker.close();
    if (this.#ownVideo) this.#ownVideo.srcObject = null;
    this.#emit('closed', undefined);
    for (const listeners of Object.values(this.#listeners)) listeners.clear();
  }

  #onObservation(observation: VisionObservation): void {
    const before = this.#signing.state;
    const state = this.#signing.update(observation);
    const hints = this.#framing.update(observation);
    this.#emit('stats', { handMs: observation.handMs, faceMs: observation.faceMs, hands: observation.hands.length, speed: this.#signing.speed });
    if (hints.join() !== this.#hints.join()) {
      this.#hints = hints;
      this.#emit('framing', hints);
    }
    if (state !== before) this.#emit('signing', state);
  }

  #fail(error: Error): void {
    this.#emit('error', error);
    this.close();
  }

  #emit<E extends keyof VisionMonitorEvents>(event: E, value: VisionMonitorEvents[E]): void {
    for (const listener of this.#listeners[event] as Set<Listener<E>>) {
      try {
        listener(value);
      } catch (error) {
        console.error(`vision: a "${event}" listener threw`, error);
      }
    }
  }
}
