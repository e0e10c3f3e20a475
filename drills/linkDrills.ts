// Calls over a shaped or a long-lived link, on bench:network's namespace lab (bench/network): the agent's Chromium on
// the host sends a clip with its frame index burnt in, the customer's Chromium in its own network namespace receives
// it through the product's SFU, and each presented frame is read back. Two drills run on it:
// - lossy-link: 10 % loss and 200 ms RTT on the customer's link for 2 minutes: settled frame rate and glass-to-glass p95;
// - long-call: one call of DRILL_LONG_CALL_MIN (40) minutes on a clean link: freezes (Chromium's freezeCount) and the
//   frame rate minute by minute, to catch what only a long call meets (the VP8 picture id and RTP timestamps wrap,
//   timers overflow).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeChartAndSamples } from '../bench/network/chart.js';
import { quantile } from '../bench/stats.js';
import type { VariantOptions, VariantRun } from '../bench/network/runVariant.js';
import { SENDER_SHORT_FPS, senderShort } from '../bench/network/samples.js';
import type { Step } from '../bench/network/steps.js';
import { loadConfig } from '../server/config.js';
import { progress, report } from './drill.js';
import { AUDIO_RESTART_REACH_MS, freezeCauses, freezesOf, tally } from './freezes.js';
import { type LongCallMinute, longCallChartSvg } from './longCallChart.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Samples this long after the shaping began are the settled ones. */
const SETTLE_MS = 10_000;

/** One product call through the lab in its own process (mediasoup takes its worker binary once per process). */
async function labCall(steps: Step[], stepMs: number): Promise<VariantRun> {
  const workerBin = loadConfig({ ...process.env, MEDIA_ENGINE: 'mediasoup' }).MEDIASOUP_WORKER_BIN;
  const options: VariantOptions = { engine: 'mediasoup', variant: 'product', run: 1, workerBin, steps, stepMs };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'signline-drill-link-'));
  const out = path.join(dir, 'run.json');
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/network/variantMain.ts'), JSON.stringify({ ...options, out })], {
      cwd: root,
      env: { ...process.env, MEDIASOUP_WORKER_BIN: workerBin },
      stdio: ['ignore', 2, 2],
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`the lab call failed (exit ${code}); see its output above`);
    return JSON.parse(await readFile(out, 'utf8')) as VariantRun;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function lossyLink(): Promise<void> {
  const DRILL = 'lossy-link';
  const stepMs = Number(process.env.DRILL_LOSSY_MS ?? 120_000);
  progress(DRILL, `one call, ${stepMs / 1000} s at 10 % loss and 200 ms RTT on the customer's link`);
  const run = await labCall([{ name: 'loss10_rtt200', shape: { downlinkLossPercent: 10, oneWayDelayMs: 100 } }], stepMs);
  const start = run.stepStarts[0]!;
  const settled = run.samples.filter((sample) => sample.step === 'loss10_rtt200' && sample.at >= start + SETTLE_MS);
  const fps = settled.map((sample) => sample.fps);
  const delays = run.delays.filter((delay) => delay.at >= start + SETTLE_MS).map((delay) => delay.delayMs);
  const fpsP50 = quantile(fps, 0.5);
  const freezes = freezeCauses(run.samples, start + SETTLE_MS, start + stepMs).total;
  report({ drill: DRILL, metric: 'settled_fps_p50', value: Math.round(fpsP50 * 10) / 10, lost: null, unit: 'fps', goal: '>= 20', met: fpsP50 >= 20, note: `customer's decoded frames per second, samples from ${SETTLE_MS / 1000} s after the loss began (${fps.length}); p10 ${Math.round(quantile(fps, 0.1) * 10) / 10}; ${freezes} freezes; height p50 ${quantile(settled.map((s) => s.height ?? 0), 0.5)}` });
  report({ drill: DRILL, metric: 'glass_to_glass_ms_p95', value: Math.round(quantile(delays, 0.95)), lost: null, unit: 'ms', note: `p50 ${Math.round(quantile(delays, 0.5))} ms over ${delays.length} frames read back` });
}

