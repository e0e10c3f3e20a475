import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import {
  envelopeSchema,
  isSharedView,
  mediaCapabilitiesReplySchema,
  type MediaCapabilitiesReply,
  type Annotation,
  type Annotator,
  type ConsumerInfo,
  type ErrorBody,
  type MediaPolicy,
  type MediaSource,
  type NewProducer,
  type ParticipantRole,
  type RtpParametersInput,
  type TransportInfo,
} from '../../../signaling/index.js';
import type { SignalingClient } from '../net/SignalingClient.js';
import { AnnotationChannel } from './AnnotationChannel.js';
import { dispatchInbox, QUALITY_INTERVAL_MS, videoFirst, type CallMedia, type CallMediaHandlers, type ReceiveStats, type SharedSource, type ShareStats } from './CallMedia.js';
import { AudioBufferWatch } from './audioBufferWatch.js';
import { LossyLinkBuffer } from './lossyLinkBuffer.js';
import { RttDataChannel } from './RttDataChannel.js';
import { numbersOf, outboundVideo, QualityReporter, receiveFigures, type OutboundVideo, type StatsEntry } from './qualitySample.js';

/** How often a call reads its remote audio's jitter buffer (product policy). */
const AUDIO_WATCH_INTERVAL_MS = 1_000;
/** How long a restarted audio track may take to receive again before the gap is reported as open. */
const RESTART_GAP_LIMIT_MS = 5_000;

/**
 * One participant's media in one call over mediasoup: a send and a receive transport, a producer
 * per local track, a consumer per remote producer. Closing is idempotent.
 */
export class MediasoupCall implements CallMedia {
  readonly #signaling: SignalingClient;
  /** Each remote participant's tracks, in one stream per participant. */
  readonly #streams = new Map<ParticipantRole, MediaStream>();
  readonly #sessionId: string;
  readonly #handlers: CallMediaHandlers;
  readonly #producers = new Map<MediaSource, types.Producer>();
  readonly #consumers = new Map<string, { consumer: types.Consumer; from: ParticipantRole; source: MediaSource }>();
  /** The annotation channel through the SFU once open; until then, and if it cannot open, marks go over Socket.IO. */
  #annotations: AnnotationChannel | null = null;
  #device?: Device;
  #sendTransport?: types.Transport;
  #recvTransport?: types.Transport;
  #policy: MediaPolicy = 'product';
  #qualityTimer: number | undefined;
  #audioWatchTimer: number | undefined;
  /** Per remote audio producer, the watch on its jitter buffer (product policy only); it outlives restarts. */
  readonly #audioWatches = new Map<string, AudioBufferWatch>();
  readonly #audioRestartGapsMs: (number | null)[] = [];
  /** Per remote video producer, how long its jitter buffer waits on a lossy, far link (product policy only). */
  readonly #videoBuffers = new Map<string, LossyLinkBuffer>();
  /** A watch pass is under way (a restart can outlast the interval). */
  #watchingAudio = false;
  readonly #quality = new QualityReporter((sample) => this.#signaling.request('call:quality', { sessionId: this.#sessionId, sample }));
  readonly #unsubscribe: (() => void)[] = [];
  #closed = false;
  readonly #onNewProducer = (producer: NewProducer) => {
    if (producer.sessionId !== this.#sessionId) return;
    // Producers announced before join completes arrive in its reply too; consume each once.
    if (!this.#recvTransport) this.#pending.push(producer);
    else void this.#consume(producer.producerId).catch((e: unknown) => console.warn('consume failed', e));
  };
  readonly #pending: NewProducer[] = [];
  readonly #consuming = new Set<string>();
  readonly #onProducerClosed = ({ producerId }: { producerId: string }) => {
    for (const { consumer, from, source } of this.#consumers.values()) {
      if (consumer.producerId !== producerId) continue;
      if (isSharedView(source)) {
        consumer.close();
        this.#consumers.delete(consumer.id);
        this.#consuming.delete(producerId);
        this.#handlers.onShareGone?.(producerId);
        continue;
      }
      this.#audioWatches.delete(producerId);
      this.#videoBuffers.delete(producerId);
      const stream = this.#drop(consumer, from);
      if (stream && stream.getTracks().length === 0) {
        this.#streams.delete(from);
        this.#handlers.onRemoteGone?.(from);
      }
    }
  };

