import { z } from 'zod';
import { agentWrapUpSchema, dispositionSchema, idSchema, transcriptLineSchema, WRAP_UP_SUMMARY_MAX, type AgentWrapUp, type TranscriptLine } from '../../../signaling/index.js';
import { translate } from '../i18n.js';
import { sessionValue } from '../net/sessionValue.js';
import { lineWords, speakerLabel } from '../text/transcriptText.js';
import { renderLine } from '../text/TextPanel.js';

/** How the panel is made. */
export interface WrapUpPanelOptions {
  /** The panel's element in the page (`#wrap-up`), with its form, timer and transcript list. */
  root: HTMLElement;
  /** Files the wrap-up; rejects with the server's coded error, which the panel leaves to the page to show. */
  submit: (wrapUp: AgentWrapUp) => Promise<void>;
  onFiled: (ticketId: string) => void;
  onError: (error: unknown) => void;
  /** The signed-in agent: a kept wrap-up comes back only to the agent who left it. */
  agentId: () => string | null;
}

/**
 * An open wrap-up as the tab keeps it (sessionStorage) while it is not filed, so that a reload or a crashed tab signs
 * back in to it: the ticket and its transcript, written when it opens, and the notes so far, written as they are typed.
 */
const KEPT_KEY = 'signline.wrapUp';
const keptWrapUpSchema = z.object({ agentId: idSchema, ticketId: idSchema, lines: z.array(transcriptLineSchema).max(10_000), until: z.number().optional() });
const DRAFT_KEY = 'signline.wrapUpDraft';
const draftSchema = z.object({ ticketId: idSchema, disposition: z.union([dispositionSchema, z.literal('')]), summary: z.string().max(WRAP_UP_SUMMARY_MAX), followUp: z.boolean() });
type Draft = z.infer<typeof draftSchema>;

/** Keeps a value for this tab. */
function keep(key: string, value: unknown): void {
  try {
    sessionStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or refused: the panel works on; only a reload would lose what was not kept.
  }
}

/**
 * The agent's notes after a call: disposition, summary and follow-up, with the time left, beside the call's
 * transcript, each line of which can be added to the summary with one button (keyboard reachable). It stays open
 * after the time runs out, so the notes can still be filed, until they are or another call's wrap-up replaces it; until
 * then the tab keeps it, so a reload does not lose it (`restore`).
 */
export class WrapUpPanel {
  readonly #options: WrapUpPanelOptions;
  readonly #form: HTMLFormElement;
  readonly #summary: HTMLTextAreaElement;
  #ticketId: string | null = null;
  #timer: number | undefined;

  constructor(options: WrapUpPanelOptions) {
    this.#options = options;
    this.#form = options.root.querySelector<HTMLFormElement>('form')!;
    this.#summary = this.#form.querySelector<HTMLTextAreaElement>('textarea[name=summary]')!;
    this.#form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#submit();
    });
    this.#form.addEventListener('input', () => this.#keepDraft());
  }

  /** The ticket whose wrap-up is open, or null. */
  get ticketId(): string | null {
    return this.#ticketId;
  }

  /** Opens a fresh wrap-up of the ticket, its transcript beside it, counting down to `until` (epoch ms). */
  open(ticketId: string, lines: readonly TranscriptLine[], until: number | undefined): void {
    const { root } = this.#options;
    this.#ticketId = ticketId;
    this.#form.reset();
    translate(root.querySelector<HTMLElement>('#wrap-up-title')!, 'wrapUp.heading', { ticketId });
    const list = root.querySelector<HTMLOListElement>('#wrap-up-transcript')!;
    list.replaceChildren(...lines.map((line) => this.#lineItem(line)));
    if (lines.length === 0) {
      const empty = document.createElement('li');
      translate(empty, 'wrapUp.noTranscript');
      list.append(empty);
    }
    root.hidden = false;
    this.#countDown(until);
    this.#form.querySelector<HTMLSelectElement>('select')!.focus();
    const agentId = this.#options.agentId();
    if (agentId) keep(KEPT_KEY, { agentId, ticketId, lines, ...(until !== undefined ? { until } : {}) });
    sessionStorage.removeItem(DRAFT_KEY);
  }

  /** Opens again the wrap-up this tab kept for the signed-in agent, with the notes as they were; false when there is none. */
  restore(): boolean {
    const kept = sessionValue(KEPT_KEY, keptWrapUpSchema);
    if (!kept || kept.agentId !== this.#options.agentId()) return false;
    const draft = sessionValue(DRAFT_KEY, draftSchema);
    this.open(kept.ticketId, kept.lines, kept.until);
    if (draft?.ticketId !== kept.ticketId) return true;
    this.#form.querySelector<HTMLSelectElement>('select[name=disposition]')!.value = draft.disposition;
    this.#summary.value = draft.summary;
    this.#form.querySelector<HTMLInputElement>('input[name=followUp]')!.checked = draft.followUp;
    this.#keepDraft();
    return true;
  }

  /** Closes the panel, stops its countdown and forgets the kept copy. Idempotent. */
  close(): void {
    this.#ticketId = null;
    window.clearInterval(this.#timer);
    this.#options.root.hidden = true;
    sessionStorage.removeItem(KEPT_KEY);
    sessionStorage.removeItem(DRAFT_KEY);
  }

  /** Keeps the notes so far (the transcript was kept when the panel opened). */
  #keepDraft(): void {
    if (!this.#ticketId) return;
    const data = new FormData(this.#form);
    const draft: Draft = { ticketId: this.#ticketId, disposition: String(data.get('disposition') ?? '') as Draft['disposition'], summary: this.#summary.value, followUp: data.get('followUp') === 'on' };
    keep(DRAFT_KEY, draft);
  }

  #countDown(until: number | undefined): void {
    const time = this.#options.root.querySelector<HTMLElement>('#wrap-up-time')!;
    window.clearInterval(this.#timer);
    const tick = () => {
      const seconds = until === undefined ? 0 : Math.ceil((until - Date.now()) / 1000);
      if (seconds > 0) return translate(time, 'wrapUp.timeLeft', { seconds });
      translate(time, 'wrapUp.timeUp');
      window.clearInterval(this.#timer);
    };
    tick();
    this.#timer = window.setInterval(tick, 1000);
  }

  #lineItem(line: TranscriptLine): HTMLLIElement {
    const item = renderLine(line);
    const add = document.createElement('button');
    add.type = 'button';
    add.className = 'link';
    translate(add, 'wrapUp.addLine');
    add.addEventListener('click', () => {
      const text = line.kind === 'event' ? lineWords(line) : `${speakerLabel(line.speaker)}: ${line.text}`;
      const current = this.#summary.value;
      this.#summary.value = `${current}${current && !current.endsWith('\n') ? '\n' : ''}${text}`.slice(0, this.#summary.maxLength);
      this.#summary.focus();
      this.#keepDraft();
    });
    item.append(add);
    return item;
  }

  async #submit(): Promise<void> {
    const ticketId = this.#ticketId;
    if (!ticketId) return;
    const data = new FormData(this.#form);
    const parsed = agentWrapUpSchema.safeParse({
      ticketId,
      disposition: data.get('disposition'),
      summary: String(data.get('summary') ?? ''),
      followUp: data.get('followUp') === 'on',
    });
    // The form's own checks (a disposition chosen, the summary's length) normally stop this first.
    if (!parsed.success) {
      this.#form.reportValidity();
      return;
    }
    try {
      await this.#options.submit(parsed.data);
      this.close();
      this.#options.onFiled(ticketId);
    } catch (error) {
      this.#options.onError(error);
    }
  }
}
