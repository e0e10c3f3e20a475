import { AppError, type StepAnswer, type StepCard, type StepReplyKind, type StepStatus } from '../../signaling/index.js';

/**
 * Where the customer is in one guide: which card is in front of them, how each card went, their last answer. Pure:
 * no I/O, no clock. Exactly one card is current (or stuck) until the last is done, and only an answer to that card
 * of this guide is taken; anything else throws before a thing changes, so a double press or a page that fell behind
 * can never skip a card. The guide moves on only when the customer says "done": nothing advances by itself.
 */
export class StepProgress {
  /** The guide's number in its call. */
  readonly guideNo: number;
  readonly #cards: StepCard[];
  readonly #statuses: StepStatus[];
  #current = 0;
  #shown = 1;
  #lastReply: StepAnswer | null = null;

  constructor(guideNo: number, cards: readonly StepCard[]) {
    if (cards.length === 0) throw new TypeError('a guide needs at least one card');
    this.guideNo = guideNo;
    this.#cards = [...cards];
    this.#statuses = cards.map((_, at) => (at === 0 ? 'current' : 'pending'));
  }

  /** The cards, in order. */
  get cards(): readonly StepCard[] {
    return this.#cards;
  }

  /** Each card's status, in order. */
  get statuses(): readonly StepStatus[] {
    return this.#statuses;
  }

  /** The index of the card in front of the customer; the number of cards once all are done. */
  get current(): number {
    return this.#current;
  }

  /** How often the current card was put in front of the customer (first showing, "show again", a resend). */
  get shown(): number {
    return this.#shown;
  }

  /** The customer's last answer, if any. */
  get lastReply(): StepAnswer | null {
    return this.#lastReply;
  }

  /** Every card is done. */
  get finished(): boolean {
    return this.#current >= this.#cards.length;
  }

  /**
   * The customer's answer to card `index` of guide `guideNo`. Returns the index of the card now in front of them
   * when "done" moved them on, else null. Throws INVALID_STATE for any card but the current one of this guide.
   */
  answer(guideNo: number, index: number, reply: StepReplyKind, at: number): number | null {
    if (guideNo !== this.guideNo) throw AppError.invalidState(`guide ${guideNo} is no longer in progress (guide ${this.guideNo} is)`);
    if (this.finished) throw AppError.invalidState('every step of this guide is done already');
    if (index !== this.#current) throw AppError.invalidState(`step ${index + 1} is not the one in front of the customer (step ${this.#current + 1} is)`);
    this.#lastReply = { index, reply, at };
    switch (reply) {
      case 'done':
        this.#statuses[index] = 'done';
        this.#current = index + 1;
        this.#shown = 1;
        if (this.finished) return null;
        this.#statuses[this.#current] = 'current';
        return this.#current;
      case 'again':
        this.#shown++;
        return null;
      case 'stuck':
        this.#statuses[index] = 'stuck';
        return null;
    }
  }

  /**
   * Puts card `index` in front of the customer: the same card again (a resend, perhaps with a new picture), or another
   * one (back or ahead); a card left undone goes back to pending. Throws INVALID_STATE for another guide or a card
   * it does not have.
   */
  show(guideNo: number, index: number, image?: string): void {
    if (guideNo !== this.guideNo) throw AppError.invalidState(`guide ${guideNo} is no longer in progress (guide ${this.guideNo} is)`);
    const card = this.#cards[index];
    if (!card) throw AppError.invalidState(`this guide has no step ${index + 1}`);
    if (image !== undefined) this.#cards[index] = { ...card, image };
    if (index === this.#current) this.#shown++;
    else {
      if (!this.finished && this.#statuses[this.#current] !== 'done') this.#statuses[this.#current] = 'pending';
      this.#current = index;
      this.#shown = 1;
    }
    this.#statuses[index] = 'current';
  }
}
