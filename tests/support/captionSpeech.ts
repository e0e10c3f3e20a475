import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadPcm16k } from '../../server/captions/audioFile.js';
import { tokenize } from '../../server/captions/pocketsphinx/languageModel.js';

const run = promisify(execFile);

/**
 * Support-call sentences that are not lines of server/captions/phrases.en.txt but use only its words: what the domain
 * model must generalise to. tests/unit/captions/languageModel.test.ts checks both claims.
 */
export const HELD_OUT_SENTENCES = [
  'my tablet will not connect to the wifi',
  'i forgot the password for my email account',
  'can you help me reset my router',
  'i was charged twice on my last bill',
  'the app keeps freezing when i open it',
  'my laptop is very slow since the update',
  'how do i change the language on my phone',
  'the printer is not working',
  'please restart the router and wait two minutes',
  'i did not get the code on my phone',
  'my bill is wrong this month',
  'the remote for my tv is not working',
] as const;

/**
 * More sentences of the same kind (not lines of the phrases file, only its words), for bench:captions: with
 * `HELD_OUT_SENTENCES` first, 62 sentences of support calls about phones, routers, apps, passwords and bills.
 */
export const BENCH_SENTENCES = [
  ...HELD_OUT_SENTENCES,
  'my phone keeps turning off when the battery is at ten percent',
  "i can't send text messages since the update",
  'the internet light on my router is orange',
  'i was charged for a plan i did not order',
  'my laptop screen keeps flickering',
  'i need to change the email address on my account',
  'the code you sent me has expired',
  'my printer says it is out of ink',
  'can you send a technician to my home',
  'my headphones will not pair with my laptop',
  'the streaming app keeps asking for my password',
  'i want to cancel my plan and get a refund',
  'the tv says no signal on every channel',
  'my wifi keeps dropping every evening',
  'i think someone logged in to my email account',
  'how do i set up automatic payments for my bill',
  'my account was locked after i changed my password',
  'the app says my card was declined',
  'how long will the refund take',
  'my phone is stuck on the loading screen',
  'i restarted the modem but the lights are still off',
  'the battery on my tablet drains very fast',
  'i did not receive the verification code on my new phone',
  "my smart tv can't find the wifi network",
  'can you help me move my photos to my new phone',
  'the sound on my laptop is not working',
  'i want to upgrade my phone',
  'my bill is higher since i changed my plan',
  'the remote does not turn on the tv',
  'can you check for an outage in my area',
  'i keep getting an error message when i open the app',
  'my camera shows a black screen in the app',
  'how do i turn off notifications on my tablet',
  'my computer will not connect to the printer',
  'the wifi password on the router does not work',
  'i paid my bill twice this month',
  'the box was damaged and the screen is cracked',
  "my storage is full and i can't take photos",
  'the bluetooth in my car is not working',
  'i forgot my username and my password',
  'the technician did not fix the problem',
  'can you repeat the code please',
  "i can't open the settings on my phone",
  'the picture on my tv is very dark',
  'my phone says sim card not detected since this morning',
  'how do i change my payment method in the app',
  'my emails are not loading on my phone',
  'the charger gets very hot',
  "i can't see the captions on my screen",
  'the bluetooth on my watch keeps disconnecting',
] as const;

/** flite voices at 16 kHz (plain `kal` is an 8 kHz voice, too band-limited to judge a 16 kHz model by). */
export const FLITE_VOICES = ['slt', 'rms', 'awb', 'kal16'] as const;

/** Where synthesized speech is kept between runs: flite's output depends only on the voice and the text. */
export const SPEECH_CACHE_DIR = path.join(os.tmpdir(), 'signline-caption-speech');

/** A WAV file of `text` spoken by a flite voice (made once, then reused). */
export async function speechFile(text: string, voice: string = 'slt'): Promise<string> {
  const key = createHash('sha256').update(`${voice}\n${text}`).digest('hex').slice(0, 16);
  const file = path.join(SPEECH_CACHE_DIR, `${voice}-${key}.wav`);
  if (existsSync(file)) return file;
  await mkdir(SPEECH_CACHE_DIR, { recursive: true });
  const temporary = `${file}.${process.pid}.tmp.wav`;
  await run('flite', ['-voice', voice, '-t', text, '-o', temporary]);
  await rename(temporary, file);
  return file;
}

/** `text` spoken by a flite voice, as 16 kHz mono samples. */
export async function speech(text: string, voice: string = 'slt'): Promise<Int16Array> {
  return loadPcm16k(await speechFile(text, voice));
}

/** Silence of a given length at 16 kHz. */
export const silence = (ms: number): Int16Array => new Int16Array(Math.round(ms * 16));

/** Pieces of audio one after the other. */
export function concat(...parts: Int16Array[]): Int16Array {
  const all = new Int16Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return all;
}

/** Where speech is in a clip: the first and last sample louder than a quiet floor, in ms. */
export function speechSpan(pcm: Int16Array, threshold = 300): { startMs: number; endMs: number } {
  let first = 0;
  let last = pcm.length - 1;
  while (first < pcm.length && Math.abs(pcm[first]!) < threshold) first++;
  while (last > first && Math.abs(pcm[last]!) < threshold) last--;
  return { startMs: first / 16, endMs: (last + 1) / 16 };
}

/** The speech of a clip without the silence flite puts before and after it. */
export function trim(pcm: Int16Array): Int16Array {
  const { startMs, endMs } = speechSpan(pcm);
  return pcm.slice(Math.round(startMs * 16), Math.round(endMs * 16));
}

/** A 16 kHz mono 16-bit WAV file of the samples. */
export async function writeWav(file: string, pcm: Int16Array): Promise<void> {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + pcm.length * 2, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(16_000, 24);
  header.writeUInt32LE(32_000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(pcm.length * 2, 40);
  await writeFile(file, Buffer.concat([header, Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength)]));
}

/** Levenshtein distance between two sequences (words, or a string's UTF-16 units): insertions, deletions, substitutions. */
export function editDistance<T>(a: ArrayLike<T>, b: ArrayLike<T>): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Word errors (substitutions, deletions, insertions) of a hypothesis against a reference, and the reference's length. */
export function wordErrors(reference: string, hypothesis: string): { errors: number; words: number } {
  const ref = tokenize(reference);
  return { errors: editDistance(ref, tokenize(hypothesis)), words: ref.length };
}

/** Word error rate over pairs of reference and hypothesis: all errors over all reference words. */
export function wordErrorRate(pairs: readonly { reference: string; hypothesis: string }[]): number {
  let errors = 0;
  let words = 0;
  for (const { reference, hypothesis } of pairs) {
    const counted = wordErrors(reference, hypothesis);
    errors += counted.errors;
    words += counted.words;
  }
  return words === 0 ? 0 : errors / words;
}
