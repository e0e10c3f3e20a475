import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { ConsumerInfo, DataConsumerInfo, MediaSource, NewProducer, SfuJoined, TransportInfo } from '../../signaling/index.js';
import { AppError, RTT_INBOX_CHANNEL, transportInfoSchema } from '../../signaling/index.js';
import type { MediaPolicy, ParticipantRole } from '../../signaling/index.js';
import type { AudioTap, DataChannelRequest, MediaRoom, MediaRoomEvents, SfuSignaling } from '../MediaEngine.js';
import { DataRelay } from './DataRelay.js';
import { DirectAudioTap } from './DirectAudioTap.js';
import { LayerController, sourceOf } from './LayerController.js';

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
  policy: MediaPolicy;
}

/** A session's media on one mediasoup router. Every lookup is scoped to the asking participant. */
export class MediasoupRoom extends EventEmitter<MediaRoomEvents> implements MediaRoom, SfuSignaling {
  readonly id: string;
  readonly engine = 'mediasoup' as const;
  /** The mediasoup router hosting this room; a colocated room shares its host's. */
  readonly router: types.Router;
  readonly #router: types.Router;
  readonly #transportOptions: RoomTransportOptions;
  readonly #participants = new Map<string, Participant>();
  /** Producers piped in from another room, by owning participant; they outlive a participant's rejoin. */
  readonly #adopted = new Map<string, Map<string, types.Producer>>();
  /** Adopted producers piped in from another router: this room's own, closed with it. */
  readonly #piped = new Set<string>();
  /** Frame-rate-first layer choice per consumer; absent with the `default` policy. */
  readonly #layers: LayerController | undefined;
  readonly #roleOf: (participantId: string) => ParticipantRole;
  /** Open audio taps; closed with the room even when the room does not own the router. */
  readonly #taps = new Set<AudioTap>();
  /** The server's end of every data channel in the room. */
  readonly #data: DataRelay;
  #closed = false;

