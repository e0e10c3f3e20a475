import { MAX_GUIDE_STEPS, MAX_STEP_TEXT, type Guide, type Guides, type StepCard, type StepsState } from '../../../signaling/index.js';
import { t, translate, type Locale } from '../i18n.js';
import type { SignalingClient } from '../net/SignalingClient.js';
import { cue } from '../ui/cues.js';

/** Options of the console's step composer. */
export interface StepComposerOptions {
  /** The element the composer goes in. */
  container: HTMLElement;
  signaling: SignalingClient;
  sessionId: string;
  /** The guides to pick from, in the console's language. */
  guides: () => readonly Guide[];
  /** The shared screen's current frame with its marks, as a data URL; null when nothing is shared. */
  snapshot: () => string | null;
  onError(error: unknown): void;
}

/** The guides of the console's language, then those only the other language has (a file may lag in one language). */
export function guidesIn(guides: Guides, locale: Locale): Guide[] {
  const own = guides[locale];
  const other = guides[locale === 'en' ? 'zh-CN' : 'en'];
  const ids = new Set(own.map((guide) => guide.id));
  return [...own, ...other.filter((guide) => !ids.has(guide.id))];
}

/**
 * The agent's (or a technician's) side of step-by-step guidance: pick a guide from the file or write steps one per
 * line, choose slow (one short sentence per card), send; then follow where the customer is, card by card, with an
 * alert when they are stuck, and put the current card in front of them again, with a snapshot of the shared screen.
 */
export class StepComposer {
  readonly #options: StepComposerOptions;
  readonly #root: HTMLElement;
  readonly #form: HTMLFormElement;
  readonly #pick: HTMLSelectElement;
  readonly #preview: HTMLOListElement;
  readonly #own: HTMLElement;
  readonly #status: HTMLElement;
  readonly #progress: HTMLElement;
  readonly #progressTitle: HTMLElement;
  readonly #alert: HTMLElement;
  readonly #list: HTMLOListElement;
  #cards: { guideNo: number; cards: StepCard[] } | null = null;
  #state: StepsState | null = null;

