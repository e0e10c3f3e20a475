import type { EventEmitter } from 'node:events';
import type {
  CallMode,
  ConsumerInfo,
  DataConsumerInfo,
  MediaCapabilitiesReply,
  MediaEngineKind,
  ParticipantRole,
  LiveKitJoined,
  SfuJoined,
  MediaSource,
  NewProducer,
  TransportInfo,
} from '../signaling/index.js';

/** What a media room announces to the session that owns it. */
export interface MediaRoomEvents {
  /** A participant started sending; everyone else may consume it. */
  newProducer: [ownerId: string, producer: NewProducer];
  /** A producer closed; its consumers are gone. */
  producerClosed: [ownerId: string, producerId: string];
  /** A text message arrived on a participant's data channel; `label` says which channel. */
  dataMessage: [ownerId: string, label: string, text: string];
  /** A participant's data channel brought something that is not text; nothing of it went anywhere. */
  dataRefused: [ownerId: string, label: string, reason: string];
  /** The room closed; emitted last. */
  closed: [];
}

/** A participant's request to open a data channel to the server (the SCTP stream its browser chose). */
export interface DataChannelRequest {
  transportId: string;
  sctpStreamParameters: { streamId: number; ordered?: boolean };
  label: string;
  protocol: string;
}

/** The audio tap's output, the same for every engine: what speech recognizers take. */
export const AUDIO_TAP_FORMAT = {
  /** Samples per second. */
  sampleRate: 16_000,
  /** Mono: a recognizer hears one voice. */
  channels: 1,
  /** Samples in each `pcm` chunk: 20 ms. */
  chunkSamples: 320,
} as const;

/** What an audio tap announces. */
export interface AudioTapEvents {
  /** The next 20 ms of the producer's audio: `AUDIO_TAP_FORMAT.chunkSamples` signed 16-bit mono samples at 16 kHz. */
  pcm: [chunk: Int16Array];
  /** The tap failed and is closing; `closed` follows. */
  error: [error: Error];
  /** The tap closed: `close()`, its producer closed, or its room closed. Emitted last. */
  closed: [];
}

/**
 * One participant's audio leaving the SFU as PCM for a speech recognizer. It consumes the producer like any other
 * receiver, so opening or closing it leaves the call's media untouched. Gaps (loss, silence suppression, mute) come
 * out as silence, up to a second at a time, so a recognizer hears the pause that ends an utterance.
 */
export interface AudioTap extends EventEmitter<AudioTapEvents> {
  /** The producer being tapped. */
  readonly producerId: string;
  /** True once the tap closed. */
  readonly closed: boolean;
  /** Stops the tap. Idempotent; emits `closed` last. */
  close(): void;
}

/** What `MediaRoom.join` answers; the service adds the ICE servers. */
export type RoomJoined = Omit<SfuJoined, 'iceServers'> | Omit<LiveKitJoined, 'iceServers'>;

/**
 * The embedded SFU's transport-level requests: the browser drives mediasoup's transports, producers and consumers
 * through the service. An engine whose browsers connect to it directly (LiveKit) has none of them.
 */
export interface SfuSignaling {
  /** Creates a WebRTC transport owned by the participant. */
  createTransport(participantId: string, direction: 'send' | 'recv'): Promise<TransportInfo>;
  /** Completes the DTLS handshake parameters of the participant's transport. */
  connectTransport(participantId: string, transportId: string, dtlsParameters: unknown): Promise<void>;
  /** Starts receiving a track from the participant. */
  produce(
    participantId: string,
    request: { transportId: string; kind: 'audio' | 'video'; rtpParameters: unknown; source: MediaSource },
  ): Promise<{ producerId: string }>;
  /** Sends another participant's producer to this participant, paused until resumed. */
  consume(
    participantId: string,
    request: { transportId: string; producerId: string; rtpCapabilities: unknown },
  ): Promise<ConsumerInfo>;
  /** Resumes a consumer the participant owns. */
  resumeConsumer(participantId: string, consumerId: string): Promise<void>;
  /** Stops a consumer the participant owns (the browser restarts a track's reception with a new one). */
  closeConsumer(participantId: string, consumerId: string): void;
  /** Stops a producer the participant owns (a screen share ended); the others are told as for any closed producer. */
  closeProducer(participantId: string, producerId: string): void;
  /** Pauses or resumes a producer the participant owns (mute, camera off). */
  setProducerPaused(participantId: string, producerId: string, paused: boolean): Promise<void>;
  /**
   * Opens a participant's data channel to the server on its send transport. Its messages come out as `dataMessage`
   * events and go nowhere else: the room's owner decides what reaches whom.
   */
  produceData(participantId: string, request: DataChannelRequest): Promise<{ dataProducerId: string }>;
  /** Opens the server's channel to a participant (its inbox) on its receive transport. */
  consumeInbox(participantId: string, transportId: string): Promise<DataConsumerInfo>;
}