  constructor(
    id: string,
    router: types.Router,
    transportOptions: RoomTransportOptions,
    options: { roleOf?: ((participantId: string) => ParticipantRole) | undefined } = {},
  ) {
    super();
    this.id = id;
    this.router = router;
    this.#router = router;
    this.#roleOf = options.roleOf ?? (() => 'agent');
    this.#transportOptions = transportOptions;
    this.#layers = transportOptions.policy === 'product' ? new LayerController((transportId) => this.#audioConsumersOn(transportId)) : undefined;
    this.#data = new DataRelay(router);
    this.#data.on('message', (ownerId, label, text) => this.emit('dataMessage', ownerId, label, text));
    this.#data.on('refused', (ownerId, label, reason) => this.emit('dataRefused', ownerId, label, reason));
    router.observer.once('close', () => this.close());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The room itself: the browser drives its transports. */
  get sfu(): SfuSignaling {
    return this;
  }

  /** True when the router went away underneath the room (its worker died). */
  get routerClosed(): boolean {
    return this.#router.closed;
  }

  async join(participantId: string, options: { send: boolean; data?: boolean }): Promise<Omit<SfuJoined, 'iceServers'>> {
    this.#assertOpen();
    // A second join (reload, reconnect) starts the participant afresh.
    if (this.#participants.has(participantId)) this.leave(participantId);
    this.#participants.set(participantId, { id: participantId, transports: new Map(), producers: new Map(), consumers: new Map() });
    const producers: NewProducer[] = [];
    for (const [ownerId, owned] of this.#producersByOwner()) {
      if (ownerId === participantId) continue;
      for (const producer of owned.values()) producers.push(this.#describe(ownerId, producer));
    }
    // Data channels need both ways: the participant's own channel on a send transport, its inbox on the receive one.
    const data = options.data ?? false;
    const [recvTransport, sendTransport] = await Promise.all([
      this.createTransport(participantId, 'recv', { data }),
      options.send || data ? this.createTransport(participantId, 'send', { data }) : undefined,
    ]);
    return {
      engine: 'mediasoup',
      routerRtpCapabilities: this.#router.rtpCapabilities,
      policy: this.#transportOptions.policy,
      producers,
      recvTransport,
      ...(sendTransport ? { sendTransport } : {}),
    };
  }

  has(participantId: string): boolean {
    return this.#participants.has(participantId);
  }

  async createTransport(participantId: string, direction: 'send' | 'recv', options: { data?: boolean } = {}): Promise<TransportInfo> {
    const participant = this.#participant(participantId);
    const transport = await this.#router.createWebRtcTransport({
      listenIps: this.#transportOptions.listenIps,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: this.#transportOptions.initialAvailableOutgoingBitrate,
      enableSctp: options.data ?? false,
      appData: { direction },
    });
    if (this.#closed || !this.#participants.has(participantId)) {
      transport.close();
      throw AppError.invalidState('participant left the call');
    }
    participant.transports.set(transport.id, transport);
    transport.observer.once('close', () => participant.transports.delete(transport.id));
    // mediasoup types the fingerprint algorithm as any string; the wire schema names the ones browsers take.
    return transportInfoSchema.parse({
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
      ...(transport.sctpParameters ? { sctpParameters: transport.sctpParameters } : {}),
    });
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
    this.emit('newProducer', participantId, this.#describe(participantId, producer));
    return { producerId: producer.id };
  }

  async consume(
    participantId: string,
    request: { transportId: string; producerId: string; rtpCapabilities: unknown },
  ): Promise<ConsumerInfo> {
    const participant = this.#participant(participantId);
    const transport = this.#transport(participantId, request.transportId);
    if (transport.appData.direction !== 'recv') throw AppError.invalidState('transport is not a receive transport');
    const { ownerId, producer } = this.#othersProducer(participantId, request.producerId);
    const rtpCapabilities = request.rtpCapabilities as types.RtpCapabilities;
    if (!this.#router.canConsume({ producerId: producer.id, rtpCapabilities })) {
      throw AppError.badRequest('rtpCapabilities cannot receive this producer');
    }
    const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities, paused: true });
    participant.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => participant.consumers.delete(consumer.id));
    if (this.#layers && (consumer.type === 'simulcast' || consumer.type === 'svc')) {
      // Start at the top; the layer policy steps down to what the link carries at full frame rate.
      const spatialLayers = producer.rtpParameters.encodings?.length ?? 1;
      await consumer.setPreferredLayers({ spatialLayer: spatialLayers - 1, temporalLayer: 2 });
      await this.#layers.add(consumer, producer, transport);
    }
    return {
      id: consumer.id,
      producerId: producer.id,
      from: this.#roleOf(ownerId),
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
      source: sourceOf(producer),
    };
  }

  async resumeConsumer(participantId: string, consumerId: string): Promise<void> {
    const consumer = this.#participant(participantId).consumers.get(consumerId);
    if (!consumer) throw AppError.notFound('consumer', consumerId);
    await consumer.resume();
  }

  closeConsumer(participantId: string, consumerId: string): void {
    const consumer = this.#participant(participantId).consumers.get(consumerId);
    if (!consumer) throw AppError.notFound('consumer', consumerId);
    consumer.close();
  }

  closeProducer(participantId: string, producerId: string): void {
    const producer = this.#participant(participantId).producers.get(producerId);
    if (!producer) throw AppError.notFound('producer', producerId);
    producer.close();
  }

  producerSource(producerId: string): MediaSource | undefined {
    for (const [, owned] of this.#producersByOwner()) {
      const producer = owned.get(producerId);
      if (producer && !producer.closed) return sourceOf(producer);
    }
    return undefined;
  }

  async setProducerPaused(participantId: string, producerId: string, paused: boolean): Promise<void> {
    const producer = this.#participant(participantId).producers.get(producerId);
    if (!producer) throw AppError.notFound('producer', producerId);
    if (paused) await producer.pause();
    else await producer.resume();
  }

  async adoptProducers(participantId: string, source: MediaRoom): Promise<void> {
    this.#assertOpen();
    if (!(source instanceof MediasoupRoom)) throw new TypeError('source room belongs to another media engine');
    const owned = source.#participants.get(participantId)?.producers ?? new Map<string, types.Producer>();
    const adopted = this.#adopted.get(participantId) ?? new Map<string, types.Producer>();
    this.#adopted.set(participantId, adopted);
    for (const producer of owned.values()) {
      if (adopted.has(producer.id)) continue;
      // On a shared router the original producer is consumed directly; otherwise it is piped across routers.
      const local = source.#router === this.#router ? producer : (await source.#router.pipeToRouter({ producerId: producer.id, router: this.#router })).pipeProducer;
      if (!local) continue;
      if (local !== producer) this.#piped.add(local.id);
      adopted.set(local.id, local);
      local.observer.once('close', () => {
        adopted.delete(local.id);
        if (!this.#closed) this.emit('producerClosed', participantId, local.id);
      });
      this.emit('newProducer', participantId, this.#describe(participantId, local));
    }
  }

  /**
   * Makes a producer created directly on this room's router one of the room's, owned by `ownerId`: plain RTP from a
   * local process (a phone gateway; ffmpeg in tests). The caller keeps owning the producer; the room forgets it
   * when it closes or its owner is removed.
   */
  addRouterProducer(ownerId: string, producer: types.Producer): void {
    this.#assertOpen();
    if (producer.closed) throw new TypeError('producer is closed');
    if (!this.#router.canConsume({ producerId: producer.id, rtpCapabilities: this.#router.rtpCapabilities })) {
      throw new TypeError(`producer "${producer.id}" is not on this room's router`);
    }
    const adopted = this.#adopted.get(ownerId) ?? new Map<string, types.Producer>();
    this.#adopted.set(ownerId, adopted);
    adopted.set(producer.id, producer);
    producer.observer.once('close', () => {
      if (adopted.delete(producer.id) && !this.#closed) this.emit('producerClosed', ownerId, producer.id);
    });
    this.emit('newProducer', ownerId, this.#describe(ownerId, producer));
  }

  async produceData(participantId: string, request: DataChannelRequest): Promise<{ dataProducerId: string }> {
    const transport = this.#transport(participantId, request.transportId);
    if (transport.appData.direction !== 'send') throw AppError.invalidState('transport is not a send transport');
    if (!transport.sctpParameters) throw AppError.invalidState('this transport has no data channels (join with data: true)');
    const dataProducer = await transport.produceData({ sctpStreamParameters: request.sctpStreamParameters, label: request.label, protocol: request.protocol });
    // Everything the participant sends is read here, never forwarded as it is (see DataRelay).
    await this.#data.read(participantId, dataProducer).catch((error: unknown) => {
      dataProducer.close();
      throw error;
    });
    return { dataProducerId: dataProducer.id };
  }

  async consumeInbox(participantId: string, transportId: string): Promise<DataConsumerInfo> {
    const transport = this.#transport(participantId, transportId);
    if (transport.appData.direction !== 'recv') throw AppError.invalidState('transport is not a receive transport');
    if (!transport.sctpParameters) throw AppError.invalidState('this transport has no data channels (join with data: true)');
    const inbox = await this.#data.inbox(participantId);
    const consumer = await transport.consumeData({ dataProducerId: inbox.id });
    // Until the participant confirms the new consumer, their text goes by Socket.IO.
    this.#data.confirm(participantId, false);
    consumer.observer.once('close', () => this.#data.confirm(participantId, false));
    return {
      id: consumer.id,
      dataProducerId: inbox.id,
      sctpStreamParameters: { streamId: consumer.sctpStreamParameters?.streamId ?? 0, ordered: true },
      label: RTT_INBOX_CHANNEL.label,
      protocol: RTT_INBOX_CHANNEL.protocol,
    };
  }

  confirmInbox(participantId: string): void {
    this.#data.confirm(participantId, true);
  }

  sendData(participantId: string, text: string): boolean {
    return !this.#closed && this.#data.send(participantId, text);
  }

  async tapAudio(producerId: string): Promise<AudioTap> {
    this.#assertOpen();
    const producer = this.#anyProducer(producerId);
    if (producer.kind !== 'audio') throw AppError.badRequest(`producer "${producerId}" carries ${producer.kind}; only audio can be tapped`);
    const tap = await DirectAudioTap.open(this.#router, producer);
    if (this.#closed) {
      tap.close();
      throw AppError.invalidState('the call has ended');
    }
    this.#taps.add(tap);
    tap.once('closed', () => this.#taps.delete(tap));
    return tap;
  }

  leave(participantId: string): void {
    const participant = this.#participants.get(participantId);
    if (!participant) return;
    this.#participants.delete(participantId);
    this.#data.drop(participantId);
    // Closing a transport closes its producers and consumers, which notifies the others.
    for (const transport of [...participant.transports.values()]) transport.close();
  }

  remove(participantId: string): void {
    this.leave(participantId);
    const adopted = this.#adopted.get(participantId);
    if (!adopted) return;
    this.#adopted.delete(participantId);
    for (const producer of adopted.values()) {
      if (this.#piped.delete(producer.id)) {
        // Closing a piped producer closes its consumers here and reports it through its close listener.
        producer.close();
        continue;
      }
      // The source room's own producer stays open there; only its consumers in this room go.
      for (const other of this.#participants.values()) {
        for (const consumer of other.consumers.values()) if (consumer.producerId === producer.id) consumer.close();
      }
      this.emit('producerClosed', participantId, producer.id);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const tap of [...this.#taps]) tap.close();
    this.#data.close();
    // A colocated room closes only what its own participants opened; adopted producers belong to their source room.
    for (const participantId of [...this.#participants.keys()]) this.leave(participantId);
    this.#adopted.clear();
    this.#layers?.close();
    this.emit('closed');
    this.removeAllListeners();
  }

  #audioConsumersOn(transportId: string): number {
    let count = 0;
    for (const participant of this.#participants.values()) {
      if (!participant.transports.has(transportId)) continue;
      for (const consumer of participant.consumers.values()) if (consumer.kind === 'audio' && !consumer.closed) count++;
    }
    return count;
  }

  #describe(ownerId: string, producer: types.Producer): NewProducer {
    return { sessionId: this.id, producerId: producer.id, from: this.#roleOf(ownerId), kind: producer.kind, source: sourceOf(producer) };
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
  #othersProducer(participantId: string, producerId: string): { ownerId: string; producer: types.Producer } {
    for (const [ownerId, owned] of this.#producersByOwner()) {
      const producer = ownerId === participantId ? undefined : owned.get(producerId);
      if (producer) return { ownerId, producer };
    }
    throw AppError.notFound('producer', producerId);
  }

  #anyProducer(producerId: string): types.Producer {
    for (const [, owned] of this.#producersByOwner()) {
      const producer = owned.get(producerId);
      if (producer) return producer;
    }
    throw AppError.notFound('producer', producerId);
  }

  *#producersByOwner(): Iterable<[string, Map<string, types.Producer>]> {
    for (const participant of this.#participants.values()) yield [participant.id, participant.producers];
    yield* this.#adopted;
  }

  #assertOpen(): void {
    if (this.#closed) throw AppError.invalidState('the call has ended');
  }
}
