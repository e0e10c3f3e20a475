// bench:network: one call with the customer's Chromium in its own network namespace, the customer's downlink stepped
// through rate caps and then loss with delay, once with the product's media policy and once with browser and SFU
// defaults. The agent sends a clip with its frame index burnt in; both pages read it back from their video elements,
// which gives the glass-to-glass delay of each frame. The loss step lifts the rate cap (loss and delay only); how each
// step is made is in network/NetworkLab.ts. Prints one JSON line per figure and step, then a table, and
// writes a PNG chart to bench/out. Figures are measured, never asserted; only setup errors fail the run.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'puppeteer-core';
import { mediaPolicySchema, type MediaPolicy } from '../signaling/index.js';
import type { PageStats } from '../tests/support/CallDriver.js';
import { FIXTURE_VIDEO, launchChromium } from '../tests/support/chromium.js';
import { startTestServer, TEST_PASSWORD, testAgent } from '../tests/support/testServer.js';
import { chartSvg, writePng, type ChartSeries } from './network/chart.js';
import type { FrameCounterApi } from './network/counterPage.js';
import { distinctFrames, framesFromLog, matchFrames, type FrameDelay, type FrameSeen } from './network/glassToGlass.js';
import { launchChromiumInNamespace } from './network/namespaceChromium.js';
import { HOST_IP, NAMESPACE_IP, NetworkLab, type Shape } from './network/NetworkLab.js';
import { SfuProbe, type SfuSample } from './network/sfuProbe.js';
import { emit, quantile, round1 } from './stats.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const COUNTER_VIDEO = path.resolve(here, '../.cache/fixtures/counter-640x480-30fps.y4m');
/** The counter clip's length: a frame index recurs every loop. */
const COUNTER_LOOP_MS = 18_000;
const STEP_MS = Number(process.env.BENCH_NETWORK_STEP_MS ?? 15_000);
const WARM_UP_MS = 5_000;
const SAMPLE_MS = 500;
const FPS_WINDOW_SAMPLES = 2;
const VARIANTS = (process.env.BENCH_NETWORK_VARIANTS ?? 'product,default').split(',').map((v) => mediaPolicySchema.parse(v.trim()));
const ALL_STEPS: { name: string; shape: Shape }[] = [
  { name: '2.5mbps', shape: { downlinkKbit: 2500 } },
  { name: '0.8mbps', shape: { downlinkKbit: 800 } },
  { name: '0.3mbps', shape: { downlinkKbit: 300 } },
  { name: 'loss3_rtt100', shape: { downlinkLossPercent: 3, oneWayDelayMs: 50 } },
];
/** The steps to run, in the issue's order; BENCH_NETWORK_STEPS picks a subset to look into one transition. */
const STEPS = ((names) => {
  if (!names) return ALL_STEPS;
  const wanted = names.split(',').map((n) => n.trim());
  const unknown = wanted.filter((n) => !ALL_STEPS.some((step) => step.name === n));
  if (unknown.length) throw new Error(`BENCH_NETWORK_STEPS: unknown step ${unknown.join(', ')} (steps: ${ALL_STEPS.map((step) => step.name).join(', ')})`);
  return ALL_STEPS.filter((step) => wanted.includes(step.name));
})(process.env.BENCH_NETWORK_STEPS);

/** The customer's receive figures at one moment of a variant's run. */
interface Sample {
  at: number;
  step: string;
  /** Decoded frames per second over the last second. */
  fps: number;
  /** The page's receive stats; null outside a call. Its video entry is null while the consumer is being replaced. */
  stats: PageStats | null;
  /** What the SFU sent the customer and what waited at the cap. */
  sfu: SfuSample | null;
}

const heightOf = (sample: Sample): number => sample.stats?.video?.frameHeight ?? 0;
const framesOf = (sample: Sample): number => sample.stats?.video?.framesDecoded ?? 0;

interface VariantRun {
  variant: MediaPolicy;
  /** Epoch ms each step began. */
  stepStarts: number[];
  samples: Sample[];
  /** Frames the customer page presented, with their counter. */
  received: FrameSeen[];
  delays: FrameDelay[];
}

type CounterWindow = { frameCounter: FrameCounterApi };
type SignlineWindow = { signline: { firstRemoteFrameAt: number | null; receiveStats(): Promise<PageStats | null> } };

async function counterScript(): Promise<string> {
  const result = await build({ entryPoints: [path.join(here, 'network/counterPage.ts')], bundle: true, format: 'iife', platform: 'browser', target: 'es2022', write: false, logLevel: 'warning' });
  return result.outputFiles[0]!.text;
}

