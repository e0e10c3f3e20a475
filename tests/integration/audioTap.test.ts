import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { AUDIO_TAP_FORMAT, type AudioTap } from '../../media/MediaEngine.js';
import type { MediasoupEngine } from '../../media/mediasoup/MediasoupEngine.js';
import type { MediasoupRoom } from '../../media/mediasoup/MediasoupRoom.js';
import { ErrorCode } from '../../signaling/index.js';
import { vp8RtpParameters } from '../support/media.js';
import { plainOpusProducer, readWav, sendOpusWithFfmpeg, speechWav, testMediaEngine, testRoom } from '../support/opusSource.js';

const SSRC = 1111;
const FRAME_MS = (AUDIO_TAP_FORMAT.chunkSamples / AUDIO_TAP_FORMAT.sampleRate) * 1000;

/** Root mean square of each 20 ms frame. */
function envelope(samples: Int16Array, sampleRate: number): number[] {
  const frame = Math.round((sampleRate * FRAME_MS) / 1000);
  const out: number[] = [];
  for (let start = 0; start + frame <= samples.length; start += frame) {
    let sum = 0;
    for (let index = start; index < start + frame; index++) sum += samples[index]! ** 2;
    out.push(Math.sqrt(sum / frame));
  }
  return out;
}

function pearson(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  const mean = (values: number[]) => values.slice(0, n).reduce((sum, value) => sum + value, 0) / n;
  const [ma, mb] = [mean(a), mean(b)];
  let [ab, aa, bb] = [0, 0, 0];
  for (let index = 0; index < n; index++) {
    ab += (a[index]! - ma) * (b[index]! - mb);
    aa += (a[index]! - ma) ** 2;
    bb += (b[index]! - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

/** The best correlation of the tapped envelope with the source's, over small shifts either way. */
function bestCorrelation(source: number[], tapped: number[], maxShift = 10): { shift: number; r: number } {
  let best = { shift: 0, r: -1 };
  for (let shift = -maxShift; shift <= maxShift; shift++) {
    const r = shift >= 0 ? pearson(source, tapped.slice(shift)) : pearson(source.slice(-shift), tapped);
    if (r > best.r) best = { shift, r };
  }
  return best;
}

/** Resolves once the tap has emitted `count` chunks in all. */
function chunksReach(chunks: Int16Array[], tap: AudioTap, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (chunks.length >= count) return resolve();
    const onPcm = () => {
      if (chunks.length < count) return;
      tap.off('pcm', onPcm);
      resolve();
    };
    tap.on('pcm', onPcm);
    tap.once('closed', () => reject(new Error(`tap closed after ${chunks.length} of ${count} chunks`)));
  });
}

describe('the audio tap', () => {
  let engine: MediasoupEngine;
  let dir: string;
  let speech: string;
  let room: MediasoupRoom;
  let senders: ChildProcess[];

  beforeAll(async () => {
    engine = await testMediaEngine();
    dir = await mkdtemp(path.join(tmpdir(), 'signline-tap-'));
    speech = await speechWav('hello this is a test of the audio tap, please say something after the tone', path.join(dir, 'speech.wav'));
  });
  afterAll(async () => {
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    room = await testRoom(engine, `tap-${Date.now()}`);
    senders = [];
  });
  afterEach(() => {
    for (const sender of senders) sender.kill('SIGKILL');
    room.close();
  });

  /** An audio producer of the room, owned by "customer", fed the speech file by ffmpeg in real time. */
  async function speakingProducer(options: { loop?: boolean } = {}): Promise<{ producer: types.Producer; start: () => ChildProcess }> {
    const { producer, port, senderPort } = await plainOpusProducer(room.router, SSRC);
    room.addRouterProducer('customer', producer);
    return {
      producer,
      start: () => {
        const sender = sendOpusWithFfmpeg(room.router, speech, { port, senderPort }, SSRC, options);
        senders.push(sender);
        return sender;
      },
    };
  }

  it('gives the speech back as 20 ms chunks of 16 kHz mono that follow its loudness', async () => {
    const { producer, start } = await speakingProducer();
    const tap = await room.tapAudio(producer.id);
    const chunks: Int16Array[] = [];
    tap.on('pcm', (chunk) => chunks.push(chunk));

    const sender = start();
    const [code] = (await once(sender, 'exit')) as [number | null];
    expect(code).toBe(0);
    const source = await readWav(speech);
    const expected = Math.round((source.samples.length / source.sampleRate) * 1000 / FRAME_MS);
    // The last packets are still on their way when ffmpeg exits; Opus adds up to a frame of encoder delay.
    await chunksReach(chunks, tap, expected - 2);
    const closed = once(tap, 'closed');
    producer.close();
    await closed;

    expect(chunks.every((chunk) => chunk instanceof Int16Array && chunk.length === AUDIO_TAP_FORMAT.chunkSamples)).toBe(true);
    expect(chunks.length).toBeGreaterThanOrEqual(expected - 2);
    expect(chunks.length).toBeLessThanOrEqual(expected + 3);
    const pcm = new Int16Array(chunks.length * AUDIO_TAP_FORMAT.chunkSamples);
    chunks.forEach((chunk, index) => pcm.set(chunk, index * AUDIO_TAP_FORMAT.chunkSamples));
    const sourceEnvelope = envelope(source.samples, source.sampleRate);
    const tappedEnvelope = envelope(pcm, AUDIO_TAP_FORMAT.sampleRate);
    const { shift, r } = bestCorrelation(sourceEnvelope, tappedEnvelope);
    expect(r, `envelope correlation at a shift of ${shift} frames`).toBeGreaterThan(0.9);
    expect(Math.abs(shift)).toBeLessThanOrEqual(2);
    // Where the source speaks loudest the tap is far above silence, at a similar level.
    const loudest = sourceEnvelope.indexOf(Math.max(...sourceEnvelope));
    expect(tappedEnvelope[loudest + shift]!).toBeGreaterThan(sourceEnvelope[loudest]! / 3);
  });

  it('closes when its producer closes', async () => {
    const { producer, start } = await speakingProducer({ loop: true });
    const tap = await room.tapAudio(producer.id);
    start();
    await once(tap, 'pcm');
    const closed = once(tap, 'closed');
    producer.close();
    await closed;
    expect(tap.closed).toBe(true);
  });

  it('closes when its room closes', async () => {
    const { producer } = await speakingProducer();
    const tap = await room.tapAudio(producer.id);
    const closed = once(tap, 'closed');
    room.close();
    await closed;
    expect(tap.closed).toBe(true);
    await expect(room.tapAudio(producer.id)).rejects.toMatchObject({ code: ErrorCode.InvalidState, message: 'the call has ended' });
  });

  it('leaves the other receivers of the producer as they were when it closes', async () => {
    const { producer, start } = await speakingProducer({ loop: true });
    const tap = await room.tapAudio(producer.id);
    const other = await room.tapAudio(producer.id);
    const direct = await room.router.createDirectTransport();
    const consumer = await direct.consume({ producerId: producer.id, rtpCapabilities: room.router.rtpCapabilities });
    start();
    await once(tap, 'pcm');

    tap.close();
    expect(tap.closed).toBe(true);
    expect(producer.closed).toBe(false);
    expect(consumer.closed).toBe(false);
    expect(other.closed).toBe(false);
    // Both go on receiving after the first tap closed.
    await Promise.all([once(consumer, 'rtp'), once(other, 'pcm')]);
    direct.close();
  });

  it('refuses a video producer with a clear error', async () => {
    const transport = await room.router.createPlainTransport({ listenIp: '127.0.0.1', comedia: true });
    const caps = { routerRtpCapabilities: room.router.rtpCapabilities } as Parameters<typeof vp8RtpParameters>[0];
    const camera = await transport.produce({ kind: 'video', rtpParameters: vp8RtpParameters(caps, 2222) as types.RtpParameters });
    room.addRouterProducer('agent', camera);
    await expect(room.tapAudio(camera.id)).rejects.toMatchObject({
      code: ErrorCode.BadRequest,
      message: `producer "${camera.id}" carries video; only audio can be tapped`,
    });
  });

  it('refuses a producer the room does not have', async () => {
    await expect(room.tapAudio('no-such-producer')).rejects.toMatchObject({
      code: ErrorCode.NotFound,
      message: 'producer with id "no-such-producer" not found',
    });
  });
});
