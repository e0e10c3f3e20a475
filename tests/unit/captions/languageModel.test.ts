import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildArpa, readPhrases, selectPronunciations, tokenize, vocabularyOf } from '../../../server/captions/pocketsphinx/languageModel.js';
import { buildSupportModel, GENERIC_MODEL, SUPPORT_PHRASES_FILE } from '../../../server/captions/pocketsphinx/supportModel.js';
import { HELD_OUT_SENTENCES } from '../../support/captionSpeech.js';

/** An ARPA model read back, scoring the way PocketSphinx does: the longest n-gram listed, else back off. */
class ArpaReader {
  readonly probabilities = new Map<string, number>();
  readonly backoffs = new Map<string, number>();
  readonly declared = new Map<number, number>();
  readonly listed = new Map<number, number>();
  readonly vocabulary: string[] = [];

  constructor(text: string) {
    let order = 0;
    for (const line of text.split('\n')) {
      const declared = /^ngram (\d)=(\d+)$/.exec(line);
      if (declared) this.declared.set(Number(declared[1]), Number(declared[2]));
      const section = /^\\(\d)-grams:$/.exec(line);
      if (section) {
        order = Number(section[1]);
        continue;
      }
      if (order === 0 || line === '' || line.startsWith('\\')) continue;
      const [logP, ngram, backoff] = line.split('\t');
      this.probabilities.set(ngram!, 10 ** Number(logP));
      if (backoff !== undefined) this.backoffs.set(ngram!, 10 ** Number(backoff));
      this.listed.set(order, (this.listed.get(order) ?? 0) + 1);
      if (order === 1 && ngram !== '<s>') this.vocabulary.push(ngram!);
    }
  }

  probability(history: string[], word: string): number {
    const listed = this.probabilities.get([...history, word].join(' '));
    if (listed !== undefined) return listed;
    if (history.length === 0) throw new Error(`${word} is not in the vocabulary`);
    return (this.backoffs.get(history.join(' ')) ?? 1) * this.probability(history.slice(1), word);
  }
}

const corpus = readPhrases(`# a comment line

My phone won't turn on.
my phone is slow
I can't log in!
my phone won't charge
`);

describe('the phrases a model is built from', () => {
  it('reads words in lower case with apostrophes kept and punctuation dropped', () => {
    expect(tokenize("I CAN'T log-in, 'please'")).toEqual(["i", "can't", 'log', 'in', 'please']);
    expect(tokenize('It’s the “router”')).toEqual(["it's", 'the', 'router']);
  });

  it('skips blank lines and comments', () => {
    expect(corpus).toEqual([
      ['my', 'phone', "won't", 'turn', 'on'],
      ['my', 'phone', 'is', 'slow'],
      ['i', "can't", 'log', 'in'],
      ['my', 'phone', "won't", 'charge'],
    ]);
  });
});

describe('the ARPA trigram model', () => {
  it('declares as many n-grams of each order as it lists', () => {
    const model = new ArpaReader(buildArpa(corpus));
    expect(model.declared.get(1)).toBe(model.listed.get(1));
    expect(model.declared.get(2)).toBe(model.listed.get(2));
    expect(model.declared.get(3)).toBe(model.listed.get(3));
    expect(model.vocabulary.sort()).toEqual([...vocabularyOf(corpus), '</s>'].sort());
  });

  it('gives every history, seen or not, a next-word distribution that sums to 1', () => {
    const model = new ArpaReader(buildArpa(corpus));
    const histories = [[], ['<s>'], ['my'], ['<s>', 'my'], ['my', 'phone'], ['phone', "won't"], ['slow', 'i'], ['turn'], ['on', 'my']];
    for (const history of histories) {
      const total = model.vocabulary.reduce((sum, word) => sum + model.probability(history, word), 0);
      expect(total, history.join(' ')).toBeCloseTo(1, 4);
    }
  });

  it('prefers what the phrases say over what they do not', () => {
    const model = new ArpaReader(buildArpa(corpus));
    expect(model.probability(['my', 'phone'], "won't")).toBeGreaterThan(model.probability(['my', 'phone'], 'log'));
    expect(model.probability(['<s>', 'i'], "can't")).toBeGreaterThan(0.5);
    expect(model.probability(['phone', "won't"], 'charge')).toBeGreaterThan(model.probability(['phone', 'is'], 'charge'));
  });

  it('is the same text every time for the same phrases', () => {
    expect(buildArpa(corpus)).toBe(buildArpa(readPhrases(corpus.map((words) => words.join(' ')).join('\n'))));
  });

  it('refuses to build from no sentences', () => {
    expect(() => buildArpa([])).toThrow('no sentences');
  });
});

