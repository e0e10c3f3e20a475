// The media of bench:capacity's synthetic participants on the embedded SFU: the camera clip encoded once by Debian's
// ffmpeg into three VP8 simulcast layers (640x480, 320x240, 160x120, each 30 fps) and speech into Opus, all captured as
// RTP packets with their send times, which rtpReplay.ts then loops to every participant's PlainTransport. Encoding once
// keeps the senders' CPU out of the machine's budget (a browser encodes on the customer's device, not on the SFU's).
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';

/** One captured RTP packet: when it leaves, in ms from the start of the loop, and its bytes. */
export interface CapturedPacket {
  at: number;
  bytes: Uint8Array;
}

/** One captured stream, looped every `loopMs`. */
export interface CapturedStream {
  kind: 'audio' | 'video';
  /** Clock ticks per ms (90 for video, 48 for Opus). */
  ticksPerMs: number;
  loopMs: number;
  packets: CapturedPacket[];
}

/** The simulcast layers, lowest first, as each engine is asked to send them. */
export const LAYERS = [
  { width: 160, height: 120, bitrate: 150_000 },
  { width: 320, height: 240, bitrate: 500_000 },
  { width: 640, height: 480, bitrate: 1_200_000 },
] as const;
/** Length of the looped clip: two key frames apart (every 2 s) fits twice. */
const LOOP_S = 4;

/** Encodes the clip's layers and the speech to RTP in real time (about `LOOP_S` seconds) and returns the packets. */
export async function captureStreams(video: string, speech: string): Promise<{ layers: CapturedStream[]; audio: CapturedStream }> {
  const layers = LAYERS.map((layer) =>
    capture('video', 90, [
      ...['-re', '-stream_loop', '-1', '-i', video, '-t', String(LOOP_S), '-vf', `scale=${layer.width}:${layer.height}`, '-r', '30'],
      ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', String(layer.bitrate), '-g', '60', '-keyint_min', '60', '-auto-alt-ref', '0', '-error-resilient', '1'],
      ...['-payload_type', '101', '-ssrc', '1'],
    ]),
  );
  const audio = capture('audio', 48, [
    ...['-re', '-stream_loop', '-1', '-i', speech, '-t', String(LOOP_S), '-c:a', 'libopus', '-b:a', '32k', '-ar', '48000', '-ac', '2'],
    ...['-payload_type', '100', '-ssrc', '1'],
  ]);
  return { layers: await Promise.all(layers), audio: await audio };
}

async function capture(kind: 'audio' | 'video', ticksPerMs: number, args: string[]): Promise<CapturedStream> {
  const socket = createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const received: Buffer[] = [];
  socket.on('message', (message) => received.push(message));
  const port = socket.address().port;
  const ffmpeg = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', ...args, '-f', 'rtp', `rtp://127.0.0.1:${port}?pkt_size=1200`], { stdio: ['ignore', 'ignore', 'inherit'] });
  const [code] = (await once(ffmpeg, 'exit')) as [number | null];
  await new Promise((resolve) => setTimeout(resolve, 200));
  socket.close();
  if (code !== 0) throw new Error(`ffmpeg exited with ${code} while encoding the ${kind} stream`);
  const rtp = received.filter((packet) => packet.length > 12 && (packet[1]! & 0x7f) >= 96);
  if (rtp.length === 0) throw new Error(`ffmpeg sent no ${kind} RTP`);
  const first = rtp[0]!.readUInt32BE(4);
  const packets = rtp.map((packet) => ({ at: ((packet.readUInt32BE(4) - first) >>> 0) / ticksPerMs, bytes: new Uint8Array(packet) }));
  return { kind, ticksPerMs, loopMs: LOOP_S * 1000, packets };
}
