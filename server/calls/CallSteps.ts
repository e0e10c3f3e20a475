import type { CallEventName, Guide, GuideSent, Speaker, StepReplyKind, StepsState } from '../../signaling/index.js';
import { AppError, cardsOf, ErrorCode, MAX_GUIDE_CARDS } from '../../signaling/index.js';
import { KeyedBuckets } from '../socket/TokenBucket.js';
import type { Messenger } from './CallTypes.js';
import { StepProgress } from './StepProgress.js';

/** What a call's step-by-step guidance works with. */
export interface CallStepsOptions {
  sessionId: string;
  messenger: Messenger;
  /** The participant keys of everyone in the call now. */
  keys: () => string[];
  /** Adds a call event to the ticket's transcript. */
  record: (speaker: Speaker, event: CallEventName, text: string) => void;
  now: () => number;
}

/**
 * Guides a participant may send, per second and in a burst: a guide can carry pictures (hundreds of kB to every
 * page), and no agent needs more than a few in a row.
 */
const GUIDE_RATE = { perSec: 0.2, burst: 3 } as const;
/** Resends and jumps a participant may make, per second and in a burst: clicking through a guide, not a flood of pictures. */
const SHOW_RATE = { perSec: 2, burst: 10 } as const;

/** Which answer becomes which transcript event. */
const ANSWER_EVENTS: Record<StepReplyKind, CallEventName> = { done: 'step-done', again: 'step-again', stuck: 'step-stuck' };

/**
 * The step-by-step guidance of one call: the guide in progress (one at a time; a new one replaces it), its pushes
 * to every page, and its transcript events (each card shown and each answer), so the steps travel with the ticket.
 * Who may do what is the call's to check; the progress itself is `StepProgress`.
 */
export class CallSteps {
  readonly #options: CallStepsOptions;
  #progress: StepProgress | undefined;
  #guide: { id: string; title: string; slow: boolean; from: Speaker } | undefined;
  #sent = 0;
  readonly #guideBuckets = new KeyedBuckets(GUIDE_RATE);
  readonly #showBuckets = new KeyedBuckets(SHOW_RATE);

  constructor(options: CallStepsOptions) {
    this.#options = options;
  }

  /** A participant sends a guide: its first card goes in front of the customer; an earlier guide ends. */
  send(key: string, from: Speaker, guide: Guide, slow: boolean): GuideSent {
    if (!this.#guideBuckets.take(key)) throw new AppError(ErrorCode.RateLimited, 429, 'too many guides at once; wait a few seconds');
    const cards = cardsOf(guide, slow);
    if (!cards) throw AppError.badRequest(`in slow mode this guide makes more than ${MAX_GUIDE_CARDS} cards; send fewer or shorter steps`);
    const progress = new StepProgress(this.#sent + 1, cards);
    this.#sent = progress.guideNo;
    this.#progress = progress;
    this.#guide = { id: guide.id, title: guide.title, slow, from };
    this.#options.record(from, 'guide-sent', guide.title);
    this.#recordShown(from, progress.current);
    this.#push(this.#options.keys(), true);
    return { guideNo: progress.guideNo, cards: cards.length };
  }

  /** A participant puts a card in front of the customer: again, with a new picture, or another card. */
  show(key: string, from: Speaker, guideNo: number, index: number, image: string | undefined): void {
    if (!this.#showBuckets.take(key)) throw new AppError(ErrorCode.RateLimited, 429, 'too many steps shown at once; slow down');
    const progress = this.#inProgress();
    progress.show(guideNo, index, image);
    this.#recordShown(from, index);
    this.#push(this.#options.keys(), image !== undefined);
  }

  /** The customer's answer to the card in front of them; "done" moves them on to the next. */
  answer(speaker: Speaker, guideNo: number, index: number, reply: StepReplyKind): void {
    const progress = this.#inProgress();
    const next = progress.answer(guideNo, index, reply, this.#options.now());
    this.#options.record(speaker, ANSWER_EVENTS[reply], position(index, progress));
    if (next !== null) this.#recordShown(this.#guide!.from, next);
    this.#push(this.#options.keys(), false);
  }

  /** Gives a page that joined or came back the guide in progress, cards and all. */
  showTo(key: string): void {
    if (this.#progress) this.#push([key], true);
  }

  /** A participant left: their rate limits go with them. */
  forget(key: string): void {
    this.#guideBuckets.forget(key);
    this.#showBuckets.forget(key);
  }

  #inProgress(): StepProgress {
    if (!this.#progress) throw AppError.invalidState('no guide is in progress in this call');
    return this.#progress;
  }

  #recordShown(from: Speaker, index: number): void {
    const progress = this.#progress!;
    const card = progress.cards[index]!;
    this.#options.record(from, 'step-shown', `${position(index, progress)}: ${card.text}${card.image ? ' [picture]' : ''}`);
  }

  #push(to: readonly string[], withCards: boolean): void {
    const progress = this.#progress!;
    const guide = this.#guide!;
    const state: StepsState = {
      sessionId: this.#options.sessionId,
      guideNo: progress.guideNo,
      guideId: guide.id,
      title: guide.title,
      slow: guide.slow,
      from: guide.from,
      ...(withCards ? { cards: [...progress.cards] } : {}),
      statuses: [...progress.statuses],
      current: progress.current,
      shown: progress.shown,
      lastReply: progress.lastReply,
    };
    this.#options.messenger.push(to, 'call:steps', state);
  }
}

/** "2/5": a card's place in its guide, as the transcript says it. */
function position(index: number, progress: StepProgress): string {
  return `${index + 1}/${progress.cards.length}`;
}