  constructor(signaling: SignalingClient, sessionId: string, handlers: CallMediaHandlers) {
    this.#signaling = signaling;
    this.#sessionId = sessionId;
    this.#handlers = handlers;
  }

  /** The session (a call, or the agent's station) whose room this joins. */
  get sessionId(): string {
    return this.#sessionId;
  }

  /** Joins the room, sends the local tracks and receives the other side's. */
  async start(local: MediaStream | null): Promise<void> {
    this.#unsubscribe.push(
      this.#signaling.on('media:newProducer', this.#onNewProducer),
      this.#signaling.on('media:producerClosed', this.#onProducerClosed),
      this.#signaling.on('call:annotation', ({ sessionId, from, annotation }) => {
        if (sessionId === this.#sessionId) this.#handlers.onAnnotation?.(from, annotation);
      }),
    );
    const tracks = local?.getTracks().filter((t) => t.readyState === 'live') ?? [];
    const data = this.#handlers.onRttChannel !== undefined;
    // A page that shows shared views may share one too, later: it needs a send transport even with nothing to send yet
    // (the console's camera goes through its station; without data channels nothing else would ask for one).
    const send = tracks.length > 0 || this.#handlers.onShare !== undefined;
    const joined = await this.#signaling.request('media:join', { sessionId: this.#sessionId, send, data });
    if (joined.engine !== 'mediasoup') throw new Error(`this call's media is on ${joined.engine}, not the embedded SFU`);
    this.#policy = joined.policy;
    // mediasoup-client checks the capabilities in depth when it loads them; the wire schema checks only their shape.
    this.#device = await loadDevice(joined.routerRtpCapabilities as types.RtpCapabilities);
    this.#recvTransport = this.#setUpTransport(joined.recvTransport, 'recv', joined.iceServers);
    if (joined.sendTransport) this.#sendTransport = this.#setUpTransport(joined.sendTransport, 'send', joined.iceServers);
    // Receive before sending, video first: the other side's picture is what a signer waits for, and starting the
    // local encoder at the same moment slows the first remote frame on a busy device.
    await this.#consumeInOrder(joined.producers);
    for (const track of videoFirst(tracks)) await this.#produce(track);
    // Text opens its channels once the media is set up, so they never slow a signer's first frame; until then (a
    // second or so) real-time text goes over Socket.IO, and nothing is lost either way.
    // A server that offers no data channels (RTT_DATA_CHANNELS=off) sends transports without SCTP.
    if (data && !this.#closed) void this.#openRttChannel(joined.recvTransport.sctpParameters !== undefined);
    if (this.#handlers.reportQuality && !this.#closed) this.#qualityTimer = window.setInterval(() => void this.#reportQuality(), QUALITY_INTERVAL_MS);
    if (this.#policy === 'product' && !this.#closed) this.#audioWatchTimer = window.setInterval(() => void this.#watchReception(), AUDIO_WATCH_INTERVAL_MS);
  }

  async #openRttChannel(offered: boolean): Promise<void> {
    const handlers = this.#handlers;
    if (!offered || !this.#sendTransport || !this.#recvTransport) return handlers.onRttChannel?.(null);
    try {
      const channel = await RttDataChannel.open(this.#signaling, this.#sessionId, { send: this.#sendTransport, recv: this.#recvTransport }, (message) => dispatchInbox(message, this.#handlers));
      if (this.#closed) return channel.close();
      channel.onClosed(() => {
        if (!this.#closed) handlers.onRttChannel?.(null);
      });
      handlers.onRttChannel?.(channel);
    } catch (error) {
      console.warn('real-time text stays on the service connection: the data channel did not open', error);
      if (!this.#closed) handlers.onRttChannel?.(null);
      return;
    }
    // Annotations take their own channel once text has its (their replies come back on the same inbox).
    try {
      const annotations = await AnnotationChannel.open(this.#sendTransport);
      if (this.#closed) return annotations.close();
      this.#annotations = annotations;
    } catch (error) {
      console.warn('annotations stay on the service connection: their data channel did not open', error);
    }
  }

  /** Sends a mark on a shared view to the others: on the annotation channel when open, else over Socket.IO. */
  async annotate(annotation: Annotation): Promise<void> {
    if (this.#closed) return;
    if (this.#annotations?.open) return this.#annotations.send(annotation);
    await this.#signaling.request('call:annotate', { sessionId: this.#sessionId, annotation });
  }

  /** The producer id of this page's own shared view, or null when it shares none. */
  get ownShare(): { producerId: string; source: SharedSource } | null {
    for (const source of ['screen', 'device'] as const) {
      const producer = this.#producers.get(source);
      if (producer && !producer.closed) return { producerId: producer.id, source };
    }
    return null;
  }

  /**
   * Shares a screen or device view as its own producer, or, when one is shared already, switches it to this track
   * without a new producer (the others keep their consumer; nothing is renegotiated). Ending the track (the browser's
   * own "stop sharing") stops the share.
   */
  async share(track: MediaStreamTrack, source: SharedSource, onEnded?: () => void): Promise<string> {
    if (!this.#sendTransport || this.#closed) throw new Error('this call cannot send media');
    track.addEventListener('ended', () => void this.stopShare().finally(() => onEnded?.()), { once: true });
    const current = this.ownShare;
    if (current?.source === source) {
      const producer = this.#producers.get(source)!;
      const previous = producer.track;
      await producer.replaceTrack({ track });
      if (previous !== track) previous?.stop();
      return current.producerId;
    }
    if (current) await this.stopShare();
    const producer = await this.#produceShare(track, source);
    this.#producers.set(source, producer);
    return producer.id;
  }

  /** Stops this page's shared view, if any; the others see it go. */
  async stopShare(): Promise<void> {
    const current = this.ownShare;
    if (!current) return;
    const producer = this.#producers.get(current.source)!;
    this.#producers.delete(current.source);
    producer.track?.stop();
    producer.close();
    if (!this.#closed) await this.#signaling.request('media:closeProducer', { sessionId: this.#sessionId, producerId: producer.id });
  }

  /** Whether media still flows both ways: after a signaling reconnect such a call goes on as it is. */
  get mediaConnected(): boolean {
    // A send transport that never sent (kept for a share that has not come) is still 'new', and that is fine.
    const sending = this.#sendTransport?.connectionState ?? 'connected';
    return !this.#closed && this.#recvTransport?.connectionState === 'connected' && (sending === 'connected' || sending === 'new');
  }

  /** Pauses or resumes sending a source (mute, camera off); the server pauses forwarding too. */
  async setPaused(source: MediaSource, paused: boolean): Promise<void> {
    const producer = this.#producers.get(source);
    if (!producer) return;
    if (paused) producer.pause();
    else producer.resume();
    await this.#signaling.request('media:setProducerPaused', { sessionId: this.#sessionId, producerId: producer.id, paused });
  }

  /** Reads receive figures from the receive transport's stats. */
  async receiveStats(): Promise<ReceiveStats> {
    const result: ReceiveStats = { video: null, audio: null, audioRestartGapsMs: [...this.#audioRestartGapsMs], rtcpRttMs: null };
    if (!this.#recvTransport) return result;
    Object.assign(result, receiveFigures(await this.#recvTransport.getStats(), this.#shareTrackIds()));
    (await this.#sendTransport?.getStats())?.forEach((stat: Record<string, unknown>) => {
      if (stat.type === 'remote-inbound-rtp' && stat.kind === 'video' && typeof stat.roundTripTime === 'number') result.rtcpRttMs = Math.round(stat.roundTripTime * 1000);
    });
    return result;
  }

  /** Figures of each shared view this page receives. */
  async shareStats(): Promise<ShareStats[]> {
    const figures: ShareStats[] = [];
    for (const { consumer, source } of [...this.#consumers.values()]) {
      if (!isSharedView(source) || consumer.closed) continue;
      const inbound = [...(await consumer.getStats()).values()].find((stat: StatsEntry) => stat.type === 'inbound-rtp') as StatsEntry | undefined;
      if (inbound) figures.push({ producerId: consumer.producerId, ...numbersOf(inbound, ['framesDecoded', 'framesPerSecond', 'frameWidth', 'frameHeight']) });
    }
    return figures;
  }

  #shareTrackIds(): Set<string> {
    return new Set([...this.#consumers.values()].filter(({ source }) => isSharedView(source)).map(({ consumer }) => consumer.track.id));
  }

  /** Reads the outgoing video's figures from the send transport's stats, one entry per encoding; empty when not sending. */
  async sendStats(): Promise<OutboundVideo[]> {
    if (!this.#sendTransport || this.#closed) return [];
    return outboundVideo(await this.#sendTransport.getStats());
  }

  /** Stops everything this call opened. Idempotent; the local stream stays open for the next call. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    window.clearInterval(this.#qualityTimer);
    window.clearInterval(this.#audioWatchTimer);
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.#annotations?.close();
    // A shared screen ends with the call; the camera and microphone stay open for the next one.
    for (const source of ['screen', 'device'] as const) this.#producers.get(source)?.track?.stop();
    this.#sendTransport?.close();
    this.#recvTransport?.close();
    this.#streams.clear();
  }

  async #reportQuality(): Promise<void> {
    if (!this.#recvTransport || this.#closed) return;
    await this.#quality.report(await this.#recvTransport.getStats(), this.#shareTrackIds());
  }


  /**
   * Restarts the reception of any remote audio whose jitter buffer stayed large after the network calmed (see
   * AudioBufferWatch), and lets the video buffers wait for retransmissions on a lossy, far link (see LossyLinkBuffer).
   * While a video buffer waits on purpose, lip sync holds the audio back with it: its large buffer is then no fault.
   */
  async #watchReception(): Promise<void> {
    if (this.#watchingAudio) return;
    this.#watchingAudio = true;
    try {
      for (const { consumer } of [...this.#consumers.values()]) {
        if (consumer.kind !== 'video' || this.#closed || consumer.closed) continue;
        const report = await consumer.getStats();
        const inbound = [...report.values()].find((stat: StatsEntry) => stat.type === 'inbound-rtp') as StatsEntry | undefined;
        const pair = [...report.values()].find((stat: StatsEntry) => stat.type === 'candidate-pair' && (stat.nominated || stat.selected) && stat.currentRoundTripTime !== undefined) as StatsEntry | undefined;
        if (!inbound || consumer.closed) continue;
        const buffer = this.#videoBuffers.get(consumer.producerId) ?? new LossyLinkBuffer();
        this.#videoBuffers.set(consumer.producerId, buffer);
        const target = buffer.update({ at: Date.now(), ...numbersOf(inbound, ['packetsReceived', 'packetsLost']), rttSec: pair ? Number(pair.currentRoundTripTime) : null });
        // Chromium's RTCRtpReceiver.jitterBufferTarget (ms; null gives the choice back to the browser).
        const receiver = consumer.rtpReceiver as (RTCRtpReceiver & { jitterBufferTarget: number | null }) | undefined;
        if (target !== undefined && receiver) receiver.jitterBufferTarget = target;
      }
      const videoWaits = [...this.#videoBuffers.values()].some((buffer) => buffer.target !== null);
      for (const [id, { consumer }] of [...this.#consumers]) {
        if (consumer.kind !== 'audio' || this.#closed || consumer.closed) continue;
        const inbound = [...(await consumer.getStats()).values()].find((stat: StatsEntry) => stat.type === 'inbound-rtp') as StatsEntry | undefined;
        if (!inbound || consumer.closed) continue;
        const watch = this.#audioWatches.get(consumer.producerId) ?? new AudioBufferWatch();
        this.#audioWatches.set(consumer.producerId, watch);
        const ownDelay = inbound.jitterBufferMinimumDelay;
        const restart = watch.update({
          at: Date.now(),
          ...numbersOf(inbound, ['jitterBufferDelay', 'jitterBufferEmittedCount', 'jitter']),
          jitterBufferMinimumDelay: typeof ownDelay === 'number' ? ownDelay : null,
        });
        if (restart && !videoWaits) await this.#restartConsumer(id).catch((e: unknown) => console.warn('restarting the audio reception failed', e));
      }
    } finally {
      this.#watchingAudio = false;
    }
  }

  /** Replaces a consumer with a new one of the same producer: the browser receives it with fresh buffers. */
  async #restartConsumer(consumerId: string): Promise<void> {
    const entry = this.#consumers.get(consumerId);
    if (!entry) return;
    const { consumer, from } = entry;
    const stoppedAt = performance.now();
    this.#drop(consumer, from);
    this.#consuming.delete(consumer.producerId);
    // The new consumer need not wait for the old one to close on the server.
    await Promise.all([this.#signaling.request('media:closeConsumer', { sessionId: this.#sessionId, consumerId }), this.#consume(consumer.producerId)]);
    const replacement = [...this.#consumers.values()].find((other) => other.consumer.producerId === consumer.producerId);
    const arrived = replacement ? await untilUnmuted(replacement.consumer.track, RESTART_GAP_LIMIT_MS) : false;
    const gapMs = arrived ? Math.round(performance.now() - stoppedAt) : null;
    this.#audioRestartGapsMs.push(gapMs);
    console.info(`restarted the reception of the ${from}'s audio: ${gapMs === null ? 'nothing arrived within 5 s' : `${gapMs} ms without audio`}`);
  }

  /** Stops a consumer here; its track leaves its participant's stream, which is returned. */
  #drop(consumer: types.Consumer, from: ParticipantRole): MediaStream | undefined {
    const stream = this.#streams.get(from);
    stream?.removeTrack(consumer.track);
    consumer.close();
    this.#consumers.delete(consumer.id);
    return stream;
  }

  async #consumeInOrder(announced: NewProducer[]): Promise<void> {
    // A producer both in the join reply and pushed meanwhile is consumed once: #consume skips repeats.
    for (const producer of videoFirst([...announced, ...this.#pending.splice(0)])) {
      // One producer that cannot be consumed (closed meanwhile) must not cost the others.
      await this.#consume(producer.producerId).catch((e: unknown) => console.warn(`consume ${producer.from} ${producer.kind} failed`, e));
    }
  }

  #setUpTransport(info: TransportInfo, direction: 'send' | 'recv', iceServers: RTCIceServer[]): types.Transport {
    const options: types.TransportOptions = {
      id: info.id,
      iceParameters: info.iceParameters,
      // mediasoup 3.8 names a candidate's address `ip`; mediasoup-client 3.24 reads `address`.
      iceCandidates: info.iceCandidates.map((candidate) => ({ ...candidate, address: candidate.ip })),
      dtlsParameters: info.dtlsParameters,
      ...(info.sctpParameters ? { sctpParameters: sctpOf(info.sctpParameters) } : {}),
      iceServers,
    };
    const transport = direction === 'send' ? this.#device!.createSendTransport(options) : this.#device!.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.#signaling
        .request('media:connectTransport', { sessionId: this.#sessionId, transportId: transport.id, dtlsParameters })
        .then(() => callback(), errback);
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        this.#signaling
          .request('media:produce', {
            sessionId: this.#sessionId,
            transportId: transport.id,
            kind,
            // mediasoup-client types codec parameters as unknown values; the server's schema checks them.
            rtpParameters: rtpParameters as RtpParametersInput,
            source: appData.source as MediaSource,
          })
          .then(({ producerId }) => callback({ id: producerId }), errback);
      });
      transport.on('producedata', ({ sctpStreamParameters, label, protocol }, callback, errback) => {
        if (sctpStreamParameters.streamId === undefined) return errback(new Error('a data channel without an SCTP stream'));
        this.#signaling
          .request('media:produceData', {
            sessionId: this.#sessionId,
            transportId: transport.id,
            sctpStreamParameters: { streamId: sctpStreamParameters.streamId, ...(sctpStreamParameters.ordered ? { ordered: true as const } : {}) },
            // The server takes only T.140 and annotation channels and says so in its error; the label is checked there.
            label: label as 't140' | 'annotation',
            protocol: protocol as 't140' | 'signline-annotation',
          })
          .then(({ dataProducerId }) => callback({ id: dataProducerId }), errback);
      });
    }
    return transport;
  }

  async #produce(track: MediaStreamTrack): Promise<void> {
    const transport = this.#sendTransport!;
    if (track.kind === 'audio') {
      const producer = await transport.produce({ track, stopTracks: false, appData: { source: 'microphone' }, codecOptions: { opusDtx: false, opusFec: true } });
      this.#producers.set('microphone', producer);
      return;
    }
    if (this.#policy === 'default') {
      // What a team ships without this project's policy, for comparison: mediasoup-demo's VP8 simulcast, no content
      // hint, Chromium's default 'balanced' degradation, and mediasoup's own layer choice on the server.
      track.contentHint = '';
      const encodings = DEMO_SIMULCAST_ENCODINGS.map((encoding) => ({ ...encoding }));
      this.#producers.set('camera', await transport.produce({ track, stopTracks: false, encodings, codecOptions: { videoGoogleStartBitrate: 1000 }, appData: { source: 'camera' } }));
      return;
    }
    track.contentHint = 'motion';
    const height = track.getSettings().height ?? 480;
    const producer = await transport.produce({
      track,
      // The page keeps its camera open between calls; closing the call must not stop it.
      stopTracks: false,
      encodings: simulcastEncodings(height),
      codecOptions: { videoGoogleStartBitrate: 1000 },
      appData: { source: 'camera' },
    });
    // Signing needs frame rate more than resolution: under load the encoder drops pixels, not frames.
    const sender = producer.rtpSender;
    if (sender) {
      const parameters = sender.getParameters() as RTCRtpSendParameters & { degradationPreference?: string };
      parameters.degradationPreference = 'maintain-framerate';
      await sender.setParameters(parameters).catch((e: unknown) => console.warn('degradationPreference not applied', e));
    }
    this.#producers.set('camera', producer);
  }

  /**
   * A shared view, for its detail: VP8 at the captured resolution with three temporal layers, so the SFU can drop its
   * frame rate to a quarter (5 fps from 20) before its lines (the layer policy orders a screen's choices that way), and
   * the encoder keeps its lines under load (`maintain-resolution`). The `default` policy shares as mediasoup-demo does (three-layer simulcast).
   */
  async #produceShare(track: MediaStreamTrack, source: SharedSource): Promise<types.Producer> {
    const transport = this.#sendTransport!;
    const appData = { source };
    if (this.#policy === 'default') {
      const encodings = DEMO_SHARE_ENCODINGS.map((encoding) => ({ ...encoding }));
      return transport.produce({ track, stopTracks: false, encodings, codecOptions: { videoGoogleStartBitrate: 1000 }, appData });
    }
    track.contentHint = 'detail';
    const producer = await transport.produce({ track, stopTracks: false, encodings: SHARE_ENCODINGS.map((encoding) => ({ ...encoding })), codecOptions: { videoGoogleStartBitrate: 1000 }, appData });
    const sender = producer.rtpSender;
    if (sender) {
      const parameters = sender.getParameters() as RTCRtpSendParameters & { degradationPreference?: string };
      parameters.degradationPreference = 'maintain-resolution';
      await sender.setParameters(parameters).catch((e: unknown) => console.warn('degradationPreference not applied', e));
    }
    return producer;
  }

  async #consume(producerId: string): Promise<void> {
    // A producer announced twice (in the join reply and by a push) is consumed once.
    if (this.#consuming.has(producerId)) return;
    this.#consuming.add(producerId);
    const transport = this.#recvTransport!;
    const info: ConsumerInfo = await this.#signaling.request('media:consume', {
      sessionId: this.#sessionId,
      transportId: transport.id,
      producerId,
      rtpCapabilities: this.#device!.recvRtpCapabilities,
    });
    if (this.#closed) return;
    const consumer = await transport.consume({
      id: info.id,
      producerId: info.producerId,
      kind: info.kind,
      rtpParameters: info.rtpParameters as types.RtpParameters,
    });
    this.#consumers.set(consumer.id, { consumer, from: info.from, source: info.source });
    if (isSharedView(info.source)) {
      // A shared view is not its sender's picture: it gets a stream of its own and its own place on the page.
      this.#handlers.onShare?.({ producerId: info.producerId, from: info.from, source: info.source as SharedSource, stream: new MediaStream([consumer.track]) });
    } else {
      const stream = this.#streams.get(info.from) ?? new MediaStream();
      this.#streams.set(info.from, stream);
      stream.addTrack(consumer.track);
      this.#handlers.onRemoteTrack(stream, info.from);
    }
    await this.#signaling.request('media:resumeConsumer', { sessionId: this.#sessionId, consumerId: consumer.id });
  }
}

let cachedDevice: { capabilities: string; device: Promise<Device> } | undefined;

/** A Device loaded for these router capabilities; loading costs tens of ms (a probe RTCPeerConnection), so it is reused. */
export function loadDevice(routerRtpCapabilities: types.RtpCapabilities): Promise<Device> {
  const capabilities = JSON.stringify(routerRtpCapabilities);
  if (cachedDevice?.capabilities !== capabilities) {
    const device = new Device();
    cachedDevice = { capabilities, device: device.load({ routerRtpCapabilities }).then(() => device) };
    cachedDevice.device.catch(() => {
      cachedDevice = undefined;
    });
  }
  return cachedDevice.device;
}

const capabilitiesReply = envelopeSchema(mediaCapabilitiesReplySchema);
let capabilities: Promise<MediaCapabilitiesReply | null> | undefined;

/** The server's static media capabilities, fetched once per page; null when they could not be read. */
export function mediaCapabilities(): Promise<MediaCapabilitiesReply | null> {
  capabilities ??= fetch('/api/media/capabilities')
    .then(async (response) => {
      const body = capabilitiesReply.parse(await response.json());
      return body.ok ? body.data : null;
    })
    .catch((error: unknown) => {
      console.warn('could not read the media capabilities', error);
      capabilities = undefined;
      return null;
    });
  return capabilities;
}

/** Prepares the WebRTC device before any call, from the server's static media capabilities. Failures only cost the head start. */
export async function preloadDevice(): Promise<void> {
  try {
    const reply = await mediaCapabilities();
    if (reply?.engine === 'mediasoup') await loadDevice(reply.rtpCapabilities as types.RtpCapabilities);
  } catch (error) {
    console.warn('could not prepare the media device early', error);
  }
}

/** Resolves true once a remote track receives media (a new one starts muted), false after `timeoutMs`. */
function untilUnmuted(track: MediaStreamTrack, timeoutMs: number): Promise<boolean> {
  if (!track.muted) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = window.setTimeout(() => resolve(false), timeoutMs);
    track.addEventListener(
      'unmute',
      () => {
        window.clearTimeout(timer);
        resolve(true);
      },
      { once: true },
    );
  });
}


/** mediasoup-demo's webcam simulcast (app/lib/RoomClient.js): a quarter, half and full resolution, L1T3 each. */
const DEMO_SIMULCAST_ENCODINGS: readonly types.RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 500_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 2, maxBitrate: 1_000_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 1, maxBitrate: 5_000_000, scalabilityMode: 'L1T3' },
];

/** mediasoup-demo's screen sharing with its layers on (app/lib/RoomClient.js enableShare): VP8 simulcast, L1T3 each. */
const DEMO_SHARE_ENCODINGS: readonly types.RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 500_000, scalabilityMode: 'L1T3', dtx: true },
  { scaleResolutionDownBy: 2, maxBitrate: 1_000_000, scalabilityMode: 'L1T3', dtx: true },
  { scaleResolutionDownBy: 1, maxBitrate: 5_000_000, scalabilityMode: 'L1T3', dtx: true },
];

/**
 * The product's shared view: the captured resolution, at most 20 fps in three temporal layers (20, 10, 5 fps), with a
 * half-resolution layer beneath it for a link that cannot carry even 5 fps of the full one. (mediasoup 3.8 takes
 * temporal layers only from VP8 simulcast: a lone encoding with them is refused.) A page of text needs far less than
 * moving video: the ceilings keep its base layer (5 fps of 1080 lines) cheap enough to sit beside a signer in 0.8 Mbit/s.
 */
const SHARE_ENCODINGS: readonly RTCRtpEncodingParameters[] = [
  { scaleResolutionDownBy: 2, maxBitrate: 300_000, maxFramerate: 20, scalabilityMode: 'L1T3' } as RTCRtpEncodingParameters,
  { scaleResolutionDownBy: 1, maxBitrate: 1_000_000, maxFramerate: 20, scalabilityMode: 'L1T3' } as RTCRtpEncodingParameters,
];

/**
 * VP8 simulcast, every layer with three temporal layers (L1T3), so the SFU can drop resolution before frame rate.
 * The lowest layer is 240 lines at 30 fps within 130 kbit/s, so that with audio it fits well inside a 0.3 Mbit/s
 * downlink whose estimate a congestion controller keeps below the line rate.
 */
export function simulcastEncodings(height: number): RTCRtpEncodingParameters[] {
  const down = (lines: number) => Math.max(1, height / lines);
  const layers = height >= 540
    ? [{ scaleResolutionDownBy: down(240), maxBitrate: 130_000 }, { scaleResolutionDownBy: down(480), maxBitrate: 600_000 }, { scaleResolutionDownBy: 1, maxBitrate: 1_800_000 }]
    : [{ scaleResolutionDownBy: down(240), maxBitrate: 130_000 }, { scaleResolutionDownBy: 1, maxBitrate: 900_000 }];
  return layers.map((layer) => ({ ...layer, maxFramerate: 30, scalabilityMode: 'L1T3' }) as RTCRtpEncodingParameters);
}

/**
 * The SCTP association's parameters as mediasoup-client 3.24 takes them: mediasoup 3.8 has one `maxMessageSize`
 * where newer servers send and receive limits, and the client reads only the latter.
 */
function sctpOf({ port, OS, MIS, maxMessageSize }: NonNullable<TransportInfo['sctpParameters']>): types.SctpParameters {
  return { port, OS, MIS, maxMessageSize, maxSendMessageSize: maxMessageSize, maxReceiveMessageSize: maxMessageSize };
}
