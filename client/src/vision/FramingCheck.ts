import type { FaceBox, Hand } from './handLandmarks.js';

/** What the pre-call check can tell the signer about their framing, most important first. */
export const FramingHint = {
  /** The picture is too dark for the other side (and the hand model) to see hands clearly. */
  TooDark: 'too-dark',
  /** No hand has been seen for a while. */
  NoHands: 'no-hands',
  /** No face has been seen for a while; facial expression is part of sign language grammar. */
  FaceNotVisible: 'face-not-visible',
  /** Hands keep touching the frame's edge: part of the signing space is out of the picture. */
  HandsOutside: 'hands-outside',
} as const;
/** One of the framing hints. */
export type FramingHint = (typeof FramingHint)[keyof typeof FramingHint];

/** What one analysed frame shows. */
export interface FramingObservation {
  /** When the frame was captured, in milliseconds on any monotonic clock. */
  timestampMs: number;
  /** Hands found in the frame. */
  hands: readonly Hand[];
  /** Mean luma of the frame, 0 (black) to 255 (white). */
  brightness: number;
  /** Faces found in the frame; undefined when the frame was not checked for faces. */
  faces?: readonly FaceBox[] | undefined;
}

/** Thresholds of the framing check; the defaults suit a laptop or phone camera at arm's length. */
export interface FramingCheckOptions {
  /** Below this mean luma the picture counts as dark. */
  darkLuma: number;
  /** The picture counts as light again only above darkLuma plus this margin, so the hint does not flicker. */
  darkHysteresis: number;
  /** How long the picture must stay dark before the hint shows. */
  darkAfterMs: number;
  /** How long without any hand before the hint shows. */
  noHandsAfterMs: number;
  /** How long without a face, among frames checked for faces, before the hint shows. */
  noFaceAfterMs: number;
  /** A landmark this close to the frame's edge (fraction of width or height) counts as at the edge. */
  edgeMargin: number;
  /** Window over which hands at the edge are counted. */
  edgeWindowMs: number;
  /** Share of frames with hands in the window that must have a hand at the edge for the hint to show. */
  edgeShare: number;
}

const defaults: FramingCheckOptions = {
  darkLuma: 40,
  darkHysteresis: 10,
  darkAfterMs: 1000,
  noHandsAfterMs: 3000,
  noFaceAfterMs: 2000,
  edgeMargin: 0.02,
  edgeWindowMs: 1500,
  edgeShare: 0.5,
};

/**
 * Turns a stream of frame observations into framing hints. Pure: no I/O and no clock of its own, so it is
 * driven and tested with plain values. Each hint needs its condition to last, so a single bad frame shows nothing.
 */
export class FramingCheck {
  readonly #options: FramingCheckOptions;
  #startedAt: number | null = null;
  #lastHandsAt: number | null = null;
  #faceCheckedSince: number | null = null;
  #lastFaceAt: number | null = null;
  #darkSince: number | null = null;
  #dark = false;
  #edgeFrames: { timestampMs: number; atEdge: boolean }[] = [];
  #hints: readonly FramingHint[] = [];

  constructor(options: Partial<FramingCheckOptions> = {}) {
    this.#options = { ...defaults, ...options };
    for (const [name, value] of Object.entries(this.#options)) {
      if (!Number.isFinite(value) || value < 0) throw new TypeError(`FramingCheck: ${name} must be a non-negative number`);
    }
  }

  /** The hints after the last observation, most important first. */
  get hints(): readonly FramingHint[] {
    return this.#hints;
  }

  /** Takes one observation and returns the hints that now apply, most important first. */
  update(observation: FramingObservation): readonly FramingHint[] {
    const now = observation.timestampMs;
    const o = this.#options;
    this.#startedAt ??= now;
    if (observation.hands.length > 0) this.#lastHandsAt = now;

    if (observation.faces !== undefined) {
      this.#faceCheckedSince ??= now;
      if (observation.faces.length > 0) this.#lastFaceAt = now;
    }

    if (observation.brightness < o.darkLuma) this.#darkSince ??= now;
    else if (observation.brightness >= o.darkLuma + o.darkHysteresis) this.#darkSince = null;
    this.#dark = this.#darkSince !== null && now - this.#darkSince >= o.darkAfterMs;

    if (observation.hands.length > 0) {
      this.#edgeFrames.push({ timestampMs: now, atEdge: observation.hands.some((hand) => this.#atEdge(hand)) });
    }
    this.#edgeFrames = this.#edgeFrames.filter((frame) => now - frame.timestampMs <= o.edgeWindowMs);
    const atEdge = this.#edgeFrames.filter((frame) => frame.atEdge).length;

    const hints: FramingHint[] = [];
    if (this.#dark) hints.push(FramingHint.TooDark);
    if (now - (this.#lastHandsAt ?? this.#startedAt) >= o.noHandsAfterMs) hints.push(FramingHint.NoHands);
    if (this.#faceCheckedSince !== null && now - (this.#lastFaceAt ?? this.#faceCheckedSince) >= o.noFaceAfterMs) {
      hints.push(FramingHint.FaceNotVisible);
    }
    if (this.#edgeFrames.length > 0 && atEdge / this.#edgeFrames.length >= o.edgeShare) hints.push(FramingHint.HandsOutside);
    this.#hints = hints;
    return hints;
  }

  /** Forgets everything seen, as when the camera changes. */
  reset(): void {
    this.#startedAt = this.#lastHandsAt = this.#faceCheckedSince = this.#lastFaceAt = this.#darkSince = null;
    this.#dark = false;
    this.#edgeFrames = [];
    this.#hints = [];
  }

  #atEdge(hand: Hand): boolean {
    const m = this.#options.edgeMargin;
    return hand.some((point) => point.x < m || point.x > 1 - m || point.y < m || point.y > 1 - m);
  }
}
