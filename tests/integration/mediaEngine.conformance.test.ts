import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AudioFrame, AudioSource, dispose, LocalAudioTrack, Room, RoomEvent, TrackPublishOptions, TrackSource } from '@livekit/rtc-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AUDIO_TAP_FORMAT, type AudioTap, type MediaEngine, type MediaRoom } from '../../media/MediaEngine.js';
import { LiveKitEngine } from '../../media/livekit/LiveKitEngine.js';
import { INBOX_TOPIC, SERVICE_IDENTITY } from '../../media/livekit/LiveKitRoom.js';
import { MediasoupRoom } from '../../media/mediasoup/MediasoupRoom.js';
import { AppError, ErrorCode, T140, T140_CHANNEL } from '../../signaling/index.js';
import { livekitUnavailable, startLiveKit, type LiveKitProcess } from '../support/livekitServer.js';
import { plainOpusProducer, readWav, sendOpusWithFfmpeg, speechWav, testMediaEngine } from '../support/opusSource.js';

/**
 * The engine conformance suite: the same tests run against every `MediaEngine` (the embedded mediasoup SFU, and
 * LiveKit on a real livekit-server 1.13.5 where setup built one). A participant is driven the way each engine can be
 * without a browser: on mediasoup, Opus RTP from ffmpeg into a PlainTransport; on LiveKit, a `@livekit/rtc-node`
 * participant with the token the room gave. Data channels of the SFU need a browser's SCTP, so the data tests run on
 * LiveKit here and on mediasoup in Chromium (tests/e2e).
 */

/** A participant of a room, as a test drives it. */
interface Speaker {
  /** Starts sending the speech file in real time; resolves with the producer id the room announced. */
  speak(file: string): Promise<string>;
  /** Stops sending and withdraws the track: the room's producer goes. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** A participant on LiveKit that can also use the data path to the service. */
interface DataParticipant extends Speaker {
  send(topic: string, payload: Uint8Array | string): Promise<void>;
  readonly inbox: string[];
}

interface EngineUnderTest {
  name: 'mediasoup' | 'livekit';
  skip: string | undefined;
  start(): Promise<MediaEngine>;
  stop(): Promise<void>;
  /** Enters `id` into the room and returns it as a driven participant. */
  participant(room: MediaRoom, id: string): Promise<Speaker>;
}

let livekit: LiveKitProcess | undefined;
const sfuSenders: ChildProcess[] = [];

const engines: EngineUnderTest[] = [
  {
    name: 'mediasoup',
    skip: undefined,
    start: () => testMediaEngine(),
    stop: async () => {
      for (const sender of sfuSenders.splice(0)) sender.kill('SIGKILL');
    },
    async participant(room, id) {
      if (!(room instanceof MediasoupRoom)) throw new Error('not a mediasoup room');
      await room.join(id, { send: true });
      let sender: ChildProcess | undefined;
      let stopProducer: (() => void) | undefined;
      return {
        async speak(file) {
          const { producer, port, senderPort, transport } = await plainOpusProducer(room.router, 4242);
          const announced = once(room, 'newProducer');
          room.addRouterProducer(id, producer);
          sender = sendOpusWithFfmpeg(room.router, file, { port, senderPort }, 4242, { loop: true });
          sfuSenders.push(sender);
          stopProducer = () => transport.close();
          const [, described] = (await announced) as [string, { producerId: string }];
          return described.producerId;
        },
        async stop() {
          sender?.kill('SIGKILL');
          stopProducer?.();
        },
        async close() {
          sender?.kill('SIGKILL');
        },
      };
    },
  },
  {
    name: 'livekit',
    skip: livekitUnavailable(),
    async start() {
      livekit = await startLiveKit();
      return LiveKitEngine.create({ ...livekit, policy: 'product' });
    },
    async stop() {
      await livekit?.stop();
      await dispose();
    },
    participant: (room, id) => liveKitParticipant(room, id),
  },
];

async function liveKitParticipant(room: MediaRoom, id: string): Promise<DataParticipant> {
  const joined = await room.join(id, { send: true, data: true });
  if (joined.engine !== 'livekit') throw new Error('not a LiveKit join');
  const participant = new Room();
  const inbox: string[] = [];
  participant.on(RoomEvent.DataReceived, (payload, from, _kind, topic) => {
    if (from?.identity === SERVICE_IDENTITY && topic === INBOX_TOPIC) inbox.push(new TextDecoder().decode(payload));
  });
  await participant.connect(joined.url, joined.token, { autoSubscribe: false, dynacast: false });
  let speaking: { stop: () => void; track: LocalAudioTrack } | undefined;
  return {
    inbox,
    async speak(file) {
      const { sampleRate, samples } = await readWav(file);
      const source = new AudioSource(sampleRate, 1);
      const track = LocalAudioTrack.createAudioTrack('microphone', source);
      const announced = once(room, 'newProducer');
      await participant.localParticipant!.publishTrack(track, new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }));
      // Real time, looping, in 10 ms frames: AudioSource paces captureFrame itself.
      const frame = sampleRate / 100;
      let stopped = false;
      void (async () => {
        for (let offset = 0; !stopped; offset = (offset + frame) % (samples.length - frame)) {
          await source.captureFrame(new AudioFrame(samples.slice(offset, offset + frame), sampleRate, 1, frame));
        }
      })().catch(() => undefined);
      speaking = { stop: () => (stopped = true), track };
      const [, described] = (await announced) as [string, { producerId: string }];
      return described.producerId;
    },
    async stop() {
      speaking?.stop();
      if (speaking) await participant.localParticipant!.unpublishTrack(speaking.track.sid!);
    },
    async send(topic, payload) {
      const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
      await participant.localParticipant!.publishData(bytes, { reliable: true, destination_identities: [SERVICE_IDENTITY], topic });
    },
    async close() {
      speaking?.stop();
      await participant.disconnect().catch(() => undefined);
    },
  };
}

