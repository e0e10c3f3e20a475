/** A point in frame coordinates: x and y from 0 to 1 across the frame's width and height (may fall outside when cut off). */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** One hand: MediaPipe's 21 landmarks, in MediaPipe's order. */
export type Hand = readonly Point[];

/** A face's bounding box in frame coordinates (0 to 1). */
export interface FaceBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Indices of the landmarks the checks use, in MediaPipe's hand model. */
export const Landmark = {
  Wrist: 0,
  ThumbTip: 4,
  IndexTip: 8,
  MiddleBase: 9,
  MiddleTip: 12,
  RingTip: 16,
  PinkyTip: 20,
} as const;

/** Number of landmarks per hand. */
export const LANDMARKS_PER_HAND = 21;

/** Landmarks whose motion carries signing: the wrist and the five fingertips. */
export const MOTION_LANDMARKS: readonly number[] = [
  Landmark.Wrist,
  Landmark.ThumbTip,
  Landmark.IndexTip,
  Landmark.MiddleTip,
  Landmark.RingTip,
  Landmark.PinkyTip,
];

/** Distance between two points, with x scaled by the frame's width/height ratio so that both axes count alike. */
export function distance(a: Point, b: Point, aspect: number): number {
  return Math.hypot((a.x - b.x) * aspect, a.y - b.y);
}

/** The hand's size: wrist to the base of the middle finger, which barely changes as the fingers move. */
export function palmLength(hand: Hand, aspect: number): number {
  const wrist = hand[Landmark.Wrist];
  const base = hand[Landmark.MiddleBase];
  return wrist && base ? distance(wrist, base, aspect) : 0;
}
