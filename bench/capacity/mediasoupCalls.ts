// bench:capacity on the embedded SFU: one mediasoup worker (one core), a router per call as the service makes them,
// each participant sending VP8 simulcast (three layers) and Opus over a PlainTransport from rtpReplay.ts, and the other
// participant receiving both through a PlainTransport consumer whose SRTP lands on a counting socket here (a frame is a
// packet with the marker bit, which SRTP leaves in clear). PlainTransports have no bandwidth estimate, so each receiver
// gets the top layer, as a browser on a good link does. What a browser's WebRTC transport costs the SFU beyond this:
// decrypting what it receives (the senders here send plain RTP), ICE and DTLS, and transport-wide congestion control,
// NACK and retransmission (loopback loses nothing); the LiveKit side pays all of those.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { types } from 'mediasoup';
import { mediaCodecs } from '../../media/mediasoup/mediasoupSettings.js';
import { loadConfig } from '../../server/config.js';
import type { ReplayCommand, ReplayTarget } from './rtpReplay.js';
import type { CapturedStream } from './rtpStreams.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Calls on one worker, as a benchmark drives them. */
export interface SfuCalls {
  /** The worker's process id, whose CPU time is the SFU's. */
  pid: number;
  /** Sets up `calls` calls and starts their media. */
  open(calls: number): Promise<void>;
  /** Frames each receiver counted since the last call of this method. */
  takeFrames(): number[];
  /** Stops the media and closes every call. */
  closeCalls(): Promise<void>;
  close(): Promise<void>;
}

export async function mediasoupCalls(streams: { layers: CapturedStream[]; audio: CapturedStream }): Promise<SfuCalls> {
  const config = loadConfig({});
  process.env.MEDIASOUP_WORKER_BIN = config.MEDIASOUP_WORKER_BIN;
  const mediasoup = await import('mediasoup');
  const worker = await mediasoup.createWorker({ logLevel: 'warn', rtcMinPort: config.RTC_MIN_PORT, rtcMaxPort: config.RTC_MAX_PORT });
  const counter: Socket = createSocket({ type: 'udp4', recvBufferSize: 16 * 1024 * 1024 });
  counter.bind(0, '127.0.0.1');
  await once(counter, 'listening');
  /** Frames counted per receiving consumer's SSRC. */
  const frames = new Map<number, number>();
  counter.on('message', (packet) => {
    if (packet.length < 12 || (packet[1]! & 0x80) === 0) return;
    const ssrc = packet.readUInt32BE(8);
    if (frames.has(ssrc)) frames.set(ssrc, frames.get(ssrc)! + 1);
  });
  let routers: types.Router[] = [];
  let replay: ChildProcess | undefined;
  let nextSsrc = 10_000;

  async function participant(router: types.Router): Promise<{ target: ReplayTarget; videoId: string; audioId: string }> {
    const transport = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: true });
    const ssrcs = [nextSsrc++, nextSsrc++, nextSsrc++, nextSsrc++];
    const video = await transport.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }] }],
        encodings: ssrcs.slice(0, 3).map((ssrc) => ({ ssrc })),
      },
    });
    const audio = await transport.produce({
      kind: 'audio',
      rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: ssrcs[3]! }] },
    });
    return { target: { port: transport.tuple.localPort, ssrcs }, videoId: video.id, audioId: audio.id };
  }

  async function receive(router: types.Router, producerIds: string[]): Promise<void> {
    // SRTP as to a browser: the SFU encrypts every packet it forwards (its headers stay readable for counting).
    const transport = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: false, enableSrtp: true, srtpCryptoSuite: 'AES_CM_128_HMAC_SHA1_80' });
    await transport.connect({ ip: '127.0.0.1', port: counter.address().port, srtpParameters: { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: randomBytes(30).toString('base64') } });
    for (const producerId of producerIds) {
      const consumer = await transport.consume({ producerId, rtpCapabilities: router.rtpCapabilities });
      if (consumer.kind === 'video') frames.set(consumer.rtpParameters.encodings![0]!.ssrc!, 0);
    }
  }

  const sfu: SfuCalls = {
    pid: worker.pid,
    async open(calls) {
      const targets: ReplayTarget[] = [];
      for (let call = 0; call < calls; call++) {
        const router = await worker.createRouter({ mediaCodecs });
        routers.push(router);
        const [a, b] = [await participant(router), await participant(router)];
        await receive(router, [b.videoId, b.audioId]);
        await receive(router, [a.videoId, a.audioId]);
        targets.push(a.target, b.target);
      }
      // Advanced serialization carries the packets' Uint8Arrays as they are.
      replay = fork(path.join(here, 'rtpReplay.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
      replay.send({ kind: 'start', streams: [...streams.layers, streams.audio], targets } satisfies ReplayCommand);
    },
    takeFrames() {
      const counts = [...frames.values()];
      for (const ssrc of frames.keys()) frames.set(ssrc, 0);
      return counts;
    },
    async closeCalls() {
      if (replay) {
        const exited = once(replay, 'exit');
        replay.send({ kind: 'stop' } satisfies ReplayCommand);
        await exited;
        replay = undefined;
      }
      for (const router of routers) router.close();
      routers = [];
      frames.clear();
    },
    async close() {
      await sfu.closeCalls();
      counter.close();
      worker.close();
    },
  };
  return sfu;
}
