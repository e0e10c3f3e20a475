import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import type { types } from 'mediasoup';
import { Server } from 'socket.io';
import { BareRoom, type BareTransportOptions } from './BareRoom.js';
import type { BareClientToServer, BareServerToClient } from './bareProtocol.js';

/** The baseline of bench:call: mediasoup as mediasoup-demo uses it, behind its own small signaling, no product code. */
export interface BareServer {
  url: string;
  close(): Promise<void>;
}

/** Options of the bare server; the media ones are the product's, so that only the code path differs. */
export interface BareServerOptions extends BareTransportOptions {
  /** The product's mediasoup-worker binary. */
  workerBin: string;
  /** Folder holding the built bare page (index.html, barePage.js). */
  pageDir: string;
  rtcMinPort: number;
  rtcMaxPort: number;
}

/**
 * Serves the bare page and its rooms: a page connects with `?roomId=&peerId=`, the first one in creates the room
 * (its router), and the room closes with its last peer. One worker, as the product runs in the bench.
 */
export async function startBareServer(options: BareServerOptions): Promise<BareServer> {
  // mediasoup 3.8 reads MEDIASOUP_WORKER_BIN once, when the module loads.
  process.env.MEDIASOUP_WORKER_BIN = options.workerBin;
  const mediasoup = await import('mediasoup');
  const worker = await mediasoup.createWorker({ logLevel: 'warn', rtcMinPort: options.rtcMinPort, rtcMaxPort: options.rtcMaxPort });
  const rooms = new Map<string, Promise<BareRoom>>();
  const app = express();
  app.use(express.static(options.pageDir));
  const http = createServer(app);
  const io = new Server<BareClientToServer, BareServerToClient, Record<string, never>, { room: BareRoom; peerId: string }>(http);

  // Creation is serialized per room id: two pages arriving at once share one room, never make two.
  const roomFor = (roomId: string): Promise<BareRoom> => {
    let room = rooms.get(roomId);
    if (!room) {
      room = BareRoom.create(roomId, worker as types.Worker, options, () => rooms.delete(roomId));
      rooms.set(roomId, room);
      room.catch(() => rooms.delete(roomId));
    }
    return room;
  };

  // The room exists before the connection completes, so a page's first request always finds its handlers.
  io.use((socket, next) => {
    const { roomId, peerId } = socket.handshake.query;
    if (typeof roomId !== 'string' || typeof peerId !== 'string' || !roomId || !peerId) return next(new Error('roomId and peerId are required'));
    roomFor(roomId).then(
      (room) => {
        socket.data = { room, peerId };
        next();
      },
      (error: unknown) => next(error instanceof Error ? error : new Error(String(error))),
    );
  });
  io.on('connection', (socket) => socket.data.room.handleConnection(socket.data.peerId, socket));

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
