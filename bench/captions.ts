// bench:captions: live captions of a voice call, measured through the whole path: the customer's Chromium
// microphone, the SFU, its audio tap, the PocketSphinx recognizer with the support-domain model, the agent's page.
//
// Speech: BENCH_CAPTIONS_PHRASES (default 50, at most 62) held-out support sentences (BENCH_SENTENCES of
// tests/support/captionSpeech.ts: none is a line of server/captions/phrases.en.txt, all their words are in it; both
// are checked at start) spoken by flite, phrase i by voice i mod the voices (BENCH_CAPTIONS_VOICES, default slt,rms:
// half the phrases each, so a voice's WER is over its own half). BENCH_CAPTIONS_GAP_MS (default 1200) separates one
// phrase's last loud sample from the next one's first; 12 s of silence come first (the call's set-up) and 4 s last.
// Two sets: clean, and noisy: pink noise (sox, fixed seed) from 1 s before the first phrase to the end, scaled so
// that the speech's RMS over its loud spans is BENCH_CAPTIONS_SNR_DB (default 10) dB above the noise's, mixed at
// 16 kHz (the band the recognizer hears), then resampled to 48 kHz by ffmpeg; files are cached in the temporary
// directory by content. A pass of 50 phrases lasts about 200 s.
//
// Through the call ("path":"call"): an in-process server with captions on. The customer's Chromium has the set's
// file as its fake microphone, the agent's a silent one, so only the customer is recognized; the customer asks for a
// voice call, the agent accepts. Chromium starts the file when the page opens its microphone and loops it; the pass
// measured is the first that starts after captions are live. On the customer's page an AudioWorklet reads the page's
// own microphone stream and finds the file's first sound (a sample over -26 dBFS after 3 s of quiet); each phrase's
// start and end of speech follow from their offsets in the file (on the clean set, "align_ms" is the signed median
// distance between where the probe heard each phrase begin and where the offsets put it). On the agent's page a
// MutationObserver stamps when each of the customer's caption lines first shows and when it turns final. Both pages
// are on this machine, so their clocks (performance.timeOrigin + performance.now()) agree.
// - wer (%): a final belongs to the phrase whose speech ended most recently before it showed. Word-level Levenshtein
//   over the whole pass (every reference word end to end against every final in order, lower case, punctuation
//   stripped), for all phrases ("voice":"all") and for each voice's phrases against the finals that belong to them.
// - final_latency_ms: from a phrase's end of speech on the customer's page to its first final on the agent's page.
// - partial_latency_ms: from a phrase's start of speech on the customer's page to the first caption line that shows
//   on the agent's page between that start and the next phrase's (a phrase whose words join a line already showing
//   gives no sample; "n" counts samples).
// BENCH_CAPTIONS_RUNS (default 3) runs, each a clean and a noisy call in alternating order; each run's figures, then
// the median of runs with the lowest and highest.
//
// In process ("path":"in-process"), on the very same 16 kHz audio, before Chromium, Opus and the SFU:
// - wer with each language model ("model":"support" | "generic"; the generic one on the clean set only), written
//   as fast as the streams take it.
// - streams_per_core: N streams with the support model, each fed the clean pass (from a different place, looping)
//   at the pace of speech, 20 ms every 20 ms, for BENCH_CAPTIONS_STREAM_SECONDS (default 20) after every worker has
//   loaded its model. N keeps up if no stream went `lagging` under a 1 s backlog bound and the 95th percentile of
//   partial lag (writing the audio a partial covers to receiving it) stayed under 300 ms. The first N comes from the
//   single-stream real-time factor, then up to 3 more trials step or bisect; value = the largest N that kept up /
//   os.availableParallelism(). cpu_streams_per_core is the same from process CPU time at that N.
//
// BENCH_CAPTIONS_PARTS (default call,models,streams) picks the parts. Figures are measured, never asserted; only
// set-up errors fail the run. Needs flite, ffmpeg and sox. With the defaults about 22 minutes on 2 cores, 20 of them
// the six calls.
import { readFile } from 'node:fs/promises';
import type { Browser } from 'puppeteer-core';
import { createSpeechRecognizer } from '../server/captions/index.js';
import { readPhrases, tokenize, vocabularyOf } from '../server/captions/pocketsphinx/languageModel.js';
import { buildSupportModel, SUPPORT_PHRASES_FILE } from '../server/captions/pocketsphinx/supportModel.js';
import type { RunningServer } from '../server/createServer.js';
import { BENCH_SENTENCES } from '../tests/support/captionSpeech.js';
import { startTestServer, testAgent } from '../tests/support/testServer.js';
import { BENCH_AGENT, launchWithMicrophone, recordPass } from './captions/callPass.js';
import { compareModels } from './captions/modelComparison.js';
import { percent, scorePass, type PassScore } from './captions/score.js';
import { makeTracks, silentFile, type SpeechSet, type SpeechTrack } from './captions/speechTrack.js';
import { measureCapacity } from './captions/streamCapacity.js';
import { emit, median, quantile, round1 } from './stats.js';

