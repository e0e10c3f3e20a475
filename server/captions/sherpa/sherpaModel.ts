import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** A streaming sherpa-onnx model found in a directory: which kind, and its files (absolute paths). */
export type SherpaModel =
  | { layout: 'transducer'; dir: string; encoder: string; decoder: string; joiner: string; tokens: string }
  | { layout: 'paraformer'; dir: string; encoder: string; decoder: string; tokens: string }
  | { layout: 'zipformer2-ctc'; dir: string; model: string; tokens: string };

const EXPECTED =
  'tokens.txt and either encoder*.onnx, decoder*.onnx and joiner*.onnx (transducer), encoder*.onnx and decoder*.onnx (paraformer), or one other .onnx file (zipformer2 CTC)';

/**
 * Finds the streaming model in an operator's model directory (ASR_MODEL_DIR), as sherpa-onnx's releases lay them
 * out: a transducer has an encoder, a decoder and a joiner; a paraformer an encoder and a decoder; a zipformer2 CTC
 * model one network. When a release ships float and int8 files side by side, the int8 ones are used (several times
 * faster on a CPU, for a fraction of a point of WER). Throws an Error saying what is missing or ambiguous.
 */
export function detectSherpaModel(dir: string): SherpaModel {
  const resolved = path.resolve(dir);
  let names: string[];
  try {
    if (!statSync(resolved).isDirectory()) throw new Error('not a directory');
    names = readdirSync(resolved);
  } catch (error) {
    throw new Error(`ASR_MODEL_DIR ${resolved} cannot be read (${(error as Error).message}); it must hold ${EXPECTED}`);
  }
  const file = (name: string) => path.join(resolved, name);
  if (!names.includes('tokens.txt')) throw new Error(`ASR_MODEL_DIR ${resolved} has no tokens.txt; it must hold ${EXPECTED} (found: ${listing(names)})`);
  const onnx = names.filter((name) => name.endsWith('.onnx')).sort();
  const pick = (role: string) => choose(resolved, role, onnx.filter((name) => name.startsWith(role)));
  const tokens = file('tokens.txt');
  const encoder = pick('encoder');
  const decoder = pick('decoder');
  const joiner = pick('joiner');
  if (encoder && decoder && joiner) return { layout: 'transducer', dir: resolved, encoder: file(encoder), decoder: file(decoder), joiner: file(joiner), tokens };
  if (encoder && decoder) return { layout: 'paraformer', dir: resolved, encoder: file(encoder), decoder: file(decoder), tokens };
  if (encoder || decoder || joiner) {
    const missing = ['encoder', 'decoder', 'joiner'].filter((role) => !onnx.some((name) => name.startsWith(role)));
    throw new Error(`ASR_MODEL_DIR ${resolved} holds an incomplete model: no ${missing.join('*.onnx or ')}*.onnx; it must hold ${EXPECTED} (found: ${listing(names)})`);
  }
  const model = choose(resolved, 'model', onnx);
  if (model) return { layout: 'zipformer2-ctc', dir: resolved, model: file(model), tokens };
  throw new Error(`ASR_MODEL_DIR ${resolved} has no .onnx model; it must hold ${EXPECTED} (found: ${listing(names)})`);
}

/** The one file for a role: the int8 one when float and int8 both exist; throws when still ambiguous. */
function choose(dir: string, role: string, candidates: string[]): string | undefined {
  if (candidates.length <= 1) return candidates[0];
  const int8 = candidates.filter((name) => name.endsWith('.int8.onnx'));
  const preferred = int8.length > 0 ? int8 : candidates;
  if (preferred.length === 1) return preferred[0];
  throw new Error(`ASR_MODEL_DIR ${dir} has several ${role} files (${preferred.join(', ')}): keep one`);
}

function listing(names: string[]): string {
  return names.length === 0 ? 'nothing' : names.sort().slice(0, 12).join(', ') + (names.length > 12 ? ', …' : '');
}
