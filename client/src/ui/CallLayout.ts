import { participantRoleSchema, type ParticipantRole } from '../../../signaling/index.js';
import { t, translate, translateAttribute, type Value } from '../i18n.js';
import { keepPin, readSplit, samePin, SPLIT, splitAfterKey, splitAfterPin, splitAt, togglePin, type Pane, type Pin } from './layoutChoice.js';
import type { Stage } from './Stage.js';

/** Options of a page's call layout. */
export interface CallLayoutOptions {
  /** The `.call-grid`: the signer's `.stage` and the `.shares` beside it. */
  grid: HTMLElement;
  /** The pane on the left on a wide screen (the technician's console puts what is shared first). */
  first: Pane;
  /** The first pane's share of the width until the viewer drags the separator. */
  defaultSplit: number;
  /** Where the viewer's split is remembered, per console. */
  storageKey: string;
  /** How a participant is named in the pin buttons' labels. */
  nameOf(role: ParticipantRole): Value;
}

/**
 * A page's call layout: pin buttons on every tile, and the separator between the signer's stage and the shared
 * views. A pinned person takes the stage's large view over the active-signer rule; a pinned share comes first among
 * the shares; either way the pinned tile's pane gets the larger part. The split is dragged or moved with the keys of
 * WAI-ARIA's window splitter and remembered. The decisions are `layoutChoice`'s; this class only reads and writes the
 * page, and follows tiles coming and going by watching the grid rather than being told by each part.
 */
export class CallLayout {
  readonly #options: CallLayoutOptions;
  readonly #separator: HTMLElement;
  readonly #largePin: HTMLButtonElement;
  readonly #large: HTMLVideoElement | null;
  readonly #watch: MutationObserver;
  #stage: Stage | null = null;
  #pin: Pin | null = null;
  #split: number;