/** Signs the agent in, has the customer ask for a call, accepts it and waits for the customer's first frame. */
async function connectCall(agent: Page, customer: Page, url: string): Promise<void> {
  await Promise.all([agent.goto(`${url}/agent`), customer.goto(`${url}/support`)]);
  await agent.type('input[name=username]', 'bench');
  await agent.type('input[name=password]', TEST_PASSWORD);
  await agent.click('#signin');
  await agent.waitForFunction(() => (document.querySelector('#self-preview') as HTMLVideoElement).readyState >= 2, { timeout: 30_000 });
  await agent.waitForSelector('#toggle-status:not([disabled])');
  await agent.click('#toggle-status');
  await customer.waitForSelector('#device-status[data-state=ok]', { timeout: 30_000 });
  await customer.click('input[name=mode][value=csl]');
  await customer.type('input[name=topic]', 'Video keeps freezing');
  await customer.click('#start');
  await agent.waitForSelector('#offer:not([hidden])', { timeout: 30_000 });
  await agent.click('#accept');
  await customer.waitForFunction(() => (window as unknown as SignlineWindow).signline.firstRemoteFrameAt, { timeout: 30_000, polling: 50 });
}

function remoteVideoTracks(customer: Page): Promise<number> {
  return customer.evaluate(() => ((document.querySelector('#remote-view') as HTMLVideoElement).srcObject as MediaStream | null)?.getVideoTracks().length ?? 0);
}

async function takeFrames(page: Page): Promise<FrameSeen[]> {
  return framesFromLog(await page.evaluate(() => (window as unknown as CounterWindow).frameCounter.take()));
}

/** Samples the customer's receive stats every SAMPLE_MS until `until`; fps over the last second from framesDecoded. */
async function sampleUntil(customer: Page, sfu: SfuProbe, step: string, until: number, samples: Sample[]): Promise<void> {
  for (let next = Date.now() + SAMPLE_MS; next <= until; next += SAMPLE_MS) {
    await sleep(Math.max(0, next - Date.now()));
    const [stats, sfuSample] = await Promise.all([customer.evaluate(() => (window as unknown as SignlineWindow).signline.receiveStats()), sfu.sample()]);
    const at = Date.now();
    const framesDecoded = stats?.video?.framesDecoded ?? 0;
    const back = samples[samples.length - FPS_WINDOW_SAMPLES] ?? samples[0];
    // A counter that went back means a new consumer: its first figures are Chromium's own.
    const fps = back && framesDecoded >= framesOf(back) ? ((framesDecoded - framesOf(back)) * 1000) / (at - back.at) : (stats?.video?.framesPerSecond ?? 0);
    samples.push({ at, step, fps, stats, sfu: sfuSample });
  }
}

/**
 * Mean time a frame (or audio sample) spent in the jitter buffer over successive readings of its cumulative
 * counters, ms. Counters that went back belong to a new receiver (a restarted track); that interval is skipped.
 */
function meanBufferMs(readings: { jitterBufferDelay: number; jitterBufferEmittedCount: number }[]): number {
  let [delay, emitted] = [0, 0];
  for (let i = 1; i < readings.length; i++) {
    const [before, after] = [readings[i - 1]!, readings[i]!];
    if (after.jitterBufferEmittedCount < before.jitterBufferEmittedCount) continue;
    delay += after.jitterBufferDelay - before.jitterBufferDelay;
    emitted += after.jitterBufferEmittedCount - before.jitterBufferEmittedCount;
  }
  return emitted > 0 ? Math.round((delay / emitted) * 1000) : 0;
}

