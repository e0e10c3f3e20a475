export { createSpeechRecognizer, captionsConfigSchema, type CaptionsConfig } from './createSpeechRecognizer.js';
export {
  RECOGNIZER_SAMPLE_RATE,
  RecognizerState,
  RecognizerStatus,
  type FinalCaption,
  type PartialCaption,
  type RecognizerKind,
  type RecognizerStatusEvent,
  type RecognizerStream,
  type RecognizerStreamEvents,
  type RecognizerStreamOptions,
  type SpeechRecognizer,
} from './SpeechRecognizer.js';
