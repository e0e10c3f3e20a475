import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import koffi, { type LibraryHandle } from 'koffi';

/** The files a PocketSphinx decoder loads. */
export interface PocketSphinxModel {
  /** Acoustic model directory (`mdef`, `means`, `variances`, …). */
  hmm: string;
  /** N-gram language model, ARPA or binary. */
  lm: string;
  /** Pronunciation dictionary covering the model's words. */
  dict: string;
}

/** The C functions used, bound once per thread that loads this module. */
interface Binding {
  errSetLogfp: (file: null) => void;
  cmdLnParseR: (inout: null, defn: unknown, argc: number, argv: string[], strict: number) => unknown;
  cmdLnFreeR: (config: unknown) => number;
  psArgs: () => unknown;
  psInit: (config: unknown) => unknown;
  psFree: (decoder: unknown) => number;
  psStartUtt: (decoder: unknown) => number;
  psEndUtt: (decoder: unknown) => number;
  psProcessRaw: (decoder: unknown, data: Int16Array, samples: number, noSearch: number, fullUtt: number) => number;
  psGetHyp: (decoder: unknown, score: Int32Array) => string | null;
  psGetInSpeech: (decoder: unknown) => number;
}

let binding: Binding | undefined;

function bind(): Binding {
  if (binding) return binding;
  let sphinxbase: LibraryHandle;
  let pocketsphinx: LibraryHandle;
  try {
    sphinxbase = koffi.load('libsphinxbase.so.3');
    pocketsphinx = koffi.load('libpocketsphinx.so.3');
  } catch (error) {
    throw new Error(`PocketSphinx is not installed (${(error as Error).message}): install the Debian packages libpocketsphinx3 and pocketsphinx-en-us`);
  }
  binding = {
    errSetLogfp: sphinxbase.func('void err_set_logfp(void *stream)'),
    cmdLnParseR: sphinxbase.func('void *cmd_ln_parse_r(void *inout, void *defn, int argc, const char **argv, int strict)'),
    cmdLnFreeR: sphinxbase.func('int cmd_ln_free_r(void *config)'),
    psArgs: pocketsphinx.func('void *ps_args(void)'),
    psInit: pocketsphinx.func('void *ps_init(void *config)'),
    psFree: pocketsphinx.func('int ps_free(void *ps)'),
    psStartUtt: pocketsphinx.func('int ps_start_utt(void *ps)'),
    psEndUtt: pocketsphinx.func('int ps_end_utt(void *ps)'),
    psProcessRaw: pocketsphinx.func('int ps_process_raw(void *ps, const int16_t *data, size_t n_samples, int no_search, int full_utt)'),
    psGetHyp: pocketsphinx.func('const char *ps_get_hyp(void *ps, int32_t *out_best_score)'),
    psGetInSpeech: pocketsphinx.func('uint8_t ps_get_in_speech(void *ps)'),
  };
  // Debian's build logs every setting and every utterance to stderr. err_set_logfp(NULL) turns that off for the whole
  // process; `-logfn /dev/null` would instead make each ps_init fopen a log file and fclose the previous one, a FILE*
  // that is global to the process, so two worker threads starting decoders at once could close each other's log.
  binding.errSetLogfp(null);
  return binding;
}

/**
 * One PocketSphinx 5prealpha decoder (Debian's libpocketsphinx3) called in-process through koffi. Every call is
 * synchronous and CPU-bound: use it inside a worker thread, never on the server's event loop.
 */
export class PocketSphinxDecoder {
  readonly #ps: Binding;
  #config: unknown;
  #decoder: unknown;
  #inUtterance = false;
  readonly #score = new Int32Array(1);

  /**
   * Loads the model; throws an Error naming the file at fault. `removeSilence` keeps PocketSphinx's own voice
   * activity detector in front of the search (frames it judges silent are dropped, and `inSpeech` reports it).
   */
  constructor(model: PocketSphinxModel, options: { removeSilence: boolean }) {
    checkReadable(model.hmm, 'acoustic model directory', true);
    for (const file of ['mdef', 'means', 'variances', 'transition_matrices']) checkReadable(path.join(model.hmm, file), 'acoustic model file', false);
    checkReadable(model.lm, 'language model', false);
    checkReadable(model.dict, 'pronunciation dictionary', false);
    this.#ps = bind();
    const argv = ['-hmm', model.hmm, '-lm', model.lm, '-dict', model.dict, '-remove_silence', options.removeSilence ? 'yes' : 'no'];
    this.#config = this.#ps.cmdLnParseR(null, this.#ps.psArgs(), argv.length, argv, 1);
    if (!this.#config) throw new Error(`PocketSphinx rejected its arguments: ${argv.join(' ')}`);
    this.#decoder = this.#ps.psInit(this.#config);
    if (!this.#decoder) {
      this.#ps.cmdLnFreeR(this.#config);
      this.#config = undefined;
      throw new Error(`PocketSphinx could not load its model (acoustic model ${model.hmm}, language model ${model.lm}, dictionary ${model.dict}): a file is malformed or the dictionary lacks a word of the language model`);
    }
  }

  /** Whether an utterance is open (between `start` and `end`). */
  get inUtterance(): boolean {
    return this.#inUtterance;
  }

  /** Opens an utterance. */
  start(): void {
    this.#check(this.#ps.psStartUtt(this.#live()), 'ps_start_utt');
    this.#inUtterance = true;
  }

  /** Decodes audio (16 kHz mono) into the open utterance. */
  process(pcm: Int16Array): void {
    if (pcm.length === 0) return;
    this.#check(this.#ps.psProcessRaw(this.#live(), pcm, pcm.length, 0, 0), 'ps_process_raw');
  }

  /** The best hypothesis so far (or the final one, after `end`): words separated by spaces, '' for none. */
  hypothesis(): string {
    return this.#ps.psGetHyp(this.#live(), this.#score) ?? '';
  }

  /** Whether PocketSphinx's own voice activity detector hears speech in the audio processed so far. */
  inSpeech(): boolean {
    return this.#ps.psGetInSpeech(this.#live()) !== 0;
  }

  /** Closes the utterance and returns its final hypothesis. */
  end(): string {
    this.#check(this.#ps.psEndUtt(this.#live()), 'ps_end_utt');
    this.#inUtterance = false;
    return this.hypothesis();
  }

  /** Frees the decoder and its configuration; idempotent. */
  free(): void {
    if (this.#decoder) this.#ps.psFree(this.#decoder);
    if (this.#config) this.#ps.cmdLnFreeR(this.#config);
    this.#decoder = undefined;
    this.#config = undefined;
  }

  #live(): unknown {
    if (!this.#decoder) throw new Error('the PocketSphinx decoder was freed');
    return this.#decoder;
  }

  #check(result: number, call: string): void {
    if (result < 0) throw new Error(`${call} failed (${result})`);
  }
}

function checkReadable(file: string, what: string, directory: boolean): void {
  try {
    accessSync(file, constants.R_OK);
    if (statSync(file).isDirectory() !== directory) throw new Error(directory ? 'not a directory' : 'is a directory');
  } catch (error) {
    throw new Error(`PocketSphinx ${what} ${file} is not readable (${(error as Error).message}); the Debian package pocketsphinx-en-us provides the US English model, "npm run setup" builds the support-domain one`);
  }
}