/** One stderr line on why a step looked as it did: the SFU's estimate and sending, the queue at the cap, the receiver's buffer and repairs. */
function diagnosticsLine(samples: Sample[]): string {
  const sfu = samples.flatMap((s) => (s.sfu ? [s.sfu] : []));
  const layers = new Map<string, number>();
  for (const s of sfu) layers.set(s.layers, (layers.get(s.layers) ?? 0) + 1);
  const video = samples.flatMap((s) => (s.stats?.video ? [s.stats.video] : []));
  const [first, last] = [video[0], video.at(-1)];
  const delta = (key: keyof NonNullable<PageStats['video']>) => (first && last ? Math.max(0, last[key] - first[key]) : 0);
  const bufferMs = meanBufferMs(video);
  const audioBufferMs = meanBufferMs(samples.flatMap((s) => (s.stats?.audio ? [s.stats.audio] : [])));
  // The audio restarts in this step and how long each left the page without audio (the page keeps them all).
  const gaps = samples.flatMap((s) => (s.stats ? [s.stats.audioRestartGapsMs] : []));
  const newGaps = (gaps.at(-1) ?? []).slice(gaps[0]?.length ?? 0);
  const p50 = (pick: (s: SfuSample) => number) => (sfu.length ? quantile(sfu.map(pick), 0.5) : '-');
  const superseded = Math.max(0, (sfu.at(-1)?.supersededNacks ?? 0) - (sfu[0]?.supersededNacks ?? 0));
  const rtts = samples.flatMap((s) => (s.stats?.rtcpRttMs == null ? [] : [s.stats.rtcpRttMs]));
  // Where in the step the frame rate was under 25 fps: a dip right after a cap drop, or a slump later on.
  const stepStart = samples[0]?.at ?? 0;
  const under = samples.filter((s) => s.fps < 25).map((s) => ((s.at - stepStart) / 1000).toFixed(1));
  return (
    `under 25 fps in ${under.length} of ${samples.length} samples${under.length ? ` (at ${under.join(', ')} s)` : ''}; ` +
    `SFU estimate p50 ${p50((s) => s.availableKbps)} kbit/s, sending p50 ${p50((s) => s.sendKbps)} (probes ${p50((s) => s.probationKbps)}), ` +
    `layers ${[...layers].map(([l, n]) => `${l}x${n}`).join(' ')}; cap queue max ${Math.max(0, ...sfu.map((s) => s.backlogBytes))} B; ` +
    `RTT p50 ${rtts.length ? quantile(rtts, 0.5) : '-'} max ${rtts.length ? Math.max(...rtts) : '-'} ms; jitter buffer ${bufferMs} ms (audio ${audioBufferMs} ms, restarted ${newGaps.length}x${newGaps.length ? `, without audio ${newGaps.map((g) => (g === null ? '>5000' : g)).join(', ')} ms` : ''}); lost ${delta('packetsLost')}, NACK ${delta('nackCount')} (requests skipped as superseded by a key frame: ${superseded}), PLI ${delta('pliCount')}, freezes ${delta('freezeCount')}`
  );
}

async function runVariant(lab: NetworkLab, sfu: SfuProbe, variant: MediaPolicy, script: string): Promise<VariantRun> {
  lab.unshape();
  const server = await startTestServer([testAgent('bench', ['csl'])], { HOST: HOST_IP, MEDIA_LISTEN_IP: HOST_IP, MEDIA_POLICY: variant });
  const browsers: Browser[] = [];
  try {
    const agentBrowser = await launchChromium(COUNTER_VIDEO, [`--unsafely-treat-insecure-origin-as-secure=${server.url}`]);
    browsers.push(agentBrowser);
    const customerBrowser = await launchChromiumInNamespace(lab.namespace, FIXTURE_VIDEO, server.url);
    browsers.push(customerBrowser);
    const [agent, customer] = await Promise.all([agentBrowser.newPage(), customerBrowser.newPage()]);
    await connectCall(agent, customer, server.url);
    await Promise.all([agent.evaluate(script), customer.evaluate(script)]);
    await agent.evaluate(() => (window as unknown as CounterWindow).frameCounter.start('#self-view'));
    await customer.evaluate(() => (window as unknown as CounterWindow).frameCounter.start('#remote-view'));
    process.stderr.write(`[${variant}] call up, ${await remoteVideoTracks(customer)} video track(s) on the customer's stage; ${WARM_UP_MS / 1000} s unshaped warm-up\n`);
    const samples: Sample[] = [];
    await sampleUntil(customer, sfu, 'warm-up', Date.now() + WARM_UP_MS, samples);
    const stepStarts: number[] = [];
    for (const step of STEPS) {
      await lab.shape(step.shape);
      stepStarts.push(Date.now());
      await sampleUntil(customer, sfu, step.name, Date.now() + STEP_MS, samples);
      const inStep = samples.filter((s) => s.step === step.name);
      const last = samples.at(-1);
      const noVideo = inStep.filter((s) => !s.stats?.video).length;
      process.stderr.write(`[${variant}] ${step.name}: now ${round1(last?.fps ?? 0)} fps, ${last ? heightOf(last) : 0} lines${noVideo ? `; ${noVideo} samples without video stats` : ''}\n`);
      process.stderr.write(`[${variant}]   ${diagnosticsLine(inStep)}\n`);
    }
    const [sent, received] = await Promise.all([takeFrames(agent), takeFrames(customer)]);
    const unreadable = await Promise.all([agent, customer].map((page) => page.evaluate(() => (window as unknown as CounterWindow).frameCounter.unreadable)));
    const { delays, unmatched } = matchFrames(sent, received, COUNTER_LOOP_MS);
    // More than one would make the receive stats describe a track nobody watches (Chromium decodes only watched ones).
    process.stderr.write(`[${variant}] ${await remoteVideoTracks(customer)} video track(s) on the customer's stage at the end\n`);
    process.stderr.write(
      `[${variant}] counter frames: ${sent.length} sent, ${received.length} received, ${delays.length} matched, ${unmatched} unmatched; unreadable ${unreadable[0]} sender / ${unreadable[1]} receiver\n`,
    );
    return { variant, stepStarts, samples: samples.filter((s) => s.step !== 'warm-up'), received, delays };
  } finally {
    lab.unshape();
    await Promise.all(browsers.map((browser) => browser.close()));
    await server.close();
  }
}

