import type { types } from 'mediasoup';
import type { Socket } from 'socket.io';
import { mediaCodecs } from '../../media/mediasoup/mediasoupSettings.js';
import { BARE_ACK_TIMEOUT_MS, type BareClientToServer, type BareServerToClient, type Reply, type TransportInfo } from './bareProtocol.js';

/** A page's socket on the bare server. */
export type BareSocket = Socket<BareClientToServer, BareServerToClient>;

/** Options of every WebRTC transport, the product's own (media/mediasoup/MediasoupRoom.ts). */
export interface BareTransportOptions {
  listenIp: string;
  initialAvailableOutgoingBitrate: number;
}

interface Peer {
  id: string;
  socket: BareSocket;
  joined: boolean;
  /** Set at join when the peer consumes. */
  rtpCapabilities: types.RtpCapabilities | undefined;
  transports: Map<string, types.WebRtcTransport>;
  producers: Map<string, types.Producer>;
  consumers: Map<string, types.Consumer>;
}

/**
 * One call the way mediasoup-demo's server/lib/Room.js holds one: a router, and peers that create transports, join
 * and produce; the room makes a paused consumer for every producer a joined peer can receive, asks that peer to
 * consume it (`newConsumer`) and resumes it on the answer. Closes itself when its last peer leaves.
 */
export class BareRoom {
  readonly id: string;
  readonly #router: types.Router;
  readonly #transportOptions: BareTransportOptions;
  readonly #peers = new Map<string, Peer>();
  readonly #onClose: () => void;
  #closed = false;

  private constructor(id: string, router: types.Router, transportOptions: BareTransportOptions, onClose: () => void) {
    this.id = id;
    this.#router = router;
    this.#transportOptions = transportOptions;
    this.#onClose = onClose;
  }

