import { T140, T140Buffer, T140Line, t140Edit, type CannedReply, type RttInboxMessage, type Speaker, type TranscriptLine } from '../../../signaling/index.js';
import type { TextChannel } from '../media/CallMedia.js';
import { applyTranslations, translate } from '../i18n.js';
import type { SignalingClient } from '../net/SignalingClient.js';
import { CannedPicker } from './CannedPicker.js';
import { lineTime, lineWords, mergeLine, speakerLabel } from './transcriptText.js';
import { cue } from '../ui/cues.js';

/** How real-time text travels: over the call's data channel through the SFU, or over the signaling connection. */
export type RttPath = 'data-channel' | 'socket';

/** Where this page's real-time text goes; the Socket.IO path is always there, the data channel when it opened. */
interface RttSender {
  readonly path: RttPath;
  send(chunk: string): Promise<void>;
}

/** Lines of another participant's text kept on screen; older ones are in the transcript. */
const SHOWN_LINES = 30;

/** How the panel is made. */
export interface TextPanelOptions {
  signaling: SignalingClient;
  sessionId: string;
  /** Canned replies for an agent (in the interface language), or none for a customer. */
  cannedReplies?: () => readonly CannedReply[];
  /** Called with every transcript line this page learns, in order (pages keep the transcript for saving). */
  onTranscript?: (lines: readonly TranscriptLine[]) => void;
}

/**
 * A call's text side, the same on every page: real-time text with a "you" area and one "them" area per other
 * participant (both can type at once, every key leaves as typed), chat with sent and delivered marks, and the live
 * transcript. Built into a container the page gives it; everything it shows is validated at the signaling edge.
 */
export class TextPanel {
  readonly #options: TextPanelOptions;
  readonly #root: HTMLElement;
  readonly #you: HTMLTextAreaElement;
  readonly #them: HTMLElement;
  readonly #pathLabel: HTMLElement;
  readonly #chatLog: HTMLOListElement;
  readonly #chatInput: HTMLInputElement;
  readonly #transcriptList: HTMLOListElement;
  readonly #lines: TranscriptLine[] = [];
  readonly #speakers = new Map<string, { line: T140Line; closed: HTMLElement; current: HTMLElement }>();
  readonly #unsubscribe: (() => void)[] = [];
  readonly #buffer: T140Buffer;
  readonly #socketSender: RttSender;
  #sender: RttSender;
  /** What the other side shows of this page's open line (what was sent so far). */
  #sentLine = '';
  #composing = false;
  /** Chat messages sent from this panel, for their client ids. */
  #sent = 0;
  #closed = false;