/**
 * One call's media: who is in it and what they send and receive, on any engine. Participants touch only their own
 * objects. This is what the call logic uses; `sfu` is what the embedded SFU's browsers additionally drive.
 */
export interface MediaRoom extends EventEmitter<MediaRoomEvents> {
  /** The session id the room belongs to. */
  readonly id: string;
  /** True once `close()` ran. */
  readonly closed: boolean;
  /** The engine the room is on. */
  readonly engine: MediaEngineKind;
  /** The embedded SFU's transport-level requests; undefined on an engine the browser reaches itself. */
  readonly sfu: SfuSignaling | undefined;
  /**
   * Enters a participant (again) and returns what their browser needs: on the SFU a receive transport, and a send
   * transport when asked; on LiveKit a token for this room that allows what their role may send.
   */
  join(participantId: string, options: { send: boolean; data?: boolean }): Promise<RoomJoined>;
  /** Whether the participant has joined. */
  has(participantId: string): boolean;
  /** The source of any producer in the room (a participant's or adopted), or undefined when there is none by that id. */
  producerSource(producerId: string): MediaSource | undefined;
  /**
   * Makes the producers a participant owns in another room of the same engine available here under the same
   * participant id (an agent's station feeding a call); they close when either room closes.
   */
  adoptProducers(participantId: string, source: MediaRoom): Promise<void>;
  /** Removes a participant's media and everything of it (they may join again, e.g. after a reload). */
  leave(participantId: string): void;
  /** Removes a participant for good: `leave`, and the producers adopted for it stop reaching the others. */
  remove(participantId: string): void;
  /** The participant's inbox is open on their side: `sendData` may use it. */
  confirmInbox(participantId: string): void;
  /** Sends text to a participant's inbox; false when they have no confirmed, open inbox. */
  sendData(participantId: string, text: string): boolean;
  /** Starts taking a producer's audio out as 16 kHz mono PCM; the tap closes with the producer or the room. */
  tapAudio(producerId: string): Promise<AudioTap>;
  /** Closes the room and everything in it, its audio taps included. Idempotent; emits `closed` last. */
  close(): void;
}

/** How a room is made. */
export interface RoomOptions {
  /** How the call is held: on LiveKit a text call's customer may send no media at all. */
  mode?: CallMode | undefined;
  /** Host the room beside this one (the agent's station), so its producers are forwarded without piping. */
  colocateWith?: MediaRoom | undefined;
  /** Who a participant is, as the others are told with each producer; 'agent' when not given. */
  roleOf?: ((participantId: string) => ParticipantRole) | undefined;
}

/** A media backend: the embedded mediasoup SFU or, for clusters, LiveKit. */
export interface MediaEngine {
  /** Which backend this is. */
  readonly kind: MediaEngineKind;
  /**
   * What every room of this engine can receive and send; the same for all rooms, so clients prepare before a call.
   * Empty on LiveKit, whose browsers negotiate with the LiveKit server itself.
   */
  readonly rtpCapabilities: MediaCapabilitiesReply['rtpCapabilities'];
  /** Whether agents keep a station (their media flowing between calls, adopted by each call); only the SFU's can. */
  readonly stations: boolean;
  /**
   * Creates the media room of a session. `colocateWith` hosts it beside another room (the agent's station), so
   * producers adopted from there are forwarded directly instead of piped.
   */
  createRoom(sessionId: string, options?: RoomOptions): Promise<MediaRoom>;
  /** Closes every room and worker. Idempotent. */
  close(): Promise<void>;
}
