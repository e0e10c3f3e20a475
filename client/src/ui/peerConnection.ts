import { translate, type Value } from '../i18n.js';
import { cue } from './cues.js';

/**
 * Shows, over the call's video, that another participant lost the connection and the call waits for them to come
 * back (with a visual and vibration cue), or hides it once they are back.
 */
export function showPeerConnection(element: HTMLElement, connected: boolean, name: Value): void {
  element.hidden = connected;
  element.dataset.connected = String(connected);
  if (connected) return;
  translate(element, 'call.peerReconnecting', { name });
  cue('attention');
}
