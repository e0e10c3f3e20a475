import { AccessToken, TrackSource, type VideoGrant } from 'livekit-server-sdk';
import type { CallMode, MediaSource, ParticipantRole } from '../../signaling/index.js';

/** The LiveKit server's API key and secret (both sides of a token). */
export interface LiveKitKeys {
  apiKey: string;
  apiSecret: string;
}

/** Who a token is for: one participant of one call. */
export interface LiveKitParticipant {
  /** The call's session id: the LiveKit room, the only one the token opens. */
  room: string;
  /** The participant's id in the call: the token's identity. */
  identity: string;
  /** The name the others see. */
  name: string;
  role: ParticipantRole;
  /** How the call is held: a text call's customer sends no media at all. */
  mode: CallMode;
}

/** How long a token admits its holder to the room; a connected participant's session is renewed by the server itself. */
const TOKEN_TTL_SECONDS = 600;

/**
 * LiveKit's track source for each of ours. The device view (a phone's rear camera shown to the technician) goes as a
 * screen share: it is treated like one everywhere (detail first, frame rate given up before lines), and a phone, the
 * only sender of a device view, cannot share its screen.
 */
export const LIVEKIT_SOURCE: Record<MediaSource, TrackSource> = {
  camera: TrackSource.CAMERA,
  microphone: TrackSource.MICROPHONE,
  screen: TrackSource.SCREEN_SHARE,
  device: TrackSource.SCREEN_SHARE,
};

/**
 * What a participant may send, and nothing more: the customer of a text call sends no media (the call asked for no
 * camera or microphone), the customer of a voice call no camera; anyone may show a screen or a device, as with the
 * embedded engine. The list is what LiveKit enforces, so a source left out is refused by the server, not by our page.
 */
export function publishableSources(role: ParticipantRole, mode: CallMode): MediaSource[] {
  if (role !== 'customer') return ['camera', 'microphone', 'screen', 'device'];
  if (mode === 'text') return [];
  if (mode === 'voice') return ['microphone', 'screen', 'device'];
  return ['camera', 'microphone', 'screen', 'device'];
}

/**
 * The grant of one participant: join its call's room only, subscribe, use data (real-time text, annotations), publish
 * only `publishableSources`; never create, list, record or administer rooms, and never change its own name or role.
 */
export function grantFor(participant: Pick<LiveKitParticipant, 'room' | 'role' | 'mode'>): VideoGrant {
  const sources = [...new Set(publishableSources(participant.role, participant.mode).map((source) => LIVEKIT_SOURCE[source]))];
  return {
    room: participant.room,
    roomJoin: true,
    canSubscribe: true,
    canPublishData: true,
    canPublish: sources.length > 0,
    canPublishSources: sources,
    canUpdateOwnMetadata: false,
    roomCreate: false,
    roomList: false,
    roomRecord: false,
    roomAdmin: false,
    hidden: false,
  };
}

/** A signed token admitting the participant to their call's room for `TOKEN_TTL_SECONDS`, with `grantFor`'s rights. */
export async function tokenFor(keys: LiveKitKeys, participant: LiveKitParticipant): Promise<string> {
  const token = new AccessToken(keys.apiKey, keys.apiSecret, {
    identity: participant.identity,
    name: participant.name,
    ttl: TOKEN_TTL_SECONDS,
    metadata: JSON.stringify({ role: participant.role }),
  });
  token.addGrant(grantFor(participant));
  return token.toJwt();
}

/** The service's own participant in a call's room: subscribes (to tap audio) and sends data, publishes no media. */
export async function serviceTokenFor(keys: LiveKitKeys, room: string, identity: string): Promise<string> {
  const token = new AccessToken(keys.apiKey, keys.apiSecret, { identity, name: 'Signline', ttl: TOKEN_TTL_SECONDS });
  token.addGrant({ room, roomJoin: true, canSubscribe: true, canPublish: false, canPublishData: true, canUpdateOwnMetadata: false });
  return token.toJwt();
}