const LONG_CALL = 'long-call';

export async function longCall(): Promise<void> {
  const minutes = Number(process.env.DRILL_LONG_CALL_MIN ?? 40);
  progress(LONG_CALL, `one call of ${minutes} minutes on a clean link`);
  await reportLongCall(await labCall([{ name: 'long', shape: {} }], minutes * 60_000), minutes);
}

/** The long call's figures from its lab run (apart from longCall, to read a kept run again). */
export async function reportLongCall(run: VariantRun, minutes: number): Promise<void> {
  const DRILL = LONG_CALL;
  const start = run.stepStarts[0]!;
  const end = start + minutes * 60_000;
  const freezes = freezesOf(run.samples);
  const perMinute: LongCallMinute[] = [];
  for (let minute = 0; minute < minutes; minute++) {
    const from = start + minute * 60_000;
    const samples = run.samples.filter((sample) => sample.at >= from && sample.at < from + 60_000);
    perMinute.push({
      minute: minute + 1,
      fps: Math.round(quantile(samples.map((sample) => sample.fps), 0.5) * 10) / 10,
      cameraShortShare: samples.length === 0 ? 0 : samples.filter((sample) => senderShort(sample.sourceFps)).length / samples.length,
      causes: tally(freezes, from, from + 60_000 - 1),
    });
  }
  const causes = tally(freezes, start + SETTLE_MS, end);
  const inCall = run.samples.filter((sample) => sample.at >= start + SETTLE_MS && sample.at < end);
  const fpsAll = inCall.map((sample) => sample.fps);
  // The longest gap between two frames the customer's page presented.
  const shown = run.received.filter((frame) => frame.at >= start + SETTLE_MS && frame.at < end).map((frame) => frame.at);
  let longestGap = 0;
  for (let i = 1; i < shown.length; i++) longestGap = Math.max(longestGap, shown[i]! - shown[i - 1]!);
  for (const row of perMinute) report({ drill: DRILL, metric: 'minute', value: row.fps, lost: null, unit: 'fps', note: `minute ${row.minute}: fps p50 ${row.fps}, ${row.causes.total} freezes` });
  report({ drill: DRILL, metric: 'freezes', value: causes.total, lost: null, goal: '0', met: causes.total === 0, note: `${minutes} min, Chromium's freezeCount on the customer's receiver; fps p50 ${Math.round(quantile(fpsAll, 0.5) * 10) / 10}, lowest minute ${Math.min(...perMinute.map((row) => row.fps))}; longest gap between presented frames ${longestGap} ms` });
  // Both browsers, the SFU and the server share this machine's cores: a freeze the sending browser explains is the machine's.
  report({
    drill: DRILL,
    metric: 'freezes_sender_kept_rate',
    value: causes.afterAudioRestart + causes.other,
    lost: null,
    note:
      `freezes while the agent's browser kept its frame rate: ${causes.afterAudioRestart} within ${AUDIO_RESTART_REACH_MS / 1000} s after an audio restart, ${causes.other} otherwise; ` +
      `more while it sent under ${SENDER_SHORT_FPS} fps: ${causes.cameraShort} with its camera short too, ${causes.encoderShort} with its camera at full rate ` +
      `(it sent under ${SENDER_SHORT_FPS} fps in ${inCall.filter((s) => senderShort(s.sentFps)).length} of ${inCall.length} samples, its camera delivered under ${SENDER_SHORT_FPS} in ${inCall.filter((s) => senderShort(s.sourceFps)).length})`,
  });
  // The per-minute chart and, beside it, the samples behind it (bench:network's shape) in bench/out.
  const svg = longCallChartSvg(`long-call drill: ${perMinute.length} minutes, agent -> customer video`, perMinute);
  const chart = await writeChartAndSamples(path.join(root, 'bench/out'), `drill-${LONG_CALL}`, svg, { stepStarts: run.stepStarts, samples: run.samples });
  progress(DRILL, `chart: ${path.relative(process.cwd(), chart)}`);
}
