import { z } from 'zod';
import { idSchema, participantRoleSchema, type MediaSource } from './schemas.js';

/**
 * Pointing at a shared screen or device view: a pointer, arrows, circles and freehand strokes. Positions are
 * normalized to the shared video's frame (0,0 its top left, 1,1 its bottom right), so a mark lands on the same spot of
 * the picture whatever size each viewer shows it at. Every mark names its target, the producer of the shared view.
 */

/** Sources that can be annotated: what is shared for its detail. */
export const ANNOTATABLE_SOURCES: readonly MediaSource[] = ['screen', 'device'];

/** Whether a producer of this source is a shared view (a screen or a device camera), not a person. */
export function isSharedView(source: MediaSource): boolean {
  return ANNOTATABLE_SOURCES.includes(source);
}

/** Label and subprotocol of a participant's annotation channel to the server (beside its T.140 channel). */
export const ANNOTATION_CHANNEL = { label: 'annotation', protocol: 'signline-annotation' } as const;

/** Most points in one freehand stroke; the page thins a longer path before sending it. */
export const MAX_STROKE_POINTS = 256;

/** A position on the shared frame, each coordinate from 0 to 1. */
export const normalizedPointSchema = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]);
/** A position on the shared frame. */
export type NormalizedPoint = z.infer<typeof normalizedPointSchema>;

/** The shapes a participant can draw. */
export const strokeShapeSchema = z.enum(['arrow', 'circle', 'free']);
/** A shape a participant can draw. */
export type StrokeShape = z.infer<typeof strokeShapeSchema>;

/** One finished mark: an arrow (tail, head), a circle (two corners of the box it fills) or a freehand path. */
export const strokeSchema = z
  .strictObject({
    /** Chosen by the drawing page, unique among its own strokes. */
    id: z.string().min(1).max(32),
    shape: strokeShapeSchema,
    points: z.array(normalizedPointSchema).min(2).max(MAX_STROKE_POINTS),
  })
  .refine((stroke) => stroke.shape === 'free' || stroke.points.length === 2, { message: 'an arrow or a circle has exactly two points', path: ['points'] });
/** One finished mark. */
export type Stroke = z.infer<typeof strokeSchema>;

/** What a participant does to a shared view's marks. */
export const annotationSchema = z.discriminatedUnion('kind', [
  /** The pointer is here now; null when it left the view. */
  z.strictObject({ kind: z.literal('pointer'), target: idSchema, at: normalizedPointSchema.nullable() }),
  z.strictObject({ kind: z.literal('stroke'), target: idSchema, stroke: strokeSchema }),
  /** Takes back this participant's last stroke on the target. */
  z.strictObject({ kind: z.literal('undo'), target: idSchema }),
  /** Removes every stroke on the target, everyone's. */
  z.strictObject({ kind: z.literal('clear'), target: idSchema }),
]);
/** What a participant does to a shared view's marks. */
export type Annotation = z.infer<typeof annotationSchema>;

/** Who made a mark: their role, name and colour (an index into the pages' palette, fixed for the call). */
export const annotatorSchema = z.object({ role: participantRoleSchema, name: z.string().max(128), color: z.number().int().min(0).max(7) });
/** Who made a mark. */
export type Annotator = z.infer<typeof annotatorSchema>;

/** Client to server `call:annotate`: the Socket.IO path of the annotation channel, while that is not open. */
export const callAnnotateSchema = z.strictObject({ sessionId: idSchema, annotation: annotationSchema });

/** Client to server `call:marks`: the strokes on the call's shared views so far, for a page that joins (or comes back) later. */
export const marksRequestSchema = z.strictObject({ sessionId: idSchema });

/** Reply to `call:marks`: each stroke with who drew it, oldest first per view; applied in order they rebuild the board. */
export const marksReplySchema = z.object({ marks: z.array(z.object({ from: annotatorSchema, annotation: annotationSchema })) });
/** Reply to `call:marks`. */
export type MarksReply = z.infer<typeof marksReplySchema>;

/** Server to client `call:annotation`: another participant's mark, on the Socket.IO path. */
export const annotationReceivedSchema = z.object({ sessionId: idSchema, from: annotatorSchema, annotation: annotationSchema });
/** Payload of `call:annotation`. */
export type AnnotationReceived = z.infer<typeof annotationReceivedSchema>;