const RUNS = Math.max(1, Number(process.env.BENCH_CAPTIONS_RUNS ?? 3));
const PHRASES = Math.min(BENCH_SENTENCES.length, Math.max(1, Number(process.env.BENCH_CAPTIONS_PHRASES ?? 50)));
const VOICES = (process.env.BENCH_CAPTIONS_VOICES ?? 'slt,rms').split(',').map((voice) => voice.trim()).filter(Boolean);
const GAP_MS = Number(process.env.BENCH_CAPTIONS_GAP_MS ?? 1200);
const SNR_DB = Number(process.env.BENCH_CAPTIONS_SNR_DB ?? 10);
const STREAM_SECONDS = Number(process.env.BENCH_CAPTIONS_STREAM_SECONDS ?? 20);
const PARTS = new Set((process.env.BENCH_CAPTIONS_PARTS ?? 'call,models,streams').split(',').map((part) => part.trim()));
const SETS: SpeechSet[] = ['clean', 'noisy'];

const progress = (message: string) => process.stderr.write(`[bench:captions] ${message}\n`);

/** Warns of any bench sentence that is a line of the phrases file, or has a word outside its vocabulary or dictionary. */
async function checkSentences(texts: readonly string[], dictionaryFile: string): Promise<void> {
  const phrases = readPhrases(await readFile(SUPPORT_PHRASES_FILE, 'utf8'));
  const lines = new Set(phrases.map((words) => words.join(' ')));
  const vocabulary = new Set(vocabularyOf(phrases));
  const dictionary = new Set((await readFile(dictionaryFile, 'utf8')).split('\n').map((line) => line.split(' ')[0]!.replace(/\(\d+\)$/, '')));
  const words = [...new Set(texts.flatMap(tokenize))];
  const outside = words.filter((word) => !vocabulary.has(word));
  const undefinedWords = words.filter((word) => !dictionary.has(word));
  const verbatim = texts.filter((text) => lines.has(tokenize(text).join(' ')));
  if (outside.length + undefinedWords.length + verbatim.length === 0) return;
  progress(`sentences not held out as they should be: outside the phrases' vocabulary [${outside}], outside the dictionary [${undefinedWords}], lines of the phrases file [${verbatim}]`);
  emit({ bench: 'captions', check: 'sentences', outside_vocabulary: outside.join(' '), outside_dictionary: undefinedWords.join(' '), verbatim: verbatim.join(' | ') });
}

function werLines(base: Record<string, string | number>, score: PassScore): void {
  for (const [voice, count] of Object.entries(score.wer)) emit({ ...base, metric: 'wer', voice, value: round1(percent(count)), errors: count.errors, words: count.words });
}

async function inProcess(tracks: Record<SpeechSet, SpeechTrack>): Promise<void> {
  if (PARTS.has('models')) {
    progress('in process: support and generic language models on the same audio');
    // The generic model takes minutes on the noisy set (real-time factor about 0.6 on 2 cores) to say next to nothing.
    for (const { model, set, score, rtf } of await compareModels({ support: [tracks.clean, tracks.noisy], generic: [tracks.clean] }, GAP_MS)) {
      werLines({ bench: 'captions', path: 'in-process', set, model, phrases: score.phrases, rtf: Math.round(rtf * 1000) / 1000 }, score);
    }
  }
  if (PARTS.has('streams')) {
    const recognizer = await createSpeechRecognizer({ languageModel: 'support' });
    try {
      const capacity = await measureCapacity(recognizer, tracks.clean, STREAM_SECONDS, progress);
      const best = capacity.trials.find((trial) => trial.streams === capacity.streams);
      emit({
        bench: 'captions',
        metric: 'streams_per_core',
        path: 'in-process',
        set: 'clean',
        model: 'support',
        value: round1(capacity.streams / capacity.cores),
        streams: capacity.streams,
        cores: capacity.cores,
        trial_s: STREAM_SECONDS,
        rtf: Math.round(capacity.rtf * 1000) / 1000,
        tried: capacity.trials.map((trial) => `${trial.streams}:${trial.keptUp ? 'ok' : 'behind'}`).join(' '),
        cpu_streams_per_core: best ? round1(1 / best.cpuPerStream) : undefined,
      });
    } finally {
      recognizer.close();
    }
  }
}

