import { EventEmitter } from 'node:events';
import { Room, RoomEvent, TrackKind, TrackSource, type RemoteParticipant, type RemoteTrack, type RemoteTrackPublication } from '@livekit/rtc-node';
import {
  AppError,
  mediaSourceSchema,
  RTT_INBOX_CHANNEL,
  type CallMode,
  type MediaPolicy,
  type MediaSource,
  type NewProducer,
  type ParticipantRole,
  type RttInboxMessage,
} from '../../signaling/index.js';
import type { AudioTap, MediaRoom, MediaRoomEvents, RoomJoined } from '../MediaEngine.js';
import { LiveKitAudioTap } from './LiveKitAudioTap.js';
import { serviceTokenFor } from './livekitAccess.js';
import type { LiveKitRooms, LiveKitServer } from './LiveKitRooms.js';

/** The identity of the service's own participant in every call's room: browsers give it no tile. */
export const SERVICE_IDENTITY = 'signline-service';
/** The topic the service sends each participant's inbox on (the same name as the SFU's inbox channel). */
export const INBOX_TOPIC = RTT_INBOX_CHANNEL.label;
/** The largest data message taken from a participant: T.140 and annotation messages are far smaller. */
const MAX_DATA_BYTES = 16_384;
/** How long the service waits for LiveKit to deliver a track it subscribed to for captions. */
const SUBSCRIBE_TIMEOUT_MS = 10_000;
/** One encoder and one strict decoder for every message (a message per keystroke): ignoreBOM keeps the byte order mark
 * a page sends to confirm its inbox, which decoders strip by default. */
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** What a LiveKit room of a call is made with. */
export interface LiveKitRoomOptions {
  server: LiveKitServer;
  rooms: LiveKitRooms;
  policy: MediaPolicy;
  mode: CallMode;
  roleOf: (participantId: string) => ParticipantRole;
}

/**
 * A call's media on a LiveKit server. Browsers connect to LiveKit themselves with a token for this room alone; the
 * service is a participant of its own (`SERVICE_IDENTITY`, through LiveKit's native SDK) that publishes nothing,
 * takes every participant's real-time text and annotations on data topics named like the SFU's channels (and passes
 * on only what the call logic allows, on each participant's inbox topic), and subscribes to a participant's audio
 * only to caption it. What happens in the room arrives on that participant's own connection, so the node hosting the
 * call knows it without webhooks.
 */
