import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { RecognizerState, RecognizerStatus, type RecognizerStream, type SpeechRecognizer } from '../../server/captions/index.js';
import { quantile } from '../stats.js';
import { decodeAll } from './decodeAll.js';
import type { SpeechTrack } from './speechTrack.js';

const CHUNK = 320;
const CHUNK_MS = 20;
/** A stream keeps up if its backlog never passes this (the stream would report `lagging`)... */
const MAX_BACKLOG_MS = 1_000;
/** ...and 95% of its partials come this soon after the audio they cover was written. */
const MAX_PARTIAL_LAG_MS = 300;
const MAX_TRIALS = 4;

/** One trial: `streams` streams fed at the pace of speech at once. */
export interface CapacityTrial {
  streams: number;
  keptUp: boolean;
  lagging: number;
  /** 95th percentile of partial lag: from writing the audio a partial covers to receiving it. */
  partialLagP95: number;
  /** Process CPU seconds (worker threads and the feeding thread) per second of audio per stream. */
  cpuPerStream: number;
}

/** How many streams the machine keeps in real time. */
export interface Capacity {
  /** The most streams of any trial that kept up (0 if none did). */
  streams: number;
  cores: number;
  /** One stream's decoding time over audio time, written as fast as it takes it: where the search starts. */
  rtf: number;
  trials: CapacityTrial[];
}

/**
 * Streams per core, measured: `streams` recognizer streams at once, each fed the track's audio (from a different
 * place, looping) in 20 ms chunks every 20 ms for `seconds`, after every worker has loaded its model. A trial keeps
 * up if no stream went `lagging` with a 1 s backlog bound and the 95th percentile of partial lag stays under 300 ms.
 * The first trial tries 80% of what one stream's real-time factor suggests (cores / RTF); later ones step up by a
 * quarter or down by 30% until one keeps up and one does not, then halve the interval, `MAX_TRIALS` in all. Streams per core = the most that kept up / the cores.
 */
export async function measureCapacity(recognizer: SpeechRecognizer, track: SpeechTrack, seconds: number, progress: (message: string) => void): Promise<Capacity> {
  const cores = os.availableParallelism();
  const audio = track.pcm16k;
  const rtf = await realTimeFactor(recognizer, track);
  const trials: CapacityTrial[] = [];
  let keptUp = 0;
  let failed = Number.POSITIVE_INFINITY;
  let streams = Math.max(1, Math.round((0.8 * cores) / rtf));
  for (let count = 0; count < MAX_TRIALS && failed - keptUp > 1; count++) {
    progress(`capacity: ${streams} streams for ${seconds} s`);
    const result = await trial(recognizer, audio, streams, seconds);
    trials.push(result);
    progress(`capacity: ${streams} streams ${result.keptUp ? 'kept up' : 'fell behind'} (partial lag p95 ${Math.round(result.partialLagP95)} ms, ${result.lagging} lagging)`);
    if (result.keptUp) keptUp = Math.max(keptUp, streams);
    else failed = Math.min(failed, streams);
    if (failed === Number.POSITIVE_INFINITY) streams = Math.ceil(streams * 1.25);
    else if (keptUp === 0) streams = Math.max(1, Math.floor(streams * 0.7));
    else streams = Math.floor((keptUp + failed) / 2);
    if (streams <= keptUp || streams >= failed) break;
  }
  return { streams: keptUp, cores, rtf, trials };
}

async function realTimeFactor(recognizer: SpeechRecognizer, track: SpeechTrack): Promise<number> {
  const stream = recognizer.open({ maxBacklogMs: track.durationMs + 1000, label: 'capacity rtf' });
  return decodeAll(stream, track.pcm16k, track.phrases.at(-1)!.speechStartMs + 200);
}

async function trial(recognizer: SpeechRecognizer, audio: Int16Array, count: number, seconds: number): Promise<CapacityTrial> {
  const streams: RecognizerStream[] = [];
  const writtenAt: number[] = [];
  const lags: number[] = [];
  let lagging = 0;
  try {
    for (let i = 0; i < count; i++) {
      const stream = recognizer.open({ maxBacklogMs: MAX_BACKLOG_MS, label: `capacity ${i}` });
      stream.on('status', ({ status }) => {
        if (status === RecognizerStatus.Lagging) lagging++;
      });
      stream.on('partial', ({ endMs }) => {
        const written = writtenAt[Math.ceil(endMs / CHUNK_MS) - 1];
        if (written !== undefined) lags.push(performance.now() - written);
      });
      streams.push(stream);
    }
    const loading = performance.now();
    while (streams.some((stream) => stream.state === RecognizerState.Starting)) {
      if (performance.now() - loading > 120_000) throw new Error(`${count} recognizer streams did not start within 2 minutes`);
      await sleep(50);
    }
    const cpu = process.cpuUsage();
    const started = performance.now();
    const chunks = Math.round((seconds * 1000) / CHUNK_MS);
    for (let tick = 0; tick < chunks; tick++) {
      // Paced by the clock, not by sleeps alone, so timer drift does not slow the audio down.
      const due = started + tick * CHUNK_MS;
      if (due > performance.now()) await sleep(due - performance.now());
      for (const [index, stream] of streams.entries()) stream.write(chunkAt(audio, Math.floor((index * audio.length) / count / CHUNK) * CHUNK + tick * CHUNK));
      writtenAt[tick] = performance.now();
    }
    const used = process.cpuUsage(cpu);
    return {
      streams: count,
      keptUp: lagging === 0 && (lags.length === 0 || quantile(lags, 0.95) <= MAX_PARTIAL_LAG_MS),
      lagging,
      partialLagP95: quantile(lags, 0.95),
      cpuPerStream: (used.user + used.system) / 1e6 / (count * seconds),
    };
  } finally {
    for (const stream of streams) stream.close();
  }
}

function chunkAt(audio: Int16Array, offset: number): Int16Array {
  const from = offset % audio.length;
  if (from + CHUNK <= audio.length) return audio.subarray(from, from + CHUNK);
  const chunk = new Int16Array(CHUNK);
  chunk.set(audio.subarray(from));
  chunk.set(audio.subarray(0, CHUNK - (audio.length - from)), audio.length - from);
  return chunk;
}
