import { AnnotationBoard, type Annotation, type Annotator, type NormalizedPoint, type StrokeShape } from '../../../signaling/index.js';
import { arrowHead, containedRect, ellipseIn, thinPath, toNormalized, toNormalizedClamped, toPixels, type PixelPoint, type Rect } from '../annotations/geometry.js';
import { t, translate, translateAttribute, type Value } from '../i18n.js';
import type { SignalingClient } from '../net/SignalingClient.js';
import { attachStream } from './dom.js';

/** The annotation palette: high-contrast colours, one per participant of a call (the server hands out the index). */
export const ANNOTATION_PALETTE = ['#e6194b', '#1f6fff', '#ff8c00', '#13a10e', '#b000b5', '#008b8b', '#8b4513', '#111111'] as const;

/** The least time between two pointer positions sent (30 Hz): smooth to watch, well inside the server's rate. */
const POINTER_INTERVAL_MS = 33;
/** A pointer that has not moved for this long fades out. */
const POINTER_IDLE_MS = 4_000;
/** Received pointer positions kept for diagnostics (bench:share reads their drawing times). */
const POINTER_LOG = 2_000;

/** What a participant can do with the mouse or a finger on a shared view. */
type Tool = 'pointer' | StrokeShape;

/** One position of a pointer, and when (epoch ms, sub-millisecond) it was sent, or arrived and was drawn. */
export interface PointerTiming {
  target: string;
  at: NormalizedPoint;
  time: number;
  /** When a received position reached the page, before it waited for the next frame to be drawn. */
  arrived?: number;
}

/** What the shared views show, for diagnostics and tests (window.signline.shares()). */
export interface SharedViewsSnapshot {
  views: { producerId: string; own: boolean; videoWidth: number; videoHeight: number }[];
  strokes: Record<string, { color: number; shape: StrokeShape; points: NormalizedPoint[] }[]>;
  pointersSent: PointerTiming[];
  pointersDrawn: PointerTiming[];
}

/** Options of the shared views of a page. */
export interface SharedViewsOptions {
  /** The element the views go in (beside the signer's tile). */
  container: HTMLElement;
  /** Sends one of this page's marks to the others. */
  send(annotation: Annotation): Promise<void>;
  /** This participant as the others see their marks; its colour comes with `call:started`. */
  self: Annotator;
  onError(error: unknown): void;
  /** Makes the pin button of a view (the page's layout owns what pinning does). */
  pinButton?(producerId: string): HTMLElement;
}

interface View {
  producerId: string;
  own: boolean;
  figure: HTMLElement;
  video: HTMLVideoElement;
  canvas: HTMLCanvasElement;
  resize: ResizeObserver;
}

/** The high-resolution epoch clock both pages of a call share on one machine. */
const epochNow = () => performance.timeOrigin + performance.now();

/**
 * The shared screens and device views of a call, each with its marks drawn over the video's frame (not the page):
 * the pointer and strokes of every participant in their colour, a toolbar to point, draw arrows, circles and
 * freehand, undo and clear. Marks travel as annotations (normalized to the frame) through `send`; the others' arrive
 * through `apply`.
 */
export class SharedViews {
  readonly #options: SharedViewsOptions;
  readonly #board = new AnnotationBoard();
  readonly #views = new Map<string, View>();
  readonly #pointersSent: PointerTiming[] = [];
  readonly #pointersDrawn: PointerTiming[] = [];
  /** Received pointer positions not yet drawn, by target. */
  readonly #undrawn = new Map<string, PointerTiming[]>();
  #tool: Tool = 'pointer';
  /** The stroke being drawn now, shown locally until it is finished and sent. */
  #drawing: { target: string; shape: StrokeShape; points: NormalizedPoint[]; pointerId: number } | null = null;
  #lastPointerAt = 0;
  #pendingPointer: { target: string; at: NormalizedPoint | null; time: number } | null = null;
  #pointerTimer: number | undefined;
  #frame: number | undefined;
  /** Redraws once the last pointer shown has gone idle, so it fades. */
  #fadeTimer: number | undefined;
  #strokeCount = 0;
  #closed = false;

