import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { AUDIO_TAP_FORMAT, type AudioTap, type AudioTapEvents } from '../../media/MediaEngine.js';
import { PcmChunker } from '../../media/audioTap/PcmChunker.js';
import { freeUdpPortPair } from '../../tests/support/opusSource.js';

/**
 * The audio tap that bench:audioTap holds MediasoupRoom's against: a consumer on a PlainTransport sends RTP to a
 * local ffmpeg per stream, which decodes, downmixes and resamples it and writes 16 kHz mono s16le to its stdout.
 */
export class FfmpegAudioTap extends EventEmitter<AudioTapEvents> implements AudioTap {
  readonly producerId: string;
  readonly #transport: types.PlainTransport;
  readonly #ffmpeg: ChildProcess;
  readonly #chunker: PcmChunker;
  #stderr = '';
  #closed = false;

  private constructor(producerId: string, transport: types.PlainTransport, consumer: types.Consumer, ffmpeg: ChildProcess) {
    super();
    this.producerId = producerId;
    this.#transport = transport;
    this.#ffmpeg = ffmpeg;
    this.#chunker = new PcmChunker(AUDIO_TAP_FORMAT.chunkSamples, (chunk) => this.emit('pcm', chunk));
    ffmpeg.stdout!.on('data', (bytes: Buffer) => {
      if (!this.#closed) this.#chunker.pushBytes(bytes);
    });
    ffmpeg.stderr!.on('data', (text: Buffer) => {
      this.#stderr = (this.#stderr + text.toString()).slice(-2000);
    });
    ffmpeg.once('exit', (code, signal) => {
      if (!this.#closed) this.#fail(new Error(`ffmpeg exited (${code ?? signal}): ${this.#stderr.trim() || 'no message'}`));
    });
    consumer.observer.once('close', () => this.close());
  }

  /** Starts tapping an audio producer of the router; `ffmpegPath` defaults to the one on PATH. */
  static async open(router: types.Router, producer: types.Producer, ffmpegPath = 'ffmpeg'): Promise<FfmpegAudioTap> {
    const opus = router.rtpCapabilities.codecs?.find((codec) => codec.mimeType.toLowerCase() === 'audio/opus');
    if (!opus) throw new TypeError('the router offers no Opus codec to tap');
    const port = await freeUdpPortPair();
    const transport = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: false });
    let ffmpeg: ChildProcess | undefined;
    try {
      await transport.connect({ ip: '127.0.0.1', port });
      const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: { codecs: [opus], headerExtensions: [] }, paused: true });
      const payloadType = consumer.rtpParameters.codecs[0]!.payloadType;
      ffmpeg = spawn(ffmpegPath, ffmpegArguments(), { stdio: ['pipe', 'pipe', 'pipe'] });
      const tap = new FfmpegAudioTap(producer.id, transport, consumer, ffmpeg);
      await new Promise<void>((resolve, reject) => {
        ffmpeg!.once('spawn', resolve);
        ffmpeg!.once('error', reject);
      });
      // An ffmpeg that dies at once is reported by its exit; its stdin closing under us is not a second error.
      ffmpeg.stdin!.on('error', () => {});
      ffmpeg.stdin!.end(sdpFor(port, payloadType, opus.channels ?? 2));
      // Packets sent before ffmpeg binds its port are lost; audio needs no keyframe, so the stream starts clean anyway.
      await consumer.resume();
      return tap;
    } catch (error) {
      ffmpeg?.kill('SIGKILL');
      transport.close();
      throw error;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** ffmpeg's raw output, for timing bytes before they make up a chunk. */
  get output(): NodeJS.ReadableStream {
    return this.#ffmpeg.stdout!;
  }

  /** The ffmpeg process id, for measuring what it costs. */
  get pid(): number | undefined {
    return this.#ffmpeg.pid;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#transport.close();
    this.#ffmpeg.kill('SIGKILL');
    this.emit('closed');
    this.removeAllListeners();
  }

  #fail(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else console.error(`[media] audio tap of producer ${this.producerId} failed:`, error);
    this.close();
  }
}

/** ffmpeg reading the SDP on stdin, decoding as soon as packets arrive (no probing), writing raw PCM unbuffered. */
function ffmpegArguments(): string[] {
  return [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
    ...['-protocol_whitelist', 'pipe,udp,rtp', '-fflags', 'nobuffer', '-flags', 'low_delay', '-probesize', '32', '-analyzeduration', '0'],
    ...['-f', 'sdp', '-i', 'pipe:0'],
    ...['-vn', '-ac', String(AUDIO_TAP_FORMAT.channels), '-ar', String(AUDIO_TAP_FORMAT.sampleRate)],
    ...['-f', 's16le', '-flush_packets', '1', 'pipe:1'],
  ];
}

function sdpFor(port: number, payloadType: number, channels: number): string {
  return [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=signline audio tap',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP ${payloadType}`,
    `a=rtpmap:${payloadType} opus/48000/${channels}`,
    'a=recvonly',
    '',
  ].join('\r\n');
}
