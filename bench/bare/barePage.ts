// The bare baseline's page, written the way mediasoup-demo's app/lib/RoomClient.js joins a room: router
// capabilities, a loaded Device, transports, `join` with the Device's capabilities, then producers; consumers come as
// the server's `newConsumer` requests. `?role=agent` joins and sends at once and shows an accept button;
// `?role=customer` opens its camera and waits for the accept to join. Media is set up exactly as the product's pages
// set theirs up (client/src/media), so the two sides of bench:call differ in their code path only.
import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import { io, type Socket } from 'socket.io-client';
import { simulcastEncodings } from '../../client/src/media/MediasoupCall.js';
import { openLocalMedia } from '../../client/src/media/localMedia.js';
import { inboundStreams, numbersOf, outboundVideo, type OutboundVideo } from '../../client/src/media/qualitySample.js';
import { BARE_ACK_TIMEOUT_MS, type BareClientToServer, type BareServerToClient, type NewConsumer, type Reply, type TransportInfo } from './bareProtocol.js';

/** What bench:call reads and calls through page.evaluate, at `window.bare`. */
export interface BareApi {
  /** The page is set up: the agent sends its camera, the customer's camera is open and it waits for the call. */
  ready: boolean;
  /** Why setting up or joining failed, if it did. */
  error: string | null;
  /** Epoch ms when the first remote video frame was presented, or null. */
  firstRemoteFrameAt: number | null;
  /** The decoded remote video so far, read from the receive transport as the product's pages read theirs. */
  receiveStats(): Promise<{ video: { framesDecoded: number; frameHeight: number } | null } | null>;
  /** The page's outgoing video, one entry per encoding. */
  sendStats(): Promise<OutboundVideo[]>;
}

const params = new URLSearchParams(location.search);
const role = params.get('role') === 'agent' ? 'agent' : 'customer';
const socket: Socket<BareServerToClient, BareClientToServer> = io({ transports: ['websocket'], query: { roomId: params.get('roomId') ?? '', peerId: role } });
const remoteVideo = document.querySelector<HTMLVideoElement>('#remote')!;
const acceptButton = document.querySelector<HTMLButtonElement>('#accept')!;
const remoteStream = new MediaStream();
let sendTransport: types.Transport | undefined;
let recvTransport: types.Transport | undefined;

const api: BareApi = {
  ready: false,
  error: null,
  firstRemoteFrameAt: null,
  async receiveStats() {
    if (!recvTransport) return null;
    const { video } = inboundStreams(await recvTransport.getStats());
    return { video: video ? numbersOf(video, ['framesDecoded', 'frameHeight']) : null };
  },
  async sendStats() {
    return sendTransport ? outboundVideo(await sendTransport.getStats()) : [];
  },
};
(window as unknown as { bare: BareApi }).bare = api;

type RequestName = keyof BareClientToServer;
type Payload<E extends RequestName> = Parameters<BareClientToServer[E]>[0];
type AckData<E extends RequestName> = BareClientToServer[E] extends (request: never, ack: (reply: Reply<infer T>) => void) => void ? T : never;

async function request<E extends RequestName>(event: E, payload: Payload<E>): Promise<AckData<E>> {
  // Socket.IO's typed emitWithAck does not resolve a generic event name; the event maps above keep both ends in step.
  const emitter = socket.timeout(BARE_ACK_TIMEOUT_MS) as unknown as { emitWithAck(event: E, payload: Payload<E>): Promise<Reply<AckData<E>>> };
  const reply = await emitter.emitWithAck(event, payload);
  if (!reply.ok) throw new Error(`${event}: ${reply.error}`);
  return reply.data;
}