  constructor(options: StepComposerOptions) {
    this.#options = options;
    const root = (this.#root = element('section', 'step-composer'));
    root.setAttribute('aria-labelledby', 'steps-heading');
    const heading = element('h2', '');
    heading.id = 'steps-heading';
    translate(heading, 'steps.heading');
    this.#form = element('form', 'step-form') as HTMLFormElement;
    this.#pick = document.createElement('select');
    this.#pick.name = 'guide';
    this.#preview = element('ol', 'step-preview') as HTMLOListElement;
    this.#own = element('div', 'step-own');
    const title = Object.assign(document.createElement('input'), { name: 'title', maxLength: 80, autocomplete: 'off' });
    const lines = Object.assign(document.createElement('textarea'), { name: 'lines', rows: 5 });
    this.#own.append(labelled('steps.title', title), labelled('steps.lines', lines));
    const slow = Object.assign(document.createElement('input'), { type: 'checkbox', name: 'slow' });
    const slowLabel = document.createElement('label');
    const slowText = element('span', '');
    translate(slowText, 'steps.slow');
    slowLabel.append(slow, ' ', slowText);
    const send = Object.assign(element('button', 'primary') as HTMLButtonElement, { type: 'submit' });
    send.dataset.part = 'send-guide';
    translate(send, 'steps.send');
    this.#form.append(labelled('steps.guide', this.#pick), this.#preview, this.#own, slowLabel, send);
    this.#status = element('p', 'step-status');
    this.#status.setAttribute('role', 'status');
    this.#status.setAttribute('aria-live', 'polite');
    this.#progress = element('div', 'step-progress-area');
    this.#progress.hidden = true;
    const progressHeading = element('h3', '');
    translate(progressHeading, 'steps.progress');
    this.#progressTitle = element('p', 'step-progress-title');
    this.#alert = element('p', 'step-alert');
    this.#alert.setAttribute('role', 'alert');
    this.#list = element('ol', 'step-progress') as HTMLOListElement;
    const resend = this.#action('steps.resend', 'resend', () => this.#showCurrent(undefined));
    const snap = this.#action('steps.snapshot', 'snapshot', () => {
      const image = this.#options.snapshot();
      if (image) this.#showCurrent(image);
      else translate(this.#status, 'steps.noShare');
    });
    const actions = element('div', 'step-progress-actions');
    actions.append(resend, snap);
    this.#progress.append(progressHeading, this.#progressTitle, this.#alert, this.#list, actions);
    root.append(heading, this.#form, this.#status, this.#progress);
    options.container.append(root);

    // The guides follow the console's language, which may switch at any time: the list is refreshed when opened.
    this.#fillGuides();
    this.#pick.addEventListener('focus', () => this.#fillGuides());
    this.#pick.addEventListener('change', () => this.#showPicked());
    this.#form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#send();
    });
    this.#showPicked();
  }

  /** Follows the state the server pushed: the progress list, and an alert when the customer is stuck. */
  update(state: StepsState): void {
    if (state.cards) this.#cards = { guideNo: state.guideNo, cards: state.cards };
    if (this.#cards?.guideNo !== state.guideNo) return;
    const previous = this.#state;
    this.#state = state;
    const cards = this.#cards.cards;
    this.#progress.hidden = false;
    this.#progressTitle.textContent = state.title;
    this.#list.replaceChildren(
      ...cards.map((card, index) => {
        const status = state.statuses[index]!;
        const item = element('li', 'step-item') as HTMLLIElement;
        item.dataset.status = status;
        if (index === state.current) item.setAttribute('aria-current', 'step');
        const text = element('span', 'step-item-text');
        text.textContent = card.text;
        const label = element('span', 'step-item-status');
        translate(label, `steps.status.${status}`);
        const show = this.#action('steps.show', 'show', () => this.#show(index, undefined));
        item.append(text, ' ', label, ' ', show);
        return item;
      }),
    );
    const stuck = state.current < cards.length && state.statuses[state.current] === 'stuck';
    this.#root.dataset.stuck = String(stuck);
    if (stuck) translate(this.#alert, 'steps.alertStuck', { n: state.current + 1, text: cards[state.current]!.text });
    else this.#alert.textContent = '';
    const reply = state.lastReply;
    const newReply = reply && reply.at !== previous?.lastReply?.at;
    if (newReply && reply.reply === 'stuck') cue('attention');
    if (state.current >= cards.length) translate(this.#status, 'steps.allDone');
    else if (newReply && reply.reply === 'again') translate(this.#status, 'steps.sawAgain', { n: reply.index + 1 });
  }

  /** Removes the composer (the call ended). */
  close(): void {
    this.#root.remove();
  }

  #fillGuides(): void {
    const chosen = this.#pick.value;
    const own = Object.assign(document.createElement('option'), { value: '' });
    translate(own, 'steps.writeOwn');
    const options = this.#options.guides().map((guide) => Object.assign(document.createElement('option'), { value: guide.id, textContent: guide.title }));
    this.#pick.replaceChildren(own, ...options);
    this.#pick.value = options.some((option) => option.value === chosen) ? chosen : '';
  }

  #picked(): Guide | undefined {
    return this.#options.guides().find((guide) => guide.id === this.#pick.value);
  }

  // A guide from the file shows its steps; writing one's own shows the title and the lines.
  #showPicked(): void {
    const guide = this.#picked();
    this.#own.hidden = guide !== undefined;
    this.#preview.hidden = guide === undefined;
    this.#preview.replaceChildren(...(guide?.steps ?? []).map((step) => Object.assign(document.createElement('li'), { textContent: step.text })));
  }

  // The guide as the server wants it, or a message for the agent; the server checks it all again.
  #guide(): Guide | string {
    const picked = this.#picked();
    if (picked) return picked;
    const data = new FormData(this.#form);
    const lines = String(data.get('lines') ?? '')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '');
    if (lines.length === 0) return t('steps.empty');
    if (lines.length > MAX_GUIDE_STEPS) return t('steps.tooMany', { max: MAX_GUIDE_STEPS });
    const long = lines.findIndex((line) => line.length > MAX_STEP_TEXT);
    if (long >= 0) return t('steps.tooLong', { n: long + 1, max: MAX_STEP_TEXT });
    const title = String(data.get('title') ?? '').trim() || t('steps.titleDefault');
    return { id: `own-${Date.now().toString(36)}`, title, steps: lines.map((text) => ({ text })) };
  }

  async #send(): Promise<void> {
    const guide = this.#guide();
    if (typeof guide === 'string') {
      this.#status.textContent = guide;
      return;
    }
    const slow = new FormData(this.#form).get('slow') === 'on';
    try {
      const sent = await this.#options.signaling.request('call:guide', { sessionId: this.#options.sessionId, guide, slow });
      translate(this.#status, 'steps.sent', { title: guide.title, cards: sent.cards });
    } catch (error) {
      this.#options.onError(error);
    }
  }

  #showCurrent(image: string | undefined): void {
    const state = this.#state;
    if (state && state.current < state.statuses.length) this.#show(state.current, image);
  }

  #show(index: number, image: string | undefined): void {
    const state = this.#state;
    if (!state) return;
    const request = { sessionId: this.#options.sessionId, guideNo: state.guideNo, index, ...(image ? { image } : {}) };
    this.#options.signaling.request('call:step', request).catch((error: unknown) => this.#options.onError(error));
  }

  #action(key: 'steps.resend' | 'steps.snapshot' | 'steps.show', part: string, run: () => void): HTMLButtonElement {
    const button = Object.assign(element('button', 'step-action') as HTMLButtonElement, { type: 'button' });
    button.dataset.part = part;
    translate(button, key);
    button.addEventListener('click', run);
    return button;
  }
}

function labelled(key: 'steps.guide' | 'steps.title' | 'steps.lines', control: HTMLElement): HTMLLabelElement {
  const label = document.createElement('label');
  const text = element('span', '');
  translate(text, key);
  label.append(text, ' ', control);
  return label;
}

function element(tag: string, className: string): HTMLElement {
  return Object.assign(document.createElement(tag), { className });
}
