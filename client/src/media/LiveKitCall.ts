import {
  ConnectionState,
  Room,
  RoomEvent,
  Track,
  VideoPreset,
  type LocalTrackPublication,
  type RemoteParticipant,
  type RemoteTrack,
  type RemoteTrackPublication,
  type TrackPublishOptions,
} from 'livekit-client';
import {
  ANNOTATION_CHANNEL,
  isSharedView,
  mediaSourceSchema,
  participantRoleSchema,
  RTT_INBOX_CHANNEL,
  rttInboxMessageSchema,
  T140,
  T140_CHANNEL,
  type Annotation,
  type LiveKitJoined,
  type MediaPolicy,
  type MediaSource,
  type ParticipantRole,
} from '../../../signaling/index.js';
import type { SignalingClient } from '../net/SignalingClient.js';
import { dispatchInbox, QUALITY_INTERVAL_MS, videoFirst, type CallMedia, type CallMediaHandlers, type ReceiveStats, type SharedSource, type ShareStats, type TextChannel } from './CallMedia.js';
import { numbersOf, outboundVideo, QualityReporter, receiveFigures, type OutboundVideo, type StatsEntry } from './qualitySample.js';

/** How often the page repeats its byte order mark until the service says its data path is ready. */
const TEXT_READY_RETRY_MS = 2_000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A remote track this page receives, with whose and what it is. */
interface Received {
  track: RemoteTrack;
  from: ParticipantRole;
  source: MediaSource;
}

/**
 * One participant's media in one call over LiveKit: the page connects to the LiveKit server with the token the service
 * gave for this call, publishes its tracks (each named by its source) and receives everyone else's. Real-time text and
 * annotations go to the service's own participant on data topics named like the SFU's channels, and come back on the
 * inbox topic, so the service checks and records them exactly as on the embedded SFU. Closing is idempotent.
 */
export class LiveKitCall implements CallMedia {
  readonly #signaling: SignalingClient;
  readonly #sessionId: string;
  readonly #handlers: CallMediaHandlers;
  readonly #room = new Room({ adaptiveStream: false, dynacast: true, disconnectOnPageLeave: true });
  /** Each remote participant's camera and microphone, in one stream per participant. */
  readonly #streams = new Map<ParticipantRole, MediaStream>();
  readonly #received = new Map<string, Received>();
  readonly #published = new Map<MediaSource, LocalTrackPublication>();
  readonly #unsubscribe: (() => void)[] = [];
  #serviceIdentity = '';
  #policy: MediaPolicy = 'product';
  #text: LiveKitTextChannel | null = null;
  #textTimer: number | undefined;
  #qualityTimer: number | undefined;
  readonly #quality = new QualityReporter((sample) => this.#signaling.request('call:quality', { sessionId: this.#sessionId, sample }));
  #closed = false;

  constructor(signaling: SignalingClient, sessionId: string, handlers: CallMediaHandlers) {
    this.#signaling = signaling;
    this.#sessionId = sessionId;
    this.#handlers = handlers;
  }

