// The part of sherpa-onnx-node's API the captions use; the package ships JSDoc types only (types.js).
declare module 'sherpa-onnx-node' {
  /** Online (streaming) recognizer settings: see sherpa-onnx's C++ `OnlineRecognizerConfig`. */
  export interface OnlineRecognizerConfig {
    featConfig?: { sampleRate?: number; featureDim?: number };
    modelConfig: {
      transducer?: { encoder: string; decoder: string; joiner: string };
      paraformer?: { encoder: string; decoder: string };
      zipformer2Ctc?: { model: string };
      tokens: string;
      numThreads?: number;
      provider?: string;
      debug?: number;
    };
    decodingMethod?: string;
    enableEndpoint?: boolean | number;
    rule1MinTrailingSilence?: number;
    rule2MinTrailingSilence?: number;
    rule3MinUtteranceLength?: number;
  }

  /** A recognition result (`OnlineRecognizerResult::AsJsonString()`). */
  export interface OnlineRecognizerResult {
    text: string;
    start_time?: number;
  }

  /** One audio stream being recognized. */
  export class OnlineStream {
    acceptWaveform(wave: { samples: Float32Array; sampleRate: number }): void;
    inputFinished(): void;
  }

  /** A loaded streaming model. */
  export class OnlineRecognizer {
    constructor(config: OnlineRecognizerConfig);
    createStream(): OnlineStream;
    isReady(stream: OnlineStream): boolean;
    decode(stream: OnlineStream): void;
    isEndpoint(stream: OnlineStream): boolean;
    reset(stream: OnlineStream): void;
    getResult(stream: OnlineStream): OnlineRecognizerResult;
  }

  const sherpa: { OnlineRecognizer: typeof OnlineRecognizer; version: string };
  export default sherpa;
}
