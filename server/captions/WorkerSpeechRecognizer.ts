import { spawn } from 'node:child_process';
import type { EngineSpec } from './createEngine.js';
import { RECOGNIZER_SAMPLE_RATE, type RecognizerKind, type RecognizerStream, type RecognizerStreamOptions, type SpeechRecognizer } from './SpeechRecognizer.js';
import { nodeArguments } from './typescriptEntry.js';
import { WorkerRecognizerStream } from './WorkerRecognizerStream.js';

const PROBE_ENTRY = new URL('./probeEngine.ts', import.meta.url);
/** Longest a model may take to load in the start-up check (a large transducer takes seconds). */
const PROBE_TIMEOUT_MS = 120_000;
/** Characters of the probe's error output kept in the error message. */
const PROBE_OUTPUT_CHARS = 2000;

/** A speech recognizer whose streams each run the engine in their own worker thread. */
export class WorkerSpeechRecognizer implements SpeechRecognizer {
  readonly kind: RecognizerKind;
  readonly sampleRate = RECOGNIZER_SAMPLE_RATE;
  readonly description: string;
  readonly #engine: EngineSpec;
  readonly #streams = new Set<WorkerRecognizerStream>();
  #closed = false;

  private constructor(engine: EngineSpec, description: string) {
    this.kind = engine.kind;
    this.#engine = engine;
    this.description = description;
  }

  /** Checks that the engine loads (in a child process, see probeEngine.ts), then returns a recognizer for it. */
  static async start(engine: EngineSpec, description: string): Promise<WorkerSpeechRecognizer> {
    await probe(engine, description);
    return new WorkerSpeechRecognizer(engine, description);
  }

  get closed(): boolean {
    return this.#closed;
  }

  open(options: RecognizerStreamOptions = {}): RecognizerStream {
    if (this.#closed) throw new Error(`the speech recognizer (${this.description}) is closed`);
    const stream: WorkerRecognizerStream = new WorkerRecognizerStream(this.#engine, options, () => this.#streams.delete(stream));
    this.#streams.add(stream);
    return stream;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const stream of [...this.#streams]) stream.close();
  }
}

function probe(engine: EngineSpec, description: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArguments(PROBE_ENTRY), { stdio: ['pipe', 'ignore', 'pipe'] });
    let output = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      output = (output + chunk).slice(-PROBE_OUTPUT_CHARS);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), PROBE_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot check the speech engine ${description}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const how = signal ? `crashed (${signal})` : `failed (exit code ${code})`;
      const detail = output.trim().split('\n').filter((line) => line.trim() !== '').slice(-6).join(' | ');
      reject(new Error(`the speech engine ${description} could not load its model: loading it ${how}${detail ? `: ${detail}` : ''}`));
    });
    child.stdin.end(JSON.stringify(engine));
  });
}
