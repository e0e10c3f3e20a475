// npm run captions -- FILE.wav [FILE.wav ...]: the transcript of audio files by the configured speech engine (as the
// server would pick it: ASR_MODEL_DIR for sherpa-onnx, else PocketSphinx with the support-domain model), one utterance
// per line on stdout; engine, progress and errors on stderr. Any file ffmpeg reads is accepted; it is fed in 20 ms
// chunks, as the audio tap sends them, as fast as the engine decodes.
import { stat } from 'node:fs/promises';
import { loadPcm16k } from '../server/captions/audioFile.js';
import { createSpeechRecognizer, type SpeechRecognizer } from '../server/captions/index.js';

const CHUNK = 320;
const files = process.argv.slice(2);
const say = (message: string) => process.stderr.write(`[captions] ${message}\n`);

async function transcribe(recognizer: SpeechRecognizer, file: string, pcm: Int16Array): Promise<void> {
  const audioMs = (pcm.length / 16_000) * 1000;
  // Nothing may be dropped here: the backlog may hold the whole file.
  const stream = recognizer.open({ maxBacklogMs: audioMs + 1000, label: file });
  let lines = 0;
  stream.on('final', ({ text }) => {
    if (text === '') return;
    lines++;
    process.stdout.write(`${text}\n`);
  });
  stream.on('status', ({ status, reason }) => say(`${status}: ${reason}`));
  const started = performance.now();
  for (let at = 0; at < pcm.length; at += CHUNK) stream.write(pcm.subarray(at, at + CHUNK));
  await stream.end();
  const seconds = (performance.now() - started) / 1000;
  say(`${file}: ${lines} utterances from ${(audioMs / 1000).toFixed(1)} s of audio in ${seconds.toFixed(1)} s (real-time factor ${(seconds / (audioMs / 1000)).toFixed(2)})`);
}

async function main(): Promise<number> {
  if (files.length === 0 || files.some((file) => file === '-h' || file === '--help')) {
    say('usage: npm run captions -- FILE.wav [FILE.wav ...]');
    return 2;
  }
  // Every file is read first, so a bad one fails at once rather than after the engine loaded and others ran.
  const audio: Int16Array[] = [];
  for (const file of files) {
    try {
      if (!(await stat(file)).isFile()) throw new Error(`cannot read ${file}: not a file`);
      audio.push(await loadPcm16k(file));
    } catch (error) {
      say((error as NodeJS.ErrnoException).code ? `cannot read ${file}: ${(error as NodeJS.ErrnoException).code}` : (error as Error).message);
      return 1;
    }
  }
  const recognizer = await createSpeechRecognizer({
    ...(process.env.ASR_MODEL_DIR ? { asrModelDir: process.env.ASR_MODEL_DIR } : {}),
    ...(process.env.ASR_THREADS ? { asrThreads: Number(process.env.ASR_THREADS) } : {}),
  });
  say(`engine: ${recognizer.description}`);
  try {
    for (const [index, file] of files.entries()) await transcribe(recognizer, file, audio[index]!);
    return 0;
  } finally {
    recognizer.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    say((error as Error).message);
    process.exitCode = 1;
  },
);
