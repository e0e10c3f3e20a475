import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import type { ConsumerInfo, MediaSource, NewProducer } from '../../../signaling/index.js';
import type { SignalingClient } from '../net/SignalingClient.js';

/** Receive-side figures read from WebRTC stats, for the UI and the tests. */
export interface ReceiveStats {
  video: { framesDecoded: number; framesPerSecond: number; frameWidth: number; frameHeight: number } | null;
  audio: { packetsReceived: number } | null;
}

/** Events a call reports to its page. */
export interface MediasoupCallHandlers {
  /** A remote track arrived; the page attaches `stream` to the remote view. */
  onRemoteTrack(stream: MediaStream): void;
}

/**
 * One participant's media in one call over mediasoup: a send and a receive transport, a producer
 * per local track, a consumer per remote producer. Closing is idempotent.
 */
export class MediasoupCall {
  /** The remote participant's tracks, in one stream. */
  readonly remoteStream = new MediaStream();
  readonly #signaling: SignalingClient;
  readonly #sessionId: string;
  readonly #handlers: MediasoupCallHandlers;
  readonly #device = new Device();
  readonly #producers = new Map<MediaSource, types.Producer>();
  readonly #consumers = new Map<string, types.Consumer>();
  #sendTransport?: types.Transport;
  #recvTransport?: types.Transport;
  #recvReady?: Promise<types.Transport>;
  #closed = false;
  readonly #onNewProducer = (producer: NewProducer) => {
    if (producer.sessionId === this.#sessionId) void this.#consume(producer.producerId).catch((e: unknown) => console.warn('consume failed', e));
  };
  readonly #onProducerClosed = ({ producerId }: { producerId: string }) => {
    for (const consumer of this.#consumers.values()) {
      if (consumer.producerId !== producerId) continue;
      this.remoteStream.removeTrack(consumer.track);
      consumer.close();
      this.#consumers.delete(consumer.id);
    }
  };

  constructor(signaling: SignalingClient, sessionId: string, handlers: MediasoupCallHandlers) {
    this.#signaling = signaling;
    this.#sessionId = sessionId;
    this.#handlers = handlers;
  }

  /** Joins the room, sends the local tracks and receives the other side's. */
  async start(local: MediaStream | null): Promise<void> {
    const socket = this.#signaling.socket;
    socket.on('media:newProducer', this.#onNewProducer);
    socket.on('media:producerClosed', this.#onProducerClosed);
    const joined = await this.#signaling.request('media:join', { sessionId: this.#sessionId });
    await this.#device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as types.RtpCapabilities });
    // Receiving does not wait for sending: both transports connect in parallel.
    this.#recvReady = this.#createTransport('recv');
    const receiving = Promise.all(joined.producers.map((p) => this.#consume(p.producerId)));
    const tracks = local?.getTracks().filter((t) => t.readyState === 'live') ?? [];
    if (tracks.length > 0) {
      this.#sendTransport = await this.#createTransport('send');
      await Promise.all(tracks.map((track) => this.#produce(track)));
    }
    await receiving;
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
    const result: ReceiveStats = { video: null, audio: null };
    if (!this.#recvTransport) return result;
    const report = await this.#recvTransport.getStats();
    report.forEach((stat: Record<string, unknown>) => {
      if (stat.type !== 'inbound-rtp') return;
      if (stat.kind === 'video') {
        result.video = {
          framesDecoded: Number(stat.framesDecoded ?? 0),
          framesPerSecond: Number(stat.framesPerSecond ?? 0),
          frameWidth: Number(stat.frameWidth ?? 0),
          frameHeight: Number(stat.frameHeight ?? 0),
        };
      } else if (stat.kind === 'audio') {
        result.audio = { packetsReceived: Number(stat.packetsReceived ?? 0) };
      }
    });
    return result;
  }

  /** Stops everything this call opened. Idempotent; the local stream stays open for the next call. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#signaling.socket.off('media:newProducer', this.#onNewProducer);
    this.#signaling.socket.off('media:producerClosed', this.#onProducerClosed);
    this.#sendTransport?.close();
    this.#recvTransport?.close();
    for (const track of this.remoteStream.getTracks()) this.remoteStream.removeTrack(track);
  }

  async #createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const info = await this.#signaling.request('media:createTransport', { sessionId: this.#sessionId, direction });
    const options = info as unknown as types.TransportOptions;
    const transport = direction === 'send' ? this.#device.createSendTransport(options) : this.#device.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.#signaling
        .request('media:connectTransport', { sessionId: this.#sessionId, transportId: transport.id, dtlsParameters: dtlsParameters as never })
        .then(() => callback(), errback);
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        this.#signaling
          .request('media:produce', {
            sessionId: this.#sessionId,
            transportId: transport.id,
            kind,
            rtpParameters: rtpParameters as never,
            source: appData.source as MediaSource,
          })
          .then(({ producerId }) => callback({ id: producerId }), errback);
      });
      this.#sendTransport = transport;
    } else {
      this.#recvTransport = transport;
    }
    if (this.#closed) transport.close();
    return transport;
  }

  async #produce(track: MediaStreamTrack): Promise<void> {
    const transport = this.#sendTransport!;
    if (track.kind === 'audio') {
      const producer = await transport.produce({ track, appData: { source: 'microphone' }, codecOptions: { opusDtx: false, opusFec: true } });
      this.#producers.set('microphone', producer);
      return;
    }
    const height = track.getSettings().height ?? 480;
    const producer = await transport.produce({
      track,
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

  async #consume(producerId: string): Promise<void> {
    const transport = await this.#recvReady!;
    const info: ConsumerInfo = await this.#signaling.request('media:consume', {
      sessionId: this.#sessionId,
      transportId: transport.id,
      producerId,
      rtpCapabilities: this.#device.recvRtpCapabilities as never,
    });
    if (this.#closed) return;
    const consumer = await transport.consume({
      id: info.id,
      producerId: info.producerId,
      kind: info.kind,
      rtpParameters: info.rtpParameters as types.RtpParameters,
    });
    this.#consumers.set(consumer.id, consumer);
    this.remoteStream.addTrack(consumer.track);
    this.#handlers.onRemoteTrack(this.remoteStream);
    await this.#signaling.request('media:resumeConsumer', { sessionId: this.#sessionId, consumerId: consumer.id });
  }
}

/** VP8 simulcast, every layer with three temporal layers (L1T3), so the SFU can drop resolution before frame rate. */
export function simulcastEncodings(height: number): RTCRtpEncodingParameters[] {
  const layers = height >= 540
    ? [{ scaleResolutionDownBy: 4, maxBitrate: 200_000 }, { scaleResolutionDownBy: 2, maxBitrate: 600_000 }, { scaleResolutionDownBy: 1, maxBitrate: 1_800_000 }]
    : [{ scaleResolutionDownBy: 2, maxBitrate: 300_000 }, { scaleResolutionDownBy: 1, maxBitrate: 1_000_000 }];
  return layers.map((layer) => ({ ...layer, maxFramerate: 30, scalabilityMode: 'L1T3' }) as RTCRtpEncodingParameters);
}
