// The bare baseline's signaling, shared by bareServer.ts and barePage.ts: mediasoup-demo's requests and
// notifications (server/lib/Room.js, app/lib/RoomClient.js) over Socket.IO acks, plus the call's accept.
// mediasoup's own objects (capabilities, parameters) travel as `unknown`: each end's mediasoup library checks them.

/** A request's answer: its data, or why it failed. */
export type Reply<T> = { ok: true; data: T } | { ok: false; error: string };

/** What a page needs to create its side of a WebRtcTransport. */
export interface TransportInfo {
  id: string;
  iceParameters: unknown;
  iceCandidates: unknown[];
  dtlsParameters: unknown;
}

/** The server's request that a joined peer receive one producer through a consumer it has made, paused. */
export interface NewConsumer {
  peerId: string;
  producerId: string;
  id: string;
  kind: 'audio' | 'video';
  rtpParameters: unknown;
  appData: Record<string, unknown>;
}

/** Requests a page sends; every one is answered through its ack. */
export interface BareClientToServer {
  getRouterRtpCapabilities(request: Record<string, never>, ack: (reply: Reply<unknown>) => void): void;
  createWebRtcTransport(request: { producing: boolean; consuming: boolean }, ack: (reply: Reply<TransportInfo>) => void): void;
  connectWebRtcTransport(request: { transportId: string; dtlsParameters: unknown }, ack: (reply: Reply<null>) => void): void;
  /** Enters the room; `rtpCapabilities` only when the peer consumes. Answers the peers already in. */
  join(request: { displayName: string; rtpCapabilities?: unknown }, ack: (reply: Reply<{ peers: string[] }>) => void): void;
  produce(
    request: { transportId: string; kind: 'audio' | 'video'; rtpParameters: unknown; appData: Record<string, unknown> },
    ack: (reply: Reply<{ id: string }>) => void,
  ): void;
  /** The agent takes the call: every peer waiting in the room is told to join. */
  accept(request: Record<string, never>, ack: (reply: Reply<null>) => void): void;
}

/** What the server sends a page: two notifications and one request. */
export interface BareServerToClient {
  /** A peer connected to the room and waits to be let in (the agent's accept button lights up). */
  peerWaiting(notification: { peerId: string }): void;
  /** The call was accepted: join now. */
  callAccepted(notification: { by: string }): void;
  /** Consume this; the server resumes its consumer once the page has answered. */
  newConsumer(request: NewConsumer, ack: (reply: Reply<null>) => void): void;
}

/** How long either end waits for an answer. */
export const BARE_ACK_TIMEOUT_MS = 10_000;
