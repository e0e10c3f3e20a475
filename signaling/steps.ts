import { z } from 'zod';
import { idSchema } from './schemas.js';
import { speakerSchema } from './text.js';

/**
 * Step-by-step guidance: the agent (or a technician) sends a guide, numbered steps of text with an optional picture,
 * and the customer sees its cards large, one at a time, answering each with "done", "show again" or "I'm stuck".
 * The server turns a guide into cards (one per step, or one per sentence in slow mode) and owns the progress; every
 * page sees the same state through `call:steps`.
 */

/** Longest text of one step, in UTF-16 units. */
export const MAX_STEP_TEXT = 500;
/** Most steps in one guide. */
export const MAX_GUIDE_STEPS = 20;
/** Most cards a guide may become (slow mode splits steps into sentences). */
export const MAX_GUIDE_CARDS = 60;
/** Longest picture of a step as a data URL, in characters (about 220 kB of JPEG): a snapshot of a shared screen fits. */
export const MAX_STEP_IMAGE_CHARS = 300_000;
/** Largest `call:guide` event, bytes: a guide with two snapshots; the events that carry pictures have their own limit at the edge. */
export const MAX_GUIDE_EVENT_BYTES = 700_000;
/** Largest `call:step` event, bytes: one snapshot and the rest. */
export const MAX_STEP_EVENT_BYTES = MAX_STEP_IMAGE_CHARS + 4_096;

/** A picture as the pages show it: an embedded PNG or JPEG, or one shipped with the client under /assets/guides/. */
export const stepImageSchema = z
  .string()
  .max(MAX_STEP_IMAGE_CHARS)
  .refine(
    (image) => /^data:image\/(png|jpeg);base64,[A-Za-z0-9+/]+={0,2}$/.test(image) || /^\/assets\/guides\/[a-z0-9][a-z0-9-]*\.(png|jpe?g|svg)$/.test(image),
    'a step image is a data:image/png or data:image/jpeg base64 URL, or an /assets/guides/ file',
  );

/** The words of a step: visible characters and spaces, no control characters (a new line belongs between steps). */
export const stepTextSchema = z
  .string()
  .trim()
  .min(1)
  .max(MAX_STEP_TEXT)
  .refine((text) => !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(text), 'control characters and line breaks are not allowed in a step');

/** One step of a guide. */
export const guideStepSchema = z.strictObject({ text: stepTextSchema, image: stepImageSchema.optional() });
/** One step of a guide. */
export type GuideStep = z.infer<typeof guideStepSchema>;

/** A guide: from the guides file, or written by the agent during the call. */
export const guideSchema = z.strictObject({
  id: idSchema,
  title: z.string().trim().min(1).max(80),
  steps: z.array(guideStepSchema).min(1).max(MAX_GUIDE_STEPS),
});
/** A guide. */
export type Guide = z.infer<typeof guideSchema>;

/** The guides file (and the reply of `GET /api/guides`): a list per interface language. */
export const guidesSchema = z.strictObject({
  en: z.array(guideSchema).max(100),
  'zh-CN': z.array(guideSchema).max(100),
});
/** Guides per language. */
export type Guides = z.infer<typeof guidesSchema>;

/** What the customer answers to a card: done (the next one, please), show it again, or I'm stuck. */
export const stepReplyKindSchema = z.enum(['done', 'again', 'stuck']);
/** What the customer answers to a card. */
export type StepReplyKind = z.infer<typeof stepReplyKindSchema>;

/** Where a card is: not shown yet, in front of the customer, in front of them with them stuck, or done. */
export const stepStatusSchema = z.enum(['pending', 'current', 'stuck', 'done']);
/** Where a card is. */
export type StepStatus = z.infer<typeof stepStatusSchema>;

/** A card index of one guide: the guide's number in the call comes with it, so an answer to an older guide is stale. */
const cardRef = { sessionId: idSchema, guideNo: z.number().int().min(1), index: z.number().int().min(0).max(MAX_GUIDE_CARDS - 1) };

/** Client to server `call:guide` (the agent or a technician): the customer gets this guide's cards, from the first. */
export const callGuideSchema = z.strictObject({ sessionId: idSchema, guide: guideSchema, slow: z.boolean() });

