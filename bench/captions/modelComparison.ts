import { createSpeechRecognizer, type FinalCaption, type SpeechRecognizer } from '../../server/captions/index.js';
import { decodeAll } from './decodeAll.js';
import { scorePass, type PassScore } from './score.js';
import type { SpeechSet, SpeechTrack } from './speechTrack.js';

/** PocketSphinx's language models: the support-domain one the product uses, and Debian's generic en-us one. */
export const MODELS = ['support', 'generic'] as const;
export type Model = (typeof MODELS)[number];

/** One model's captions of one track, fed straight to the recognizer. */
export interface ModelScore {
  model: Model;
  set: SpeechSet;
  score: PassScore;
  /** Wall time from the first write to the stream's end over the audio's length (both models decode at once, one core each on 2 cores). */
  rtf: number;
}

/**
 * Language models on the very same 16 kHz audio the call's microphone plays (before Chromium, Opus and the SFU),
 * written in 20 ms chunks as fast as a stream takes them, the models at once: each model on the tracks listed for it.
 * Finals are scored as in the call, each placed half a gap after the end of its utterance in audio time (after its
 * phrase's end, before the next phrase's start).
 */
export async function compareModels(tracks: Record<Model, readonly SpeechTrack[]>, gapMs: number): Promise<ModelScore[]> {
  const recognizers = new Map<Model, SpeechRecognizer>();
  try {
    for (const model of MODELS) recognizers.set(model, await createSpeechRecognizer({ languageModel: model }));
    const byModel = await Promise.all(
      MODELS.map(async (model) => {
        const scores: ModelScore[] = [];
        for (const track of tracks[model]) scores.push(await decode(recognizers.get(model)!, model, track, gapMs));
        return scores;
      }),
    );
    return byModel.flat();
  } finally {
    for (const recognizer of recognizers.values()) recognizer.close();
  }
}

async function decode(recognizer: SpeechRecognizer, model: Model, track: SpeechTrack, gapMs: number): Promise<ModelScore> {
  const audioMs = track.pcm16k.length / 16;
  const stream = recognizer.open({ maxBacklogMs: audioMs + 1000, label: `bench ${model} ${track.set}` });
  const finals: FinalCaption[] = [];
  stream.on('final', (final) => finals.push(final));
  const rtf = await decodeAll(stream, track.pcm16k, track.phrases.at(-1)!.speechStartMs + 200);
  const phrases = track.phrases.map((phrase) => ({ text: phrase.text, voice: phrase.voice, startAt: phrase.speechStartMs, endAt: phrase.speechEndMs }));
  const captions = finals.map((final) => ({ firstAt: final.startMs, finalAt: final.endMs + gapMs / 2, finalText: final.text }));
  return { model, set: track.set, score: scorePass(phrases, captions), rtf };
}
