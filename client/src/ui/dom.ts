import { initialLocale, locale, setLocale } from '../i18n.js';

/** The element with this id; throws when the page lacks it. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`page has no #${id}`);
  return element as T;
}

/** Shows exactly one of the page's `section[data-view]` views. */
export function showView(name: string): void {
  document.querySelectorAll<HTMLElement>('section[data-view]').forEach((section) => {
    section.hidden = section.dataset.view !== name;
  });
  document.body.dataset.view = name;
}

/** Sets the language from the browser or the saved choice and wires the switch button. */
export function setUpLanguage(): void {
  setLocale(initialLocale());
  byId('lang-switch').addEventListener('click', () => setLocale(locale() === 'en' ? 'zh-CN' : 'en'));
}

/** Plays a stream in a video element; muted self views never echo. */
export function attachStream(video: HTMLVideoElement, stream: MediaStream | null): void {
  if (video.srcObject !== stream) video.srcObject = stream;
  if (stream) void video.play().catch(() => undefined);
}
