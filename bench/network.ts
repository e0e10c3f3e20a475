// bench:network: one call with the customer's Chromium in its own network namespace, the customer's downlink stepped
// through rate caps and then loss with delay; the `product` variant runs the product's media policy on the patched
// SFU worker, the `default` variant what a team ships without it (browser and mediasoup defaults) on an unpatched
// 3.8.4 worker, built beside the patched one on the first run. The agent sends a clip with its frame index burnt in;
// both pages read it back from their video elements, which gives the glass-to-glass delay of each frame. Each
// variant's call runs in its own process (mediasoup 3.8 takes one worker binary per process), variants interleaved,
// the whole run repeated BENCH_NETWORK_RUNS times; each figure is the median of runs with the lowest and highest.
// Samples where the agent's Chromium sent short of the clip or was CPU-limited are marked, and each frame-rate figure
// is given over all samples and over the unmarked ones, which the network alone decided. How each step is made is in
// network/NetworkLab.ts. Prints one JSON line per figure, then tables, and writes a PNG chart to bench/out. Figures
// are measured, never asserted; only setup errors fail the run. With MEDIA_ENGINE=livekit the same calls run through a
// LiveKit server on the lab's host address instead, `product` with the product's LiveKit publishing (simulcast layers at
// 30 fps, maintain-framerate, dynacast) and `default` with livekit-client's defaults.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../server/config.js';
import { mediaEngineKindSchema, mediaPolicySchema, type MediaPolicy } from '../signaling/index.js';
import { livekitUnavailable } from '../tests/support/livekitServer.js';
import { chartSvg, writeChartAndSamples, type ChartSeries } from './network/chart.js';
import { figureLine, keyOf, overRuns, runFigures, type RunsFigure, type SampleSet } from './network/figures.js';
import { COUNTER_VIDEO } from './network/glassToGlass.js';
import type { VariantOptions, VariantRun } from './network/runVariant.js';
import { marksOf, SENDER_SHORT_FPS, SMOOTH_FPS } from './network/samples.js';
import { pickSteps } from './network/steps.js';
import { emit } from './stats.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const STEP_MS = Number(process.env.BENCH_NETWORK_STEP_MS ?? 15_000);
const RUNS = Number(process.env.BENCH_NETWORK_RUNS ?? 3);
const VARIANTS = (process.env.BENCH_NETWORK_VARIANTS ?? 'product,default').split(',').map((v) => mediaPolicySchema.parse(v.trim()));
/** The steps to run, in the issue's order; BENCH_NETWORK_STEPS picks a subset to look into one transition. */
const STEPS = pickSteps(process.env.BENCH_NETWORK_STEPS);
/** The SFU the calls go through, as the server's own MEDIA_ENGINE names it. */
const ENGINE = mediaEngineKindSchema.parse(process.env.MEDIA_ENGINE ?? 'mediasoup');
const BUILD_SCRIPT = path.join(root, 'scripts/build-mediasoup-worker.sh');
/** The unpatched worker (only the compile fixes) that `build-mediasoup-worker.sh --baseline` builds and caches. */
const BASELINE_WORKER = path.join(root, '.cache/mediasoup-worker/mediasoup-worker-3.8.4-baseline');

/** The child process running the current variant's call, stopped with this one. */
let child: ChildProcess | null = null;

/**
 * The worker binary of each variant: the product's patched one (setup builds it), and the unpatched baseline, which
 * the build script makes on the first run and keeps while its recipe is unchanged (a no-op then).
 */
async function workerBinaries(): Promise<Record<MediaPolicy, string>> {
  const product = loadConfig({ ...process.env, MEDIA_ENGINE: 'mediasoup' }).MEDIASOUP_WORKER_BIN;
  if (ENGINE === 'livekit') {
    const missing = livekitUnavailable();
    if (missing) throw new Error(`MEDIA_ENGINE=livekit: ${missing}`);
    return { product, default: product };
  }
  if (VARIANTS.includes('product') && !existsSync(product)) throw new Error(`${product} is missing: run "npm run setup"`);
  if (VARIANTS.includes('default')) {
    if (!existsSync(BASELINE_WORKER)) process.stderr.write(`[bench:network] building the unpatched mediasoup worker for the default variant, once (about 6 minutes on 2 cores)\n`);
    // The script's own output is progress: it goes to stderr, keeping stdout for the figures.
    const build = spawn('bash', [BUILD_SCRIPT, '--baseline'], { cwd: root, stdio: ['ignore', 2, 2] });
    const [code] = (await once(build, 'exit')) as [number | null];
    if (code !== 0 || !existsSync(BASELINE_WORKER)) throw new Error(`building the baseline worker failed (exit ${code}); see the output above`);
  }
  return { product, default: BASELINE_WORKER };
}

