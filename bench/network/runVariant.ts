import { realpathSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'puppeteer-core';
import type { OutboundVideo } from '../../client/src/media/qualitySample.js';
import type { Config } from '../../server/config.js';
import type { MediaEngineKind, MediaPolicy } from '../../signaling/index.js';
import type { PageStats } from '../../tests/support/CallDriver.js';
import { FIXTURE_VIDEO, launchChromium } from '../../tests/support/chromium.js';
import { LIVEKIT_SERVER_BIN, liveKitServerEnv, startLiveKit } from '../../tests/support/livekitServer.js';
import { startTestServer, TEST_PASSWORD, testAgent } from '../../tests/support/testServer.js';
import { quantile, round1 } from '../stats.js';
import type { FrameCounterApi } from './counterPage.js';
import { COUNTER_LOOP_MS, COUNTER_VIDEO, framesFromLog, matchFrames, type FrameDelay, type FrameSeen } from './glassToGlass.js';
import { launchChromiumInNamespace } from './namespaceChromium.js';
import { HOST_IP, type NetworkLab } from './NetworkLab.js';
import { marksOf, SENDER_SHORT_FPS, senderShort, SMOOTH_FPS, toSample, type Mark, type Sample } from './samples.js';
import type { SfuProbe, SfuSample } from './sfuProbe.js';
import type { Step } from './steps.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const WARM_UP_MS = 5_000;
const SAMPLE_MS = 500;

/**
 * What the server runs with in each variant: the product's media policy, or what a team gets from mediasoup without
 * it (no layer steering, mediasoup's 600 kbit/s starting estimate).
 */
export const SERVER_SETTINGS: Record<MediaPolicy, Partial<Config>> = {
  product: { MEDIA_POLICY: 'product' },
  default: { MEDIA_POLICY: 'default', MEDIA_INITIAL_BITRATE: 600_000 },
};

/** One variant's call through every step. */
export interface VariantRun {
  variant: MediaPolicy;
  /** Which repetition of the whole bench this was, from 1. */
  run: number;
  engine: MediaEngineKind;
  /** The mediasoup-worker binary the SFU ran, as read from /proc, or the LiveKit server's. */
  worker: string;
  /** Epoch ms each step began. */
  stepStarts: number[];
  /** Every sample from the warm-up on. */
  samples: Sample[];
  /** Frames the customer page presented, with their counter. */
  received: FrameSeen[];
  delays: FrameDelay[];
}

/** How to run one variant's call. */
export interface VariantOptions {
  /** The SFU: the embedded mediasoup, or a LiveKit server on the lab's host address. */
  engine: MediaEngineKind;
  variant: MediaPolicy;
  run: number;
  /** The worker binary mediasoup was loaded with (MEDIASOUP_WORKER_BIN of this process); unused on LiveKit. */
  workerBin: string;
  steps: Step[];
  stepMs: number;
}

type CounterWindow = { frameCounter: FrameCounterApi };
type SignlineWindow = {
  signline: { firstRemoteFrameAt: number | null; receiveStats(): Promise<PageStats | null>; sendStats(): Promise<OutboundVideo[]> };
};

/** One call, agent on the host and customer in the lab's namespace, its downlink stepped through `steps`. */
export async function runVariant(lab: NetworkLab, sfu: SfuProbe, options: VariantOptions): Promise<VariantRun> {
  const { variant, steps, stepMs } = options;
  const tag = `[${options.engine} ${variant} run ${options.run}]`;
  const script = await counterScript();
  lab.unshape();
  const livekit = options.engine === 'livekit' ? await startLiveKit({ host: HOST_IP, congestion: variant === 'product' ? 'product' : 'livekit-default' }) : null;
  const server = await startTestServer([testAgent('bench', ['csl'])], {
    HOST: HOST_IP,
    MEDIA_LISTEN_IP: HOST_IP,
    MEDIASOUP_WORKER_BIN: options.workerBin,
    ...SERVER_SETTINGS[variant],
    ...(livekit ? liveKitServerEnv(livekit) : {}),
  }).catch(async (error: unknown) => {
    await livekit?.stop();
    throw error;
  });
  const browsers: Browser[] = [];
  try {
    const agentBrowser = await launchChromium(COUNTER_VIDEO, [`--unsafely-treat-insecure-origin-as-secure=${server.url}`]);
    browsers.push(agentBrowser);
    const customerBrowser = await launchChromiumInNamespace(lab.namespace, FIXTURE_VIDEO, server.url);
    browsers.push(customerBrowser);
    const [agent, customer] = await Promise.all([agentBrowser.newPage(), customerBrowser.newPage()]);
    await connectCall(agent, customer, server.url);
    const worker = livekit ? realpathSync(LIVEKIT_SERVER_BIN) : theWorker(sfu, options.workerBin, tag);
    await Promise.all([agent.evaluate(script), customer.evaluate(script)]);
    await agent.evaluate(() => (window as unknown as CounterWindow).frameCounter.start('#self-view'));
    await customer.evaluate(() => (window as unknown as CounterWindow).frameCounter.start('#remote-view'));
    process.stderr.write(`${tag} ${path.basename(worker)}; call up, ${await remoteVideoTracks(customer)} video track(s) on the customer's stage; ${WARM_UP_MS / 1000} s unshaped warm-up\n`);
    const samples: Sample[] = [];
    await sampleUntil(agent, customer, sfu, 'warm-up', Date.now() + WARM_UP_MS, samples);
    const stepStarts: number[] = [];
    for (const step of steps) {
      await lab.shape(step.shape);
      stepStarts.push(Date.now());
      await sampleUntil(agent, customer, sfu, step.name, Date.now() + stepMs, samples);
      const inStep = samples.filter((s) => s.step === step.name);
      const last = samples.at(-1);
      const noVideo = inStep.filter((s) => !s.stats?.video).length;
      process.stderr.write(`${tag} ${step.name}: now ${round1(last?.fps ?? 0)} fps, ${last?.height ?? '-'} lines${noVideo ? `; ${noVideo} samples without video stats` : ''}\n`);
      process.stderr.write(`${tag}   ${diagnosticsLine(inStep)}\n`);
    }
    const [sent, received] = await Promise.all([takeFrames(agent), takeFrames(customer)]);
    const unreadable = await Promise.all([agent, customer].map((page) => page.evaluate(() => (window as unknown as CounterWindow).frameCounter.unreadable)));
    const { delays, unmatched } = matchFrames(sent, received, COUNTER_LOOP_MS);
    // More than one would make the receive stats describe a track nobody watches (Chromium decodes only watched ones).
    process.stderr.write(`${tag} ${await remoteVideoTracks(customer)} video track(s) on the customer's stage at the end\n`);
    process.stderr.write(`${tag} counter frames: ${sent.length} sent, ${received.length} received, ${delays.length} matched, ${unmatched} unmatched; unreadable ${unreadable[0]} sender / ${unreadable[1]} receiver\n`);
    return { engine: options.engine, variant, run: options.run, worker, stepStarts, samples, received, delays };
  } finally {
    lab.unshape();
    await Promise.all(browsers.map((browser) => browser.close()));
    await server.close();
    await livekit?.stop();
  }
}

/** The one worker binary the SFU runs: the variants differ in it, so measuring one on the other's would compare nothing. */
function theWorker(sfu: SfuProbe, workerBin: string, tag: string): string {
  const workers = sfu.workerBinaries();
  if (workers.length === 0 || workers.some((bin) => bin !== realpathSync(workerBin))) throw new Error(`${tag} the SFU runs ${workers.join(', ') || 'no worker'}, not ${workerBin}`);
  return workers[0]!;
}

async function counterScript(): Promise<string> {
  const result = await build({ entryPoints: [path.join(here, 'counterPage.ts')], bundle: true, format: 'iife', platform: 'browser', target: 'es2022', write: false, logLevel: 'warning' });
  return result.outputFiles[0]!.text;
}

/** Signs the agent in, has the customer ask for a call, accepts it and waits for the customer's first frame. */
export async function connectCall(agent: Page, customer: Page, url: string): Promise<void> {
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

/** Reads the customer's receive stats, the agent's send stats and the SFU every SAMPLE_MS until `until`. */
async function sampleUntil(agent: Page, customer: Page, sfu: SfuProbe, step: string, until: number, samples: Sample[]): Promise<void> {
  for (let next = Date.now() + SAMPLE_MS; next <= until; ) {
    await sleep(Math.max(0, next - Date.now()));
    const [stats, send, sfuSample] = await Promise.all([
      customer.evaluate(() => (window as unknown as SignlineWindow).signline.receiveStats()),
      agent.evaluate(() => (window as unknown as SignlineWindow).signline.sendStats()),
      sfu.sample(),
    ]);
    samples.push(toSample(samples, { at: Date.now(), step, stats, send, sfu: sfuSample }));
    // A reading slower than the interval skips the ticks it overran: bunched samples would stretch the step.
    next += SAMPLE_MS * Math.max(1, Math.ceil((Date.now() - next) / SAMPLE_MS));
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

/**
 * One stderr line on why a step looked as it did: the sender and the receiver's decoder (the machine), the SFU's
 * estimate and sending, the queue at the cap, the receiver's buffer and repairs (the network).
 */
function diagnosticsLine(samples: Sample[]): string {
  const sfu = samples.flatMap((s) => (s.sfu ? [s.sfu] : []));
  const layers = new Map<string, number>();
  for (const s of sfu) layers.set(s.layers, (layers.get(s.layers) ?? 0) + 1);
  const video = samples.flatMap((s) => (s.stats?.video ? [s.stats.video] : []));
  const [first, last] = [video[0], video.at(-1)];
  const delta = (key: keyof NonNullable<PageStats['video']>) => (first && last ? Math.max(0, last[key] - first[key]) : 0);
  const bufferMs = meanBufferMs(video);
  const audio = samples.flatMap((s) => (s.stats?.audio ? [s.stats.audio] : []));
  const audioBufferMs = meanBufferMs(audio);
  // The part of the audio's buffer its own arrivals asked for (lip sync left out): what the audio restarts judge too.
  const audioOwnMs = meanBufferMs(audio.map((a) => ({ jitterBufferDelay: a.jitterBufferMinimumDelay, jitterBufferEmittedCount: a.jitterBufferEmittedCount })));
  // The audio restarts in this step and how long each left the page without audio (the page keeps them all).
  const gaps = samples.flatMap((s) => (s.stats ? [s.stats.audioRestartGapsMs] : []));
  const newGaps = (gaps.at(-1) ?? []).slice(gaps[0]?.length ?? 0);
  const p50 = (pick: (s: SfuSample) => number) => (sfu.length ? quantile(sfu.map(pick), 0.5) : '-');
  const superseded = Math.max(0, (sfu.at(-1)?.supersededNacks ?? 0) - (sfu[0]?.supersededNacks ?? 0));
  const rtts = samples.flatMap((s) => (s.stats?.rtcpRttMs == null ? [] : [s.stats.rtcpRttMs]));
  // Where in the step the frame rate was under the line: a dip right after a cap drop, or a slump later on.
  const stepStart = samples[0]?.at ?? 0;
  const under = samples.filter((s) => s.fps < SMOOTH_FPS).map((s) => ((s.at - stepStart) / 1000).toFixed(1));
  const sent = samples.flatMap((s) => (s.sentFps === null ? [] : [s.sentFps]));
  const camera = samples.flatMap((s) => (s.sourceFps === null ? [] : [s.sourceFps]));
  const decode = samples.flatMap((s) => (s.decodeMs === null ? [] : [s.decodeMs]));
  const marks = samples.map(marksOf);
  const count = (mark: Mark) => marks.filter((m) => m.includes(mark)).length;
  return (
    `under ${SMOOTH_FPS} fps in ${under.length} of ${samples.length} samples${under.length ? ` (at ${under.join(', ')} s)` : ''}; ` +
    `sender p50 ${sent.length ? round1(quantile(sent, 0.5)) : '-'} fps min ${sent.length ? round1(Math.min(...sent)) : '-'} ` +
    `(its camera p50 ${camera.length ? round1(quantile(camera, 0.5)) : '-'} fps, under ${SENDER_SHORT_FPS} in ${camera.filter(senderShort).length} samples); ` +
    `decode p50 ${decode.length ? round1(quantile(decode, 0.5)) : '-'} ms p95 ${decode.length ? round1(quantile(decode, 0.95)) : '-'}; ` +
    `marked ${marks.filter((m) => m.length > 0).length} (sender short ${count('sender-short')}, cpu ${count('sender-cpu')}, unknown ${count('sender-unknown')}); ` +
    `SFU estimate p50 ${p50((s) => s.availableKbps)} kbit/s, sending p50 ${p50((s) => s.sendKbps)} (probes ${p50((s) => s.probationKbps)}), ` +
    `layers ${[...layers].map(([l, n]) => `${l}x${n}`).join(' ')}; cap queue max ${Math.max(0, ...sfu.map((s) => s.backlogBytes))} B; ` +
    `RTT p50 ${rtts.length ? quantile(rtts, 0.5) : '-'} max ${rtts.length ? Math.max(...rtts) : '-'} ms; jitter buffer ${bufferMs} ms (audio ${audioBufferMs} ms, its own ${audioOwnMs} ms, restarted ${newGaps.length}x${newGaps.length ? `, without audio ${newGaps.map((g) => (g === null ? '>5000' : g)).join(', ')} ms` : ''}); lost ${delta('packetsLost')}, NACK ${delta('nackCount')} (requests skipped as superseded by a key frame: ${superseded}), PLI ${delta('pliCount')}, freezes ${delta('freezeCount')}`
  );
}
