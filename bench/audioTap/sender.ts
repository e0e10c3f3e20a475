// The paced RTP sender of bench:audioTap, in a process of its own so that its CPU is not counted as the tap's. It
// loops a short list of Opus RTP packets to each target port, one stream per port, every 20 ms, rewriting sequence
// numbers and timestamps so each stream runs on without a break, and reports when each packet left.
import { createSocket } from 'node:dgram';

/** What the bench tells the sender. */
export type SenderCommand =
  | { kind: 'start'; packets: Uint8Array[]; ports: number[]; frameMs: number; ticksPerFrame: number }
  | { kind: 'stop' };

/** What the sender tells the bench. */
export type SenderReport =
  /** Bound: every producer's transport connects to this port. */
  | { kind: 'ready'; port: number }
  /** Stopped: per stream, the monotonic time in ms (process.hrtime) at which packet i was sent. */
  | { kind: 'sent'; times: number[][] };

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const socket = createSocket('udp4');
let timer: NodeJS.Timeout | undefined;
let times: number[][] = [];

socket.bind(0, '127.0.0.1', () => process.send!({ kind: 'ready', port: socket.address().port } satisfies SenderReport));

process.on('message', (command: SenderCommand) => {
  if (command.kind === 'stop') {
    clearTimeout(timer);
    process.send!({ kind: 'sent', times } satisfies SenderReport, () => process.exit(0));
    return;
  }
  const { packets, ports, frameMs, ticksPerFrame } = command;
  times = ports.map(() => []);
  const start = nowMs();
  // Streams start spread over one frame, as independent senders would.
  const offset = (stream: number) => (stream * frameMs) / ports.length;
  const tick = () => {
    const now = nowMs();
    let nextDue = Number.POSITIVE_INFINITY;
    for (let stream = 0; stream < ports.length; stream++) {
      const sent = times[stream]!;
      while (start + offset(stream) + sent.length * frameMs <= now) {
        const index = sent.length;
        const packet = Buffer.from(packets[index % packets.length]!);
        packet.writeUInt16BE(index & 0xffff, 2);
        packet.writeUInt32BE((index * ticksPerFrame) >>> 0, 4);
        sent.push(nowMs());
        socket.send(packet, ports[stream]!, '127.0.0.1');
      }
      nextDue = Math.min(nextDue, start + offset(stream) + sent.length * frameMs);
    }
    timer = setTimeout(tick, Math.max(0, nextDue - nowMs()));
  };
  tick();
});
