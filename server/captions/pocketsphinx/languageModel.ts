/** Sentence start and end markers, as PocketSphinx expects them in an ARPA model. */
export const SENTENCE_START = '<s>';
/** Sentence end marker. */
export const SENTENCE_END = '</s>';

/** The words of one line of text as a recognizer spells them: lower case, apostrophes kept inside words, no punctuation. */
export function tokenize(line: string): string[] {
  return line
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[^a-z0-9' ]+/g, ' ')
    .split(' ')
    .map((word) => word.replace(/^'+|'+$/g, ''))
    .filter((word) => word !== '');
}

/** The sentences of a phrases file: one per line; blank lines and lines starting with `#` are skipped. */
export function readPhrases(text: string): string[][] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'))
    .map(tokenize)
    .filter((words) => words.length > 0);
}

/** Counts of one n-gram order: by history (words joined by a space), the count of each next word. */
type Counts = Map<string, Map<string, number>>;

/** One history's statistics for Witten-Bell: tokens seen after it and distinct next words. */
interface History {
  total: number;
  types: number;
}

/**
 * An ARPA trigram model of `sentences` with interpolated Witten-Bell smoothing, written in ARPA's backoff form.
 *
 * Witten-Bell gives a history h the weight λ(h) = c(h) / (c(h) + T(h)), T(h) being the distinct words seen after h:
 * P(w | h) = (c(h, w) + T(h) · P(w | h')) / (c(h) + T(h)). For a word never seen after h that is exactly
 * T(h) / (c(h) + T(h)) · P(w | h'), so the backoff weight is that fraction and every history's distribution sums to 1
 * with no renormalisation. It suits a small corpus (a few hundred lines) better than Good-Turing, whose count-of-count
 * estimates need more data. Unigrams are interpolated with the uniform distribution (add-one), so every word keeps
 * some probability anywhere. The output is deterministic: same sentences, same bytes.
 */
export function buildArpa(sentences: readonly (readonly string[])[]): string {
  const unigrams = new Map<string, number>();
  const bigrams: Counts = new Map();
  const trigrams: Counts = new Map();
  for (const sentence of sentences) {
    const words = [SENTENCE_START, ...sentence, SENTENCE_END];
    for (let i = 1; i < words.length; i++) {
      const word = words[i]!;
      unigrams.set(word, (unigrams.get(word) ?? 0) + 1);
      add(bigrams, words[i - 1]!, word);
      if (i >= 2) add(trigrams, `${words[i - 2]!} ${words[i - 1]!}`, word);
    }
  }
  if (unigrams.size === 0) throw new Error('cannot build a language model from no sentences');

  const vocabulary = [...unigrams.keys()].sort();
  const tokens = [...unigrams.values()].reduce((sum, count) => sum + count, 0);
  const unigramP = new Map(vocabulary.map((word) => [word, (unigrams.get(word)! + 1) / (tokens + vocabulary.length)]));
  const bigramHistory = histories(bigrams);
  const trigramHistory = histories(trigrams);
  const backoff = (history: History | undefined): number | undefined => (history ? history.types / (history.total + history.types) : undefined);

  const bigramP = (previous: string, word: string): number => {
    const history = bigramHistory.get(previous)!;
    return ((bigrams.get(previous)!.get(word) ?? 0) + history.types * unigramP.get(word)!) / (history.total + history.types);
  };

  const lines1 = [SENTENCE_START, ...vocabulary].map((word) => {
    const p = word === SENTENCE_START ? -99 : log10(unigramP.get(word)!);
    return entry(p, word, backoff(bigramHistory.get(word)));
  });
  const lines2: string[] = [];
  for (const previous of [...bigrams.keys()].sort()) {
    for (const word of [...bigrams.get(previous)!.keys()].sort()) {
      const ngram = `${previous} ${word}`;
      lines2.push(entry(log10(bigramP(previous, word)), ngram, backoff(trigramHistory.get(ngram))));
    }
  }
  const lines3: string[] = [];
  for (const history of [...trigrams.keys()].sort()) {
    const stats = trigramHistory.get(history)!;
    const previous = history.slice(history.indexOf(' ') + 1);
    for (const [word, count] of [...trigrams.get(history)!].sort(([a], [b]) => compare(a, b))) {
      const p = (count + stats.types * bigramP(previous, word)) / (stats.total + stats.types);
      lines3.push(entry(log10(p), `${history} ${word}`, undefined));
    }
  }
  return [
    '\\data\\',
    `ngram 1=${lines1.length}`,
    `ngram 2=${lines2.length}`,
    `ngram 3=${lines3.length}`,
    '',
    '\\1-grams:',
    ...lines1,
    '',
    '\\2-grams:',
    ...lines2,
    '',
    '\\3-grams:',
    ...lines3,
    '',
    '\\end\\',
    '',
  ].join('\n');
}

/** A pronunciation dictionary restricted to some words, and the words it has no pronunciation for. */
export interface DictionarySubset {
  /** Dictionary lines (`word PH O N E S`, alternatives as `word(2) ...`), sorted. */
  lines: string[];
  /** Words asked for that the dictionary does not have, sorted. */
  missing: string[];
}

/** The entries of a CMUdict-format dictionary for `words`, every alternative pronunciation included. */
export function selectPronunciations(dictionary: string, words: Iterable<string>): DictionarySubset {
  const wanted = new Set(words);
  const found = new Set<string>();
  const lines: string[] = [];
  for (const line of dictionary.split('\n')) {
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    const word = line.slice(0, space).replace(/\(\d+\)$/, '');
    if (!wanted.has(word)) continue;
    found.add(word);
    lines.push(line.trimEnd());
  }
  return { lines: lines.sort(compare), missing: [...wanted].filter((word) => !found.has(word)).sort() };
}

/** The words of `sentences`, each once, sorted. */
export function vocabularyOf(sentences: readonly (readonly string[])[]): string[] {
  return [...new Set(sentences.flat())].sort();
}

function add(counts: Counts, history: string, word: string): void {
  let next = counts.get(history);
  if (!next) counts.set(history, (next = new Map()));
  next.set(word, (next.get(word) ?? 0) + 1);
}

function histories(counts: Counts): Map<string, History> {
  const result = new Map<string, History>();
  for (const [history, next] of counts) {
    let total = 0;
    for (const count of next.values()) total += count;
    result.set(history, { total, types: next.size });
  }
  return result;
}

function entry(logP: number, ngram: string, backoffWeight: number | undefined): string {
  const head = `${logP.toFixed(6)}\t${ngram}`;
  return backoffWeight === undefined ? head : `${head}\t${log10(backoffWeight).toFixed(6)}`;
}

const log10 = (p: number): number => Math.log10(p);

// Code-unit order, never the locale's: the model's bytes must not depend on the machine.
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
