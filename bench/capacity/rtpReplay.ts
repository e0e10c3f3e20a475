// bench:capacity's RTP sender for the embedded SFU, in a process of its own so its CPU is never the SFU's: it loops the
// captured packets of each participant's streams to that participant's PlainTransport, one socket per participant,
// rewriting SSRC, sequence number and timestamp so every stream runs on without a break, and the VP8 picture id so it
// counts on across loops.
import { createSocket, type Socket } from 'node:dgram';
import type { CapturedStream } from './rtpStreams.js';

/** One participant: where its transport listens and the SSRC of each of its streams (same order as `streams`). */
export interface ReplayTarget {
  port: number;
  ssrcs: number[];
}

export type ReplayCommand = { kind: 'start'; streams: CapturedStream[]; targets: ReplayTarget[] } | { kind: 'stop' };

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
let timer: NodeJS.Timeout | undefined;
const sockets: Socket[] = [];

/** State of one looped stream towards one participant. */
interface Cursor {
  socket: Socket;
  port: number;
  ssrc: number;
  stream: CapturedStream;
  index: number;
  loop: number;
  seq: number;
  pictureId: number;
  startedAt: number;
}

process.on('message', (command: ReplayCommand) => {
  if (command.kind === 'stop') {
    clearInterval(timer);
    for (const socket of sockets) socket.close();
    process.exit(0);
  }
  const start = nowMs();
  const cursors: Cursor[] = [];
  command.targets.forEach((target, participant) => {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    sockets.push(socket);
    command.streams.forEach((stream, index) => {
      // Participants start spread over a frame, as independent senders would.
      cursors.push({ socket, port: target.port, ssrc: target.ssrcs[index]!, stream, index: 0, loop: 0, seq: 0, pictureId: 0, startedAt: start + (participant * 33) / command.targets.length });
    });
  });
  timer = setInterval(() => {
    const now = nowMs();
    for (const cursor of cursors) {
      for (;;) {
        const packet = cursor.stream.packets[cursor.index]!;
        if (cursor.startedAt + cursor.loop * cursor.stream.loopMs + packet.at > now) break;
        cursor.socket.send(rewrite(cursor, packet.bytes), cursor.port, '127.0.0.1');
        if (++cursor.index === cursor.stream.packets.length) {
          cursor.index = 0;
          cursor.loop++;
        }
      }
    }
  }, 5);
});

function rewrite(cursor: Cursor, bytes: Uint8Array): Buffer {
  const packet = Buffer.from(bytes);
  packet.writeUInt16BE(cursor.seq++ & 0xffff, 2);
  const ticks = Math.round(cursor.loop * cursor.stream.loopMs * cursor.stream.ticksPerMs);
  packet.writeUInt32BE((packet.readUInt32BE(4) + ticks) >>> 0, 4);
  packet.writeUInt32BE(cursor.ssrc >>> 0, 8);
  if (cursor.stream.kind === 'video') {
    // ffmpeg's VP8 payload descriptor: X set, then I set with a 7-bit picture id.
    const header = 12 + 4 * (packet[0]! & 0x0f);
    if ((packet[header]! & 0x80) !== 0 && (packet[header + 1]! & 0x80) !== 0 && (packet[header + 2]! & 0x80) === 0) packet[header + 2] = cursor.pictureId & 0x7f;
    if ((packet[1]! & 0x80) !== 0) cursor.pictureId++;
  }
  return packet;
}
