import type { Annotation, Annotator, ErrorBody, MediaSource, ParticipantRole, RttInboxMessage } from '../../../signaling/index.js';
import type { OutboundVideo } from './qualitySample.js';

/** How often a call reports its receive quality to the server. */
export const QUALITY_INTERVAL_MS = 2_000;
/** Receive-side figures read from WebRTC stats, for the UI and the tests. */
export interface ReceiveStats {
  video: {
    framesDecoded: number;
    framesPerSecond: number;
    frameWidth: number;
    frameHeight: number;
    /** Cumulative, as in the W3C stats: seconds held in the jitter buffer over the frames it emitted. */
    jitterBufferDelay: number;
    jitterBufferEmittedCount: number;
    /** Cumulative like jitterBufferDelay: the delay the buffer aimed for, and the part of it the network needs. */
    jitterBufferTargetDelay: number;
    jitterBufferMinimumDelay: number;
    freezeCount: number;
    packetsLost: number;
    nackCount: number;
    pliCount: number;
    /** Cumulative seconds spent decoding the frames counted in framesDecoded. */
    totalDecodeTime: number;
  } | null;
  audio: { packetsReceived: number; jitterBufferDelay: number; jitterBufferEmittedCount: number; jitterBufferTargetDelay: number; jitterBufferMinimumDelay: number } | null;
  /** For each restart of a remote audio track's reception so far, how long no audio arrived, ms (null: none within 5 s). */
  audioRestartGapsMs: (number | null)[];
  /** Latest round trip to the SFU from RTCP on this page's own video sending, ms; what the browser's receive side also uses. */
  rtcpRttMs: number | null;
}

/** The sources a participant shares for their detail: a screen, or a second camera showing the device. */
export type SharedSource = 'screen' | 'device';

/** A screen or device view another participant shares, in its own stream. */
export interface RemoteShare {
  /** The producer's id: what annotations name as their target. */
  producerId: string;
  from: ParticipantRole;
  source: SharedSource;
  stream: MediaStream;
}

/** Figures of a received shared view, from its consumer's stats. */
export interface ShareStats {
  producerId: string;
  framesDecoded: number;
  framesPerSecond: number;
  frameWidth: number;
  frameHeight: number;
}

/** Events a call reports to its page. */
export interface CallMediaHandlers {
  /** A remote participant's track arrived; `stream` holds all of that participant's tracks. */
  onRemoteTrack(stream: MediaStream, from: ParticipantRole): void;
  /** A remote participant has no tracks left (they left the call). */
  onRemoteGone?(from: ParticipantRole): void;
  /** Report receive quality to the server every QUALITY_INTERVAL_MS (calls do; an agent's station does not). */
  reportQuality?: boolean;
  /**
   * Open real-time text on the engine's data path (the SFU's data channels, LiveKit's data to the service): called
   * with the channel once it is open, or with null when it could not be opened or closed later (the page then keeps
   * real-time text on Socket.IO).
   */
  onRttChannel?(channel: TextChannel | null): void;
  /** A message from the real-time text inbox (another participant's text, or a refusal of this page's). */
  onRttMessage?(message: RttInboxMessage & { type: 'rtt' | 'refused' }): void;
  /** Another participant shares a screen or device view; `onShareGone` follows when they stop. */
  onShare?(share: RemoteShare): void;
  onShareGone?(producerId: string): void;
  /** Another participant's mark on a shared view, by the data channel or Socket.IO. */
  onAnnotation?(from: Annotator, annotation: Annotation): void;
  /** The server refused one of this page's marks (nothing of it reached anyone). */
  onAnnotationRefused?(error: ErrorBody): void;
}

/** A real-time text channel beside the media (an SFU data channel, or a LiveKit data topic). */
export interface TextChannel {
  /** Whether text can go out on the channel now. */
  readonly open: boolean;
  /** Sends T.140 text; throws when the channel has closed (the page falls back to Socket.IO). */
  send(chunk: string): void;
  /** Called once when the channel closes or fails after it opened. */
  onClosed(handler: () => void): void;
  /** Closes the channel. Idempotent. */
  close(): void;
}

/** One participant's media in one call, whichever engine carries it: what the pages use. */
export interface CallMedia {
  /** Joins the call's media, sends the local tracks and receives the other side's. */
  start(local: MediaStream | null): Promise<void>;
  /** Sends a mark on a shared view to the others: on a data channel when open, else over Socket.IO. */
  annotate(annotation: Annotation): Promise<void>;
  /** This page's own shared view, or null when it shares none. */
  readonly ownShare: { producerId: string; source: SharedSource } | null;
  /** Shares a screen or device view, or switches the current one of that source to this track without renegotiating. */
  share(track: MediaStreamTrack, source: SharedSource, onEnded?: () => void): Promise<string>;
  /** Stops this page's shared view, if any; the others see it go. */
  stopShare(): Promise<void>;
  /** Whether media still flows both ways: after a signaling reconnect such a call goes on as it is. */
  readonly mediaConnected: boolean;
  /** Pauses or resumes sending a source (mute, camera off). */
  setPaused(source: MediaSource, paused: boolean): Promise<void>;
  /** Receive figures of the other side's camera and microphone. */
  receiveStats(): Promise<ReceiveStats>;
  /** Figures of each shared view this page receives. */
  shareStats(): Promise<ShareStats[]>;
  /** The outgoing camera's figures, one entry per encoding; empty when not sending. */
  sendStats(): Promise<OutboundVideo[]>;
  /** Stops everything this call opened. Idempotent; the local stream stays open for the next call. */
  close(): void;
}

/** Hands a real-time text inbox message to the page's handler for its kind ('ready' is the call's own business). */
export function dispatchInbox(message: RttInboxMessage, handlers: CallMediaHandlers): void {
  if (message.type === 'annotation') handlers.onAnnotation?.(message.from, message.annotation);
  else if (message.type === 'refused' && message.channel === 'annotation') handlers.onAnnotationRefused?.(message.error);
  else if (message.type !== 'ready') handlers.onRttMessage?.(message);
}

/**
 * Video before audio: the other side's picture is what a signer waits for, and starting the local encoder at the same
 * moment slows the first remote frame on a busy device.
 */
export function videoFirst<T extends { kind: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => Number(b.kind === 'video') - Number(a.kind === 'video'));
}
