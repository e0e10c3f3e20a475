import type { PeerConnection } from '../../../signaling/index.js';
import { translate, type Value } from '../i18n.js';
import { cue } from './cues.js';

/** Who each notice shows as waiting for, by role and name, in the order they went. */
const waitingFor = new WeakMap<HTMLElement, Map<string, Value>>();

/**
 * Shows, over the call's video, that another participant lost the connection and the call waits for them to come
 * back (with a visual and vibration cue), or hides it once everyone is back (or a technician left for good). With
 * two away at once it names the one who went last, and the other once that one is back.
 */
export function showPeerConnection(element: HTMLElement, change: Pick<PeerConnection, 'role' | 'name' | 'connected' | 'left'>, shownAs: Value): void {
  const waiting = waitingFor.get(element) ?? new Map<string, Value>();
  waitingFor.set(element, waiting);
  const who = `${change.role}:${change.name}`;
  if (change.connected || change.left) waiting.delete(who);
  else waiting.set(who, shownAs);
  const last = [...waiting.values()].at(-1);
  element.hidden = last === undefined;
  if (last === undefined) return;
  translate(element, 'call.peerReconnecting', { name: last });
  if (!change.connected && !change.left) cue('attention');
}

/** The call is over: nobody is waited for. */
export function clearPeerConnections(element: HTMLElement): void {
  waitingFor.delete(element);
  element.hidden = true;
}