describe('the dictionary of the model’s words', () => {
  const cmudict = ["'bout B AW T", 'read R EH D', 'read(2) R IY D', 'reader R IY D ER', "won't W OW N T", ''].join('\n');

  it('keeps every pronunciation of the words asked for, and names the words it lacks', () => {
    expect(selectPronunciations(cmudict, ['read', "won't", 'wifi'])).toEqual({
      lines: ['read R EH D', 'read(2) R IY D', "won't W OW N T"],
      missing: ['wifi'],
    });
  });
});

describe('the support-domain model of the repository', () => {
  let outDir: string;
  beforeEach(async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), 'caption-lm-'));
  });
  afterEach(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  it('has a pronunciation for every word of the phrases', async () => {
    const phrases = readPhrases(await readFile(SUPPORT_PHRASES_FILE, 'utf8'));
    expect(phrases.length).toBeGreaterThan(300);
    expect(selectPronunciations(await readFile(GENERIC_MODEL.dict, 'utf8'), vocabularyOf(phrases)).missing).toEqual([]);
  });

  it('builds once, then finds its cache up to date, within seconds', async () => {
    const started = performance.now();
    const first = await buildSupportModel({ outDir });
    expect(first).toMatchObject({ built: true, missing: [] });
    expect(first.sentences).toBeGreaterThan(300);
    const lm = await stat(first.lm);
    const second = await buildSupportModel({ outDir });
    expect(second.built).toBe(false);
    expect((await stat(second.lm)).mtimeMs).toBe(lm.mtimeMs);
    expect(performance.now() - started).toBeLessThan(5000);
    const dictionary = await readFile(first.dict, 'utf8');
    expect(dictionary).toMatch(/^router R UW T ER$/m);
    expect(dictionary).toMatch(/^router\(2\) R AW T ER$/m);
  });

  it('rebuilds when the phrases change, leaving out sentences with a word CMUdict lacks', async () => {
    const phrasesFile = path.join(outDir, 'phrases.txt');
    await writeFile(phrasesFile, 'my phone is slow\nmy zzyzxphone is slow\n');
    const first = await buildSupportModel({ outDir, phrasesFile });
    expect(first).toMatchObject({ built: true, sentences: 1, missing: ['zzyzxphone'] });
    await writeFile(phrasesFile, 'my phone is slow\nmy router is slow\n');
    const second = await buildSupportModel({ outDir, phrasesFile });
    expect(second).toMatchObject({ built: true, sentences: 2, missing: [] });
    expect(await readFile(second.lm, 'utf8')).toContain('\trouter\t');
  });

  it('fails with the path when the phrases cannot be read', async () => {
    await expect(buildSupportModel({ outDir, phrasesFile: path.join(outDir, 'none.txt') })).rejects.toThrow(/cannot read the phrases file .*none\.txt/);
  });

  it('is tested on sentences it was not built from but whose every word it knows', async () => {
    const phrases = readPhrases(await readFile(SUPPORT_PHRASES_FILE, 'utf8'));
    const lines = new Set(phrases.map((words) => words.join(' ')));
    const vocabulary = new Set(vocabularyOf(phrases));
    for (const sentence of HELD_OUT_SENTENCES) {
      expect(lines.has(tokenize(sentence).join(' ')), sentence).toBe(false);
      expect(tokenize(sentence).filter((word) => !vocabulary.has(word)), sentence).toEqual([]);
    }
  });
});
