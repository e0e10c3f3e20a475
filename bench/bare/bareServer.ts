import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import type { types } from 'mediasoup';
import { Server } from 'socket.io';
import { mediaCodecs } from '../../media/mediasoup/mediasoupSettings.js';

/** The baseline for bench:call: raw mediasoup behind the smallest possible signaling, no product code path. */
export interface BareServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the bare page and answers its requests with one router per pair; same codecs and bitrate as the product. */
export async function startBareServer(options: { workerBin: string; pageDir: string; initialAvailableOutgoingBitrate: number }): Promise<BareServer> {
  process.env.MEDIASOUP_WORKER_BIN = options.workerBin;
  const mediasoup = await import('mediasoup');
  const worker = await mediasoup.createWorker({ logLevel: 'warn', rtcMinPort: 40000, rtcMaxPort: 49999 });
  const routers = new Map<string, types.Router>();
  const transports = new Map<string, types.WebRtcTransport>();
  const consumers = new Map<string, types.Consumer>();
  const app = express();
  app.use(express.static(options.pageDir));
  const http = createServer(app);
  const io = new Server(http);

  io.on('connection', (socket) => {
    const answer = (handler: (request: Record<string, unknown>) => Promise<unknown>) => (request: Record<string, unknown>, ack: (reply: unknown) => void) => {
      handler(request).then((data) => ack({ ok: true, data }), (error: Error) => ack({ ok: false, error: error.message }));
    };
    socket.on('router', answer(async ({ pair }) => {
      let router = routers.get(String(pair));
      if (!router) {
        router = await worker.createRouter({ mediaCodecs });
        routers.set(String(pair), router);
      }
      return router.rtpCapabilities;
    }));
    socket.on('transport', answer(async ({ pair }) => {
      const transport = await routers.get(String(pair))!.createWebRtcTransport({
        listenIps: [{ ip: '127.0.0.1' }],
        enableUdp: true,
        enableTcp: true,
        preferUdp: true,
        initialAvailableOutgoingBitrate: options.initialAvailableOutgoingBitrate,
      });
      transports.set(transport.id, transport);
      return { id: transport.id, iceParameters: transport.iceParameters, iceCandidates: transport.iceCandidates, dtlsParameters: transport.dtlsParameters };
    }));
    socket.on('connectTransport', answer(async ({ transportId, dtlsParameters }) => {
      await transports.get(String(transportId))!.connect({ dtlsParameters: dtlsParameters as types.DtlsParameters });
    }));
    socket.on('produce', answer(async ({ transportId, kind, rtpParameters }) => {
      const producer = await transports.get(String(transportId))!.produce({ kind: kind as types.MediaKind, rtpParameters: rtpParameters as types.RtpParameters });
      return { id: producer.id };
    }));
    socket.on('consume', answer(async ({ transportId, producerId, rtpCapabilities }) => {
      const consumer = await transports.get(String(transportId))!.consume({
        producerId: String(producerId),
        rtpCapabilities: rtpCapabilities as types.RtpCapabilities,
        paused: true,
      });
      consumers.set(consumer.id, consumer);
      return { id: consumer.id, producerId: consumer.producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters };
    }));
    socket.on('resume', answer(async ({ consumerId }) => {
      await consumers.get(String(consumerId))!.resume();
    }));
    socket.on('closePair', answer(async ({ pair }) => {
      routers.get(String(pair))?.close();
      routers.delete(String(pair));
    }));
  });

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise<void>((resolve) => io.close(() => resolve()));
      worker.close();
    },
  };
}

/** Directory of the bare page's sources. */
export const BARE_DIR = path.dirname(new URL(import.meta.url).pathname);
