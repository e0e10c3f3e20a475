import type { CannedReply } from '../../../signaling/index.js';

/** Pickers made on this page, for their listboxes' ids. */
let pickers = 0;

/**
 * Canned replies for the agent's chat box, the way support consoles offer saved replies: type "/" and a few letters
 * (or press the Replies button) to list matches, ArrowUp/ArrowDown to choose, Enter or Tab to insert, Escape to close.
 * The inserted text stays editable before it is sent. A combobox with a listbox popup, per WAI-ARIA.
 */
export class CannedPicker {
  readonly #input: HTMLInputElement;
  readonly #list: HTMLElement;
  readonly #replies: () => readonly CannedReply[];
  #shown: readonly CannedReply[] = [];
  #active = 0;

  constructor(input: HTMLInputElement, list: HTMLElement, open: HTMLButtonElement, replies: () => readonly CannedReply[]) {
    this.#input = input;
    this.#list = list;
    this.#replies = replies;
    list.id ||= `canned-list-${++pickers}`;
    input.setAttribute('aria-controls', list.id);
    input.addEventListener('input', () => this.#filter());
    input.addEventListener('keydown', (event) => this.#key(event));
    input.addEventListener('blur', () => window.setTimeout(() => this.#hide(), 150));
    open.addEventListener('click', () => {
      this.#input.value = '/';
      this.#input.focus();
      this.#filter();
    });
  }

  #filter(): void {
    const value = this.#input.value;
    if (!value.startsWith('/')) return this.#hide();
    const query = value.slice(1).trim().toLowerCase();
    this.#shown = this.#replies().filter((reply) => !query || `${reply.id} ${reply.title} ${reply.text}`.toLowerCase().includes(query));
    this.#active = 0;
    this.#render();
  }

  #key(event: KeyboardEvent): void {
    if (this.#list.hidden) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      this.#active = (this.#active + step + this.#shown.length) % Math.max(1, this.#shown.length);
      this.#render();
    } else if ((event.key === 'Enter' || event.key === 'Tab') && this.#shown.length > 0) {
      event.preventDefault();
      this.#insert(this.#shown[this.#active]!);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      this.#hide();
    }
  }

  #insert(reply: CannedReply): void {
    this.#input.value = reply.text;
    this.#hide();
    this.#input.focus();
    this.#input.setSelectionRange(reply.text.length, reply.text.length);
  }

  #render(): void {
    const options = this.#shown.map((reply, index) => {
      const option = document.createElement('li');
      option.id = `${this.#list.id}-${index}`;
      option.setAttribute('role', 'option');
      option.setAttribute('aria-selected', String(index === this.#active));
      option.dataset.replyId = reply.id;
      const title = document.createElement('strong');
      title.textContent = reply.title;
      option.append(title, ' ', reply.text);
      // mousedown, not click: the input must not lose focus (and close the list) before the choice lands.
      option.addEventListener('mousedown', (event) => {
        event.preventDefault();
        this.#insert(reply);
      });
      return option;
    });
    this.#list.replaceChildren(...options);
    this.#list.hidden = options.length === 0;
    this.#input.setAttribute('aria-expanded', String(options.length > 0));
    if (options.length > 0) this.#input.setAttribute('aria-activedescendant', options[this.#active]!.id);
    else this.#input.removeAttribute('aria-activedescendant');
  }

  #hide(): void {
    this.#shown = [];
    this.#list.hidden = true;
    this.#list.replaceChildren();
    this.#input.setAttribute('aria-expanded', 'false');
    this.#input.removeAttribute('aria-activedescendant');
  }
}
