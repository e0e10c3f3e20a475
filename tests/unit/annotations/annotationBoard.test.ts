import { describe, expect, it } from 'vitest';
import { AnnotationBoard, annotationSchema, MAX_STROKES_PER_VIEW, type Annotation } from '../../../signaling/index.js';

const tech = { color: 2, name: 'Tess' };
const customer = { color: 0, name: 'SL-1' };
const arrow = (id: string): Annotation => ({ kind: 'stroke', target: 'screen-1', stroke: { id, shape: 'arrow', points: [[0.1, 0.1], [0.5, 0.5]] } });

describe('the annotation board every page keeps', () => {
  it('keeps strokes in the order drawn, and undo takes back only the undoer’s last one', () => {
    const board = new AnnotationBoard();
    board.apply(tech, arrow('a'), 0);
    board.apply(customer, arrow('a'), 0);
    board.apply(tech, arrow('b'), 0);
    board.apply(customer, { kind: 'undo', target: 'screen-1' }, 0);
    expect(board.strokes('screen-1').map((s) => `${s.color}:${s.stroke.id}`)).toEqual(['2:a', '2:b']);
    board.apply(tech, { kind: 'undo', target: 'screen-1' }, 0);
    expect(board.strokes('screen-1').map((s) => `${s.color}:${s.stroke.id}`)).toEqual(['2:a']);
  });

  it('clears everyone’s strokes on one view only, and a resent stroke replaces itself', () => {
    const board = new AnnotationBoard();
    board.apply(tech, arrow('a'), 0);
    board.apply(tech, arrow('a'), 0);
    board.apply(tech, { ...arrow('c'), target: 'screen-2' } as Annotation, 0);
    expect(board.strokes('screen-1')).toHaveLength(1);
    board.apply(customer, { kind: 'clear', target: 'screen-1' }, 0);
    expect(board.strokes('screen-1')).toHaveLength(0);
    expect(board.strokes('screen-2')).toHaveLength(1);
    expect(board.targets()).toEqual(['screen-2']);
  });

  it('keeps at most MAX_STROKES_PER_VIEW strokes on a view, dropping the oldest', () => {
    const board = new AnnotationBoard();
    for (let i = 0; i <= MAX_STROKES_PER_VIEW; i++) board.apply(tech, arrow(`s${i}`), 0);
    const kept = board.strokes('screen-1');
    expect(kept).toHaveLength(MAX_STROKES_PER_VIEW);
    expect(kept[0]!.stroke.id).toBe('s1');
    expect(kept.at(-1)!.stroke.id).toBe(`s${MAX_STROKES_PER_VIEW}`);
  });

  it('follows each participant’s pointer and drops it when it leaves the view', () => {
    const board = new AnnotationBoard();
    board.apply(tech, { kind: 'pointer', target: 'screen-1', at: [0.2, 0.3] }, 10);
    board.apply(tech, { kind: 'pointer', target: 'screen-1', at: [0.25, 0.3] }, 20);
    board.apply(customer, { kind: 'pointer', target: 'screen-1', at: [0.9, 0.9] }, 20);
    expect(board.pointers('screen-1')).toEqual([
      { color: 2, name: 'Tess', at: [0.25, 0.3], movedAt: 20 },
      { color: 0, name: 'SL-1', at: [0.9, 0.9], movedAt: 20 },
    ]);
    board.apply(tech, { kind: 'pointer', target: 'screen-1', at: null }, 30);
    expect(board.pointers('screen-1').map((p) => p.name)).toEqual(['SL-1']);
    board.forget('screen-1');
    expect(board.pointers('screen-1')).toEqual([]);
  });
});

describe('the annotation schema', () => {
  it('takes marks inside the frame and refuses ones out of range, malformed or too long', () => {
    expect(annotationSchema.safeParse(arrow('a')).success).toBe(true);
    const refused = [
      { kind: 'pointer', target: 'screen-1', at: [1.2, 0.5] },
      { kind: 'pointer', target: 'screen-1', at: [-0.1, 0.5] },
      { kind: 'stroke', target: 'screen-1', stroke: { id: 'x', shape: 'arrow', points: [[0, 0], [0.5, 0.5], [1, 1]] } },
      { kind: 'stroke', target: 'screen-1', stroke: { id: 'x', shape: 'free', points: Array.from({ length: 257 }, () => [0.5, 0.5]) } },
      { kind: 'stroke', target: 'screen-1', stroke: { id: 'x', shape: 'star', points: [[0, 0], [1, 1]] } },
      { kind: 'pointer', target: 'screen-1', at: [0.5, 0.5], extra: true },
      { kind: 'erase', target: 'screen-1' },
      { kind: 'pointer', target: '', at: null },
    ];
    for (const annotation of refused) expect(annotationSchema.safeParse(annotation).success, JSON.stringify(annotation).slice(0, 80)).toBe(false);
  });
});
