import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { speech, speechSpan, writeWav } from '../../tests/support/captionSpeech.js';

const run = promisify(execFile);

/** Where the bench's microphone files are kept, named by a hash of their samples. */
export const TRACK_DIR = path.join(os.tmpdir(), 'signline-captions-bench');
/** Silence before anything is heard: covers the call's set-up, which starts when the page opens the microphone. */
export const LEAD_MS = 12_000;
/** Silence after the last phrase, so its final arrives before Chromium loops the file. */
export const TRAIL_MS = 4_000;
/** Noise starts this long before the first phrase, so the noisy set's first words are already in noise. */
const NOISE_LEAD_MS = 1_000;
/** Flite audio kept around each phrase's loud samples (its soft onset and release). */
const PAD_MS = 100;
/**
 * A sample louder than this (of 32768, -26 dBFS) after quiet is an onset, here and in the page's probe: loud enough
 * that flite's soft lead-in (which the browser's gain control lifts) does not cross it before the speech does.
 */
export const MARKER_LEVEL = 1_600;
const RATE = 16;

/** One phrase of a track, in ms from the file's first sample: where its loud samples begin and end. */
export interface TrackPhrase {
  text: string;
  voice: string;
  speechStartMs: number;
  speechEndMs: number;
  /** Its first sample louder than `MARKER_LEVEL`, where the page's probe should hear its onset. */
  onsetMs: number;
}

/** The set a track belongs to. */
export type SpeechSet = 'clean' | 'noisy';

/** A microphone file for the speaking page, and what is in it. */
export interface SpeechTrack {
  set: SpeechSet;
  /** The samples at 16 kHz, as mixed: what the in-process part feeds the recognizer. */
  pcm16k: Int16Array;
  /** The same audio at 48 kHz, mono, 16-bit: Chromium's fake microphone. */
  file48k: string;
  durationMs: number;
  /** Where the first sample louder than `MARKER_LEVEL` is: the moment the page's probe finds. */
  markerMs: number;
  phrases: TrackPhrase[];
  /** Signal-to-noise ratio of the noisy set, speech RMS over noise RMS at 16 kHz. */
  snrDb?: number;
}

/** What the tracks are made of. */
export interface TrackOptions {
  texts: readonly string[];
  /** Phrase i is spoken by voices[i % voices.length]. */
  voices: readonly string[];
  /** From the end of one phrase's speech to the start of the next. */
  gapMs: number;
  snrDb: number;
}

/**
 * The clean and noisy microphone files: `LEAD_MS` of digital silence, the phrases `gapMs` apart, `TRAIL_MS` of
 * silence. The noisy file is the clean one plus pink noise (sox, repeatable seed) from `NOISE_LEAD_MS` before the
 * first phrase to the end, scaled so that speech RMS (over the phrases' loud spans) over noise RMS is `snrDb`; both are
 * mixed at 16 kHz, the band the recognizer hears, then resampled to 48 kHz by ffmpeg. Files are cached by content.
 */
