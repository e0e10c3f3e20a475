import type { StepCard as Card, StepReplyKind, StepsState } from '../../../signaling/index.js';
import { t, translate, translateAttribute } from '../i18n.js';
import { cue } from '../ui/cues.js';

/** Options of the customer's step card. */
export interface StepCardOptions {
  /** The element the card goes in. */
  container: HTMLElement;
  /** Sends the customer's answer to a card; rejects with the server's coded error. */
  reply(guideNo: number, index: number, reply: StepReplyKind): Promise<void>;
  onError(error: unknown): void;
}

/**
 * The customer's view of a guide: the card in front of them, large and high-contrast ("Step 2 of 5", its text, its
 * picture), with Done, Show again and I'm stuck. It shows what the server says and never moves on by itself: the
 * next card comes only after the customer's "done" came back as the new state. Each new card, and each repeat, is
 * announced through a live region, since a screen-reader user cannot see it change.
 */
export class StepCard {
  readonly #options: StepCardOptions;
  readonly #root: HTMLElement;
  readonly #title: HTMLElement;
  readonly #count: HTMLElement;
  readonly #text: HTMLElement;
  readonly #image: HTMLImageElement;
  readonly #actions: HTMLElement;
  readonly #note: HTMLElement;
  readonly #close: HTMLButtonElement;
  readonly #announcer: HTMLElement;
  readonly #buttons: Record<StepReplyKind, HTMLButtonElement>;
  /** The cards of the guide in progress, by its number: progress pushes come without them. */
  #cards: { guideNo: number; cards: Card[] } | null = null;
  #state: StepsState | null = null;
  #busy = false;

  constructor(options: StepCardOptions) {
    this.#options = options;
    const root = (this.#root = element('section', 'step-card'));
    root.hidden = true;
    root.setAttribute('aria-labelledby', 'step-card-count');
    this.#title = element('p', 'step-card-title');
    this.#count = element('h2', 'step-card-count');
    this.#count.id = 'step-card-count';
    this.#count.tabIndex = -1;
    this.#text = element('p', 'step-card-text');
    this.#image = Object.assign(document.createElement('img'), { className: 'step-card-image', hidden: true });
    this.#actions = element('div', 'step-card-actions');
    this.#buttons = { done: this.#button('done', 'steps.done'), again: this.#button('again', 'steps.again'), stuck: this.#button('stuck', 'steps.stuck') };
    this.#buttons.done.classList.add('primary');
    this.#actions.append(this.#buttons.done, this.#buttons.again, this.#buttons.stuck);
    this.#note = element('p', 'step-card-note');
    this.#note.setAttribute('role', 'status');
    this.#note.setAttribute('aria-live', 'polite');
    this.#announcer = element('p', 'sr-only');
    this.#announcer.setAttribute('role', 'status');
    this.#announcer.setAttribute('aria-live', 'assertive');
    const close = (this.#close = element('button', 'step-card-close') as HTMLButtonElement);
    close.type = 'button';
    translate(close, 'steps.close');
    close.addEventListener('click', () => (root.hidden = true));
    root.append(this.#title, this.#count, this.#text, this.#image, this.#actions, this.#note, close, this.#announcer);
    options.container.append(root);
  }

  /** Shows the state the server pushed. */
  show(state: StepsState): void {
    if (state.cards) this.#cards = { guideNo: state.guideNo, cards: state.cards };
    // Progress of a guide whose cards this page never had (it cannot happen in order, but a push is data).
    if (this.#cards?.guideNo !== state.guideNo) return;
    const previous = this.#state;
    this.#state = state;
    const cards = this.#cards.cards;
    const total = cards.length;
    const finished = state.current >= total;
    this.#root.hidden = false;
    this.#root.dataset.guideNo = String(state.guideNo);
    this.#root.dataset.index = String(state.current);
    this.#root.dataset.status = finished ? 'finished' : state.statuses[state.current]!;
    this.#root.classList.toggle('step-card--slow', state.slow);
    this.#title.textContent = state.title;
    this.#actions.hidden = finished;
    this.#close.hidden = !finished;
    const fresh = !previous || previous.guideNo !== state.guideNo || previous.current !== state.current || previous.shown !== state.shown || Boolean(state.cards);
    if (finished) {
      plain(this.#count, '');
      translate(this.#text, 'steps.finished');
      this.#image.hidden = true;
      plain(this.#note, '');
      if (fresh) this.#announce(t('steps.finished'));
      return;
    }
    const card = cards[state.current]!;
    translate(this.#count, 'steps.stepOf', { n: state.current + 1, total });
    plain(this.#text, card.text);
    this.#image.hidden = !card.image;
    if (card.image) {
      this.#image.src = card.image;
      translateAttribute(this.#image, 'alt', 'steps.imageAlt');
    } else this.#image.removeAttribute('src');
    if (state.statuses[state.current] === 'stuck') translate(this.#note, 'steps.stuckSent');
    else plain(this.#note, '');
    if (fresh) {
      this.#announce(t('steps.announce', { n: state.current + 1, total, text: card.text }));
      cue('step');
      // A repeat (or a new card) draws the eye again.
      this.#root.classList.remove('step-card--fresh');
      void this.#root.offsetWidth;
      this.#root.classList.add('step-card--fresh');
    }
  }

  /** Removes the card (the call ended). */
  close(): void {
    this.#root.remove();
    this.#cards = null;
    this.#state = null;
  }

  #button(reply: StepReplyKind, key: 'steps.done' | 'steps.again' | 'steps.stuck'): HTMLButtonElement {
    const button = element('button', 'step-card-button') as HTMLButtonElement;
    button.type = 'button';
    button.dataset.reply = reply;
    translate(button, key);
    button.addEventListener('click', () => void this.#answer(reply));
    return button;
  }

  // One answer at a time: a second press before the first came back would answer a card the customer has not seen.
  async #answer(reply: StepReplyKind): Promise<void> {
    const state = this.#state;
    if (!state || this.#busy || state.current >= state.statuses.length) return;
    this.#setBusy(true);
    try {
      await this.#options.reply(state.guideNo, state.current, reply);
    } catch (error) {
      this.#options.onError(error);
    } finally {
      this.#setBusy(false);
    }
  }

  #setBusy(busy: boolean): void {
    this.#busy = busy;
    this.#root.setAttribute('aria-busy', String(busy));
    for (const button of Object.values(this.#buttons)) button.disabled = busy;
  }

  #announce(message: string): void {
    // Cleared first, so the same words said twice (show again) are announced twice.
    this.#announcer.textContent = '';
    window.setTimeout(() => (this.#announcer.textContent = message), 50);
  }
}

/** Sets words that are not a translation (the guide's own), so a language switch leaves them alone. */
function plain(target: HTMLElement, text: string): void {
  delete target.dataset.i18n;
  target.textContent = text;
}

function element(tag: string, className: string): HTMLElement {
  return Object.assign(document.createElement(tag), { className });
}
