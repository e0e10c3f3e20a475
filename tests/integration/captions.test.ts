import { execFile } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createSpeechRecognizer,
  RecognizerState,
  RecognizerStatus,
  type FinalCaption,
  type PartialCaption,
  type RecognizerStatusEvent,
  type RecognizerStream,
  type RecognizerStreamEvents,
  type SpeechRecognizer,
} from '../../server/captions/index.js';
import { buildSupportModel } from '../../server/captions/pocketsphinx/supportModel.js';
import { WorkerRecognizerStream } from '../../server/captions/WorkerRecognizerStream.js';
import { concat, HELD_OUT_SENTENCES, silence, speech, wordErrorRate, writeWav } from '../support/captionSpeech.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHUNK = 320;

let recognizer: SpeechRecognizer;
let tmp: string;

beforeAll(async () => {
  // What setup does: the support-domain model in .cache/captions, which the CLI uses too.
  await buildSupportModel();
  recognizer = await createSpeechRecognizer();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'captions-'));
});
afterAll(async () => {
  recognizer?.close();
  await rm(tmp, { recursive: true, force: true });
});

/** Everything a stream said, in order. */
type Heard = { kind: 'partial'; caption: PartialCaption } | { kind: 'final'; caption: FinalCaption } | { kind: 'status'; status: RecognizerStatusEvent };

function listen(stream: RecognizerStream): Heard[] {
  const heard: Heard[] = [];
  stream.on('partial', (caption) => heard.push({ kind: 'partial', caption }));
  stream.on('final', (caption) => heard.push({ kind: 'final', caption }));
  stream.on('status', (status) => heard.push({ kind: 'status', status }));
  return heard;
}

const finalTexts = (heard: Heard[]) => heard.flatMap((entry) => (entry.kind === 'final' && entry.caption.text !== '' ? [entry.caption.text] : []));

function write(stream: RecognizerStream, pcm: Int16Array): void {
  for (let at = 0; at < pcm.length; at += CHUNK) stream.write(pcm.subarray(at, at + CHUNK));
}

/** Resolves with the first event of that name whose payload passes `test`. */
function next<E extends keyof RecognizerStreamEvents>(stream: RecognizerStream, event: E, test: (...payload: RecognizerStreamEvents[E]) => boolean): Promise<void> {
  // Through the untyped face of the emitter: TypeScript cannot match a listener to a generic event name.
  const emitter: EventEmitter = stream;
  return new Promise((resolve) => {
    const listener = (...payload: RecognizerStreamEvents[E]) => {
      if (!test(...payload)) return;
      emitter.off(event, listener);
      resolve();
    };
    emitter.on(event, listener);
  });
}

/** Sentences spoken one after another, a pause after each. */
async function spoken(sentences: readonly string[], pauseMs = 1200): Promise<{ audio: Int16Array; offsetsMs: number[] }> {
  const clips = await Promise.all(sentences.map((sentence) => speech(sentence)));
  const offsetsMs: number[] = [];
  let ms = 400;
  for (const clip of clips) {
    offsetsMs.push(ms);
    ms += clip.length / 16 + pauseMs;
  }
  return { audio: concat(silence(400), ...clips.flatMap((clip) => [clip, silence(pauseMs)])), offsetsMs };
}

let stream: RecognizerStream | undefined;
afterEach(() => {
  stream?.close();
  stream = undefined;
});