export async function makeTracks(options: TrackOptions): Promise<Record<SpeechSet, SpeechTrack>> {
  await mkdir(TRACK_DIR, { recursive: true });
  const clips = await Promise.all(options.texts.map((text, index) => speech(text, options.voices[index % options.voices.length])));
  const phrases: TrackPhrase[] = [];
  const placed: { clip: Int16Array; from: number; to: number; at: number }[] = [];
  let cursor = LEAD_MS * RATE;
  for (const [index, clip] of clips.entries()) {
    const span = speechSpan(clip);
    const loudStart = Math.round(span.startMs * RATE);
    const loudEnd = Math.round(span.endMs * RATE);
    const from = Math.max(0, loudStart - PAD_MS * RATE);
    const to = Math.min(clip.length, loudEnd + PAD_MS * RATE);
    placed.push({ clip, from, to, at: cursor - (loudStart - from) });
    const overMarker = clip.findIndex((x, i) => i >= from && Math.abs(x) > MARKER_LEVEL);
    const onset = overMarker < 0 ? loudStart : overMarker;
    phrases.push({
      text: options.texts[index]!,
      voice: options.voices[index % options.voices.length]!,
      speechStartMs: cursor / RATE,
      speechEndMs: (cursor + loudEnd - loudStart) / RATE,
      onsetMs: (cursor + onset - loudStart) / RATE,
    });
    cursor += loudEnd - loudStart + options.gapMs * RATE;
  }
  const length = Math.round((phrases.at(-1)!.speechEndMs + TRAIL_MS) * RATE);
  const clean = new Float64Array(length);
  for (const { clip, from, to, at } of placed) for (let i = from; i < to; i++) clean[at + i - from]! += clip[i]!;

  let speechEnergy = 0;
  let speechSamples = 0;
  for (const phrase of phrases) {
    for (let i = Math.round(phrase.speechStartMs * RATE); i < Math.round(phrase.speechEndMs * RATE); i++) speechEnergy += clean[i]! ** 2;
    speechSamples += Math.round(phrase.speechEndMs * RATE) - Math.round(phrase.speechStartMs * RATE);
  }
  const speechRms = Math.sqrt(speechEnergy / speechSamples);

  const noiseFrom = (LEAD_MS - NOISE_LEAD_MS) * RATE;
  const noise = await pinkNoise(length - noiseFrom);
  const noiseRms = Math.sqrt(noise.reduce((sum, x) => sum + x * x, 0) / noise.length);
  const noiseGain = speechRms / (noiseRms * 10 ** (options.snrDb / 20));
  const noisy = Float64Array.from(clean);
  for (let i = 0; i < noise.length; i++) noisy[noiseFrom + i]! += noise[i]! * noiseGain;

  const make = async (set: SpeechSet, samples: Float64Array): Promise<SpeechTrack> => {
    const pcm16k = toInt16(samples);
    const file48k = await resampledFile(pcm16k);
    const marker = pcm16k.findIndex((x) => Math.abs(x) > MARKER_LEVEL);
    const track: SpeechTrack = { set, pcm16k, file48k, durationMs: length / RATE, markerMs: marker / RATE, phrases };
    return set === 'noisy' ? { ...track, snrDb: options.snrDb } : track;
  };
  return { clean: await make('clean', clean), noisy: await make('noisy', noisy) };
}

/** A 48 kHz file of digital silence, for the page that only listens. */
export async function silentFile(): Promise<string> {
  await mkdir(TRACK_DIR, { recursive: true });
  return resampledFile(new Int16Array(2_000 * RATE));
}

// Scaled down as a whole, never clipped, if a loud phrase plus noise would pass full scale: the ratio stays.
function toInt16(samples: Float64Array): Int16Array {
  const peak = samples.reduce((max, x) => Math.max(max, Math.abs(x)), 0);
  const scale = peak > 32_000 ? 32_000 / peak : 1;
  return Int16Array.from(samples, (x) => Math.round(x * scale));
}

async function pinkNoise(samples: number): Promise<Float32Array> {
  const seconds = (samples / (RATE * 1000)).toFixed(4);
  // -R: sox seeds its generator with a fixed number, so the noise, and the cached file, are the same every run.
  const { stdout } = await run('sox', ['-R', '-n', '-r', '16000', '-c', '1', '-b', '32', '-e', 'floating-point', '-t', 'raw', '-', 'synth', seconds, 'pinknoise'], {
    encoding: 'buffer',
    maxBuffer: samples * 4 + 4096,
  }).catch((error: NodeJS.ErrnoException) => {
    throw new Error(error.code === 'ENOENT' ? 'sox is not installed (Debian package sox)' : `sox failed: ${error.message}`);
  });
  const noise = new Float32Array(samples);
  for (let i = 0; i < Math.min(samples, stdout.length >> 2); i++) noise[i] = stdout.readFloatLE(i * 4);
  return noise;
}

async function resampledFile(pcm16k: Int16Array): Promise<string> {
  const key = createHash('sha256').update(Buffer.from(pcm16k.buffer, pcm16k.byteOffset, pcm16k.byteLength)).digest('hex').slice(0, 20);
  const file = path.join(TRACK_DIR, `${key}-48k.wav`);
  if (existsSync(file)) return file;
  const source = path.join(TRACK_DIR, `${key}.${process.pid}.16k.wav`);
  const temporary = `${file}.${process.pid}.tmp.wav`;
  try {
    await writeWav(source, pcm16k);
    await run('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', source, '-ar', '48000', '-ac', '1', '-c:a', 'pcm_s16le', '-f', 'wav', temporary]);
    await rename(temporary, file);
  } finally {
    await rm(source, { force: true });
    await rm(temporary, { force: true });
  }
  return file;
}