  constructor(options: CallLayoutOptions) {
    this.#options = options;
    const { grid } = options;
    grid.dataset.first = options.first;
    this.#split = readSplit(localStorage.getItem(options.storageKey), options.defaultSplit);
    this.#separator = this.#makeSeparator();
    const stage = grid.querySelector<HTMLElement>('.stage');
    stage?.after(this.#separator);
    this.#large = stage?.querySelector<HTMLVideoElement>('#remote-view') ?? null;
    // The large view's button pins whoever is large at the moment it is pressed.
    this.#largePin = this.#makePinButton('');
    this.#largePin.classList.add('pin-large');
    stage?.append(this.#largePin);
    grid.addEventListener('click', (event) => {
      const button = (event.target as Element | null)?.closest<HTMLButtonElement>('button.pin');
      const target = button ? parsePin(button.dataset.pin ?? '') : null;
      if (target) this.#setPin(togglePin(this.#pin, target));
    });
    this.#watch = new MutationObserver(() => this.#refresh());
    this.#watch.observe(grid, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-role'] });
    this.#applySplit();
    this.#refresh();
  }

  /** The call's stage, whose large view a pinned person takes; null between calls. */
  attach(stage: Stage | null): void {
    this.#stage = stage;
    stage?.pin(this.#pin?.kind === 'person' ? this.#pin.role : null);
    this.#refresh();
  }

  /** A pin button for a person's small tile (given to the stage). */
  personButton(role: ParticipantRole): HTMLElement {
    return this.#makePinButton(`person:${role}`);
  }

  /** A pin button for a shared view (given to the shared views). */
  shareButton(producerId: string): HTMLElement {
    return this.#makePinButton(`share:${producerId}`);
  }

  /** The call ended: nothing stays pinned into the next one; the split stays, it is the viewer's. */
  reset(): void {
    this.#setPin(null);
  }

  #setPin(pin: Pin | null): void {
    const before = this.#pin;
    this.#pin = pin;
    this.#stage?.pin(pin?.kind === 'person' ? pin.role : null);
    const sharesShown = !(this.#options.grid.querySelector<HTMLElement>('.shares')?.hidden ?? true);
    if (pin && !samePin(before, pin) && sharesShown) {
      this.#split = splitAfterPin(this.#split, pin.kind === 'person' ? 'stage' : 'shares', this.#options.first);
      this.#applySplit();
    }
    this.#refresh();
  }

  /** Brings the pin buttons, the pinned share and the large view's button in line with the pin and the page. */
  #refresh(): void {
    const { grid } = this.#options;
    const figures = [...grid.querySelectorAll<HTMLElement>('.share[data-producer-id]')];
    const kept = keepPin(this.#pin, figures.map((figure) => figure.dataset.producerId!));
    if (kept !== this.#pin) this.#pin = kept;
    for (const figure of figures) figure.toggleAttribute('data-pinned', samePin(this.#pin, { kind: 'share', producerId: figure.dataset.producerId! }));
    grid.dataset.pinned = this.#pin?.kind === 'share' ? 'shares' : this.#pin?.kind === 'person' ? 'stage' : '';
    const largeRole = (this.#large?.dataset.role ?? null) as ParticipantRole | null;
    if (this.#largePin.hidden !== (largeRole === null)) this.#largePin.hidden = largeRole === null;
    if (largeRole !== null && this.#largePin.dataset.pin !== `person:${largeRole}`) this.#largePin.dataset.pin = `person:${largeRole}`;
    for (const button of grid.querySelectorAll<HTMLButtonElement>('button.pin')) {
      const target = parsePin(button.dataset.pin ?? '');
      const pressed = String(target !== null && samePin(this.#pin, target));
      if (button.getAttribute('aria-pressed') !== pressed) button.setAttribute('aria-pressed', pressed);
      if (target === null) continue;
      const [key, values] = target.kind === 'person' ? (['layout.pinPerson', { name: this.#options.nameOf(target.role) }] as const) : (['layout.pinShare', {}] as const);
      if (button.getAttribute('aria-label') !== t(key, values)) translateAttribute(button, 'aria-label', key, values);
    }
  }

  #makePinButton(pin: string): HTMLButtonElement {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'pin';
    button.dataset.pin = pin;
    button.setAttribute('aria-pressed', 'false');
    translate(button, 'layout.pin');
    return button;
  }

  #makeSeparator(): HTMLElement {
    const separator = document.createElement('div');
    separator.className = 'splitter';
    separator.tabIndex = 0;
    separator.setAttribute('role', 'separator');
    separator.setAttribute('aria-orientation', 'vertical');
    separator.setAttribute('aria-valuemin', String(Math.round(SPLIT.min * 100)));
    separator.setAttribute('aria-valuemax', String(Math.round(SPLIT.max * 100)));
    separator.addEventListener('keydown', (event) => {
      const next = splitAfterKey(this.#split, event.key);
      if (next === null) return;
      event.preventDefault();
      this.#moveSplit(next);
    });
    separator.addEventListener('pointerdown', (event) => {
      event.preventDefault();
      separator.setPointerCapture(event.pointerId);
      separator.focus();
    });
    separator.addEventListener('pointermove', (event) => {
      if (!separator.hasPointerCapture(event.pointerId)) return;
      const box = this.#options.grid.getBoundingClientRect();
      this.#moveSplit(splitAt(event.clientX, box.left, box.width, this.#split));
    });
    return separator;
  }

  #moveSplit(split: number): void {
    this.#split = split;
    localStorage.setItem(this.#options.storageKey, String(split));
    this.#applySplit();
  }

  #applySplit(): void {
    const { grid } = this.#options;
    grid.style.setProperty('--first', `${this.#split}fr`);
    grid.style.setProperty('--second', `${Math.round((1 - this.#split) * 100) / 100}fr`);
    const percent = Math.round(this.#split * 100);
    const stage = this.#options.first === 'stage' ? percent : 100 - percent;
    this.#separator.setAttribute('aria-valuenow', String(percent));
    translateAttribute(this.#separator, 'aria-valuetext', 'layout.splitValue', { stage, shares: 100 - stage });
    translateAttribute(this.#separator, 'aria-label', 'layout.split');
  }
}

/** A pin button's `data-pin` ("person:customer", "share:<producer id>") as a pin; null when it names nobody yet. */
function parsePin(value: string): Pin | null {
  const at = value.indexOf(':');
  const [kind, name] = [value.slice(0, at), value.slice(at + 1)];
  if (at < 0 || name === '') return null;
  const role = participantRoleSchema.safeParse(name);
  if (kind === 'person' && role.success) return { kind: 'person', role: role.data };
  if (kind === 'share') return { kind: 'share', producerId: name };
  return null;
}
