import type { CallStarted, PeerSigning } from '../../../signaling/index.js';
import { translate } from '../i18n.js';
import type { SignalingClient } from '../net/SignalingClient.js';
import { byId } from './dom.js';

/** Shows "… is signing" while the other participant signs; hidden otherwise and when the call changes. */
export function showPeerSigning(client: SignalingClient, elementId: string, call: () => CallStarted | null): void {
  const element = byId(elementId);
  element.hidden = true;
  client.socket.on('call:peerSigning', ({ sessionId, signing }: PeerSigning) => {
    const current = call();
    if (current?.sessionId !== sessionId) return;
    element.hidden = !signing;
    element.dataset.signing = String(signing);
    translate(element, 'call.peerSigning', { name: current.peerName });
  });
}