/** Runs one variant's call in a child process whose mediasoup loads `workerBin`, and reads back its samples. */
async function runInChild(options: VariantOptions): Promise<VariantRun> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slbench-run-'));
  const out = path.join(dir, 'run.json');
  try {
    child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'network/variantMain.ts'), JSON.stringify({ ...options, out })], {
      cwd: root,
      env: { ...process.env, MEDIASOUP_WORKER_BIN: options.workerBin },
      // The child's stdout joins stderr: only this process prints figures.
      stdio: ['ignore', 2, 2],
    });
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    child = null;
    if (code !== 0) throw new Error(`the ${options.variant} variant's run ${options.run} failed (${signal ?? `exit ${code}`}); see its output above`);
    return JSON.parse(await readFile(out, 'utf8')) as VariantRun;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Stops the running child on SIGINT or SIGTERM (it removes its namespace itself), then exits. */
function stopChildOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      const running = child;
      const exitCode = signal === 'SIGINT' ? 130 : 143;
      if (!running || running.exitCode !== null) process.exit(exitCode);
      // A terminal's Ctrl-C reaches the child too; give it a moment before asking it ourselves.
      const timer = setTimeout(() => running.kill('SIGTERM'), 1_000);
      running.once('exit', () => {
        clearTimeout(timer);
        process.exit(exitCode);
      });
    });
  }
}

const cell = (f: RunsFigure | undefined): string => {
  if (!f || f.median === null) return '-';
  if (f.runs === 1 || !f.spread || f.spread[0] === f.spread[1]) return String(f.median);
  return `${f.median} [${f.spread[0]}-${f.spread[1]}]`;
};

function printTables(figures: RunsFigure[]): void {
  const find = (variant: MediaPolicy, step: string, metric: string, set?: SampleSet) => figures.find((f) => f.variant === variant && f.step === step && keyOf(f) === keyOf({ metric, set }));
  const widths = [8, 13, 18, 18, 18, 18, 27];
  const row = (...cells: (string | number)[]) => cells.map((c, i) => String(c).padEnd(widths[i] ?? 0)).join(' ').trimEnd();
  const table = (title: string, headers: string[], cells: (variant: MediaPolicy, step: string) => string[]) => {
    console.log(`\n${title}`);
    console.log(row('variant', 'step', ...headers));
    for (const variant of VARIANTS) for (const step of STEPS) console.log(row(variant, step.name, ...cells(variant, step.name)));
  };
  const runs = Math.max(0, ...figures.map((f) => f.runs));
  console.log(`\nbench:network on ${ENGINE}: median of ${runs} run${runs === 1 ? '' : 's'} per figure, [lowest-highest run] when they differ`);
  for (const set of ['all', 'network'] as const) {
    table(
      set === 'all' ? 'received frame rate, all samples' : 'received frame rate, samples the network alone decided (unmarked)',
      ['fps p50', 'fps min', `under ${SMOOTH_FPS} fps, %`, 'shown fps'],
      (variant, step) => ['received_fps_p50', 'received_fps_min', `received_under${SMOOTH_FPS}_pct`, 'shown_fps'].map((metric) => cell(find(variant, step, metric, set))),
    );
  }
  table('picture and delay', ['height p50', 'height min', 'g2g p50 ms', 'g2g p95 ms', 'g2g frames'], (variant, step) =>
    ['received_height_p50', 'received_height_min', 'glass_to_glass_ms_p50', 'glass_to_glass_ms_p95', 'glass_to_glass_frames'].map((metric) => cell(find(variant, step, metric))),
  );
  table('the machine', ['sent fps p50', 'sent fps min', 'decode ms p50', 'decode ms p95', 'marked of samples, per run', ''], (variant, step) => {
    const perRun = (metric: string) => find(variant, step, metric)?.perRun ?? [];
    const samples = perRun('samples');
    const marked = perRun('marked_samples').map((n, i) => `${n ?? '-'}/${samples[i] ?? '-'}`).join(' ');
    const reasons = `short ${perRun('marked_sender_short').join(' ')}; cpu ${perRun('marked_sender_cpu').join(' ')}${perRun('marked_sender_unknown').some((n) => n) ? `; unknown ${perRun('marked_sender_unknown').join(' ')}` : ''}`;
    return [...['sent_fps_p50', 'sent_fps_min', 'decode_ms_p50', 'decode_ms_p95'].map((metric) => cell(find(variant, step, metric))), marked, `(${reasons})`];
  });
  console.log(`\nfps: decoded frames per second from the customer's receive stats (1 s windows every 0.5 s); shown: frames the customer page`);
  console.log(`presented per second (counter reads); g2g: agent's self view to customer's remote view, frames presented during the step;`);
  console.log(`height: samples that decoded frames; sent: frames per second the agent's station sent on the layer the SFU forwarded;`);
  console.log(`decode: the customer's decode time per frame. Marked: the sender sent under ${SENDER_SHORT_FPS} fps (90% of the 30 fps clip) or its`);
  console.log(`qualityLimitationReason was "cpu" (a sample can be both), or its stats were missing (unknown).`);
}