describe('live captions with the default engine (PocketSphinx, support-domain model)', () => {
  it('captions held-out support sentences with few word errors, each shown as partials before its final', async () => {
    const sentences = HELD_OUT_SENTENCES.slice(0, 4);
    const { audio } = await spoken(sentences);
    stream = recognizer.open({ maxBacklogMs: 60_000 });
    const heard = listen(stream);
    const closed = once(stream, 'closed');
    write(stream, audio);
    await stream.end();
    await closed;

    const finals = finalTexts(heard);
    expect(finals).toHaveLength(sentences.length);
    const wer = wordErrorRate(sentences.map((reference, index) => ({ reference, hypothesis: finals[index]! })));
    expect(wer, finals.join(' | ')).toBeLessThan(0.25);
    for (const [index, entry] of heard.entries()) {
      if (entry.kind !== 'final' || entry.caption.text === '') continue;
      const partials = heard.slice(0, index).filter((earlier) => earlier.kind === 'partial' && earlier.caption.startMs === entry.caption.startMs);
      expect(partials.length, entry.caption.text).toBeGreaterThan(0);
    }
    expect(heard.some((entry) => entry.kind === 'status')).toBe(false);
  });

  it('finishes the last utterance on end(), before it closes', async () => {
    stream = recognizer.open();
    const heard = listen(stream);
    let finalBeforeClosed = false;
    stream.on('closed', () => {
      finalBeforeClosed = finalTexts(heard).length === 1;
    });
    write(stream, concat(silence(300), await speech('i need help with my order')));
    await stream.end();
    expect(finalTexts(heard)).toEqual(['i need help with my order']);
    expect(finalBeforeClosed).toBe(true);
    expect(stream.state).toBe(RecognizerState.Closed);
  });

  it('pauses when its worker dies mid-utterance, resumes with a new one, and recognizes what comes next', async () => {
    const before = await spoken(['i forgot my username']);
    const cutOff = await speech('my internet is very slow');
    const after = await spoken(HELD_OUT_SENTENCES.slice(4, 6));
    // Written faster than real time: the backlog may hold it all.
    stream = recognizer.open({ maxBacklogMs: 60_000 });
    if (!(stream instanceof WorkerRecognizerStream)) throw new Error('expected a worker stream');
    const heard = listen(stream);

    write(stream, before.audio);
    const startMs = stream.writtenMs;
    const partialOfCutOff = next(stream, 'partial', (caption) => caption.startMs >= startMs);
    write(stream, cutOff.subarray(0, Math.round(cutOff.length * 0.7)));
    await partialOfCutOff;

    const paused = next(stream, 'status', (event) => event.status === RecognizerStatus.Paused);
    const resumed = next(stream, 'status', (event) => event.status === RecognizerStatus.Resumed);
    await stream.crashWorkerForTest();
    await paused;
    expect(stream.state).toBe(RecognizerState.Paused);
    write(stream, silence(500));
    write(stream, after.audio);
    await resumed;
    await stream.end();

    const statuses = heard.flatMap((entry) => (entry.kind === 'status' ? [entry.status.status] : []));
    expect(statuses).toEqual([RecognizerStatus.Paused, RecognizerStatus.Resumed]);
    // The partial on screen when the worker died was made final as it stood, before the pause was announced.
    const pausedAt = heard.findIndex((entry) => entry.kind === 'status');
    const madeFinal = heard[pausedAt - 1];
    expect(madeFinal?.kind === 'final' && madeFinal.caption.startMs >= startMs).toBe(true);

    const finals = finalTexts(heard);
    expect(finals[0]).toBe('i forgot my username');
    const later = finals.slice(-2);
    const wer = wordErrorRate(HELD_OUT_SENTENCES.slice(4, 6).map((reference, index) => ({ reference, hypothesis: later[index] ?? '' })));
    expect(wer, later.join(' | ')).toBeLessThan(0.25);
  });

  it('drops audio and says it is lagging when recognition falls behind, then resumes', async () => {
    stream = recognizer.open({ maxBacklogMs: 200, resumeBacklogMs: 40 });
    const heard = listen(stream);
    const resumed = next(stream, 'status', (event) => event.status === RecognizerStatus.Resumed);
    const { audio } = await spoken(HELD_OUT_SENTENCES.slice(6, 8));
    // Written in one go, the audio outruns the worker (still loading its model, too) at once.
    write(stream, audio);
    expect(stream.state).toBe(RecognizerState.Lagging);
    expect(stream.writtenMs).toBe(audio.length / 16);
    await resumed;
    expect(stream.state).toBe(RecognizerState.Running);
    const statuses = heard.flatMap((entry) => (entry.kind === 'status' ? [entry.status] : []));
    expect(statuses.map((status) => status.status)).toEqual([RecognizerStatus.Lagging, RecognizerStatus.Resumed]);
    expect(statuses[1]!.reason).toMatch(/caught up after dropping \d+ ms of audio/);

    // Caught up, it takes audio at the pace of speech again and recognizes it.
    const more = await spoken(['i forgot my password']);
    const final = next(stream, 'final', (caption) => caption.text === 'i forgot my password');
    for (let at = 0; at < more.audio.length; at += CHUNK) {
      stream.write(more.audio.subarray(at, at + CHUNK));
      await sleep(20);
    }
    await final;
    expect(heard.filter((entry) => entry.kind === 'status')).toHaveLength(2);
  });

  it('refuses audio that is not 16-bit samples, and opens no stream once closed', async () => {
    const other = await createSpeechRecognizer();
    const opened = other.open();
    expect(() => opened.write(new Float32Array(320) as unknown as Int16Array)).toThrow(TypeError);
    const closed = once(opened, 'closed');
    other.close();
    await closed;
    expect(opened.closed).toBe(true);
    expect(() => other.open()).toThrow(/is closed/);
  });
});

