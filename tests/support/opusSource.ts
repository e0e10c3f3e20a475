import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { types } from 'mediasoup';
import { loadConfig } from '../../server/config.js';
import { MediasoupEngine } from '../../media/mediasoup/MediasoupEngine.js';
import { MediasoupRoom } from '../../media/mediasoup/MediasoupRoom.js';

/** A one-worker mediasoup engine with the settings the server would use. */
export function testMediaEngine(): Promise<MediasoupEngine> {
  const config = loadConfig({});
  return MediasoupEngine.create({
    workerBin: config.MEDIASOUP_WORKER_BIN,
    workers: 1,
    listenIp: '127.0.0.1',
    rtcMinPort: config.RTC_MIN_PORT,
    rtcMaxPort: config.RTC_MAX_PORT,
    initialAvailableOutgoingBitrate: config.MEDIA_INITIAL_BITRATE,
    policy: config.MEDIA_POLICY,
    logLevel: 'warn',
  });
}

/** A room of the engine, as its mediasoup class (tests reach its router). */
export async function testRoom(engine: MediasoupEngine, sessionId: string): Promise<MediasoupRoom> {
  const room = await engine.createRoom(sessionId);
  if (!(room instanceof MediasoupRoom)) throw new Error('the engine made a room of another kind');
  return room;
}

/** Speech synthesized by Debian's flite into a WAV file (8 kHz mono). */
export async function speechWav(text: string, file: string): Promise<string> {
  const flite = spawn('flite', ['-t', text, '-o', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  const [code] = (await once(flite, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`flite exited with ${code}; is Debian's flite installed?`);
  return file;
}

/** The samples and rate of a 16-bit mono PCM WAV file. */
export async function readWav(file: string): Promise<{ sampleRate: number; samples: Int16Array }> {
  const bytes = await readFile(file);
  if (bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${file} is not a WAV file`);
  let sampleRate = 0;
  for (let offset = 12; offset + 8 <= bytes.length; ) {
    const id = bytes.toString('ascii', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    if (id === 'fmt ') {
      if (bytes.readUInt16LE(offset + 8) !== 1 || bytes.readUInt16LE(offset + 10) !== 1 || bytes.readUInt16LE(offset + 22) !== 16) {
        throw new Error(`${file} is not 16-bit mono PCM`);
      }
      sampleRate = bytes.readUInt32LE(offset + 12);
    }
    if (id === 'data') {
      const samples = new Int16Array(Math.floor(size / 2));
      for (let index = 0; index < samples.length; index++) samples[index] = bytes.readInt16LE(offset + 8 + 2 * index);
      return { sampleRate, samples };
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error(`${file} has no data chunk`);
}

/** RTP parameters of an Opus track as ffmpeg sends it, with the router's payload type, clock rate and channels. */
export function opusRtpParameters(router: types.Router, ssrc: number): types.RtpParameters {
  const opus = router.rtpCapabilities.codecs?.find((codec) => codec.mimeType === 'audio/opus');
  if (!opus) throw new Error('the router offers no Opus');
  return {
    codecs: [{ mimeType: 'audio/opus', payloadType: opus.preferredPayloadType!, clockRate: opus.clockRate, channels: opus.channels ?? 2 }],
    headerExtensions: [],
    encodings: [{ ssrc }],
    rtcp: { cname: `opus-${ssrc}` },
  };
}

/**
 * An audio producer on the router fed plain RTP from a local sender that sends from `senderPort` (ffmpeg sends RTCP
 * from a second socket, so the transport is told the RTP source instead of learning it from the first packet).
 */
export async function plainOpusProducer(router: types.Router, ssrc: number): Promise<{ transport: types.PlainTransport; producer: types.Producer; port: number; senderPort: number }> {
  const senderPort = await freeUdpPortPair();
  const transport = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: false });
  await transport.connect({ ip: '127.0.0.1', port: senderPort });
  const producer = await transport.produce({ kind: 'audio', rtpParameters: opusRtpParameters(router, ssrc), appData: { source: 'microphone' } });
  return { transport, producer, port: transport.tuple.localPort, senderPort };
}

/** ffmpeg sending a file as Opus RTP in real time from `senderPort` to a local port (looping when asked), with the router's Opus settings. */
export function sendOpusWithFfmpeg(
  router: types.Router,
  file: string,
  target: { port: number; senderPort: number },
  ssrc: number,
  options: { loop?: boolean } = {},
): ChildProcess {
  const opus = router.rtpCapabilities.codecs!.find((codec) => codec.mimeType === 'audio/opus')!;
  const args = [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-re'],
    ...(options.loop ? ['-stream_loop', '-1'] : []),
    ...['-i', file, '-c:a', 'libopus', '-ar', String(opus.clockRate), '-ac', String(opus.channels ?? 2)],
    ...['-payload_type', String(opus.preferredPayloadType), '-ssrc', String(ssrc), '-f', 'rtp'],
    `rtp://127.0.0.1:${target.port}?localrtpport=${target.senderPort}&rtcpport=${target.port}`,
  ];
  return spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** A free loopback UDP port whose next port is free too (ffmpeg binds RTCP there). */
export async function freeUdpPortPair(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await bindUdp(0);
    const port = first.address().port;
    const second = await bindUdp(port + 1).catch(() => undefined);
    first.close();
    second?.close();
    if (second) return port;
  }
  throw new Error('no free pair of UDP ports on 127.0.0.1');
}

function bindUdp(port: number): Promise<ReturnType<typeof createSocket>> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.bind(port, '127.0.0.1', () => resolve(socket));
  });
}