/** Resolves once `check` holds, checking every 50 ms; rejects with `what` after `ms`. */
async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function codeOf(error: unknown): string | undefined {
  return error instanceof AppError ? error.code : undefined;
}

for (const underTest of engines) {
  describe.skipIf(underTest.skip !== undefined)(`the ${underTest.name} engine${underTest.skip ? ` (skipped: ${underTest.skip})` : ''}`, () => {
    let engine: MediaEngine;
    let dir: string;
    let speech: string;
    let room: MediaRoom;
    const participants: Speaker[] = [];

    beforeAll(async () => {
      engine = await underTest.start();
      dir = await mkdtemp(path.join(tmpdir(), 'signline-engine-'));
      speech = await speechWav('hello, my printer will not connect to the network', path.join(dir, 'speech.wav'));
    }, 30_000);
    afterAll(async () => {
      await engine?.close();
      await underTest.stop();
      await rm(dir, { recursive: true, force: true });
    });
    beforeEach(async () => {
      room = await engine.createRoom(`conformance-${Date.now()}`, { mode: 'csl', roleOf: (id) => (id === 'customer' ? 'customer' : 'agent') });
    });
    afterEach(async () => {
      await Promise.all(participants.splice(0).map((participant) => participant.close()));
      room.close();
    });

    it('answers a join for its own engine, and a participant who left is no longer in the room', async () => {
      const joined = await room.join('customer', { send: true });
      expect(joined.engine).toBe(engine.kind);
      expect(room.engine).toBe(engine.kind);
      expect(room.has('customer')).toBe(true);
      room.leave('customer');
      expect(room.has('customer')).toBe(false);
    });

    it('announces a participant’s audio as their microphone and taps it as 20 ms chunks of 16 kHz speech until it goes', async () => {
      const customer = await underTest.participant(room, 'customer');
      participants.push(customer);
      const announced: [string, string, string][] = [];
      room.on('newProducer', (owner, producer) => announced.push([owner, producer.kind, producer.source]));
      const producerId = await customer.speak(speech);
      expect(room.producerSource(producerId)).toBe('microphone');

      const tap: AudioTap = await room.tapAudio(producerId);
      const chunks: Int16Array[] = [];
      tap.on('pcm', (chunk) => chunks.push(chunk));
      await until(() => chunks.length >= 100, '2 s of tapped audio');
      expect(chunks.every((chunk) => chunk.length === AUDIO_TAP_FORMAT.chunkSamples)).toBe(true);
      const loudest = Math.max(...chunks.map((chunk) => Math.max(...chunk.map(Math.abs))));
      expect(loudest).toBeGreaterThan(1_000);

      const closedProducers: string[] = [];
      room.on('producerClosed', (_owner, id) => closedProducers.push(id));
      const tapClosed = once(tap, 'closed');
      await customer.stop();
      await tapClosed;
      await until(() => closedProducers.includes(producerId), 'the producer to close');
      expect(tap.closed).toBe(true);
    });

    it('refuses a tap of a producer that is not there, and sends nothing to an inbox nobody confirmed', async () => {
      await room.join('customer', { send: true });
      await expect(room.tapAudio('no-such-producer')).rejects.toSatisfy((error) => codeOf(error) === ErrorCode.NotFound);
      expect(room.producerSource('no-such-producer')).toBeUndefined();
      expect(room.sendData('customer', 'hello')).toBe(false);
      expect(room.sendData('stranger', 'hello')).toBe(false);
    });

    it('closes once, emitting closed last, and refuses joins and taps afterwards', async () => {
      await room.join('customer', { send: true });
      let closedEvents = 0;
      room.on('closed', () => closedEvents++);
      room.close();
      room.close();
      expect(closedEvents).toBe(1);
      expect(room.closed).toBe(true);
      await expect(room.join('agent', { send: true })).rejects.toSatisfy((error) => codeOf(error) === ErrorCode.InvalidState);
      await expect(room.tapAudio('anything')).rejects.toSatisfy((error) => codeOf(error) === ErrorCode.InvalidState);
    });

    // The data path to the service is LiveKit's; the SFU's data channels need a browser and are tested in Chromium.
    if (underTest.name !== 'livekit') return;

    /** Sends the byte order mark until the room hears it: LiveKit names a sender only once it announced them. */
    async function introduce(room: MediaRoom, participant: DataParticipant, heard: () => boolean): Promise<void> {
      for (const deadline = Date.now() + 15_000; !heard(); ) {
        if (Date.now() > deadline) throw new Error('the room never heard the participant');
        await participant.send(T140_CHANNEL.label, T140.bom);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    }

    it('takes text on the T.140 topic from a participant it knows, answers on the confirmed inbox only, and refuses what is not text', async () => {
      const customer = (await underTest.participant(room, 'customer')) as DataParticipant;
      participants.push(customer);
      const heard: [string, string, string][] = [];
      const refused: [string, string, string][] = [];
      room.on('dataMessage', (owner, label, text) => heard.push([owner, label, text]));
      room.on('dataRefused', (owner, label, reason) => refused.push([owner, label, reason]));
      await customer.speak(speech);

      await introduce(room, customer, () => heard.length > 0);
      expect(new Set(heard.map((entry) => JSON.stringify(entry)))).toEqual(new Set([JSON.stringify(['customer', T140_CHANNEL.label, T140.bom])]));
      expect(room.sendData('customer', 'before the inbox is confirmed')).toBe(false);
      room.confirmInbox('customer');
      await until(() => customer.inbox.length === 1, 'the inbox to say it is ready');
      expect(customer.inbox).toEqual([JSON.stringify({ type: 'ready' })]);

      heard.length = 0;
      await customer.send(T140_CHANNEL.label, 'hel');
      await until(() => heard.length === 1, 'the text');
      expect(heard).toEqual([['customer', T140_CHANNEL.label, 'hel']]);
      expect(room.sendData('customer', JSON.stringify({ type: 'rtt', text: 'lo' }))).toBe(true);
      await until(() => customer.inbox.length === 2, 'the inbox message');
      expect(customer.inbox[1]).toBe(JSON.stringify({ type: 'rtt', text: 'lo' }));

      await customer.send(T140_CHANNEL.label, new Uint8Array([0xff, 0xfe, 0x00]));
      await until(() => refused.length === 1, 'the refusal');
      expect(refused[0]).toEqual(['customer', T140_CHANNEL.label, 'data channel messages must be text']);
      expect(heard).toHaveLength(1);
    });

    it('admits a token only to the call’s room it was made for', async () => {
      const other = await engine.createRoom(`conformance-other-${Date.now()}`, { mode: 'csl' });
      try {
        const heardHere: string[] = [];
        const heardThere: string[] = [];
        room.on('dataMessage', (owner) => heardHere.push(owner));
        other.on('dataMessage', (owner) => heardThere.push(owner));
        const customer = await liveKitParticipant(other, 'customer');
        participants.push(customer);
        await customer.speak(speech);
        await introduce(other, customer, () => heardThere.length > 0);
        expect(heardThere[0]).toBe('customer');
        expect(heardHere).toEqual([]);
        expect(room.has('customer')).toBe(false);
      } finally {
        other.close();
      }
    });
  });
}
