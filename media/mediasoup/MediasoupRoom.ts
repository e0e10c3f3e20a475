import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { ConsumerInfo, MediaJoined, MediaSource, NewProducer, TransportInfo } from '../../signaling/index.js';
import { AppError } from '../../signaling/index.js';
import type { MediaRoom, MediaRoomEvents } from '../MediaEngine.js';

interface Participant {
  id: string;
  transports: Map<string, types.WebRtcTransport>;
  producers: Map<string, types.Producer>;
  consumers: Map<string, types.Consumer>;
}

/** Options of every WebRTC transport in a room. */
export interface RoomTransportOptions {
  listenIps: types.TransportListenIp[];
  initialAvailableOutgoingBitrate: number;
}

/** A session's media on one mediasoup router. Every lookup is scoped to the asking participant. */
export class MediasoupRoom extends EventEmitter<MediaRoomEvents> implements MediaRoom {
  readonly id: string;
  readonly #router: types.Router;
  readonly #transportOptions: RoomTransportOptions;
  readonly #participants = new Map<string, Participant>();
  #closed = false;

  constructor(id: string, router: types.Router, transportOptions: RoomTransportOptions) {
    super();
    this.id = id;
    this.#router = router;
    this.#transportOptions = transportOptions;
    router.observer.once('close', () => this.close());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** True when the router went away underneath the room (its worker died). */
  get routerClosed(): boolean {
    return this.#router.closed;
  }

  async join(participantId: string): Promise<MediaJoined> {
    this.#assertOpen();
    // A second join (reload, reconnect) starts the participant afresh.
    if (this.#participants.has(participantId)) this.leave(participantId);
    this.#participants.set(participantId, { id: participantId, transports: new Map(), producers: new Map(), consumers: new Map() });
    const producers: NewProducer[] = [];
    for (const other of this.#participants.values()) {
      if (other.id === participantId) continue;
      for (const producer of other.producers.values()) producers.push(this.#describe(producer));
    }
    return { routerRtpCapabilities: this.#router.rtpCapabilities, producers };
  }

  has(participantId: string): boolean {
    return this.#participants.has(participantId);
  }

  async createTransport(participantId: string, direction: 'send' | 'recv'): Promise<TransportInfo> {
    const participant = this.#participant(participantId);
    const transport = await this.#router.createWebRtcTransport({
      listenIps: this.#transportOptions.listenIps,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: this.#transportOptions.initialAvailableOutgoingBitrate,
      appData: { direction },
    });
    if (this.#closed || !this.#participants.has(participantId)) {
      transport.close();
      throw AppError.invalidState('participant left the call');
    }
    participant.transports.set(transport.id, transport);
    transport.observer.once('close', () => participant.transports.delete(transport.id));
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  async connectTransport(participantId: string, transportId: string, dtlsParameters: unknown): Promise<void> {
    const transport = this.#transport(participantId, transportId);
    await transport.connect({ dtlsParameters: dtlsParameters as types.DtlsParameters });
  }

  async produce(
    participantId: string,
    request: { transportId: string; kind: 'audio' | 'video'; rtpParameters: unknown; source: MediaSource },
  ): Promise<{ producerId: string }> {
    const participant = this.#participant(participantId);
    const transport = this.#transport(participantId, request.transportId);
    if (transport.appData.direction !== 'send') throw AppError.invalidState('transport is not a send transport');
    const producer = await transport.produce({
      kind: request.kind,
      rtpParameters: request.rtpParameters as types.RtpParameters,
      appData: { source: request.source },
    });
    participant.producers.set(producer.id, producer);
    producer.observer.once('close', () => {
      participant.producers.delete(producer.id);
      if (!this.#closed) this.emit('producerClosed', participantId, producer.id);
    });
    this.emit('newProducer', participantId, this.#describe(producer));
    return { producerId: producer.id };
  }

  async consume(
    participantId: string,
    request: { transportId: string; producerId: string; rtpCapabilities: unknown },
  ): Promise<ConsumerInfo> {
    const participant = this.#participant(participantId);
    const transport = this.#transport(participantId, request.transportId);
    if (transport.appData.direction !== 'recv') throw AppError.invalidState('transport is not a receive transport');
    const producer = this.#othersProducer(participantId, request.producerId);
    const rtpCapabilities = request.rtpCapabilities as types.RtpCapabilities;
    if (!this.#router.canConsume({ producerId: producer.id, rtpCapabilities })) {
      throw AppError.badRequest('rtpCapabilities cannot receive this producer');
    }
    const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities, paused: true });
    participant.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => participant.consumers.delete(consumer.id));
    if (consumer.type === 'simulcast' || consumer.type === 'svc') {
      // Signing needs frame rate: ask for the top temporal layer of the best spatial layer the link allows.
      const spatialLayers = producer.rtpParameters.encodings?.length ?? 1;
      await consumer.setPreferredLayers({ spatialLayer: spatialLayers - 1, temporalLayer: 2 });
    }
    return {
      id: consumer.id,
      producerId: producer.id,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
      source: (producer.appData.source as MediaSource) ?? 'camera',
    };
  }

  async resumeConsumer(participantId: string, consumerId: string): Promise<void> {
    const consumer = this.#participant(participantId).consumers.get(consumerId);
    if (!consumer) throw AppError.notFound('consumer', consumerId);
    await consumer.resume();
  }

  async setProducerPaused(participantId: string, producerId: string, paused: boolean): Promise<void> {
    const producer = this.#participant(participantId).producers.get(producerId);
    if (!producer) throw AppError.notFound('producer', producerId);
    if (paused) await producer.pause();
    else await producer.resume();
  }

  leave(participantId: string): void {
    const participant = this.#participants.get(participantId);
    if (!participant) return;
    this.#participants.delete(participantId);
    // Closing a transport closes its producers and consumers, which notifies the others.
    for (const transport of [...participant.transports.values()]) transport.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#participants.clear();
    if (!this.#router.closed) this.#router.close();
    this.emit('closed');
    this.removeAllListeners();
  }

  #describe(producer: types.Producer): NewProducer {
    return { sessionId: this.id, producerId: producer.id, kind: producer.kind, source: (producer.appData.source as MediaSource) ?? 'camera' };
  }

  #participant(participantId: string): Participant {
    this.#assertOpen();
    const participant = this.#participants.get(participantId);
    if (!participant) throw AppError.invalidState('join the media room first (media:join)');
    return participant;
  }

  #transport(participantId: string, transportId: string): types.WebRtcTransport {
    const transport = this.#participant(participantId).transports.get(transportId);
    if (!transport) throw AppError.notFound('transport', transportId);
    return transport;
  }

  // Producers of other rooms and the participant's own are reported the same way: not found.
  #othersProducer(participantId: string, producerId: string): types.Producer {
    for (const other of this.#participants.values()) {
      if (other.id === participantId) continue;
      const producer = other.producers.get(producerId);
      if (producer) return producer;
    }
    throw AppError.notFound('producer', producerId);
  }

  #assertOpen(): void {
    if (this.#closed) throw AppError.invalidState('the call has ended');
  }
}
