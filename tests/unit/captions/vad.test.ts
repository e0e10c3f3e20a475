import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PocketSphinxEngine } from '../../../server/captions/pocketsphinx/PocketSphinxEngine.js';
import { buildSupportModel, DEBIAN_MODEL_DIR, type LanguageModelFiles } from '../../../server/captions/pocketsphinx/supportModel.js';
import type { EngineEvent } from '../../../server/captions/UtteranceEngine.js';
import { concat, silence, speech, speechSpan, trim, wordErrorRate } from '../../support/captionSpeech.js';

// The utterance cutting of the default engine (PocketSphinx's own voice activity detector, see PocketSphinxEngine),
// driven in-process with real flite speech, 20 ms at a time as the audio tap delivers it.

let modelDir: string;
let model: LanguageModelFiles;
let engine: PocketSphinxEngine | undefined;

beforeAll(async () => {
  modelDir = await mkdtemp(path.join(os.tmpdir(), 'caption-vad-'));
  model = await buildSupportModel({ outDir: modelDir });
});
afterAll(async () => {
  await rm(modelDir, { recursive: true, force: true });
});
afterEach(() => {
  engine?.free();
  engine = undefined;
});

function start(maxUtteranceMs = 20_000): PocketSphinxEngine {
  engine = new PocketSphinxEngine({ model: { hmm: path.join(DEBIAN_MODEL_DIR, 'en-us'), ...model }, maxUtteranceMs });
  return engine;
}

function feed(target: PocketSphinxEngine, pcm: Int16Array, flushAtEnd = false): EngineEvent[] {
  const events: EngineEvent[] = [];
  for (let at = 0; at < pcm.length; at += 320) events.push(...target.write(pcm.subarray(at, at + 320), at));
  if (flushAtEnd) events.push(...target.flush(pcm.length));
  return events;
}

const finals = (events: EngineEvent[]) => events.filter((event) => event.type === 'final');

describe('utterances cut by voice activity', () => {
  it('ends one utterance per sentence when sentences are a second apart, each in its place', async () => {
    const sentences = ['my phone will not turn on', 'i forgot my password', 'thank you for your help'];
    const clips = await Promise.all(sentences.map((text) => speech(text)));
    const audio = concat(silence(500), clips[0]!, silence(1000), clips[1]!, silence(1000), clips[2]!, silence(1000));
    const found = finals(feed(start(), audio));
    expect(found.map((event) => event.text)).toEqual(sentences);

    let offsetMs = 500;
    for (const [index, clip] of clips.entries()) {
      const span = speechSpan(clip);
      const event = found[index]!;
      // Within 300 ms of the speech: the detector needs 100 ms of speech to start and ends 500 ms after the last.
      expect(event.start / 16).toBeGreaterThan(offsetMs + span.startMs - 300);
      expect(event.start / 16).toBeLessThan(offsetMs + span.startMs + 300);
      expect(event.end / 16).toBeGreaterThan(offsetMs + span.endMs - 300);
      expect(event.end / 16).toBeLessThan(offsetMs + span.endMs + 300);
      offsetMs += clip.length / 16 + 1000;
    }
  });

  it('shows partials of an utterance before its final, all from the same start', async () => {
    const events = feed(start(), concat(silence(300), await speech('can you send me a new code'), silence(1000)));
    const final = events.findIndex((event) => event.type === 'final');
    expect(final).toBeGreaterThan(0);
    expect(events.slice(0, final).every((event) => event.type === 'partial' && event.start === events[final]!.start)).toBe(true);
    expect(events[final]!.text).toBe('can you send me a new code');
  });

  it('says nothing for silence or a quiet hiss', () => {
    const hiss = new Int16Array(16_000 * 4).map((_, index) => ((index * 7919) % 61) - 30);
    expect(feed(start(), concat(silence(3000), hiss), true)).toEqual([]);
  });

  it('keeps a sentence whole across a short pause', async () => {
    const audio = concat(trim(await speech('my internet is not working')), silence(250), trim(await speech('since yesterday')), silence(1000));
    expect(finals(feed(start(), audio)).map((event) => event.text)).toEqual(['my internet is not working since yesterday']);
  });

  it('cuts an utterance that runs past the longest allowed, and the pieces still hold the words', async () => {
    const sentence = 'my phone is very slow and the battery drains very fast and my phone gets very hot';
    const found = finals(feed(start(3000), concat(await speech(sentence), silence(1000))));
    expect(found.length).toBeGreaterThan(1);
    for (const [index, event] of found.entries()) {
      expect(event.end - event.start).toBeLessThanOrEqual(3000 * 16);
      if (index > 0) expect(event.start).toBeGreaterThanOrEqual(found[index - 1]!.end);
    }
    expect(wordErrorRate([{ reference: sentence, hypothesis: found.map((event) => event.text).join(' ') }])).toBeLessThan(0.25);
  });

  it('finishes the utterance in progress when the audio stops', async () => {
    const events = feed(start(), concat(silence(300), await speech('i need a technician')), true);
    expect(finals(events).map((event) => event.text)).toEqual(['i need a technician']);
  });
});
