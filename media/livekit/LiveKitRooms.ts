import { EventEmitter } from 'node:events';
import { RoomServiceClient, TrackSource, TrackType, WebhookReceiver, type TrackInfo, type WebhookEvent } from 'livekit-server-sdk';
import { AppError, mediaSourceSchema, type MediaSource } from '../../signaling/index.js';
import { LIVEKIT_SOURCE, tokenFor, type LiveKitKeys, type LiveKitParticipant } from './livekitAccess.js';

/** Where the LiveKit server is and how to sign for it. */
export interface LiveKitServer extends LiveKitKeys {
  /** What browsers connect to, `wss://…` (or `ws://` on loopback). */
  wsUrl: string;
  /** The same server for REST calls, `https://…`. */
  httpUrl: string;
}

/** What a published track is, as the server reported it. */
export interface LiveKitTrack {
  sid: string;
  kind: 'audio' | 'video';
  /** Ours, from the track's name (the client names each track by its source) or LiveKit's source; undefined if neither says. */
  source: MediaSource | undefined;
}

/** What the LiveKit server reports about the calls' rooms, from its verified webhooks. */
export interface LiveKitRoomEvents {
  participantJoined: [room: string, identity: string];
  participantLeft: [room: string, identity: string];
  trackPublished: [room: string, identity: string, track: LiveKitTrack];
  trackUnpublished: [room: string, identity: string, trackSid: string];
  roomFinished: [room: string];
}

/** How long an empty room waits: for its first participant, and for one who dropped to come back. */
const EMPTY_TIMEOUT_SECONDS = 120;
const DEPARTURE_TIMEOUT_SECONDS = 60;
/** Webhook ids remembered to drop a redelivered or replayed event (LiveKit may send one again after a timeout). */
const SEEN_EVENTS = 2_000;

/**
 * The calls' rooms on a LiveKit server: made and closed through its REST API, participants admitted with
 * `livekitAccess` tokens and removed, and what happens in them learnt from the server's webhooks, each verified
 * (`WebhookReceiver`: signed with our key, over this very body) before anything is believed.
 */
export class LiveKitRooms extends EventEmitter<LiveKitRoomEvents> {
  readonly #server: LiveKitServer;
  readonly #rest: RoomServiceClient;
  readonly #webhooks: WebhookReceiver;
  readonly #seen = new Set<string>();

  constructor(server: LiveKitServer) {
    super();
    this.#server = server;
    this.#rest = new RoomServiceClient(server.httpUrl, server.apiKey, server.apiSecret);
    this.#webhooks = new WebhookReceiver(server.apiKey, server.apiSecret);
  }

  /** Makes the call's room (again: an existing one is kept as it is), for at most `maxParticipants` at a time. */
  async open(room: string, maxParticipants: number): Promise<void> {
    await this.#rest.createRoom({ name: room, maxParticipants, emptyTimeout: EMPTY_TIMEOUT_SECONDS, departureTimeout: DEPARTURE_TIMEOUT_SECONDS });
  }

  /** Where and with what a participant enters their call's room. */
  async admit(participant: LiveKitParticipant): Promise<{ url: string; token: string }> {
    return { url: this.#server.wsUrl, token: await tokenFor(this.#server, participant) };
  }

  /** Disconnects a participant from the room (their token does not bring them back once it expires); gone already is fine. */
  async remove(room: string, identity: string): Promise<void> {
    await this.#rest.removeParticipant(room, identity).catch(ignoreNotFound);
  }

  /** Ends the room and disconnects everyone in it; a room already gone is fine. */
  async close(room: string): Promise<void> {
    await this.#rest.deleteRoom(room).catch(ignoreNotFound);
  }

  /** The rooms the server has now, by name. */
  async list(): Promise<string[]> {
    return (await this.#rest.listRooms()).map((room) => room.name);
  }

  /**
   * Takes one webhook as it arrived (the raw body and its `Authorization` header). A body not signed by our key, or
   * changed since, is refused with UNAUTHORIZED and nothing is announced; one seen before is dropped quietly.
   */
  async receiveWebhook(body: string, authorization: string | undefined): Promise<void> {
    if (!authorization) throw AppError.unauthorized('webhook without its Authorization header');
    let event: WebhookEvent;
    try {
      event = await this.#webhooks.receive(body, authorization);
    } catch (error) {
      throw AppError.unauthorized(`webhook refused: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (event.id) {
      if (this.#seen.has(event.id)) return;
      if (this.#seen.size >= SEEN_EVENTS) this.#seen.delete(this.#seen.values().next().value!);
      this.#seen.add(event.id);
    }
    this.#announce(event);
  }

  #announce(event: WebhookEvent): void {
    const room = event.room?.name;
    const identity = event.participant?.identity;
    if (!room) return;
    switch (event.event) {
      case 'participant_joined':
        if (identity) this.emit('participantJoined', room, identity);
        return;
      case 'participant_left':
      case 'participant_connection_aborted':
        if (identity) this.emit('participantLeft', room, identity);
        return;
      case 'track_published':
        if (identity && event.track) this.emit('trackPublished', room, identity, toTrack(event.track));
        return;
      case 'track_unpublished':
        if (identity && event.track) this.emit('trackUnpublished', room, identity, event.track.sid);
        return;
      case 'room_finished':
        this.emit('roomFinished', room);
        return;
      default:
        return;
    }
  }
}

function toTrack(track: TrackInfo): LiveKitTrack {
  const kind = track.type === TrackType.AUDIO ? 'audio' : 'video';
  const named = mediaSourceSchema.safeParse(track.name);
  if (named.success && LIVEKIT_SOURCE[named.data] === track.source) return { sid: track.sid, kind, source: named.data };
  const bySource: Partial<Record<TrackSource, MediaSource>> = {
    [TrackSource.CAMERA]: 'camera',
    [TrackSource.MICROPHONE]: 'microphone',
    [TrackSource.SCREEN_SHARE]: 'screen',
  };
  return { sid: track.sid, kind, source: bySource[track.source] };
}

/** The REST API answers 404 (twirp `not_found`) for a room or participant that is not there. */
function ignoreNotFound(error: unknown): void {
  const status = (error as { status?: number } | null)?.status;
  const code = (error as { code?: string } | null)?.code;
  if (status === 404 || code === 'not_found') return;
  throw error;
}