  async start(local: MediaStream | null): Promise<void> {
    this.#unsubscribe.push(
      this.#signaling.on('call:annotation', ({ sessionId, from, annotation }) => {
        if (sessionId === this.#sessionId) this.#handlers.onAnnotation?.(from, annotation);
      }),
    );
    const tracks = local?.getTracks().filter((t) => t.readyState === 'live') ?? [];
    const data = this.#handlers.onRttChannel !== undefined;
    const joined = await this.#signaling.request('media:join', { sessionId: this.#sessionId, send: tracks.length > 0, data });
    if (joined.engine !== 'livekit') throw new Error(`this call's media is on ${joined.engine}, not LiveKit`);
    if (this.#closed) return;
    this.#policy = joined.policy;
    this.#serviceIdentity = joined.serviceIdentity;
    this.#listen();
    await this.#room.connect(joined.url, joined.token, { autoSubscribe: true, rtcConfig: { iceServers: iceServersOf(joined) } });
    if (this.#closed) return void this.#room.disconnect();
    for (const track of videoFirst(tracks)) await this.#publish(track);
    if (data && !this.#closed) this.#openText();
    if (this.#handlers.reportQuality && !this.#closed) this.#qualityTimer = window.setInterval(() => void this.#reportQuality(), QUALITY_INTERVAL_MS);
  }

  async annotate(annotation: Annotation): Promise<void> {
    if (this.#closed) return;
    if (this.#text?.open) return this.#send(ANNOTATION_CHANNEL.label, JSON.stringify(annotation));
    await this.#signaling.request('call:annotate', { sessionId: this.#sessionId, annotation });
  }

  get ownShare(): { producerId: string; source: SharedSource } | null {
    for (const source of ['screen', 'device'] as const) {
      const publication = this.#published.get(source);
      if (publication?.trackSid) return { producerId: publication.trackSid, source };
    }
    return null;
  }

  async share(track: MediaStreamTrack, source: SharedSource, onEnded?: () => void): Promise<string> {
    if (this.#closed || this.#room.state !== ConnectionState.Connected) throw new Error('this call cannot send media');
    track.addEventListener('ended', () => void this.stopShare().finally(() => onEnded?.()), { once: true });
    const current = this.ownShare;
    if (current?.source === source) {
      const publication = this.#published.get(source)!;
      const previous = publication.track?.mediaStreamTrack;
      await publication.track?.replaceTrack(track, true);
      if (previous !== track) previous?.stop();
      return current.producerId;
    }
    if (current) await this.stopShare();
    track.contentHint = 'detail';
    const publication = await this.#room.localParticipant.publishTrack(track, this.#publishOptions(source, track));
    this.#published.set(source, publication);
    return publication.trackSid;
  }

  async stopShare(): Promise<void> {
    const current = this.ownShare;
    if (!current) return;
    const publication = this.#published.get(current.source)!;
    this.#published.delete(current.source);
    publication.track?.mediaStreamTrack.stop();
    if (publication.track && !this.#closed) await this.#room.localParticipant.unpublishTrack(publication.track, true);
  }

  get mediaConnected(): boolean {
    return !this.#closed && this.#room.state === ConnectionState.Connected;
  }

  async setPaused(source: MediaSource, paused: boolean): Promise<void> {
    const publication = this.#published.get(source);
    if (!publication) return;
    if (paused) await publication.mute();
    else await publication.unmute();
  }

  async receiveStats(): Promise<ReceiveStats> {
    const result: ReceiveStats = { video: null, audio: null, audioRestartGapsMs: [], rtcpRttMs: null };
    Object.assign(result, receiveFigures(await this.#receiveReport(), this.#shareTrackIds()));
    (await this.#published.get('camera')?.track?.sender?.getStats())?.forEach((stat: StatsEntry) => {
      if (stat.type === 'remote-inbound-rtp' && typeof stat.roundTripTime === 'number') result.rtcpRttMs = Math.round(stat.roundTripTime * 1000);
    });
    return result;
  }

  async shareStats(): Promise<ShareStats[]> {
    const figures: ShareStats[] = [];
    for (const [sid, { track, source }] of [...this.#received]) {
      if (!isSharedView(source)) continue;
      const report = await track.receiver?.getStats();
      const inbound = report && ([...report.values()] as StatsEntry[]).find((stat) => stat.type === 'inbound-rtp');
      if (inbound) figures.push({ producerId: sid, ...numbersOf(inbound, ['framesDecoded', 'framesPerSecond', 'frameWidth', 'frameHeight']) });
    }
    return figures;
  }

  async sendStats(): Promise<OutboundVideo[]> {
    const report = await this.#published.get('camera')?.track?.sender?.getStats();
    return report && !this.#closed ? outboundVideo(report) : [];
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    window.clearInterval(this.#qualityTimer);
    window.clearInterval(this.#textTimer);
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.#text?.close();
    // A shared view ends with the call; the camera and microphone stay open for the next one.
    for (const source of ['screen', 'device'] as const) this.#published.get(source)?.track?.mediaStreamTrack.stop();
    this.#room.removeAllListeners();
    void this.#room.disconnect(false);
    this.#streams.clear();
    this.#received.clear();
  }

  #listen(): void {
    const room = this.#room;
    room.on(RoomEvent.TrackSubscribed, (track, publication, participant) => this.#onTrack(track, publication, participant));
    room.on(RoomEvent.TrackUnsubscribed, (_track, publication) => this.#onTrackGone(publication.trackSid));
    room.on(RoomEvent.DataReceived, (payload, participant, _kind, topic) => {
      if (participant?.identity !== this.#serviceIdentity || topic !== RTT_INBOX_CHANNEL.label) return;
      let parsed: ReturnType<typeof rttInboxMessageSchema.safeParse> | undefined;
      try {
        parsed = rttInboxMessageSchema.safeParse(JSON.parse(decoder.decode(payload)));
      } catch {
        // Not JSON: reported below like any other malformed message.
      }
      if (parsed?.success && parsed.data.type === 'ready') this.#textReady();
      else if (parsed?.success) dispatchInbox(parsed.data, this.#handlers);
      else console.warn('dropped a malformed real-time text inbox message');
    });
    room.on(RoomEvent.Disconnected, () => {
      // Text goes by the service connection once LiveKit's is gone; the call itself ends by the service's word.
      this.#text?.lost();
    });
  }

  #onTrack(track: RemoteTrack, publication: RemoteTrackPublication, participant: RemoteParticipant): void {
    if (participant.identity === this.#serviceIdentity) return;
    const source = sourceOf(publication);
    const from = roleOf(participant);
    this.#received.set(publication.trackSid, { track, from, source });
    if (source === 'screen' || source === 'device') {
      this.#handlers.onShare?.({ producerId: publication.trackSid, from, source, stream: new MediaStream([track.mediaStreamTrack]) });
      return;
    }
    const stream = this.#streams.get(from) ?? new MediaStream();
    this.#streams.set(from, stream);
    stream.addTrack(track.mediaStreamTrack);
    this.#handlers.onRemoteTrack(stream, from);
  }

  #onTrackGone(sid: string): void {
    const received = this.#received.get(sid);
    if (!received) return;
    this.#received.delete(sid);
    if (isSharedView(received.source)) return this.#handlers.onShareGone?.(sid);
    const stream = this.#streams.get(received.from);
    stream?.removeTrack(received.track.mediaStreamTrack);
    if (stream && stream.getTracks().length === 0) {
      this.#streams.delete(received.from);
      this.#handlers.onRemoteGone?.(received.from);
    }
  }

  /**
   * Text's channel is LiveKit's reliable data path to the service. The page sends a byte order mark (T.140 allows and
   * ignores it) until the service answers `ready`: only then does it know who sends on this path, so only then does
   * text leave this way. Until then, and if it never answers, text goes over Socket.IO and nothing is lost.
   */
  #openText(): void {
    this.#send(T140_CHANNEL.label, T140.bom);
    this.#textTimer = window.setInterval(() => {
      if (this.mediaConnected) this.#send(T140_CHANNEL.label, T140.bom);
    }, TEXT_READY_RETRY_MS);
  }

  #textReady(): void {
    window.clearInterval(this.#textTimer);
    if (this.#text || this.#closed) return;
    this.#text = new LiveKitTextChannel((chunk) => this.#send(T140_CHANNEL.label, chunk), () => this.mediaConnected);
    this.#text.onClosed(() => {
      if (!this.#closed) this.#handlers.onRttChannel?.(null);
    });
    this.#handlers.onRttChannel?.(this.#text);
  }

  #send(topic: string, text: string): void {
    this.#room.localParticipant
      .publishData(encoder.encode(text), { reliable: true, destinationIdentities: [this.#serviceIdentity], topic })
      .catch((error: unknown) => console.warn(`LiveKit did not take a ${topic} message`, error));
  }

  async #publish(track: MediaStreamTrack): Promise<void> {
    const source: MediaSource = track.kind === 'video' ? 'camera' : 'microphone';
    const publication = await this.#room.localParticipant.publishTrack(track, this.#publishOptions(source, track));
    this.#published.set(source, publication);
    if (source === 'camera' && this.#policy === 'product') await withoutTemporalLayers(publication.track?.sender);
  }

  /**
   * The product's sending on LiveKit, as on the SFU: the camera in VP8 simulcast with every layer at 30 fps and
   * `maintain-framerate`, so a tight link costs the signer lines, not motion; a shared view keeps its lines
   * (`maintain-resolution`) at up to 20 fps with a half-resolution layer beneath. The `default` policy sends as
   * LiveKit's own defaults do.
   */
  #publishOptions(source: MediaSource, track: MediaStreamTrack): TrackPublishOptions {
    const name = source;
    if (track.kind === 'audio') return { name, source: Track.Source.Microphone, dtx: false, red: true };
    const { width = 1280, height = 720 } = track.getSettings();
    if (isSharedView(source)) {
      if (this.#policy === 'default') return { name, source: Track.Source.ScreenShare };
      return {
        name,
        source: Track.Source.ScreenShare,
        videoCodec: 'vp8',
        simulcast: true,
        degradationPreference: 'maintain-resolution',
        screenShareEncoding: { maxBitrate: 1_000_000, maxFramerate: 20 },
        screenShareSimulcastLayers: [new VideoPreset(Math.round(width / 2), Math.round(height / 2), 300_000, 20)],
      };
    }
    if (this.#policy === 'default') return { name, source: Track.Source.Camera, videoCodec: 'vp8', simulcast: true };
    const scaled = (lines: number) => new VideoPreset(Math.round((width * lines) / height), lines, lines <= 240 ? 130_000 : 600_000, 30);
    return {
      name,
      source: Track.Source.Camera,
      videoCodec: 'vp8',
      simulcast: true,
      degradationPreference: 'maintain-framerate',
      videoEncoding: { maxBitrate: height >= 540 ? 1_800_000 : 900_000, maxFramerate: 30 },
      videoSimulcastLayers: height >= 540 ? [scaled(240), scaled(480)] : [scaled(240)],
    };
  }

  /** Every receiver's stats in one report, as the SFU's receive transport gives them. */
  async #receiveReport(): Promise<RTCStatsReport> {
    const merged = new Map<string, unknown>();
    for (const { track } of [...this.#received.values()]) (await track.receiver?.getStats())?.forEach((stat: StatsEntry, id: string) => merged.set(id, stat));
    return merged as unknown as RTCStatsReport;
  }

  #shareTrackIds(): Set<string> {
    return new Set([...this.#received.values()].filter(({ source }) => isSharedView(source)).map(({ track }) => track.mediaStreamTrack.id));
  }

  async #reportQuality(): Promise<void> {
    if (this.#closed) return;
    await this.#quality.report(await this.#receiveReport(), this.#shareTrackIds());
  }

}

/**
 * Sends each simulcast layer at its full frame rate with no temporal layers beneath (L1T1). Chromium encodes VP8
 * simulcast in three temporal layers by default, and LiveKit's allocator, short of bandwidth, keeps the higher layer
 * and drops its frame rate before it falls back to the lower layer (it ranks layers by spatial, then temporal); with
 * one temporal layer per simulcast layer its only way down is fewer lines. livekit-client sets a scalability mode on
 * SVC codecs only, so it is set on the sender once published.
 */
async function withoutTemporalLayers(sender: RTCRtpSender | undefined): Promise<void> {
  if (!sender) return;
  const parameters = sender.getParameters();
  if (parameters.encodings.length === 0) return;
  for (const encoding of parameters.encodings) (encoding as RTCRtpEncodingParameters & { scalabilityMode?: string }).scalabilityMode = 'L1T1';
  try {
    await sender.setParameters(parameters);
  } catch (error) {
    // An older browser that cannot change it keeps three temporal layers: the call works, with LiveKit's layer order.
    console.warn('could not send the camera without temporal layers', error);
  }
}

/** Real-time text on LiveKit's reliable data path to the service. */
class LiveKitTextChannel implements TextChannel {
  readonly #send: (chunk: string) => void;
  readonly #connected: () => boolean;
  #closedHandler: (() => void) | undefined;
  #closed = false;

  constructor(send: (chunk: string) => void, connected: () => boolean) {
    this.#send = send;
    this.#connected = connected;
  }

  get open(): boolean {
    return !this.#closed && this.#connected();
  }

  send(chunk: string): void {
    if (!this.open) throw new Error('the real-time text data path is closed');
    this.#send(chunk);
  }

  onClosed(handler: () => void): void {
    this.#closedHandler = handler;
  }

  close(): void {
    this.#closed = true;
  }

  /** LiveKit's connection went: the page falls back to the service connection. */
  lost(): void {
    if (this.#closed) return;
    this.close();
    this.#closedHandler?.();
  }
}

/** The role the service wrote into the participant's token metadata. */
function roleOf(participant: RemoteParticipant): ParticipantRole {
  try {
    const parsed = participantRoleSchema.safeParse((JSON.parse(participant.metadata ?? '{}') as { role?: unknown }).role);
    if (parsed.success) return parsed.data;
  } catch {
    // Metadata that is not JSON: a participant the service did not admit would not be here.
  }
  return 'technician';
}

/** Ours, from the track's name; LiveKit's screen share stands for a shared screen when the name says nothing. */
function sourceOf(publication: RemoteTrackPublication): MediaSource {
  const named = mediaSourceSchema.safeParse(publication.trackName);
  if (named.success) return named.data;
  if (publication.source === Track.Source.ScreenShare) return 'screen';
  return publication.kind === Track.Kind.Audio ? 'microphone' : 'camera';
}

function iceServersOf(joined: LiveKitJoined): RTCIceServer[] {
  return joined.iceServers.map(({ urls, username, credential }) => ({ urls, ...(username ? { username } : {}), ...(credential ? { credential } : {}) }));
}
