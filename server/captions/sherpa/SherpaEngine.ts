import sherpa, { type OnlineRecognizer, type OnlineRecognizerConfig, type OnlineStream } from 'sherpa-onnx-node';
import type { EngineEvent, UtteranceEngine } from '../UtteranceEngine.js';
import type { SherpaModel } from './sherpaModel.js';

/** Settings of the sherpa-onnx engine. */
export interface SherpaEngineOptions {
  model: SherpaModel;
  /** Threads onnxruntime may use for this stream's model. */
  numThreads: number;
}

/** sherpa-onnx's settings for a model layout. */
export function sherpaConfig(options: SherpaEngineOptions): OnlineRecognizerConfig {
  const { model, numThreads } = options;
  const common = { tokens: model.tokens, numThreads, provider: 'cpu', debug: 0 };
  const modelConfig =
    model.layout === 'transducer'
      ? { ...common, transducer: { encoder: model.encoder, decoder: model.decoder, joiner: model.joiner } }
      : model.layout === 'paraformer'
        ? { ...common, paraformer: { encoder: model.encoder, decoder: model.decoder } }
        : { ...common, zipformer2Ctc: { model: model.model } };
  return {
    featConfig: { sampleRate: 16_000, featureDim: 80 },
    modelConfig,
    decodingMethod: 'greedy_search',
    // Utterances end at the model's own endpoint rules: 0.8 s of trailing silence after words (rule 2; the library's
    // default 1.2 s makes captions feel late), 2.4 s with no words at all (rule 1), or 20 s of talk (rule 3).
    enableEndpoint: 1,
    rule1MinTrailingSilence: 2.4,
    rule2MinTrailingSilence: 0.8,
    rule3MinUtteranceLength: 20,
  };
}

/**
 * A streaming sherpa-onnx model (transducer, paraformer or zipformer2 CTC) in-process: the production engine, for
 * Chinese and English. Loading a broken model can abort the whole process (onnxruntime throws through C++), which is
 * why `createSpeechRecognizer` first loads it in a throwaway child process.
 */
export class SherpaEngine implements UtteranceEngine {
  readonly #recognizer: OnlineRecognizer;
  #stream: OnlineStream;
  #start: number | undefined;
  #partial = '';

  constructor(options: SherpaEngineOptions) {
    this.#recognizer = new sherpa.OnlineRecognizer(sherpaConfig(options));
    this.#stream = this.#recognizer.createStream();
  }

  write(pcm: Int16Array, at: number): EngineEvent[] {
    const samples = new Float32Array(pcm.length);
    for (let i = 0; i < pcm.length; i++) samples[i] = pcm[i]! / 32768;
    this.#stream.acceptWaveform({ samples, sampleRate: 16_000 });
    while (this.#recognizer.isReady(this.#stream)) this.#recognizer.decode(this.#stream);
    const end = at + pcm.length;
    const text = this.#recognizer.getResult(this.#stream).text.trim();
    const events: EngineEvent[] = [];
    if (text !== '' && text !== this.#partial) {
      this.#start ??= at;
      this.#partial = text;
      events.push({ type: 'partial', text, start: this.#start, end });
    }
    if (this.#recognizer.isEndpoint(this.#stream)) {
      if (text !== '' || this.#partial !== '') events.push({ type: 'final', text, start: this.#start ?? at, end });
      this.#recognizer.reset(this.#stream);
      this.#start = undefined;
      this.#partial = '';
    }
    return events;
  }

  flush(at: number): EngineEvent[] {
    // A finished stream takes no more audio: decode what it holds, then start a fresh one.
    this.#stream.inputFinished();
    while (this.#recognizer.isReady(this.#stream)) this.#recognizer.decode(this.#stream);
    const text = this.#recognizer.getResult(this.#stream).text.trim();
    const events: EngineEvent[] = text !== '' || this.#partial !== '' ? [{ type: 'final', text, start: this.#start ?? at, end: at }] : [];
    this.#stream = this.#recognizer.createStream();
    this.#start = undefined;
    this.#partial = '';
    return events;
  }

  free(): void {
    // Nothing to call: the addon frees the model and its streams when they are garbage collected (the worker ends).
  }
}