/** Joins the room: Device, transports, `join`; the server then sends what the others produce as `newConsumer`. */
async function joinRoom(): Promise<void> {
  const device = new Device();
  // mediasoup-client checks the router's capabilities in depth when it loads them.
  await device.load({ routerRtpCapabilities: (await request('getRouterRtpCapabilities', {})) as types.RtpCapabilities });
  const [sendInfo, recvInfo] = await Promise.all([
    request('createWebRtcTransport', { producing: true, consuming: false }),
    request('createWebRtcTransport', { producing: false, consuming: true }),
  ]);
  sendTransport = device.createSendTransport(transportOptions(sendInfo));
  recvTransport = device.createRecvTransport(transportOptions(recvInfo));
  for (const transport of [sendTransport, recvTransport]) {
    transport.on('connect', ({ dtlsParameters }, done, fail) => {
      request('connectWebRtcTransport', { transportId: transport.id, dtlsParameters }).then(() => done(), fail);
    });
  }
  sendTransport.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
    request('produce', { transportId: sendTransport!.id, kind, rtpParameters, appData }).then(done, fail);
  });
  await request('join', { displayName: role, rtpCapabilities: device.rtpCapabilities });
}

function transportOptions(info: TransportInfo): types.TransportOptions {
  return {
    id: info.id,
    iceParameters: info.iceParameters as types.IceParameters,
    // mediasoup 3.8 names a candidate's address `ip`; mediasoup-client 3.24 reads `address`.
    iceCandidates: (info.iceCandidates as (types.IceCandidate & { ip: string })[]).map((candidate) => ({ ...candidate, address: candidate.ip })),
    dtlsParameters: info.dtlsParameters as types.DtlsParameters,
    iceServers: [],
  };
}

/** Sends the camera with the product's simulcast encodings and the microphone with its Opus options, camera first. */
async function produce(local: MediaStream): Promise<void> {
  const camera = local.getVideoTracks()[0];
  if (camera) {
    const producer = await sendTransport!.produce({
      track: camera,
      stopTracks: false,
      encodings: simulcastEncodings(camera.getSettings().height ?? 480),
      codecOptions: { videoGoogleStartBitrate: 1000 },
      appData: { source: 'camera' },
    });
    const parameters = producer.rtpSender!.getParameters() as RTCRtpSendParameters & { degradationPreference?: string };
    parameters.degradationPreference = 'maintain-framerate';
    await producer.rtpSender!.setParameters(parameters);
  }
  const microphone = local.getAudioTracks()[0];
  if (microphone) await sendTransport!.produce({ track: microphone, stopTracks: false, codecOptions: { opusDtx: false, opusFec: true }, appData: { source: 'microphone' } });
}

async function consume({ id, producerId, kind, rtpParameters, peerId }: NewConsumer): Promise<void> {
  if (!recvTransport) throw new Error('no receive transport');
  // One stream id per peer, so the browser keeps that peer's audio and video in sync.
  const consumer = await recvTransport.consume({ id, producerId, kind, rtpParameters: rtpParameters as types.RtpParameters, streamId: `${peerId}-mic-webcam` });
  remoteStream.addTrack(consumer.track);
  if (remoteVideo.srcObject !== remoteStream) remoteVideo.srcObject = remoteStream;
  void remoteVideo.play().catch(() => undefined);
}

socket.on('newConsumer', (request, ack) => {
  consume(request).then(
    () => ack({ ok: true, data: null }),
    (error: unknown) => ack({ ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});

async function setUp(): Promise<void> {
  const local = await openLocalMedia({ video: true, audio: true });
  if (!socket.connected) await new Promise((resolve) => socket.once('connect', () => resolve(undefined)));
  if (role === 'agent') {
    socket.on('peerWaiting', () => (acceptButton.disabled = false));
    acceptButton.addEventListener('click', () => {
      acceptButton.disabled = true;
      request('accept', {}).catch(fail);
    });
    await joinRoom();
    await produce(local);
  } else {
    socket.on('callAccepted', () => {
      remoteVideo.requestVideoFrameCallback(() => (api.firstRemoteFrameAt ??= Date.now()));
      joinRoom()
        .then(() => produce(local))
        .catch(fail);
    });
  }
  api.ready = true;
}

function fail(error: unknown): void {
  api.error ??= error instanceof Error ? error.message : String(error);
  console.error('bare page:', error);
}

setUp().catch(fail);
