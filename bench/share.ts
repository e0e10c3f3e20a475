// bench:share: the customer signs (the 30 fps hand clip) and shares a screen showing a page of text; the agent, in its
// own network namespace (bench:network's lab), watches both and points at the screen while its downlink steps through
// caps of 2.5, 1.2 and 0.8 Mbit/s. The `product` variant runs the product's media policy (the screen at full
// resolution with temporal layers, the signer served first); `default` shares as mediasoup-demo does with browser and
// SFU defaults (three-layer simulcast, mediasoup's own layer choice). Both run on the product's SFU worker, so they
// differ by the policy alone. Per cap, once settled: the signer's frame rate, the screen's lines, and the share of the
// page's characters Debian's tesseract reads right off the received screen; before the caps, unshaped, the time from a
// pointer event on the agent's page to its drawing on the customer's. Variants interleaved, the whole run repeated
// BENCH_SHARE_RUNS times; each figure is the median of runs with the lowest and highest. Prints one JSON line per figure
// and a table; keeps the received screens in bench/out and the 0.8 Mbit/s pair of the median run in docs/. Figures are
// measured, never asserted; only setup errors fail the run. Needs root (the lab's namespace).
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mediaPolicySchema, type MediaPolicy } from '../signaling/index.js';
import { NetworkLab } from './network/NetworkLab.js';
import { runShare, SHARE_STEPS, type ShareRun } from './share/runShare.js';
import { SCREEN_TEXT } from './share/screenSource.js';
import { ocr, textAccuracy } from './share/textAccuracy.js';
import { emit, median, quantile, round1 } from './stats.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const OUT = path.join(here, 'out');
const RUNS = Number(process.env.BENCH_SHARE_RUNS ?? 3);
const STEP_MS = Number(process.env.BENCH_SHARE_STEP_MS ?? 25_000);
const SETTLE_MS = Number(process.env.BENCH_SHARE_SETTLE_MS ?? 10_000);
const POINTER_MOVES = Number(process.env.BENCH_SHARE_POINTER_MOVES ?? 200);
const VARIANTS = (process.env.BENCH_SHARE_VARIANTS ?? 'product,default').split(',').map((v) => mediaPolicySchema.parse(v.trim()));
const SOURCE = SCREEN_TEXT.join('\n');

/** One figure of one run. */
interface RunFigure {
  variant: MediaPolicy;
  step: string;
  metric: string;
  value: number;
  run: number;
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const lab = NetworkLab.create();
  const runs: ShareRun[] = [];
  try {
    for (let run = 1; run <= RUNS; run++) {
      // Interleaved: each variant goes first in every other run.
      const order = run % 2 === 1 ? VARIANTS : [...VARIANTS].reverse();
      for (const variant of order) runs.push(await runShare(lab, { variant, run, stepMs: STEP_MS, settleMs: SETTLE_MS, pointerMoves: POINTER_MOVES, outDir: OUT }));
    }
  } finally {
    lab.close();
  }
  // The OCR runs after the calls, so its CPU never competes with a call being measured.
  const figures: RunFigure[] = [];
  for (const run of runs) {
    const add = (step: string, metric: string, value: number) => figures.push({ variant: run.variant, step, metric, value, run: run.run });
    add('unshaped', 'pointer_latency_ms@p50', quantile(run.pointerLatenciesMs, 0.5));
    add('unshaped', 'pointer_latency_ms@p95', quantile(run.pointerLatenciesMs, 0.95));
    add('unshaped', 'pointer_arrival_ms@p50', quantile(run.pointerArrivalsMs, 0.5));
    add('unshaped', 'pointer_arrival_ms@p95', quantile(run.pointerArrivalsMs, 0.95));
    add('unshaped', 'pointers_lost', run.pointersLost);
    add('source', 'screen_text_accuracy', textAccuracy(await ocr(run.sourceCapture), SOURCE));
    for (const step of run.steps) {
      add(step.step, 'signer_fps', step.signerFps);
      add(step.step, 'signer_fps_min', step.signerFpsMin);
      add(step.step, 'sender_fps', step.senderFps);
      add(step.step, 'screen_height', step.screenHeight);
      add(step.step, 'screen_fps', step.screenFps);
      add(step.step, 'screen_text_accuracy', textAccuracy(await ocr(step.capture), SOURCE));
    }
  }
  const lines = summarize(figures);
  for (const line of lines) emit(line);
  printTable(lines);
  await keepPictures(runs, figures);
}

