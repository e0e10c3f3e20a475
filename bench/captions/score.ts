import { wordErrors } from '../../tests/support/captionSpeech.js';

/** A phrase as it was spoken: the words and voice, and when its speech began and ended (any one clock). */
export interface SpokenPhrase {
  text: string;
  voice: string;
  startAt: number;
  endAt: number;
}

/** A caption as the listener got it, on the same clock: when it first showed and, for a final, its words and when. */
export interface HeardCaption {
  firstAt: number;
  finalAt?: number;
  finalText?: string;
}

/** Word errors against a reference of `words` words. */
export interface WordCount {
  errors: number;
  words: number;
}

/** How one pass of phrases was captioned. */
export interface PassScore {
  /** Word errors of the whole pass, and by voice. */
  wer: { all: WordCount } & Record<string, WordCount>;
  /** Per phrase with a final: end of its speech to the first final that belongs to it. */
  finalLatencies: number[];
  /** Per phrase whose speech started a new caption line: start of its speech to that line's first showing. */
  partialLatencies: number[];
  phrases: number;
  /** Phrases no final belongs to. */
  withoutFinal: number;
  /** Hypothesis of each phrase, for the misses printed on stderr. */
  heard: string[];
}

/** Word errors of texts joined end to end (lower case, punctuation stripped by the recognizer's own tokenizer). */
export function wordCount(references: readonly string[], hypotheses: readonly string[]): WordCount {
  return wordErrors(references.join(' '), hypotheses.join(' '));
}

/** Percent, for a figure. */
export const percent = ({ errors, words }: WordCount): number => (words === 0 ? 0 : (100 * errors) / words);

/**
 * Scores captions against the phrases spoken, all on one clock. Captions are those of one speaker within the pass.
 *
 * - A final belongs to the phrase whose speech ended most recently before the final showed (one that shows before the
 *   first phrase ended goes to the first phrase). WER is over the whole pass: every reference word end to end against
 *   every final end to end, in the order they showed; by voice, each voice's phrases against the finals that belong
 *   to them.
 * - Final latency: from a phrase's end of speech to the first final that belongs to it.
 * - Partial latency: from a phrase's start of speech to the first caption line that first showed between that start
 *   and the next phrase's start. A line that began earlier (noise heard just before the phrase, or the previous
 *   phrase's utterance running on) gives that phrase no sample.
 */
export function scorePass(phrases: readonly SpokenPhrase[], captions: readonly HeardCaption[]): PassScore {
  const finals = captions.filter((caption): caption is Required<HeardCaption> => caption.finalAt !== undefined).sort((a, b) => a.firstAt - b.firstAt);
  const owner = (at: number): number => {
    let index = 0;
    for (let i = 0; i < phrases.length; i++) if (phrases[i]!.endAt <= at) index = i;
    return index;
  };
  const owned = phrases.map(() => [] as Required<HeardCaption>[]);
  for (const final of finals) owned[owner(final.finalAt)]!.push(final);
  const heard = owned.map((list) => list.map((final) => final.finalText).join(' ').trim());

  const wer: PassScore['wer'] = { all: wordCount(phrases.map((phrase) => phrase.text), finals.map((final) => final.finalText)) };
  for (const voice of new Set(phrases.map((phrase) => phrase.voice))) {
    const mine = phrases.flatMap((phrase, index) => (phrase.voice === voice ? [index] : []));
    wer[voice] = wordCount(mine.map((index) => phrases[index]!.text), mine.map((index) => heard[index]!));
  }

  const finalLatencies: number[] = [];
  const partialLatencies: number[] = [];
  for (const [index, phrase] of phrases.entries()) {
    const first = owned[index]!.map((final) => final.finalAt).sort((a, b) => a - b)[0];
    if (first !== undefined) finalLatencies.push(first - phrase.endAt);
    const until = phrases[index + 1]?.startAt ?? Number.POSITIVE_INFINITY;
    const line = captions.filter((caption) => caption.firstAt >= phrase.startAt && caption.firstAt < until).sort((a, b) => a.firstAt - b.firstAt)[0];
    if (line) partialLatencies.push(line.firstAt - phrase.startAt);
  }
  return { wer, finalLatencies, partialLatencies, phrases: phrases.length, withoutFinal: owned.filter((list) => list.length === 0).length, heard };
}