describe('npm run captions', () => {
  const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/captions.ts'), ...args], { cwd: root });

  it('prints one line per utterance on stdout, and the rest on stderr', async () => {
    const sentences = HELD_OUT_SENTENCES.slice(8, 11);
    const file = path.join(tmp, 'call.wav');
    await writeWav(file, (await spoken(sentences)).audio);
    const { stdout, stderr } = await cli(file);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(sentences.length);
    expect(wordErrorRate(sentences.map((reference, index) => ({ reference, hypothesis: lines[index]! }))), stdout).toBeLessThan(0.25);
    expect(stderr).toMatch(/engine: PocketSphinx/);
    expect(stderr).toMatch(/3 utterances from [\d.]+ s of audio/);
  });

  it('reads audio ffmpeg has to convert (8 kHz stereo here)', async () => {
    const source = path.join(tmp, 'source.wav');
    const converted = path.join(tmp, 'stereo-8k.wav');
    await writeWav(source, (await spoken(['can you help me please'])).audio);
    await run('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', source, '-ac', '2', '-ar', '8000', converted]);
    const { stdout } = await cli(converted);
    expect(stdout.trim().split('\n')).toHaveLength(1);
  });

  it('fails with a clear message for a missing file or one that is not audio', async () => {
    const missing = cli(path.join(tmp, 'nope.wav'));
    await expect(missing).rejects.toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/cannot read .*nope\.wav: ENOENT/) });
    const text = path.join(tmp, 'notes.txt');
    await writeFile(text, 'not audio');
    await expect(cli(text)).rejects.toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/cannot decode .*notes\.txt as audio/) });
    await expect(cli()).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/usage/) });
  });
});

describe('the sherpa-onnx engine (ASR_MODEL_DIR)', () => {
  let modelDir: string;
  beforeAll(async () => {
    modelDir = path.join(tmp, 'asr-model');
  });
  afterEach(async () => {
    await rm(modelDir, { recursive: true, force: true });
  });

  async function model(files: Record<string, Buffer | string>): Promise<void> {
    await mkdir(modelDir, { recursive: true });
    for (const [name, content] of Object.entries(files)) await writeFile(path.join(modelDir, name), content);
  }

  it('refuses to start without the model directory, never falling back to PocketSphinx', async () => {
    await expect(createSpeechRecognizer({ asrModelDir: modelDir })).rejects.toThrow(/ASR_MODEL_DIR .*asr-model cannot be read/);
  });

  it('refuses to start when files are missing', async () => {
    await model({ 'tokens.txt': 'a 0\n', 'encoder.onnx': '', 'joiner.onnx': '' });
    await expect(createSpeechRecognizer({ asrModelDir: modelDir })).rejects.toThrow(/incomplete model: no decoder\*\.onnx/);
  });

  it('refuses to start, with onnxruntime’s reason, when a model file is corrupt (which would abort the server)', async () => {
    const garbage = Buffer.from(Array.from({ length: 512 }, (_, index) => (index * 131 + 7) % 256));
    await model({ 'tokens.txt': 'a 0\nb 1\n', 'encoder.onnx': garbage, 'decoder.onnx': garbage, 'joiner.onnx': garbage });
    await expect(createSpeechRecognizer({ asrModelDir: modelDir })).rejects.toThrow(/sherpa-onnx transducer model in .*asr-model could not load its model: loading it (crashed|failed).*Protobuf parsing failed/);
  });

  it('refuses to start when the files are ONNX but not a speech model', async () => {
    const network = identityOnnx();
    await model({ 'tokens.txt': 'a 0\nb 1\n', 'encoder.onnx': network, 'decoder.onnx': network, 'joiner.onnx': network });
    await expect(createSpeechRecognizer({ asrModelDir: modelDir })).rejects.toThrow(/could not load its model: loading it (crashed|failed).*model_type/);
  });

  it('validates its settings', async () => {
    await expect(createSpeechRecognizer({ asrThreads: 0 })).rejects.toThrow(/invalid captions configuration: asrThreads/);
  });
});

/** A valid ONNX model that is no speech model: y = Identity(x), float [1, 4], opset 13, no metadata. */
function identityOnnx(): Buffer {
  const varint = (value: number): number[] => {
    const bytes: number[] = [];
    while (value > 0x7f) {
      bytes.push((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    return [...bytes, value];
  };
  const int = (field: number, value: number) => [...varint(field << 3), ...varint(value)];
  const bytes = (field: number, content: number[]) => [...varint((field << 3) | 2), ...varint(content.length), ...content];
  const text = (field: number, value: string) => bytes(field, [...Buffer.from(value)]);
  const tensor = (name: string) =>
    [...text(1, name), ...bytes(2, bytes(1, [...int(1, 1), ...bytes(2, [...bytes(1, int(1, 1)), ...bytes(1, int(1, 4))])]))];
  const graph = [...bytes(1, [...text(1, 'x'), ...text(2, 'y'), ...text(4, 'Identity')]), ...text(2, 'identity'), ...bytes(11, tensor('x')), ...bytes(12, tensor('y'))];
  return Buffer.from([...int(1, 8), ...bytes(7, graph), ...bytes(8, int(2, 13))]);
}
