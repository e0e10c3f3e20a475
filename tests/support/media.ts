import type { ClientEventPayload, SfuJoined } from '../../signaling/index.js';
import { call, type ClientSocket } from './sockets.js';

/** VP8 RTP parameters as a browser would send them, using the router's payload type. */
export function vp8RtpParameters(joined: SfuJoined, ssrc: number) {
  const caps = joined.routerRtpCapabilities as { codecs: { mimeType: string; preferredPayloadType: number }[] };
  const vp8 = caps.codecs.find((codec) => codec.mimeType === 'video/VP8');
  if (!vp8) throw new Error('the router offers no VP8');
  return {
    mid: '0',
    codecs: [{ mimeType: 'video/VP8', payloadType: vp8.preferredPayloadType, clockRate: 90000, rtcpFeedback: [] }],
    headerExtensions: [],
    encodings: [{ ssrc }],
    rtcp: { cname: `cname-${ssrc}` },
  };
}

/** Joins a media room (asking for a send transport when sending); returns the join reply and the transport id for the direction. */
export async function joinWithTransport(socket: ClientSocket, sessionId: string, direction: 'send' | 'recv') {
  const joined = await sfuJoin(socket, { sessionId, send: direction === 'send' });
  const transportId = direction === 'send' ? joined.sendTransport?.id : joined.recvTransport.id;
  if (!transportId) throw new Error(`media:join returned no ${direction} transport`);
  return { joined, transportId };
}

/** Produces a fake VP8 camera track on a send transport (mediasoup accepts it before DTLS connects). */
export async function produceCamera(socket: ClientSocket, sessionId: string, sender: { joined: SfuJoined; transportId: string }, ssrc: number): Promise<string> {
  const { producerId } = await call(socket, 'media:produce', {
    sessionId,
    transportId: sender.transportId,
    kind: 'video',
    rtpParameters: vp8RtpParameters(sender.joined, ssrc),
    source: 'camera',
  });
  return producerId;
}

/** `media:join` on the embedded SFU: the reply, checked to be the SFU's (transports, producers), or a thrown error. */
export async function sfuJoin(socket: ClientSocket, payload: Partial<ClientEventPayload<'media:join'>> & { sessionId: string }): Promise<SfuJoined> {
  const joined = await call(socket, 'media:join', payload);
  if (joined.engine !== 'mediasoup') throw new Error(`media:join answered for ${joined.engine}, not the embedded SFU`);
  return joined;
}
