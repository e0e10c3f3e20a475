/**
 * Events other contact-centre products ring or chime for are felt and seen here, never only heard: each cue vibrates
 * where the device can (a phone) and flashes the page's top bar, or lights it steadily when the user asked for reduced
 * motion. The page's own change (a view, a notice, a line of text) says what happened; the cue makes sure it is noticed
 * by someone who is watching the signer rather than the page's edge. The last cue is on `body[data-cue]` for tests.
 */

export type CueKind = 'offer' | 'answered' | 'next' | 'message' | 'step' | 'attention' | 'ended';

/** Vibration patterns, ms on and off: distinct rhythms, the longer ones for what needs an answer. */
const PATTERNS: Record<CueKind, number[]> = {
  offer: [400, 200, 400, 200, 400],
  answered: [300, 150, 300],
  next: [200, 100, 200],
  message: [120],
  step: [200],
  attention: [300, 150, 300, 150, 300],
  ended: [500],
};

/** How long the bar stays lit. */
const LIT_MS = 1500;
let unlight: number | undefined;

export function cue(kind: CueKind): void {
  navigator.vibrate?.(PATTERNS[kind]);
  document.body.dataset.cue = kind;
  document.body.classList.remove('cued');
  // Read layout so that removing and adding the class again restarts the flash.
  void document.body.offsetWidth;
  document.body.classList.add('cued');
  window.clearTimeout(unlight);
  unlight = window.setTimeout(() => document.body.classList.remove('cued'), LIT_MS);
}
