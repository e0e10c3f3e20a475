import type { MediaEngineKind } from '../../../signaling/index.js';
import type { SignalingClient } from '../net/SignalingClient.js';
import type { CallMedia, CallMediaHandlers } from './CallMedia.js';
import { LiveKitCall } from './LiveKitCall.js';
import { MediasoupCall } from './MediasoupCall.js';

/** The media client of a call on the engine `call:started` named. */
export function openCallMedia(engine: MediaEngineKind, signaling: SignalingClient, sessionId: string, handlers: CallMediaHandlers): CallMedia {
  switch (engine) {
    case 'mediasoup':
      return new MediasoupCall(signaling, sessionId, handlers);
    case 'livekit':
      return new LiveKitCall(signaling, sessionId, handlers);
  }
}
