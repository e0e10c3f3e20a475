// Builds the captions' support-domain language model for PocketSphinx, offline: an ARPA trigram model (interpolated
// Witten-Bell, see server/captions/pocketsphinx/languageModel.ts) of server/captions/phrases.en.txt and a dictionary
// of its words from Debian's CMUdict, in .cache/captions (support.lm, support.dict). Rebuilt only when the phrases,
// the dictionary or the builder change. Words CMUdict lacks are reported and their sentences left out.
import { buildSupportModel } from '../server/captions/pocketsphinx/supportModel.js';

const log = (message: string) => console.log(`[caption-lm] ${message}`);

try {
  const started = performance.now();
  const result = await buildSupportModel();
  for (const word of result.missing) console.warn(`[caption-lm] not in CMUdict, sentences with it left out: ${word}`);
  const took = Math.round(performance.now() - started);
  log(`${result.built ? 'built' : 'up to date'}: ${result.lm} (${result.sentences} sentences, ${result.words} words) in ${took} ms`);
} catch (error) {
  console.error(`[caption-lm] ${(error as Error).message}`);
  process.exitCode = 1;
}