  /** Creates the room's router on `worker` with the product's codecs. */
  static async create(id: string, worker: types.Worker, transportOptions: BareTransportOptions, onClose: () => void): Promise<BareRoom> {
    return new BareRoom(id, await worker.createRouter({ mediaCodecs }), transportOptions, onClose);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Takes a connected page into the room (not yet joined) and answers its requests. */
  handleConnection(peerId: string, socket: BareSocket): void {
    if (this.#closed) {
      socket.disconnect(true);
      return;
    }
    const peer: Peer = { id: peerId, socket, joined: false, rtpCapabilities: undefined, transports: new Map(), producers: new Map(), consumers: new Map() };
    // A second connection with the same id replaces the first, as in mediasoup-demo.
    const previous = this.#peers.get(peerId);
    this.#peers.set(peerId, peer);
    if (previous) {
      BareRoom.#closeTransports(previous);
      previous.socket.disconnect(true);
    }
    const answer =
      <A, T>(handler: (request: A) => Promise<T> | T) =>
      (request: A, ack: (reply: Reply<T>) => void) => {
        Promise.resolve()
          .then(() => handler(request))
          .then(
            (data) => ack({ ok: true, data }),
            (error: unknown) => ack({ ok: false, error: error instanceof Error ? error.message : String(error) }),
          );
      };
    socket.on('getRouterRtpCapabilities', answer(() => this.#router.rtpCapabilities));
    socket.on('createWebRtcTransport', answer((request) => this.#createTransport(peer, request)));
    socket.on('connectWebRtcTransport', answer(async ({ transportId, dtlsParameters }) => {
      await this.#transport(peer, transportId).connect({ dtlsParameters: dtlsParameters as types.DtlsParameters });
      return null;
    }));
    socket.on('join', answer((request) => this.#join(peer, request)));
    socket.on('produce', answer((request) => this.#produce(peer, request)));
    socket.on('accept', answer(() => this.#accept(peer)));
    socket.on('disconnect', () => this.#leave(peer));
    for (const other of this.#joinedPeers(peer)) other.socket.emit('peerWaiting', { peerId });
  }

  /** Closes the router, and with it every transport, producer and consumer. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const peers = [...this.#peers.values()];
    this.#peers.clear();
    for (const peer of peers) peer.socket.disconnect(true);
    this.#router.close();
    this.#onClose();
  }

  async #createTransport(peer: Peer, { producing, consuming }: { producing: boolean; consuming: boolean }): Promise<TransportInfo> {
    const transport = await this.#router.createWebRtcTransport({
      listenIps: [{ ip: this.#transportOptions.listenIp }],
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: this.#transportOptions.initialAvailableOutgoingBitrate,
      appData: { producing, consuming },
    });
    if (!this.#peers.has(peer.id)) {
      transport.close();
      throw new Error('peer left');
    }
    // A peer whose DTLS fails is gone, as mediasoup-demo decides.
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') peer.socket.disconnect(true);
    });
    peer.transports.set(transport.id, transport);
    return { id: transport.id, iceParameters: transport.iceParameters, iceCandidates: transport.iceCandidates, dtlsParameters: transport.dtlsParameters };
  }

  #join(peer: Peer, { rtpCapabilities }: { displayName: string; rtpCapabilities?: unknown }): { peers: string[] } {
    if (peer.joined) throw new Error('peer already joined');
    peer.joined = true;
    peer.rtpCapabilities = rtpCapabilities as types.RtpCapabilities | undefined;
    const others = [...this.#joinedPeers(peer)];
    for (const waiting of this.#peers.values()) if (!waiting.joined) peer.socket.emit('peerWaiting', { peerId: waiting.id });
    // Consumers for what the others already send; each reaches the page after this answer (the worker is asked first).
    for (const other of others) for (const producer of other.producers.values()) void this.#createConsumer(peer, other, producer);
    return { peers: others.map((other) => other.id) };
  }

  async #produce(
    peer: Peer,
    { transportId, kind, rtpParameters, appData }: { transportId: string; kind: 'audio' | 'video'; rtpParameters: unknown; appData: Record<string, unknown> },
  ): Promise<{ id: string }> {
    if (!peer.joined) throw new Error('peer not yet joined');
    const producer = await this.#transport(peer, transportId).produce({ kind, rtpParameters: rtpParameters as types.RtpParameters, appData: { ...appData, peerId: peer.id } });
    peer.producers.set(producer.id, producer);
    producer.observer.once('close', () => peer.producers.delete(producer.id));
    for (const other of this.#joinedPeers(peer)) void this.#createConsumer(other, peer, producer);
    return { id: producer.id };
  }

  #accept(peer: Peer): null {
    if (!peer.joined) throw new Error('peer not yet joined');
    for (const waiting of this.#peers.values()) if (!waiting.joined) waiting.socket.emit('callAccepted', { by: peer.id });
    return null;
  }

  /**
   * Makes a paused consumer, asks its peer to consume it and resumes it on the answer: the page's receiver exists
   * before the first packet, and a video consumer asks for one key frame, when it resumes.
   */
  async #createConsumer(consumerPeer: Peer, producerPeer: Peer, producer: types.Producer): Promise<void> {
    const rtpCapabilities = consumerPeer.rtpCapabilities;
    if (!rtpCapabilities || !this.#router.canConsume({ producerId: producer.id, rtpCapabilities })) return;
    const transport = [...consumerPeer.transports.values()].find((t) => t.appData.consuming === true);
    if (!transport) return;
    let consumer: types.Consumer | undefined;
    try {
      consumer = await transport.consume({ producerId: producer.id, rtpCapabilities, paused: true });
      const created = consumer;
      consumerPeer.consumers.set(created.id, created);
      created.observer.once('close', () => consumerPeer.consumers.delete(created.id));
      const reply = await consumerPeer.socket.timeout(BARE_ACK_TIMEOUT_MS).emitWithAck('newConsumer', {
        peerId: producerPeer.id,
        producerId: producer.id,
        id: created.id,
        kind: created.kind,
        rtpParameters: created.rtpParameters,
        appData: producer.appData,
      });
      if (!reply.ok) throw new Error(reply.error);
      await created.resume();
    } catch (error) {
      // The peer could not take it (or left meanwhile): drop the consumer, the call goes on without it.
      consumer?.close();
      if (!this.#closed && this.#peers.get(consumerPeer.id) === consumerPeer) {
        process.stderr.write(`[bare] consumer of ${producer.kind} for ${consumerPeer.id} failed: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  }

  #leave(peer: Peer): void {
    if (this.#peers.get(peer.id) !== peer) return;
    this.#peers.delete(peer.id);
    BareRoom.#closeTransports(peer);
    if (this.#peers.size === 0) this.close();
  }

  // Closing a transport closes its producers and consumers, and the others' consumers of its producers.
  static #closeTransports(peer: Peer): void {
    for (const transport of [...peer.transports.values()]) transport.close();
    peer.transports.clear();
  }

  *#joinedPeers(except: Peer): Iterable<Peer> {
    for (const peer of this.#peers.values()) if (peer.joined && peer !== except) yield peer;
  }

  #transport(peer: Peer, transportId: string): types.WebRtcTransport {
    const transport = peer.transports.get(transportId);
    if (!transport) throw new Error(`transport with id "${transportId}" not found`);
    return transport;
  }
}
