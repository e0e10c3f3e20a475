import type { ParticipantRole } from '../../../signaling/index.js';

/** A tile a viewer pinned: a person's video (large on the stage) or a shared screen or device view. */
export type Pin = { kind: 'person'; role: ParticipantRole } | { kind: 'share'; producerId: string };

/** The two panes of a call's layout: the signer's stage and the shared views beside it. */
export type Pane = 'stage' | 'shares';

/** Bounds and steps of the split between the panes, as the first pane's fraction of the width. */
export const SPLIT = {
  /** Neither pane shrinks below a fifth: the signer and what is discussed stay visible together. */
  min: 0.2,
  max: 0.8,
  /** One arrow key press. */
  step: 0.05,
  /** One Page Up or Page Down. */
  page: 0.2,
} as const;

/**
 * The person in the stage's large tile: the pinned person while they are in the call, else the active-signer rule's
 * choice. A pin on someone who left waits for them (a reload comes back to the same tile). Pure.
 */
export function largePerson(pin: Pin | null, chosen: ParticipantRole | null, present: readonly ParticipantRole[]): ParticipantRole | null {
  if (pin?.kind === 'person' && present.includes(pin.role)) return pin.role;
  return chosen;
}

/** Whether two pins name the same tile. */
export function samePin(a: Pin | null, b: Pin | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.kind === 'person') return b.kind === 'person' && a.role === b.role;
  return b.kind === 'share' && a.producerId === b.producerId;
}

/** What pressing a tile's pin button leaves pinned: that tile, or nothing when it was the one pinned. */
export function togglePin(pin: Pin | null, target: Pin): Pin | null {
  return samePin(pin, target) ? null : target;
}

/** The pin that still holds once shares come and go: a stopped share never comes back, so its pin is dropped. */
export function keepPin(pin: Pin | null, shares: readonly string[]): Pin | null {
  if (pin?.kind === 'share' && !shares.includes(pin.producerId)) return null;
  return pin;
}

/** A split inside its bounds; anything not a number (a missing or corrupt saved value) gives `fallback`. */
export function clampSplit(ratio: number, fallback: number): number {
  if (!Number.isFinite(ratio)) return fallback;
  return Math.min(SPLIT.max, Math.max(SPLIT.min, ratio));
}

/** The split saved in storage, or `fallback` when none was saved or it does not parse. */
export function readSplit(stored: string | null, fallback: number): number {
  return clampSplit(stored === null || stored.trim() === '' ? Number.NaN : Number(stored), fallback);
}

/**
 * The split after a key on the separator (WAI-ARIA's window splitter pattern): arrows move it a step (left and up
 * shrink the first pane), Page Up and Page Down a larger step, Home and End to the bounds; null for any other key.
 */
export function splitAfterKey(ratio: number, key: string): number | null {
  const moves: Record<string, number> = {
    ArrowLeft: -SPLIT.step,
    ArrowUp: -SPLIT.step,
    ArrowRight: SPLIT.step,
    ArrowDown: SPLIT.step,
    PageUp: -SPLIT.page,
    PageDown: SPLIT.page,
  };
  if (key === 'Home') return SPLIT.min;
  if (key === 'End') return SPLIT.max;
  const move = moves[key];
  // Rounded to the step's grid so repeated presses land on the same values as aria-valuenow shows.
  return move === undefined ? null : clampSplit(Math.round((ratio + move) * 100) / 100, ratio);
}

/** The split when the separator is dragged to `pointer` across panes that start at `start` and span `size` pixels. */
export function splitAt(pointer: number, start: number, size: number, fallback: number): number {
  return size > 0 ? clampSplit((pointer - start) / size, fallback) : fallback;
}

/**
 * The split once a tile in `pane` is pinned: the pinned tile becomes the large one, so its pane gets the larger part
 * (the current split mirrored if needed); the viewer can drag it anywhere afterwards. `first` is the pane on the left.
 */
export function splitAfterPin(ratio: number, pane: Pane, first: Pane): number {
  const larger = Math.max(ratio, 1 - ratio);
  return Math.round((pane === first ? larger : 1 - larger) * 100) / 100;
}
