import type { CallStarted, ParticipantRole } from '../../../signaling/index.js';
import { translate, type Value } from '../i18n.js';
import type { SignalingClient } from '../net/SignalingClient.js';
import { byId } from './dom.js';
import type { Stage, StageListener } from './Stage.js';

/** Feeds the other participants' signing states (only states ever arrive, never landmarks) into the stage. */
export function followSigning(client: SignalingClient, stage: () => Stage | null, call: () => CallStarted | null): void {
  client.on('call:peerSigning', ({ sessionId, role, signing }) => {
    if (call()?.sessionId === sessionId) stage()?.setSigning(role, signing);
  });
}

/** A stage listener that shows "… is signing" over the large view while the participant there signs. */
export function signingLabel(elementId: string, nameOf: (role: ParticipantRole) => Value): StageListener {
  const element = byId(elementId);
  return (current, signing) => {
    const shown = current !== null && signing.has(current);
    element.hidden = !shown;
    element.dataset.signing = String(shown);
    if (current !== null && shown) translate(element, 'call.peerSigning', { name: nameOf(current) });
  };
}
