import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildArpa, readPhrases, selectPronunciations, vocabularyOf } from './languageModel.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where Debian's `pocketsphinx-en-us` puts the US English acoustic model, generic language model and CMUdict. */
export const DEBIAN_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';

/** The support-call phrases the domain language model is built from. */
export const SUPPORT_PHRASES_FILE = path.join(repoRoot, 'server/captions/phrases.en.txt');

/** Where the built domain model is cached (git-ignored, rebuilt by setup). */
export const SUPPORT_MODEL_DIR = path.join(repoRoot, '.cache/captions');

/** A language model and the pronunciation dictionary that goes with it. */
export interface LanguageModelFiles {
  /** ARPA (or PocketSphinx binary) n-gram model. */
  lm: string;
  /** Pronunciation dictionary covering every word of the model. */
  dict: string;
}

/** The generic US English model Debian ships: a 27 MB trigram model and the full CMUdict (134,000 entries). */
export const GENERIC_MODEL: LanguageModelFiles = {
  lm: path.join(DEBIAN_MODEL_DIR, 'en-us.lm.bin'),
  dict: path.join(DEBIAN_MODEL_DIR, 'cmudict-en-us.dict'),
};

/** The domain model's files in `dir`. */
export function supportModelFiles(dir = SUPPORT_MODEL_DIR): LanguageModelFiles {
  return { lm: path.join(dir, 'support.lm'), dict: path.join(dir, 'support.dict') };
}

/** What a build did. */
export interface SupportModelBuild extends LanguageModelFiles {
  /** False when the cached files were already built from the same inputs. */
  built: boolean;
  sentences: number;
  words: number;
  /** Words of the phrases that CMUdict lacks; sentences holding one are left out of the model. */
  missing: string[];
}

/** Inputs of a build; the defaults are the repository's phrases and Debian's CMUdict. */
export interface SupportModelOptions {
  phrasesFile?: string;
  cmudictFile?: string;
  outDir?: string;
}

/**
 * Builds the support-domain language model (ARPA trigram) and its dictionary from the phrases file, unless the cache
 * already holds a build of the same phrases and dictionary. Takes well under a second; files are written atomically,
 * so a server starting meanwhile never reads half a model.
 */
export async function buildSupportModel(options: SupportModelOptions = {}): Promise<SupportModelBuild> {
  const phrasesFile = options.phrasesFile ?? SUPPORT_PHRASES_FILE;
  const cmudictFile = options.cmudictFile ?? GENERIC_MODEL.dict;
  const files = supportModelFiles(options.outDir);
  const outDir = path.dirname(files.lm);
  const [phrases, cmudict] = await Promise.all([readInput(phrasesFile, 'phrases file'), readInput(cmudictFile, 'pronunciation dictionary (Debian package pocketsphinx-en-us)')]);
  const stampFile = path.join(outDir, 'support.stamp');
  // The stamp covers the inputs and the builder itself, so a change to the smoothing also rebuilds.
  const builder = await readFile(fileURLToPath(new URL('./languageModel.ts', import.meta.url)), 'utf8').catch(() => '');
  const key = createHash('sha256').update(phrases).update('\0').update(cmudict).update('\0').update(builder).digest('hex');

  const all = readPhrases(phrases);
  const { missing } = selectPronunciations(cmudict, vocabularyOf(all));
  const missingSet = new Set(missing);
  const sentences = all.filter((words) => !words.some((word) => missingSet.has(word)));
  const vocabulary = vocabularyOf(sentences);
  const summary = { ...files, sentences: sentences.length, words: vocabulary.length, missing };

  const stamp = await readFile(stampFile, 'utf8').catch(() => '');
  if (stamp.trim() === key && existsSync(files.lm) && existsSync(files.dict)) return { ...summary, built: false };

  await mkdir(outDir, { recursive: true });
  const dictionary = selectPronunciations(cmudict, vocabulary);
  await writeAtomically(files.lm, buildArpa(sentences));
  await writeAtomically(files.dict, `${dictionary.lines.join('\n')}\n`);
  await writeAtomically(stampFile, `${key}\n`);
  return { ...summary, built: true };
}

async function readInput(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the ${what} ${file}: ${(error as Error).message}`);
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}
