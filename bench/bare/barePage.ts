import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import { io } from 'socket.io-client';
import { simulcastEncodings } from '../../client/src/media/MediasoupCall.js';

const socket = io({ transports: ['websocket'] });

async function call<T>(event: string, request: Record<string, unknown>): Promise<T> {
  const reply = (await socket.timeout(8000).emitWithAck(event, request)) as { ok: true; data: T } | { ok: false; error: string };
  if (!reply.ok) throw new Error(`${event}: ${reply.error}`);
  return reply.data;
}

async function transport(pair: string, device: Device, direction: 'send' | 'recv'): Promise<types.Transport> {
  const info = await call<types.TransportOptions>('transport', { pair });
  const created = direction === 'send' ? device.createSendTransport(info) : device.createRecvTransport(info);
  created.on('connect', ({ dtlsParameters }, done, fail) => {
    call('connectTransport', { transportId: created.id, dtlsParameters }).then(() => done(), fail);
  });
  created.on('produce', ({ kind, rtpParameters }, done, fail) => {
    call<{ id: string }>('produce', { transportId: created.id, kind, rtpParameters }).then(done, fail);
  });
  return created;
}

async function device(pair: string): Promise<Device> {
  const loaded = new Device();
  await loaded.load({ routerRtpCapabilities: await call<types.RtpCapabilities>('router', { pair }) });
  return loaded;
}

/** Sends the fake camera with the product's encodings; resolves to the producer id. */
async function produce(pair: string): Promise<string> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } } });
  const track = stream.getVideoTracks()[0]!;
  track.contentHint = 'motion';
  const send = await transport(pair, await device(pair), 'send');
  const producer = await send.produce({ track, encodings: simulcastEncodings(track.getSettings().height ?? 480), codecOptions: { videoGoogleStartBitrate: 1000 } });
  return producer.id;
}

/** Times one consume: from the consume request to the first painted frame. */
async function consume(pair: string, producerId: string): Promise<{ requestedAt: number; firstFrameAt: number }> {
  const loaded = await device(pair);
  const recv = await transport(pair, loaded, 'recv');
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  document.body.append(video);
  const requestedAt = Date.now();
  const info = await call<types.ConsumerOptions>('consume', { transportId: recv.id, producerId, rtpCapabilities: loaded.recvRtpCapabilities });
  const consumer = await recv.consume(info);
  const painted = new Promise<number>((resolve) => video.requestVideoFrameCallback(() => resolve(Date.now())));
  video.srcObject = new MediaStream([consumer.track]);
  void video.play();
  await call('resume', { consumerId: consumer.id });
  return { requestedAt, firstFrameAt: await painted };
}

(window as unknown as { bare: object }).bare = { produce, consume };