  constructor(options: SharedViewsOptions) {
    this.#options = options;
  }

  /** Shows a shared view: another participant's (labelled with who shares it) or this page's own, previewed. */
  add(producerId: string, stream: MediaStream, label: { key: 'share.from' | 'share.deviceFrom' | 'share.own'; name?: Value }): void {
    this.remove(producerId);
    const figure = document.createElement('figure');
    figure.className = 'share';
    figure.dataset.producerId = producerId;
    const frame = document.createElement('div');
    frame.className = 'share-frame';
    const video = Object.assign(document.createElement('video'), { autoplay: true, playsInline: true, muted: true });
    const canvas = document.createElement('canvas');
    canvas.className = 'annotations';
    frame.append(video, canvas);
    const caption = document.createElement('figcaption');
    const title = document.createElement('span');
    translate(title, label.key, { name: label.name ?? '' });
    caption.append(title);
    if (this.#options.pinButton) caption.append(this.#options.pinButton(producerId));
    figure.append(caption, this.#toolbar(producerId), frame);
    this.#options.container.append(figure);
    this.#options.container.hidden = false;
    attachStream(video, stream);
    const resize = new ResizeObserver(() => this.#redraw());
    resize.observe(frame);
    video.addEventListener('resize', () => this.#redraw());
    this.#listen(producerId, canvas, video);
    this.#views.set(producerId, { producerId, own: label.key === 'share.own', figure, video, canvas, resize });
    this.#redraw();
  }

  /** Removes a view (its share stopped) and forgets its marks. */
  remove(producerId: string): void {
    const view = this.#views.get(producerId);
    if (!view) return;
    view.resize.disconnect();
    attachStream(view.video, null);
    view.figure.remove();
    this.#views.delete(producerId);
    this.#board.forget(producerId);
    if (this.#drawing?.target === producerId) this.#drawing = null;
    this.#options.container.hidden = this.#views.size === 0;
  }

  /** Another participant's mark. */
  apply(from: Annotator, annotation: Annotation): void {
    if (this.#closed) return;
    this.#board.apply(from, annotation, Date.now());
    if (annotation.kind === 'pointer' && annotation.at) {
      const undrawn = this.#undrawn.get(annotation.target) ?? [];
      const now = epochNow();
      undrawn.push({ target: annotation.target, at: annotation.at, time: now, arrived: now });
      this.#undrawn.set(annotation.target, undrawn);
    }
    this.#redraw();
  }

  /** Whether any view is shown. */
  get size(): number {
    return this.#views.size;
  }

  /** What is shown, for diagnostics. */
  snapshot(): SharedViewsSnapshot {
    const strokes: SharedViewsSnapshot['strokes'] = {};
    for (const producerId of this.#views.keys()) {
      strokes[producerId] = this.#board.strokes(producerId).map(({ color, stroke }) => ({ color, shape: stroke.shape, points: stroke.points }));
    }
    return {
      views: [...this.#views.values()].map((view) => ({ producerId: view.producerId, own: view.own, videoWidth: view.video.videoWidth, videoHeight: view.video.videoHeight })),
      strokes,
      pointersSent: [...this.#pointersSent],
      pointersDrawn: [...this.#pointersDrawn],
    };
  }

  /** Removes every view. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    window.clearTimeout(this.#pointerTimer);
    window.clearTimeout(this.#fadeTimer);
    if (this.#frame !== undefined) cancelAnimationFrame(this.#frame);
    for (const producerId of [...this.#views.keys()]) this.remove(producerId);
  }

  #toolbar(target: string): HTMLElement {
    const bar = document.createElement('div');
    bar.className = 'annotation-tools';
    bar.setAttribute('role', 'toolbar');
    translateAttribute(bar, 'aria-label', 'share.tools');
    const tools: Tool[] = ['pointer', 'arrow', 'circle', 'free'];
    for (const tool of tools) {
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.tool = tool;
      button.setAttribute('aria-pressed', String(tool === this.#tool));
      translate(button, `tool.${tool}`);
      button.addEventListener('click', () => {
        this.#tool = tool;
        document.querySelectorAll<HTMLButtonElement>('.annotation-tools button[data-tool]').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.tool === tool)));
      });
      bar.append(button);
    }
    for (const action of ['undo', 'clear'] as const) {
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.action = action;
      translate(button, `tool.${action}`);
      button.addEventListener('click', () => this.#mark({ kind: action, target }));
      bar.append(button);
    }
    return bar;
  }

  #listen(target: string, canvas: HTMLCanvasElement, video: HTMLVideoElement): void {
    const pointAt = (event: PointerEvent): PixelPoint => {
      const box = canvas.getBoundingClientRect();
      return [event.clientX - box.left, event.clientY - box.top];
    };
    const frameOf = (): Rect => containedRect(canvas.clientWidth, canvas.clientHeight, video.videoWidth, video.videoHeight);
    canvas.addEventListener('pointermove', (event) => {
      const time = performance.timeOrigin + event.timeStamp;
      if (this.#drawing && this.#drawing.pointerId === event.pointerId) {
        const point = toNormalizedClamped(pointAt(event), frameOf());
        if (this.#drawing.shape === 'free') this.#drawing.points.push(point);
        else this.#drawing.points[1] = point;
        this.#redraw();
        return;
      }
      if (this.#tool === 'pointer') this.#sendPointer(target, toNormalized(pointAt(event), frameOf()), time);
    });
    canvas.addEventListener('pointerleave', () => {
      if (this.#tool === 'pointer') this.#sendPointer(target, null, epochNow());
    });
    canvas.addEventListener('pointerdown', (event) => {
      if (this.#tool === 'pointer') return;
      const start = toNormalized(pointAt(event), frameOf());
      if (!start) return;
      canvas.setPointerCapture(event.pointerId);
      this.#drawing = { target, shape: this.#tool, points: [start, start], pointerId: event.pointerId };
    });
    const finish = (event: PointerEvent, keep: boolean) => {
      const drawing = this.#drawing;
      if (!drawing || drawing.pointerId !== event.pointerId) return;
      this.#drawing = null;
      const points = drawing.shape === 'free' ? thinPath(drawing.points) : drawing.points;
      const [a, b] = [points[0]!, points[points.length - 1]!];
      // A click without a drag draws nothing.
      if (keep && Math.hypot(b[0] - a[0], b[1] - a[1]) > 0.005) {
        this.#mark({ kind: 'stroke', target, stroke: { id: `s${++this.#strokeCount}`, shape: drawing.shape, points } });
      }
      this.#redraw();
    };
    canvas.addEventListener('pointerup', (event) => finish(event, true));
    canvas.addEventListener('pointercancel', (event) => finish(event, false));
  }

  /** Applies one of this page's marks here and sends it. */
  #mark(annotation: Annotation): void {
    this.#board.apply(this.#options.self, annotation, Date.now());
    this.#redraw();
    this.#options.send(annotation).catch((error: unknown) => this.#options.onError(error));
  }

  /** Sends the pointer at most every POINTER_INTERVAL_MS; the latest position waits for the next slot. */
  #sendPointer(target: string, at: NormalizedPoint | null, time: number): void {
    this.#pendingPointer = { target, at, time };
    if (this.#pointerTimer !== undefined) return;
    const wait = this.#lastPointerAt + POINTER_INTERVAL_MS - performance.now();
    if (wait > 0) {
      this.#pointerTimer = window.setTimeout(() => {
        this.#pointerTimer = undefined;
        this.#flushPointer();
      }, wait);
    } else this.#flushPointer();
  }

  #flushPointer(): void {
    const pending = this.#pendingPointer;
    this.#pendingPointer = null;
    if (!pending || this.#closed) return;
    this.#lastPointerAt = performance.now();
    if (pending.at) keepLast(this.#pointersSent, { target: pending.target, at: pending.at, time: pending.time });
    this.#options.send({ kind: 'pointer', target: pending.target, at: pending.at }).catch((error: unknown) => this.#options.onError(error));
  }

  #redraw(): void {
    if (this.#frame !== undefined || this.#closed) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = undefined;
      const drawnAt = epochNow();
      for (const view of this.#views.values()) this.#draw(view);
      for (const [target, undrawn] of this.#undrawn) {
        if (!this.#views.has(target)) continue;
        for (const entry of undrawn) keepLast(this.#pointersDrawn, { ...entry, time: drawnAt });
      }
      this.#undrawn.clear();
    });
  }

  #draw(view: View): void {
    const { canvas, video } = view;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const context = canvas.getContext('2d');
    if (!context) return;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    const frame = containedRect(width, height, video.videoWidth, video.videoHeight);
    const strokes = this.#board.strokes(view.producerId).map(({ color, stroke }) => ({ color, shape: stroke.shape, points: stroke.points }));
    if (this.#drawing?.target === view.producerId) strokes.push({ color: this.#options.self.color, shape: this.#drawing.shape, points: this.#drawing.points });
    context.lineWidth = 4;
    context.lineCap = context.lineJoin = 'round';
    for (const { color, shape, points } of strokes) {
      context.strokeStyle = ANNOTATION_PALETTE[color] ?? ANNOTATION_PALETTE[0];
      const pixels = points.map((point) => toPixels(point, frame));
      context.beginPath();
      if (shape === 'circle') {
        const { cx, cy, rx, ry } = ellipseIn(pixels[0]!, pixels[1]!);
        context.ellipse(cx, cy, Math.max(rx, 1), Math.max(ry, 1), 0, 0, 2 * Math.PI);
      } else {
        context.moveTo(...pixels[0]!);
        for (const point of pixels.slice(1)) context.lineTo(...point);
        if (shape === 'arrow') {
          const [left, right] = arrowHead(pixels[0]!, pixels[1]!, 18);
          context.moveTo(...left);
          context.lineTo(...pixels[1]!);
          context.lineTo(...right);
        }
      }
      context.stroke();
    }
    const now = Date.now();
    for (const pointer of this.#board.pointers(view.producerId)) {
      if (now - pointer.movedAt > POINTER_IDLE_MS) continue;
      window.clearTimeout(this.#fadeTimer);
      this.#fadeTimer = window.setTimeout(() => this.#redraw(), POINTER_IDLE_MS);
      const [x, y] = toPixels(pointer.at, frame);
      const colour = ANNOTATION_PALETTE[pointer.color] ?? ANNOTATION_PALETTE[0];
      context.beginPath();
      context.arc(x, y, 11, 0, 2 * Math.PI);
      context.fillStyle = colour;
      context.globalAlpha = 0.75;
      context.fill();
      context.globalAlpha = 1;
      context.lineWidth = 3;
      context.strokeStyle = '#ffffff';
      context.stroke();
      context.font = '600 15px system-ui, sans-serif';
      context.fillStyle = colour;
      context.fillText(pointer.name, x + 15, y - 12);
    }
  }
}

function keepLast(log: PointerTiming[], entry: PointerTiming): void {
  log.push(entry);
  if (log.length > POINTER_LOG) log.splice(0, log.length - POINTER_LOG);
}

/**
 * Draws the strokes made on the call's shared views before this page joined it (a technician coming in, a reload):
 * the server keeps them, and applied in order they give this page the board the others have.
 */
export async function drawEarlierMarks(views: SharedViews, signaling: SignalingClient, sessionId: string): Promise<void> {
  const { marks } = await signaling.request('call:marks', { sessionId });
  for (const { from, annotation } of marks) views.apply(from, annotation);
}
