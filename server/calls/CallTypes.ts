import type { SpeechRecognizer } from '../captions/index.js';
import type { AgentProfile, CallEndReason, CallMode, Device, QueueName, ServerEventName, ServerEventPayload } from '../../signaling/index.js';
import type { MediaRoom } from '../../media/MediaEngine.js';
import type { Logger } from '../logger.js';
import type { QualityRecords } from '../quality/QualityRecords.js';
import type { TranscriptStore } from '../transcripts/TranscriptStore.js';

/** How a call reaches its participants: pushes to participant keys (Socket.IO rooms, on every node). */
export interface Messenger {
  /** Sends a push to every connection of the given participants. */
  push<E extends ServerEventName>(to: string | readonly string[], event: E, payload: ServerEventPayload<E>): void;
}

/** What a call is about, from its ticket. */
export interface CallTicket {
  id: string;
  mode: CallMode;
  /** The queue the call was answered from, for service levels. */
  queue: QueueName;
  topic: string;
  /** The device the customer needs help with. */
  device: Device;
  /** The customer asked for live captions of speech. */
  captions: boolean;
}

/** Options of a call. */
export interface CallOptions {
  id: string;
  ticket: CallTicket;
  agent: AgentProfile;
  /** The call's media room, already created. */
  room: MediaRoom;
  /**
   * A fresh media room for the call when its room is lost underneath (its SFU worker died): the participants join it
   * as after a reload and the call goes on. Without it, or when it fails, such a call ends.
   */
  replaceRoom?: (() => Promise<MediaRoom>) | undefined;
  messenger: Messenger;
  quality: QualityRecords;
  transcripts: TranscriptStore;
  log: Logger;
  /** An RTT line nobody added to for this long goes into the transcript as it stands. */
  rttLinePauseMs: number;
  /** How long a participant who lost the connection has to come back. */
  reconnectGraceMs: number;
  /** Turns speech into captions; without it (CAPTIONS=off) no call has captions. */
  recognizer?: SpeechRecognizer | undefined;
  /** Messages per second (on average, and in a burst) a participant's data channel may bring. */
  dataRate: { perSec: number; burst: number };
  now?: () => number;
}

/** Events a call emits to its owner. */
export interface CallEvents {
  /** The call ended for everyone; emitted once, last. */
  ended: [reason: CallEndReason];
  /** The call's agent lost the connection and did not come back within the grace period; the call is still up. */
  agentLost: [];
  /** A technician left the call, which goes on (hung up, signed out, or not back within the grace period). */
  left: [key: string];
}
