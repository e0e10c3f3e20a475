import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { EngineSpec } from './createEngine.js';
import { DEBIAN_MODEL_DIR, GENERIC_MODEL, supportModelFiles } from './pocketsphinx/supportModel.js';
import { detectSherpaModel } from './sherpa/sherpaModel.js';
import type { SpeechRecognizer } from './SpeechRecognizer.js';
import { WorkerSpeechRecognizer } from './WorkerSpeechRecognizer.js';

/** Captions settings; the server maps ASR_MODEL_DIR and ASR_THREADS onto the first two. */
export const captionsConfigSchema = z.strictObject({
  /** A streaming sherpa-onnx model directory (ASR_MODEL_DIR); without it, PocketSphinx. */
  asrModelDir: z.string().min(1).optional(),
  /** Threads onnxruntime may use per sherpa-onnx stream (ASR_THREADS). */
  asrThreads: z.number().int().min(1).max(16).default(1),
  /** PocketSphinx's language model: the support-domain one built by setup (default), or Debian's generic one. */
  languageModel: z.enum(['support', 'generic']).default('support'),
  /** Where setup put the support-domain model (default `.cache/captions`). */
  supportModelDir: z.string().min(1).optional(),
  /** Utterances longer than this are cut, so a monologue still turns into transcript lines. */
  maxUtteranceMs: z.number().int().min(2_000).max(60_000).default(20_000),
});

/** Captions settings, as given. */
export type CaptionsConfig = z.input<typeof captionsConfigSchema>;

/**
 * The speech recognizer the configuration asks for, its model loaded once to check it: sherpa-onnx when
 * `asrModelDir` is set, else PocketSphinx with the support-domain language model. Throws an Error that says what is
 * wrong (a missing directory or file, a model that does not load) and never falls back to another engine: an operator
 * who configured a model must not get PocketSphinx's captions without knowing.
 */
export async function createSpeechRecognizer(config: CaptionsConfig = {}): Promise<SpeechRecognizer> {
  const parsed = captionsConfigSchema.safeParse(config);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`);
    throw new TypeError(`invalid captions configuration: ${problems.join('; ')}`);
  }
  const { asrModelDir, asrThreads, languageModel, supportModelDir, maxUtteranceMs } = parsed.data;
  if (asrModelDir !== undefined) {
    const model = detectSherpaModel(asrModelDir);
    const engine: EngineSpec = { kind: 'sherpa-onnx', model, numThreads: asrThreads };
    return WorkerSpeechRecognizer.start(engine, `sherpa-onnx ${model.layout} model in ${model.dir}`);
  }
  const files = languageModel === 'generic' ? GENERIC_MODEL : supportModelFiles(supportModelDir);
  if (languageModel === 'support' && !(existsSync(files.lm) && existsSync(files.dict))) {
    throw new Error(`the captions' support-domain language model ${files.lm} is missing: run "npm run setup" (or "npx tsx scripts/build-caption-lm.ts")`);
  }
  const engine: EngineSpec = { kind: 'pocketsphinx', model: { hmm: path.join(DEBIAN_MODEL_DIR, 'en-us'), ...files }, maxUtteranceMs };
  return WorkerSpeechRecognizer.start(engine, `PocketSphinx en-us with the ${languageModel === 'generic' ? 'generic' : 'support-domain'} language model ${files.lm}`);
}
