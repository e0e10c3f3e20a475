import type { Caption, CaptionStatus } from '../../../signaling/index.js';
import { applyTranslations, translate } from '../i18n.js';
import type { SignalingClient } from '../net/SignalingClient.js';
import { speakerLabel, speakerName } from './transcriptText.js';

const STORAGE_KEY = 'signline.captions';
/** Caption text sizes the reader steps through, in rem. */
const SIZES = [1.25, 1.6, 2.1, 2.8] as const;

/** How a reader wants captions: size step and place (over the bottom of the video, or below it). */
interface CaptionSettings {
  size: number;
  position: 'over' | 'below';
}

function loadSettings(): CaptionSettings {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as Partial<CaptionSettings> | null;
    const size = Number.isInteger(saved?.size) && saved!.size! >= 0 && saved!.size! < SIZES.length ? saved!.size! : 1;
    return { size, position: saved?.position === 'below' ? 'below' : 'over' };
  } catch {
    return { size: 1, position: 'over' };
  }
}

/**
 * Live captions of the call's speech: large, high-contrast, each utterance growing as it is recognized and settling
 * when it ends, with the speaker's name. The reader sets the size and whether captions sit over the video or below
 * it (kept for next time), and can scroll back through everything said; while they read back, new captions do not
 * pull them down. When recognition pauses the box says so, and says nothing more once it is back.
 */
export class CaptionView {
  readonly #box: HTMLElement;
  readonly #log: HTMLOListElement;
  readonly #status: HTMLElement;
  readonly #stage: HTMLElement;
  readonly #sessionId: string;
  readonly #lines = new Map<string, HTMLLIElement>();
  readonly #paused = new Set<string>();
  readonly #unsubscribe: (() => void)[] = [];
  #settings = loadSettings();

  /** Places the captions box with `stage` (the call's video), listening to `signaling` for this session's captions. */
  constructor(stage: HTMLElement, signaling: SignalingClient, sessionId: string) {
    this.#stage = stage;
    this.#sessionId = sessionId;
    this.#box = document.createElement('section');
    this.#box.className = 'captions';
    this.#box.hidden = true;
    this.#box.innerHTML = `
      <h2 class="sr-only" data-i18n="captions.heading"></h2>
      <div class="captions-bar">
        <span class="captions-status" role="status" data-part="status"></span>
        <button type="button" data-part="smaller" data-i18n="captions.smaller"></button>
        <button type="button" data-part="larger" data-i18n="captions.larger"></button>
        <button type="button" data-part="move" aria-pressed="false"></button>
      </div>
      <ol class="captions-log" data-part="log" aria-live="polite"></ol>`;
    applyTranslations(this.#box);
    this.#log = this.#box.querySelector<HTMLOListElement>('[data-part=log]')!;
    this.#status = this.#box.querySelector<HTMLElement>('[data-part=status]')!;
    this.#box.querySelector('[data-part=smaller]')!.addEventListener('click', () => this.#resize(-1));
    this.#box.querySelector('[data-part=larger]')!.addEventListener('click', () => this.#resize(1));
    this.#box.querySelector('[data-part=move]')!.addEventListener('click', () => this.#move());
    this.#apply();
    this.#unsubscribe.push(
      signaling.on('caption', (caption) => {
        if (caption.sessionId === this.#sessionId) this.#show(caption);
      }),
      signaling.on('caption:status', (status) => {
        if (status.sessionId === this.#sessionId) this.#showStatus(status);
      }),
    );
  }

  /** Removes the box and stops listening. Idempotent. */
  close(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#box.remove();
  }

  #show(caption: Caption): void {
    let line = this.#lines.get(caption.captionId);
    if (!caption.text.trim()) {
      // An empty final: what sounded like speech was not words.
      line?.remove();
      this.#lines.delete(caption.captionId);
      return;
    }
    const following = this.#log.scrollHeight - this.#log.scrollTop - this.#log.clientHeight < 8;
    if (!line) {
      line = document.createElement('li');
      const who = document.createElement('span');
      who.className = 'caption-who';
      who.textContent = `${speakerLabel(caption.speaker)}: `;
      const words = document.createElement('span');
      words.className = 'caption-words';
      line.append(who, words);
      this.#log.append(line);
      this.#lines.set(caption.captionId, line);
    }
    line.querySelector('.caption-words')!.textContent = caption.text;
    line.dataset.final = String(caption.final);
    this.#box.hidden = false;
    if (following) this.#log.scrollTop = this.#log.scrollHeight;
  }

  #showStatus({ speaker, state }: CaptionStatus): void {
    const key = `${speaker.role}:${speaker.name}`;
    if (state === 'live') this.#paused.delete(key);
    else this.#paused.add(key);
    this.#box.dataset.state = this.#paused.size > 0 ? 'paused' : 'live';
    if (this.#paused.size > 0) {
      this.#box.hidden = false;
      translate(this.#status, state === 'off' ? 'captions.off' : 'captions.paused', { name: speakerName(speaker) });
    } else this.#status.textContent = '';
  }

  #resize(step: number): void {
    this.#settings.size = Math.min(SIZES.length - 1, Math.max(0, this.#settings.size + step));
    this.#apply();
  }

  #move(): void {
    this.#settings.position = this.#settings.position === 'over' ? 'below' : 'over';
    this.#apply();
  }

  #apply(): void {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(this.#settings));
    this.#box.style.setProperty('--caption-size', `${SIZES[this.#settings.size]}rem`);
    this.#box.dataset.position = this.#settings.position;
    const move = this.#box.querySelector<HTMLElement>('[data-part=move]')!;
    translate(move, this.#settings.position === 'over' ? 'captions.moveBelow' : 'captions.moveOver');
    move.setAttribute('aria-pressed', String(this.#settings.position === 'below'));
    if (this.#settings.position === 'over') this.#stage.append(this.#box);
    else this.#stage.after(this.#box);
    this.#log.scrollTop = this.#log.scrollHeight;
  }
}