/** Client to server `call:step` (the agent or a technician): put this card in front of the customer again, with a new picture if given. */
export const callStepSchema = z.strictObject({ ...cardRef, image: stepImageSchema.optional() });

/** Client to server `call:stepReply` (the customer): their answer to the card in front of them. */
export const callStepReplySchema = z.strictObject({ ...cardRef, reply: stepReplyKindSchema });

/** Reply to `call:guide`: the guide's number in the call and how many cards it became. */
export const guideSentSchema = z.object({ guideNo: z.number().int().min(1), cards: z.number().int().min(1).max(MAX_GUIDE_CARDS) });
/** Reply to `call:guide`. */
export type GuideSent = z.infer<typeof guideSentSchema>;

/** One card as the customer sees it; `step` is the 1-based step of the guide it comes from. */
export const stepCardSchema = z.object({ text: z.string().max(MAX_STEP_TEXT), image: stepImageSchema.optional(), step: z.number().int().min(1) });
/** One card. */
export type StepCard = z.infer<typeof stepCardSchema>;

/** The customer's last answer, for the agent's view. */
export const stepAnswerSchema = z.object({ index: z.number().int().min(0), reply: stepReplyKindSchema, at: z.number() });
/** The customer's last answer. */
export type StepAnswer = z.infer<typeof stepAnswerSchema>;

/**
 * Server to client `call:steps`: the guide in progress. `cards` come when they are new to the page (a new guide, a
 * new picture, a page that joined or came back); the progress alone comes otherwise, since cards may carry pictures.
 * `current` equals the number of cards once every card is done; `shown` counts how often the current card was put in
 * front of the customer, so a page can tell a repeat from the same state.
 */
export const stepsStateSchema = z.object({
  sessionId: idSchema,
  guideNo: z.number().int().min(1),
  guideId: idSchema,
  title: z.string().max(80),
  slow: z.boolean(),
  from: speakerSchema,
  cards: z.array(stepCardSchema).min(1).max(MAX_GUIDE_CARDS).optional(),
  statuses: z.array(stepStatusSchema).min(1).max(MAX_GUIDE_CARDS),
  current: z.number().int().min(0).max(MAX_GUIDE_CARDS),
  shown: z.number().int().min(1),
  lastReply: stepAnswerSchema.nullable(),
});
/** Payload of `call:steps`. */
export type StepsState = z.infer<typeof stepsStateSchema>;

/** English abbreviations whose full stop ends no sentence. */
const ABBREVIATIONS = new Set(['e.g', 'i.e', 'etc', 'vs', 'mr', 'mrs', 'ms', 'dr', 'no', 'approx']);

/**
 * Cuts text into sentences, keeping each one's punctuation: after 。！？ (Chinese needs no space after them), after
 * . ! ? followed by a space (so "1.5" and "example.com" stay whole, as do "e.g." and a few other abbreviations),
 * with closing quotes and brackets kept on the sentence they close.
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  const boundary = /[。！？]+[”’"'）)」』]*|[.!?]+[”’"'）)」』]*(?=\s)/g;
  let start = 0;
  for (const match of text.matchAll(boundary)) {
    const end = match.index + match[0].length;
    if (match[0].startsWith('.') && ABBREVIATIONS.has(/([\p{L}.]+)$/u.exec(text.slice(start, match.index))?.[1]?.toLowerCase() ?? '')) continue;
    sentences.push(text.slice(start, end));
    start = end;
  }
  sentences.push(text.slice(start));
  return sentences.map((sentence) => sentence.trim()).filter((sentence) => sentence !== '');
}

/**
 * The cards of a guide: one per step, or in slow mode one per sentence of each step (the step's picture goes with
 * its first sentence). Returns null when slow mode makes more than MAX_GUIDE_CARDS cards.
 */
export function cardsOf(guide: Guide, slow: boolean): StepCard[] | null {
  const cards: StepCard[] = [];
  guide.steps.forEach((step, at) => {
    const texts = slow ? splitSentences(step.text) : [step.text];
    texts.forEach((text, sentence) => cards.push({ text, step: at + 1, ...(sentence === 0 && step.image ? { image: step.image } : {}) }));
  });
  return cards.length <= MAX_GUIDE_CARDS ? cards : null;
}