  constructor(container: HTMLElement, options: TextPanelOptions) {
    this.#options = options;
    this.#socketSender = socketSender(options.signaling, options.sessionId);
    this.#sender = this.#socketSender;
    this.#root = element('div', 'text-panel');
    this.#root.innerHTML = TEMPLATE;
    container.replaceChildren(this.#root);
    this.#you = this.#part<HTMLTextAreaElement>('rtt-you');
    this.#them = this.#part('rtt-them');
    this.#pathLabel = this.#part('rtt-path');
    this.#chatLog = this.#part<HTMLOListElement>('chat-log');
    this.#chatInput = this.#part<HTMLInputElement>('chat-input');
    this.#transcriptList = this.#part<HTMLOListElement>('transcript-list');
    applyTranslations(this.#root);
    this.#showPath();
    this.#buffer = new T140Buffer({ send: (chunk) => void this.#sender.send(chunk).catch(() => this.#showPath('failed')) });
    this.#wireYou();
    this.#wireChat();
    this.#subscribe();
    void this.#loadTranscript();
  }

  /** The transcript as this page has it, in order. */
  get lines(): readonly TranscriptLine[] {
    return this.#lines;
  }

  /**
   * Sends real-time text on the call's data channel from now on, or, with null (it could not open, or closed), on
   * the service connection. Text that finds the channel closed goes by the connection instead, so none is lost.
   */
  useChannel(channel: TextChannel | null): void {
    this.#sender = channel
      ? {
          path: 'data-channel',
          send: async (chunk) => {
            if (channel.open) return channel.send(chunk);
            this.useChannel(null);
            await this.#socketSender.send(chunk);
          },
        }
      : this.#socketSender;
    this.#showPath();
  }

  /** A message from the data channel's inbox: another participant's text, or why this page's was refused. */
  receiveInbox(message: RttInboxMessage & { type: 'rtt' | 'refused' }): void {
    if (message.type === 'rtt') {
      this.#count('rttByChannel');
      this.receiveRtt(message.speaker, message.text);
    } else {
      console.warn(`real-time text refused: ${message.error.code} ${message.error.message}`);
      this.#count('rttRefused');
      this.#showPath('failed');
    }
  }

  /** Another participant's real-time text, from whichever path brought it. */
  receiveRtt(speaker: Speaker, text: string): void {
    if (this.#closed) return;
    const key = `${speaker.role}:${speaker.name}`;
    let area = this.#speakers.get(key);
    if (!area) {
      const block = element('section', 'rtt-speaker');
      block.dataset.speaker = speaker.role;
      const heading = element('h3');
      heading.textContent = speakerLabel(speaker);
      const closed = element('div', 'rtt-closed');
      const current = element('p', 'rtt-current');
      current.setAttribute('aria-live', 'polite');
      block.append(heading, closed, current);
      this.#them.append(block);
      area = { line: new T140Line(), closed, current };
      this.#speakers.set(key, area);
      this.#part('rtt-them-empty').hidden = true;
    }
    const applied = area.line.apply(text);
    for (const line of applied.closed) area.closed.append(Object.assign(element('p'), { textContent: line }));
    while (area.closed.childElementCount > SHOWN_LINES) area.closed.firstElementChild?.remove();
    area.current.textContent = applied.current;
  }

  /** Stops listening and sends what is still buffered. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#buffer.flush();
    for (const off of this.#unsubscribe) off();
  }

  // Which path brought the others' text, and how often the server refused this page's, on the panel for support
  // staff and tests to read.
  #count(what: 'rttByChannel' | 'rttBySocket' | 'rttRefused'): void {
    this.#root.dataset[what] = String(Number(this.#root.dataset[what] ?? 0) + 1);
  }

  #part<T extends HTMLElement = HTMLElement>(name: string): T {
    return this.#root.querySelector<T>(`[data-part="${name}"]`)!;
  }

  #showPath(problem?: 'failed'): void {
    translate(this.#pathLabel, problem ? 'rtt.pathFailed' : this.#sender.path === 'data-channel' ? 'rtt.pathData' : 'rtt.pathSocket');
    this.#pathLabel.dataset.path = problem ?? this.#sender.path;
  }

  // Every change of the "you" area leaves as T.140: new characters, or backspaces and the new tail after an edit.
  // Enter ends the line (a line separator) and starts an empty one. While an input method composes (pinyin), the
  // half-made syllables stay home; the chosen characters leave when it commits.
  #wireYou(): void {
    const sync = () => {
      if (this.#composing) return;
      const value = this.#you.value;
      this.#buffer.add(t140Edit(this.#sentLine, value));
      this.#sentLine = value.replace(/\r\n|\r|\n/g, T140.lineSeparator);
    };
    this.#you.addEventListener('compositionstart', () => (this.#composing = true));
    this.#you.addEventListener('compositionend', () => {
      this.#composing = false;
      sync();
    });
    this.#you.addEventListener('input', sync);
    this.#you.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
      event.preventDefault();
      sync();
      this.#buffer.add(T140.lineSeparator);
      const said = this.#you.value.trim();
      if (said) {
        const mine = this.#part('rtt-mine');
        mine.append(Object.assign(element('p'), { textContent: said }));
        while (mine.childElementCount > SHOWN_LINES) mine.firstElementChild?.remove();
      }
      this.#you.value = '';
      this.#sentLine = '';
    });
  }

  #wireChat(): void {
    const form = this.#part<HTMLFormElement>('chat-form');
    const canned = this.#options.cannedReplies;
    if (canned) new CannedPicker(this.#chatInput, this.#part('canned-list'), this.#part<HTMLButtonElement>('canned-open'), canned);
    else this.#part('canned-open').hidden = true;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = this.#chatInput.value.trim();
      if (!text) return;
      this.#chatInput.value = '';
      void this.#sendChat(text);
    });
  }

  async #sendChat(text: string): Promise<void> {
    // Unique per page load, and unguessable enough for a retry key; crypto.randomUUID needs a secure context.
    const clientId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}-${++this.#sent}`;
    const item = this.#chatItem({ role: 'self', name: '' }, text, 'sending');
    item.dataset.clientId = clientId;
    try {
      const sent = await this.#options.signaling.request('text:chat', { sessionId: this.#options.sessionId, clientId, text });
      item.dataset.messageId = sent.messageId;
      // A delivered mark can come before the ack's reply is read; never step back from it.
      if (item.dataset.mark !== 'delivered') this.#mark(item, 'sent');
    } catch {
      this.#mark(item, 'failed');
    }
  }

  #chatItem(speaker: Speaker | { role: 'self'; name: string }, text: string, mark?: ChatMark): HTMLLIElement {
    const item = element('li', 'chat-item');
    item.dataset.from = speaker.role;
    const who = element('span', 'chat-who');
    if (speaker.role === 'self') translate(who, 'chat.you');
    else who.textContent = speakerLabel(speaker);
    const words = element('span', 'chat-text');
    words.textContent = text;
    item.append(who, words);
    if (mark) {
      item.append(element('span', 'chat-mark'));
      this.#mark(item, mark);
    }
    this.#chatLog.append(item);
    item.scrollIntoView({ block: 'nearest' });
    return item;
  }

  #mark(item: HTMLElement, mark: ChatMark): void {
    item.dataset.mark = mark;
    translate(item.querySelector<HTMLElement>('.chat-mark')!, `chat.mark.${mark}`);
  }

  #subscribe(): void {
    const { signaling, sessionId } = this.#options;
    this.#unsubscribe.push(
      signaling.on('text:rtt', (pushed) => {
        if (pushed.sessionId !== sessionId) return;
        this.#count('rttBySocket');
        this.receiveRtt(pushed.speaker, pushed.text);
      }),
      signaling.on('text:chat', (message) => {
        if (message.sessionId !== sessionId) return;
        this.#chatItem(message.speaker, message.text);
        cue('message');
        void signaling.request('text:chatDelivered', { sessionId, messageId: message.messageId }).catch(() => undefined);
      }),
      signaling.on('text:chatMark', ({ sessionId: id, messageId }) => {
        if (id !== sessionId) return;
        const item = this.#chatLog.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(messageId)}"]`);
        if (item) this.#mark(item, 'delivered');
      }),
      signaling.on('transcript:line', ({ sessionId: id, line }) => {
        if (id === sessionId) this.#addLines([line]);
      }),
    );
  }

  // A page that joins late or comes back after a reload sees the whole transcript so far; pushes fill in the rest.
  async #loadTranscript(): Promise<void> {
    try {
      const reply = await this.#options.signaling.request('text:transcript', { sessionId: this.#options.sessionId });
      this.#addLines(reply.lines);
    } catch {
      // The live pushes still arrive; the earlier lines show on the next (re)join.
    }
  }

  #addLines(lines: readonly TranscriptLine[]): void {
    let changed = false;
    for (const line of lines) changed = mergeLine(this.#lines, line) || changed;
    if (!changed) return;
    this.#transcriptList.replaceChildren(...this.#lines.map(renderLine));
    this.#transcriptList.lastElementChild?.scrollIntoView({ block: 'nearest' });
    this.#options.onTranscript?.(this.#lines);
  }
}

type ChatMark = 'sending' | 'sent' | 'delivered' | 'failed';

/** One transcript line as a list item: time, speaker and words, with its kind for styling. */
export function renderLine(line: TranscriptLine): HTMLLIElement {
  const item = element('li', 'transcript-line');
  item.dataset.kind = line.kind;
  const time = element('time');
  time.dateTime = new Date(line.at).toISOString();
  time.textContent = lineTime(line.at);
  const words = element('span', 'transcript-words');
  words.textContent = line.kind === 'event' ? lineWords(line) : `${speakerLabel(line.speaker)}: ${line.text}`;
  item.append(time, ' ', words);
  return item;
}

function socketSender(signaling: SignalingClient, sessionId: string): RttSender {
  return { path: 'socket', send: async (text) => void (await signaling.request('text:rtt', { sessionId, text })) };
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return node;
}

const TEMPLATE = `
  <section class="rtt" aria-labelledby="rtt-heading">
    <h2 id="rtt-heading" data-i18n="rtt.heading"></h2>
    <p class="hint" data-part="rtt-path" role="status"></p>
    <div class="rtt-them" data-part="rtt-them"><p class="hint" data-part="rtt-them-empty" data-i18n="rtt.nobodyYet"></p></div>
    <div class="rtt-mine" data-part="rtt-mine" aria-hidden="true"></div>
    <label class="rtt-you"><span data-i18n="rtt.you"></span>
      <textarea data-part="rtt-you" rows="2" autocomplete="off" spellcheck="false"></textarea></label>
  </section>
  <section class="chat" aria-labelledby="chat-heading">
    <h2 id="chat-heading" data-i18n="chat.heading"></h2>
    <ol class="chat-log" data-part="chat-log" aria-live="polite"></ol>
    <form class="chat-form" data-part="chat-form">
      <label><span class="sr-only" data-i18n="chat.label"></span>
        <input data-part="chat-input" maxlength="2000" autocomplete="off" role="combobox" aria-expanded="false" aria-autocomplete="list"></label>
      <button type="button" data-part="canned-open" data-i18n="canned.open" aria-haspopup="listbox"></button>
      <button type="submit" class="primary" data-i18n="chat.send"></button>
      <ul class="canned-list" data-part="canned-list" role="listbox" hidden></ul>
    </form>
  </section>
  <details class="transcript" open>
    <summary data-i18n="transcript.heading"></summary>
    <ol class="transcript-list" data-part="transcript-list"></ol>
  </details>`;