interface RunFigures {
  wer: Record<string, number>;
  finalP50: number;
  finalP95: number;
  partialP50: number;
  partialP95: number;
}

async function calls(tracks: Record<SpeechSet, SpeechTrack>): Promise<void> {
  let server: RunningServer | undefined;
  let agentBrowser: Browser | undefined;
  const results = new Map<SpeechSet, RunFigures[]>(SETS.map((set) => [set, []]));
  try {
    server = await startTestServer([testAgent(BENCH_AGENT, ['voice'])], { CAPTIONS: 'on' });
    agentBrowser = await launchWithMicrophone(await silentFile());
    for (let run = 1; run <= RUNS; run++) {
      for (const set of run % 2 === 1 ? SETS : [...SETS].reverse()) {
        const track = tracks[set];
        progress(`run ${run}/${RUNS}, ${set}: a call of ${Math.round(track.durationMs / 1000)} s`);
        const recording = await recordPass(server, agentBrowser, track, progress);
        const phrases = track.phrases.map((phrase, index) => ({ text: phrase.text, voice: phrase.voice, ...recording.phraseTimes[index]! }));
        const score = scorePass(phrases, recording.captions);
        for (const [index, phrase] of phrases.entries()) if (score.heard[index] !== phrase.text) progress(`  ${phrase.voice} said "${phrase.text}", heard "${score.heard[index]}"`);
        const base = { bench: 'captions', path: 'call', set, kind: 'run', run, phrases: score.phrases };
        werLines(base, score);
        const align = recording.alignmentMs ? { align_ms: Math.round(recording.alignmentMs.median), align_max_ms: Math.round(recording.alignmentMs.max) } : {};
        const figures: RunFigures = {
          wer: Object.fromEntries(Object.entries(score.wer).map(([voice, count]) => [voice, percent(count)])),
          finalP50: quantile(score.finalLatencies, 0.5),
          finalP95: quantile(score.finalLatencies, 0.95),
          partialP50: quantile(score.partialLatencies, 0.5),
          partialP95: quantile(score.partialLatencies, 0.95),
        };
        emit({ ...base, metric: 'final_latency_ms', p50: Math.round(figures.finalP50), p95: Math.round(figures.finalP95), n: score.finalLatencies.length, without_final: score.withoutFinal, setup_ms: recording.setupMs, ...align });
        emit({ ...base, metric: 'partial_latency_ms', p50: Math.round(figures.partialP50), p95: Math.round(figures.partialP95), n: score.partialLatencies.length });
        results.get(set)!.push(figures);
      }
    }
  } finally {
    await agentBrowser?.close();
    await server?.close();
  }
  for (const [set, runs] of results) {
    if (runs.length === 0) continue;
    const base = { bench: 'captions', path: 'call', set, kind: 'median-of-runs', runs: runs.length, phrases: PHRASES };
    for (const voice of Object.keys(runs[0]!.wer)) {
      const values = runs.map((figures) => figures.wer[voice]!);
      emit({ ...base, metric: 'wer', voice, value: round1(median(values)), valueLow: round1(Math.min(...values)), valueHigh: round1(Math.max(...values)) });
    }
    for (const [metric, p50, p95] of [
      ['final_latency_ms', 'finalP50', 'finalP95'],
      ['partial_latency_ms', 'partialP50', 'partialP95'],
    ] as const) {
      const summary: Record<string, string | number> = { ...base, metric };
      for (const [name, key] of [
        ['p50', p50],
        ['p95', p95],
      ] as const) {
        const values = runs.map((figures) => figures[key]);
        summary[name] = Math.round(median(values));
        summary[`${name}Low`] = Math.round(Math.min(...values));
        summary[`${name}High`] = Math.round(Math.max(...values));
      }
      emit(summary);
    }
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const texts = BENCH_SENTENCES.slice(0, PHRASES);
  const model = await buildSupportModel();
  await checkSentences(texts, model.dict);
  const tracks = await makeTracks({ texts, voices: VOICES, gapMs: GAP_MS, snrDb: SNR_DB });
  progress(`${texts.length} phrases by ${VOICES.join(', ')}; ${Math.round(tracks.clean.durationMs / 1000)} s a pass; noisy at ${SNR_DB} dB SNR`);
  if (PARTS.has('models') || PARTS.has('streams')) await inProcess(tracks);
  if (PARTS.has('call')) await calls(tracks);
  progress(`done in ${Math.round((performance.now() - started) / 1000)} s`);
}

main().catch((error: unknown) => {
  console.error(`[bench:captions] ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