async function writeChart(runs: VariantRun[]): Promise<string> {
  const series: ChartSeries[] = VARIANTS.map((variant) => ({
    variant,
    runs: runs
      .filter((run) => run.variant === variant)
      .map((run) => {
        // Time since the step began, from the step's nominal start: the runs' steps line up on the chart.
        const stepOf = (at: number) => run.stepStarts.findLastIndex((start) => start <= at);
        const sec = (at: number, step: number) => (step * STEP_MS + at - run.stepStarts[step]!) / 1000;
        return {
          samples: run.samples.flatMap((s) => (stepOf(s.at) < 0 ? [] : [{ sec: sec(s.at, stepOf(s.at)), fps: s.fps, sentFps: s.sentFps, height: s.height, marked: marksOf(s).length > 0 }])),
          delays: run.delays.flatMap((d) => (stepOf(d.at) < 0 ? [] : [{ sec: sec(d.at, stepOf(d.at)), delayMs: d.delayMs }])),
        };
      }),
  }));
  const steps = STEPS.map((step, i) => ({ name: step.name, startSec: (i * STEP_MS) / 1000 }));
  const svg = chartSvg(`bench:network on ${ENGINE}: agent -> customer video`, series, steps, (STEPS.length * STEP_MS) / 1000);
  // The samples behind the chart, with the sender's, receiver's and SFU's side of each.
  const samples = runs.map(({ engine, variant, run, worker, stepStarts, samples }) => ({ engine, variant, run, worker, stepStarts, samples }));
  return writeChartAndSamples(path.resolve(here, 'out'), `network-${ENGINE}`, svg, samples);
}

if (!existsSync(COUNTER_VIDEO)) throw new Error(`${COUNTER_VIDEO} is missing: run "npm run setup"`);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`BENCH_NETWORK_RUNS must be a whole number from 1, not ${process.env.BENCH_NETWORK_RUNS}`);
if (!(STEP_MS >= 1_000)) throw new Error(`BENCH_NETWORK_STEP_MS must be at least 1000, not ${process.env.BENCH_NETWORK_STEP_MS}`);
if (process.getuid?.() !== 0) throw new Error('bench:network needs root on Linux (ip netns, tc, iptables)');
stopChildOnSignals();
const workers = await workerBinaries();
const runs: VariantRun[] = [];
// Interleaved: product, default, product, default, ... so that a slow spell of the machine falls on both.
for (let run = 1; run <= RUNS; run++) {
  for (const variant of VARIANTS) {
    process.stderr.write(`[bench:network] run ${run} of ${RUNS}: ${variant} on ${ENGINE === 'livekit' ? 'LiveKit' : path.relative(root, workers[variant])}\n`);
    runs.push(await runInChild({ engine: ENGINE, variant, run, workerBin: workers[variant], steps: STEPS, stepMs: STEP_MS }));
  }
}
const figures = overRuns(runs.flatMap((run) => runFigures(run, STEPS.map((step) => step.name))));
figures.forEach((f) => emit({ ...figureLine(f), engine: ENGINE }));
printTables(figures);
console.log(`\nchart: ${path.relative(process.cwd(), await writeChart(runs))}`);
