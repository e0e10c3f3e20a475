import { SURVEY_COMMENT_MAX, type SurveyAnswer, type SurveySubmit } from '../../../signaling/index.js';
import { t, translate } from '../i18n.js';
import { RequestError } from '../net/SignalingClient.js';

/**
 * The faces of the rating scale, 1 to 5; each has a visible word beside it, so the picture is never the only cue.
 * Unicode 6.0 faces only: 🙁 and 🙂 (7.0) are missing from common fonts and showed as empty boxes.
 */
const FACES = ['😞', '😟', '😐', '😊', '😄'] as const;
const RATING_WORDS = ['survey.rating1', 'survey.rating2', 'survey.rating3', 'survey.rating4', 'survey.rating5'] as const;

/** What the survey needs from its page. */
export interface SurveyFormOptions {
  /** Sends the answer; rejects with a RequestError (CONFLICT: answered already). */
  submit(answer: SurveySubmit): Promise<SurveyAnswer>;
  /** Called once the answer is stored (or was already). */
  onDone?(): void;
}

/**
 * The satisfaction survey: a scale of five faces with words, "was it solved?", an optional comment. Native radio
 * groups in fieldsets, so arrow keys and screen readers work as everywhere; big targets; no sound.
 */
export class SurveyForm {
  readonly #form: HTMLFormElement;
  readonly #status: HTMLElement;
  readonly #options: SurveyFormOptions;

  constructor(container: HTMLElement, options: SurveyFormOptions) {
    this.#options = options;
    this.#form = document.createElement('form');
    this.#form.className = 'survey';
    this.#form.noValidate = true;
    const rating = fieldset('survey.rating', FACES.map((face, index) => choice('rating', String(index + 1), face, RATING_WORDS[index]!)));
    rating.classList.add('survey-scale');
    const solved = fieldset('survey.solved', [choice('solved', 'yes', '✔', 'survey.yes'), choice('solved', 'no', '✘', 'survey.no')]);
    solved.classList.add('survey-solved');
    const commentLabel = document.createElement('label');
    const commentText = document.createElement('span');
    translate(commentText, 'survey.comment');
    const comment = Object.assign(document.createElement('textarea'), { name: 'comment', maxLength: SURVEY_COMMENT_MAX, rows: 3 });
    commentLabel.append(commentText, comment);
    const send = Object.assign(document.createElement('button'), { type: 'submit', className: 'primary survey-send' });
    translate(send, 'survey.send');
    this.#status = Object.assign(document.createElement('p'), { className: 'status survey-status' });
    this.#status.setAttribute('role', 'status');
    this.#status.setAttribute('aria-live', 'polite');
    const heading = document.createElement('h2');
    translate(heading, 'survey.heading');
    this.#form.append(heading, rating, solved, commentLabel, send, this.#status);
    this.#form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#send();
    });
    container.replaceChildren(this.#form);
  }

  /** Shows the stored answer instead of the questions. */
  showDone(): void {
    this.#form.querySelectorAll<HTMLElement>('fieldset, label, button').forEach((element) => (element.hidden = true));
    translate(this.#status, 'survey.thanks');
    this.#form.dataset.state = 'done';
  }

  async #send(): Promise<void> {
    const data = new FormData(this.#form);
    const rating = Number(data.get('rating'));
    const solved = data.get('solved');
    if (!rating || !solved) {
      translate(this.#status, 'survey.incomplete');
      this.#status.dataset.state = 'error';
      return;
    }
    const comment = String(data.get('comment') ?? '').trim();
    const button = this.#form.querySelector('button')!;
    button.disabled = true;
    try {
      await this.#options.submit({ rating, solved: solved === 'yes', ...(comment ? { comment } : {}) });
      this.#status.dataset.state = 'ok';
      this.showDone();
      this.#options.onDone?.();
    } catch (error) {
      if (error instanceof RequestError && error.code === 'CONFLICT') {
        this.showDone();
        translate(this.#status, 'survey.already');
        this.#options.onDone?.();
        return;
      }
      this.#status.dataset.state = 'error';
      this.#status.textContent = t('error.generic', { message: error instanceof Error ? error.message : String(error) });
      button.disabled = false;
    }
  }
}

function fieldset(legendKey: 'survey.rating' | 'survey.solved', choices: HTMLElement[]): HTMLFieldSetElement {
  const set = document.createElement('fieldset');
  const legend = document.createElement('legend');
  translate(legend, legendKey);
  set.append(legend, ...choices);
  return set;
}

// The label wraps the radio, so the whole big tile is the target; the face is decoration, the word is its name.
function choice(name: string, value: string, icon: string, labelKey: Parameters<typeof t>[0]): HTMLLabelElement {
  const label = Object.assign(document.createElement('label'), { className: 'survey-choice' });
  const input = Object.assign(document.createElement('input'), { type: 'radio', name, value });
  const face = Object.assign(document.createElement('span'), { className: 'survey-icon', textContent: icon });
  face.setAttribute('aria-hidden', 'true');
  const word = document.createElement('span');
  translate(word, labelKey);
  label.append(input, face, word);
  return label;
}
