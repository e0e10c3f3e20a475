import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediasoupEngine } from '../../media/mediasoup/MediasoupEngine.js';
import type { MediasoupRoom } from '../../media/mediasoup/MediasoupRoom.js';
import type { ServerEventName, ServerEventPayload, Speaker } from '../../signaling/index.js';
import { CallCaptions } from '../../server/calls/CallCaptions.js';
import { createSpeechRecognizer, type SpeechRecognizer } from '../../server/captions/index.js';
import { WorkerRecognizerStream } from '../../server/captions/WorkerRecognizerStream.js';
import { createLogger } from '../../server/logger.js';
import { concat, HELD_OUT_SENTENCES, silence, speech, wordErrors, writeWav } from '../support/captionSpeech.js';
import { plainOpusProducer, sendOpusWithFfmpeg, testMediaEngine, testRoom } from '../support/opusSource.js';

type Pushed = { [E in ServerEventName]: { to: readonly string[]; event: E; payload: ServerEventPayload<E> } }[ServerEventName];

const FIRST = HELD_OUT_SENTENCES[0];
const SECOND = HELD_OUT_SENTENCES[2];

/** Resolves with the pushes once `done` holds for them, or fails after `timeoutMs`. */
async function pushesUntil(pushes: Pushed[], done: (pushes: Pushed[]) => boolean, timeoutMs = 20_000): Promise<Pushed[]> {
  const deadline = Date.now() + timeoutMs;
  while (!done(pushes)) {
    if (Date.now() > deadline) throw new Error(`not there after ${timeoutMs} ms: ${JSON.stringify(pushes.map((p) => [p.event, p.payload]))}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return pushes;
}

describe('a call’s captions: the SFU audio tap, a real recognizer worker, pushes and the transcript', () => {
  let engine: MediasoupEngine;
  let recognizer: SpeechRecognizer;
  let dir: string;
  let wav: string;
  const senders: ChildProcess[] = [];

  beforeAll(async () => {
    [engine, recognizer] = await Promise.all([testMediaEngine(), createSpeechRecognizer()]);
    dir = await mkdtemp(path.join(tmpdir(), 'signline-call-captions-'));
    wav = path.join(dir, 'two-sentences.wav');
    // Two sentences with time between them to crash the recognizer and let it come back.
    await writeWav(wav, concat(silence(500), await speech(FIRST), silence(3000), await speech(SECOND), silence(1500)));
  });

  afterAll(async () => {
    for (const sender of senders) sender.kill('SIGKILL');
    recognizer?.close();
    await engine?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('pushes partials then a final per utterance to everyone, records finals, and shows paused then live when the recognizer crashes', async () => {
    const room: MediasoupRoom = await testRoom(engine, `captions-${Date.now()}`);
    const pushes: Pushed[] = [];
    const recorded: { speaker: Speaker; text: string; at: number }[] = [];
    // The streams the real recognizer opens, kept to crash one as a native fault would.
    const streams: WorkerRecognizerStream[] = [];
    const open = recognizer.open.bind(recognizer);
    const watched: SpeechRecognizer = Object.assign(Object.create(recognizer) as SpeechRecognizer, {
      open: (options?: Parameters<SpeechRecognizer['open']>[0]) => {
        const stream = open(options);
        if (!(stream instanceof WorkerRecognizerStream)) throw new TypeError('PocketSphinx streams run in worker threads');
        streams.push(stream);
        return stream;
      },
    });
    const captions = new CallCaptions({
      sessionId: room.id,
      room,
      recognizer: watched,
      messenger: { push: (to, event, payload) => pushes.push({ to: [to].flat(), event, payload } as Pushed) },
      log: createLogger('error'),
      now: Date.now,
      keys: () => ['customer:SL-1', 'agent:alice'],
      speakerOf: (key) => (key.startsWith('customer') ? { role: 'customer', name: 'SL-1' } : { role: 'agent', name: 'Alice' }),
      record: (speaker, text, at) => recorded.push({ speaker, text, at }),
    });
    const { producer, port, senderPort } = await plainOpusProducer(room.router, 2222);
    room.addRouterProducer('customer:SL-1', producer);
    const started = Date.now();
    await captions.add('customer:SL-1', producer.id);
    senders.push(sendOpusWithFfmpeg(room.router, wav, { port, senderPort }, 2222));

    const captionsOf = (all: Pushed[]) => all.flatMap((p) => (p.event === 'caption' ? [p.payload] : []));
    const statesOf = (all: Pushed[]) => all.flatMap((p) => (p.event === 'caption:status' ? [p.payload.state] : []));
    // The first sentence: partials, then its final, to both participants, from the customer.
    await pushesUntil(pushes, (all) => captionsOf(all).some((c) => c.final));
    const first = captionsOf(pushes);
    const firstFinal = first.find((c) => c.final)!;
    expect(statesOf(pushes)[0]).toBe('live');
    expect(first.filter((c) => !c.final && c.captionId === firstFinal.captionId).length).toBeGreaterThan(0);
    expect(firstFinal.speaker).toEqual({ role: 'customer', name: 'SL-1' });
    const errors = wordErrors(FIRST, firstFinal.text);
    expect(errors.errors / errors.words, firstFinal.text).toBeLessThanOrEqual(0.25);
    expect(pushes.every((p) => p.to.length === 2)).toBe(true);
    expect(recorded).toEqual([{ speaker: firstFinal.speaker, text: firstFinal.text, at: firstFinal.at }]);
    expect(firstFinal.at).toBeGreaterThanOrEqual(started);

    // The worker dies in the pause: captions say paused, come back, and the second sentence is captioned.
    await streams[0]!.crashWorkerForTest();
    await pushesUntil(pushes, (all) => statesOf(all).includes('paused') && statesOf(all).at(-1) === 'live');
    await pushesUntil(pushes, (all) => captionsOf(all).filter((c) => c.final && c.text !== '').length >= 2, 30_000);
    const secondFinal = captionsOf(pushes).filter((c) => c.final && c.text !== '')[1]!;
    expect(secondFinal.captionId).not.toBe(firstFinal.captionId);
    const second = wordErrors(SECOND, secondFinal.text);
    expect(second.errors / second.words, secondFinal.text).toBeLessThanOrEqual(0.25);

    // After close nothing more is pushed, and the producer's own life is untouched.
    captions.close();
    const count = pushes.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pushes.length).toBe(count);
    expect(producer.closed).toBe(false);
    room.close();
  }, 60_000);
});
