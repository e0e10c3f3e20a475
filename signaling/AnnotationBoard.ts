import type { Annotation, NormalizedPoint, Stroke } from './annotations.js';

/** A stroke as a view draws it: whose colour it has. */
export interface DrawnStroke {
  /** The drawer's colour, which also tells drawers apart within a call. */
  color: number;
  stroke: Stroke;
}

/** Someone's pointer on a view, with when it last moved (epoch ms). */
export interface PointerMark {
  color: number;
  name: string;
  at: NormalizedPoint;
  movedAt: number;
}

/**
 * Strokes a view keeps, at most; past it the oldest goes, on every page and on the server alike (a flood at the
 * annotation rate cannot grow a long call's board without end).
 */
export const MAX_STROKES_PER_VIEW = 500;

/**
 * The marks on each shared view of a call, as every page (and the server, for pages that join later) keeps them:
 * strokes in the order drawn, and each participant's pointer. Applying the same annotations in the same order gives
 * every page the same board. Pure.
 */
export class AnnotationBoard {
  readonly #strokes = new Map<string, DrawnStroke[]>();
  readonly #pointers = new Map<string, Map<number, PointerMark>>();

  /** Applies one participant's annotation (`color` tells participants apart). */
  apply(from: { color: number; name: string }, annotation: Annotation, now: number): void {
    const strokes = this.#strokes.get(annotation.target) ?? [];
    this.#strokes.set(annotation.target, strokes);
    switch (annotation.kind) {
      case 'pointer': {
        const pointers = this.#pointers.get(annotation.target) ?? new Map<number, PointerMark>();
        this.#pointers.set(annotation.target, pointers);
        if (annotation.at === null) pointers.delete(from.color);
        else pointers.set(from.color, { color: from.color, name: from.name, at: annotation.at, movedAt: now });
        return;
      }
      case 'stroke':
        // A repeated stroke (a resend) replaces itself instead of doubling.
        this.#remove(strokes, (s) => s.color === from.color && s.stroke.id === annotation.stroke.id);
        strokes.push({ color: from.color, stroke: annotation.stroke });
        if (strokes.length > MAX_STROKES_PER_VIEW) strokes.shift();
        return;
      case 'undo': {
        const last = strokes.findLastIndex((s) => s.color === from.color);
        if (last >= 0) strokes.splice(last, 1);
        return;
      }
      case 'clear':
        strokes.length = 0;
        return;
      default: {
        const unknown: never = annotation;
        throw new TypeError(`unknown annotation ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** The strokes on a view, oldest first. */
  strokes(target: string): readonly DrawnStroke[] {
    return this.#strokes.get(target) ?? [];
  }

  /** The views that have strokes. */
  targets(): string[] {
    return [...this.#strokes].filter(([, strokes]) => strokes.length > 0).map(([target]) => target);
  }

  /** The pointers on a view. */
  pointers(target: string): PointerMark[] {
    return [...(this.#pointers.get(target)?.values() ?? [])];
  }

  /** Forgets a view (its share stopped). */
  forget(target: string): void {
    this.#strokes.delete(target);
    this.#pointers.delete(target);
  }

  #remove(strokes: DrawnStroke[], match: (s: DrawnStroke) => boolean): void {
    const index = strokes.findIndex(match);
    if (index >= 0) strokes.splice(index, 1);
  }
}