export class LiveKitRoom extends EventEmitter<MediaRoomEvents> implements MediaRoom {
  readonly id: string;
  readonly engine = 'livekit' as const;
  readonly sfu = undefined;
  readonly #options: LiveKitRoomOptions;
  readonly #room = new Room();
  readonly #joined = new Set<string>();
  readonly #inboxes = new Set<string>();
  readonly #taps = new Set<AudioTap>();
  /** Data the service sends goes out in order, one message after another. */
  #sending: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(id: string, options: LiveKitRoomOptions) {
    super();
    this.id = id;
    this.#options = options;
  }

  /** Makes the call's room on the LiveKit server and connects the service's participant to it. */
  static async open(id: string, options: LiveKitRoomOptions): Promise<LiveKitRoom> {
    await options.rooms.open(id, 8);
    const room = new LiveKitRoom(id, options);
    await room.#connect();
    return room;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async #connect(): Promise<void> {
    const { server } = this.#options;
    const token = await serviceTokenFor(server, this.id, SERVICE_IDENTITY);
    const room = this.#room;
    room.on(RoomEvent.TrackPublished, (publication, participant) => {
      const producer = this.#describe(publication, participant);
      if (producer) this.emit('newProducer', participant.identity, producer);
    });
    room.on(RoomEvent.TrackUnpublished, (publication, participant) => {
      if (publication.sid) this.emit('producerClosed', participant.identity, publication.sid);
    });
    room.on(RoomEvent.DataReceived, (payload, participant, _kind, topic) => this.#onData(payload, participant, topic));
    room.on(RoomEvent.ParticipantDisconnected, (participant) => this.#inboxes.delete(participant.identity));
    // LiveKit closed the room underneath (deleted, or the server went away): nobody can be served in it any more.
    room.on(RoomEvent.Disconnected, () => this.close());
    // The service reaches LiveKit where its REST API is (inside a deployment), not where browsers do. It subscribes to
    // nothing by itself: only the audio it taps (decoding every video here would cost the node a core per few calls).
    await room.connect(server.httpUrl.replace(/^http/, 'ws'), token, { autoSubscribe: false, dynacast: false });
  }

  async join(participantId: string, _options: { send: boolean; data?: boolean }): Promise<RoomJoined> {
    this.#assertOpen();
    const { rooms, policy, mode, roleOf } = this.#options;
    // A second join (reload) brings a new connection; LiveKit replaces the old one of the same identity.
    this.#inboxes.delete(participantId);
    const { url, token } = await rooms.admit({ room: this.id, identity: participantId, name: participantId, role: roleOf(participantId), mode });
    this.#assertOpen();
    this.#joined.add(participantId);
    return { engine: 'livekit', url, token, serviceIdentity: SERVICE_IDENTITY, policy };
  }

  has(participantId: string): boolean {
    return this.#joined.has(participantId);
  }

  producerSource(producerId: string): MediaSource | undefined {
    const found = this.#publication(producerId);
    return found ? sourceOf(found.publication) : undefined;
  }

  /** No stations on LiveKit: each console publishes its camera into the call itself. */
  async adoptProducers(): Promise<void> {
    throw AppError.invalidState('LiveKit rooms adopt no producers: agents keep no station on this engine');
  }

  leave(participantId: string): void {
    this.#joined.delete(participantId);
    this.#inboxes.delete(participantId);
    if (this.#closed) return;
    this.#options.rooms.remove(this.id, participantId).catch((error: unknown) => console.warn(`[media] LiveKit kept ${participantId} in ${this.id}`, error));
  }

  remove(participantId: string): void {
    this.leave(participantId);
  }

  /** The participant's byte order mark arrived with their identity: their inbox is open, and they are told so. */
  confirmInbox(participantId: string): void {
    if (!this.#joined.has(participantId)) return;
    this.#inboxes.add(participantId);
    this.sendData(participantId, JSON.stringify({ type: 'ready' } satisfies RttInboxMessage));
  }

  sendData(participantId: string, text: string): boolean {
    if (this.#closed || !this.#inboxes.has(participantId) || !this.#room.remoteParticipants.has(participantId)) return false;
    const data = encoder.encode(text);
    this.#sending = this.#sending
      .then(() => this.#room.localParticipant?.publishData(data, { reliable: true, destination_identities: [participantId], topic: INBOX_TOPIC }))
      .catch((error: unknown) => console.warn(`[media] LiveKit did not take a message for ${participantId}`, error));
    return true;
  }

  async tapAudio(producerId: string): Promise<AudioTap> {
    this.#assertOpen();
    const found = this.#publication(producerId);
    if (!found) throw AppError.notFound('producer', producerId);
    const { publication } = found;
    if (publication.kind !== TrackKind.KIND_AUDIO) throw AppError.badRequest(`producer "${producerId}" carries video; only audio can be tapped`);
    const track = await this.#subscribe(publication);
    if (this.#closed) throw AppError.invalidState('the call has ended');
    const tap = new LiveKitAudioTap(producerId, track);
    this.#taps.add(tap);
    const onGone = (gone: RemoteTrackPublication) => {
      if (gone.sid === producerId) tap.close();
    };
    this.#room.on(RoomEvent.TrackUnpublished, onGone);
    tap.once('closed', () => {
      this.#taps.delete(tap);
      this.#room.off(RoomEvent.TrackUnpublished, onGone);
    });
    return tap;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const tap of [...this.#taps]) tap.close();
    this.#joined.clear();
    this.#inboxes.clear();
    this.#room.removeAllListeners();
    void this.#room.disconnect().catch(() => undefined);
    this.#options.rooms.close(this.id).catch((error: unknown) => console.warn(`[media] LiveKit room ${this.id} was not deleted`, error));
    this.emit('closed');
  }

  #onData(payload: Uint8Array, participant: RemoteParticipant | undefined, topic: string | undefined): void {
    // Only participants this room admitted are heard; LiveKit itself lets in no one without a token for the room.
    // LiveKit's native SDK names the sender only once it announced them to this participant (for one who publishes
    // nothing, not at all): a message without a sender is dropped, and the page, never told its inbox is `ready`,
    // keeps its text on Socket.IO.
    if (!participant || !this.#joined.has(participant.identity)) return;
    const label = topic ?? '';
    if (payload.byteLength > MAX_DATA_BYTES) return void this.emit('dataRefused', participant.identity, label, `data messages are at most ${MAX_DATA_BYTES} bytes`);
    let text: string;
    try {
      text = decoder.decode(payload);
    } catch {
      return void this.emit('dataRefused', participant.identity, label, 'data channel messages must be text');
    }
    this.emit('dataMessage', participant.identity, label, text);
  }

  async #subscribe(publication: RemoteTrackPublication): Promise<RemoteTrack> {
    if (publication.track) return publication.track as RemoteTrack;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#room.off(RoomEvent.TrackSubscribed, onTrack);
        reject(AppError.invalidState(`LiveKit did not deliver track ${publication.sid ?? ''} within ${SUBSCRIBE_TIMEOUT_MS / 1000} s`));
      }, SUBSCRIBE_TIMEOUT_MS);
      const onTrack = (track: RemoteTrack, subscribed: RemoteTrackPublication) => {
        if (subscribed.sid !== publication.sid) return;
        clearTimeout(timer);
        this.#room.off(RoomEvent.TrackSubscribed, onTrack);
        resolve(track);
      };
      this.#room.on(RoomEvent.TrackSubscribed, onTrack);
      publication.setSubscribed(true);
    });
  }

  #publication(sid: string): { publication: RemoteTrackPublication; participant: RemoteParticipant } | undefined {
    for (const participant of this.#room.remoteParticipants.values()) {
      const publication = participant.trackPublications.get(sid);
      if (publication) return { publication, participant };
    }
    return undefined;
  }

  #describe(publication: RemoteTrackPublication, participant: RemoteParticipant): NewProducer | undefined {
    const source = sourceOf(publication);
    if (!publication.sid || !source) return undefined;
    const kind = publication.kind === TrackKind.KIND_AUDIO ? 'audio' : 'video';
    return { sessionId: this.id, producerId: publication.sid, from: this.#options.roleOf(participant.identity), kind, source };
  }

  #assertOpen(): void {
    if (this.#closed) throw AppError.invalidState('the call has ended');
  }
}

/** LiveKit's source of each of ours, as its native SDK names them (see `LIVEKIT_SOURCE` for the device view). */
const NATIVE_SOURCE: Record<MediaSource, TrackSource> = {
  camera: TrackSource.SOURCE_CAMERA,
  microphone: TrackSource.SOURCE_MICROPHONE,
  screen: TrackSource.SOURCE_SCREENSHARE,
  device: TrackSource.SOURCE_SCREENSHARE,
};

/**
 * Ours, from the track's name (the page names each track by its source) when it agrees with the source LiveKit
 * enforced from the token; else from LiveKit's source alone, so a name cannot pass a camera off as a shared view.
 */
function sourceOf(publication: RemoteTrackPublication): MediaSource | undefined {
  const named = mediaSourceSchema.safeParse(publication.name);
  if (named.success && NATIVE_SOURCE[named.data] === publication.source) return named.data;
  switch (publication.source) {
    case TrackSource.SOURCE_CAMERA:
      return 'camera';
    case TrackSource.SOURCE_MICROPHONE:
      return 'microphone';
    case TrackSource.SOURCE_SCREENSHARE:
      return 'screen';
    default:
      return undefined;
  }
}