/** What one step of one variant gave: the customer's samples, the delays of frames shown in it, frames shown per second. */
interface StepFigures {
  variant: MediaPolicy;
  step: string;
  fps: number[];
  heights: number[];
  delays: number[];
  shownFps: number;
}

function stepFigures(run: VariantRun): StepFigures[] {
  return STEPS.map((step, i) => {
    const samples = run.samples.filter((s) => s.step === step.name);
    const inStep = (at: number) => at >= run.stepStarts[i]! && at < (run.stepStarts[i + 1] ?? Number.POSITIVE_INFINITY);
    return {
      variant: run.variant,
      step: step.name,
      fps: samples.map((s) => s.fps),
      heights: samples.map(heightOf),
      delays: run.delays.filter((d) => inStep(d.at)).map((d) => d.delayMs),
      shownFps: round1(distinctFrames(run.received.filter((f) => inStep(f.at))) / (STEP_MS / 1000)),
    };
  });
}

/** The JSON lines of one step. */
function figureLines(f: StepFigures): Record<string, string | number>[] {
  const line = (metric: string, values: Record<string, number>) => ({ bench: 'network', metric, variant: f.variant, step: f.step, ...values });
  return [
    line('received_fps', { p50: round1(quantile(f.fps, 0.5)), min: round1(Math.min(...f.fps)) }),
    line('received_height', { p50: quantile(f.heights, 0.5), min: Math.min(...f.heights) }),
    line('glass_to_glass_ms', { p50: quantile(f.delays, 0.5), p95: quantile(f.delays, 0.95) }),
  ];
}

function printTable(all: StepFigures[]): void {
  const row = (...cells: (string | number)[]) => cells.map((c, i) => String(c).padEnd([8, 13, 8, 8, 7, 11, 11, 8, 8, 6][i] ?? 0)).join(' ').trimEnd();
  console.log(`\n${row('variant', 'step', 'fps p50', 'fps min', 'shown', 'height p50', 'height min', 'g2g p50', 'g2g p95', 'g2g n')}`);
  for (const f of all) {
    const q = (values: number[], at: number) => (values.length ? quantile(values, at) : '-');
    console.log(row(f.variant, f.step, round1(quantile(f.fps, 0.5)), round1(Math.min(...f.fps)), f.shownFps, q(f.heights, 0.5), Math.min(...f.heights), q(f.delays, 0.5), q(f.delays, 0.95), f.delays.length));
  }
  console.log('fps: decoded frames per second from the receive stats (1 s windows every 0.5 s); shown: frames the customer page presented');
  console.log("per second (counter reads); g2g: agent's self view to customer's remote view, ms, frames presented during the step");
}

async function writeChart(runs: VariantRun[]): Promise<string> {
  const series: ChartSeries[] = runs.map((run) => ({
    variant: run.variant,
    samples: run.samples.map((s) => ({ sec: (s.at - run.stepStarts[0]!) / 1000, fps: s.fps, height: heightOf(s) })),
    delays: run.delays.map((d) => ({ sec: (d.at - run.stepStarts[0]!) / 1000, delayMs: d.delayMs })),
  }));
  const steps = STEPS.map((step, i) => ({ name: step.name, startSec: (i * STEP_MS) / 1000 }));
  const svg = chartSvg("bench:network: the customer's downlink, agent -> customer video", series, steps, (STEPS.length * STEP_MS) / 1000);
  const out = path.resolve(here, 'out');
  await mkdir(out, { recursive: true });
  const file = path.join(out, `network-${new Date().toISOString().replace(/[:.]/g, '-')}.png`);
  // The samples behind the chart, with the SFU's side of each, for whoever wants to look closer.
  await writeFile(file.replace(/\.png$/, '.samples.json'), JSON.stringify(runs.map(({ variant, stepStarts, samples }) => ({ variant, stepStarts, samples }))));
  const browser = await launchChromium();
  try {
    await writePng(browser, svg, file);
  } finally {
    await browser.close();
  }
  return file;
}

if (!existsSync(COUNTER_VIDEO)) throw new Error(`${COUNTER_VIDEO} is missing: run "npm run setup"`);
const lab = NetworkLab.create();
const sfu = await SfuProbe.watch(NAMESPACE_IP, lab.downlinkDevice);
try {
  const script = await counterScript();
  const runs: VariantRun[] = [];
  for (const variant of VARIANTS) runs.push(await runVariant(lab, sfu, variant, script));
  const all = runs.flatMap(stepFigures);
  all.flatMap(figureLines).forEach(emit);
  printTable(all);
  console.log(`\nchart: ${path.relative(process.cwd(), await writeChart(runs))}`);
} finally {
  lab.close();
}