type Line = Record<string, string | number | undefined> & { variant: MediaPolicy; step: string; metric: string; median: number };

/** One JSON line per variant, step and metric: the median of runs, the lowest and the highest. */
function summarize(figures: RunFigure[]): Line[] {
  const groups = new Map<string, RunFigure[]>();
  for (const f of figures) groups.set(`${f.variant}|${f.step}|${f.metric}`, [...(groups.get(`${f.variant}|${f.step}|${f.metric}`) ?? []), f]);
  return [...groups.values()].map((group) => {
    const { variant, step, metric } = group[0]!;
    const values = group.map((f) => f.value).filter((v) => Number.isFinite(v));
    const [name, quantileName] = metric.split('@') as [string, string | undefined];
    return {
      bench: 'share',
      metric: name,
      ...(quantileName ? { quantile: quantileName } : {}),
      variant,
      step,
      median: round1(median(values)),
      low: round1(Math.min(...values)),
      high: round1(Math.max(...values)),
      runs: values.length,
      perRun: values.map(round1).join(' '),
    } as Line;
  });
}

function printTable(lines: Line[]): void {
  const cell = (variant: MediaPolicy, step: string, metric: string, quantileName?: string) => {
    const line = lines.find((l) => l.variant === variant && l.step === step && l.metric === metric && l.quantile === quantileName);
    return line ? (line.low === line.high ? String(line.median) : `${line.median} [${line.low}-${line.high}]`) : '-';
  };
  const pad = (cells: string[]) => cells.map((c, i) => c.padEnd([9, 9, 18, 18, 18, 18, 18][i] ?? 0)).join(' ');
  console.log(`\nbench:share: median of ${RUNS} run(s), [lowest-highest] when they differ; settled = after the first ${SETTLE_MS / 1000} s of each ${STEP_MS / 1000} s step`);
  console.log(pad(['variant', 'cap', 'signer fps', 'customer sent fps', 'screen lines', 'screen fps', 'text accuracy %']));
  for (const variant of VARIANTS) {
    for (const step of SHARE_STEPS) {
      console.log(pad([variant, step.name, cell(variant, step.name, 'signer_fps'), cell(variant, step.name, 'sender_fps'), cell(variant, step.name, 'screen_height'), cell(variant, step.name, 'screen_fps'), cell(variant, step.name, 'screen_text_accuracy')]));
    }
    console.log(pad([variant, 'source', '', '', '', '', cell(variant, 'source', 'screen_text_accuracy')]));
    console.log(
      `${variant}: pointer event to drawing, unshaped: p50 ${cell(variant, 'unshaped', 'pointer_latency_ms', 'p50')} ms, p95 ${cell(variant, 'unshaped', 'pointer_latency_ms', 'p95')} ms ` +
        `(arriving at the page: p50 ${cell(variant, 'unshaped', 'pointer_arrival_ms', 'p50')}, p95 ${cell(variant, 'unshaped', 'pointer_arrival_ms', 'p95')} ms)`,
    );
  }
}

/** Keeps the received screens at 0.8 Mbit/s of the run whose product accuracy was the median, side by side in docs/. */
async function keepPictures(runs: ShareRun[], figures: RunFigure[]): Promise<void> {
  const accuracy = figures.filter((f) => f.variant === 'product' && f.step === '0.8mbps' && f.metric === 'screen_text_accuracy').sort((a, b) => a.value - b.value);
  const medianRun = accuracy[Math.floor(accuracy.length / 2)]?.run;
  if (medianRun === undefined) return;
  const docs = path.join(root, 'docs');
  for (const run of runs.filter((r) => r.run === medianRun)) {
    const capture = run.steps.find((s) => s.step === '0.8mbps')?.capture;
    if (capture) await copyFile(capture, path.join(docs, `share-0.8mbps-${run.variant}.png`));
  }
  await writeFile(path.join(OUT, 'share-runs.json'), JSON.stringify({ runs, figures }, null, 1));
  process.stderr.write(`[bench:share] received screens at 0.8 Mbit/s (run ${medianRun}) in docs/share-0.8mbps-{product,default}.png\n`);
}

await main();
