import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'puppeteer-core';
import type { ReceiveStats, ShareStats } from '../../client/src/media/CallMedia.js';
import type { OutboundVideo } from '../../client/src/media/qualitySample.js';
import type { SharedViewsSnapshot } from '../../client/src/ui/SharedViews.js';
import type { MediaPolicy } from '../../signaling/index.js';
import { FIXTURE_VIDEO, launchChromium } from '../../tests/support/chromium.js';
import { startTestServer, testAgent } from '../../tests/support/testServer.js';
import { launchChromiumInNamespace } from '../network/namespaceChromium.js';
import { HOST_IP, type NetworkLab } from '../network/NetworkLab.js';
import { connectCall, SERVER_SETTINGS } from '../network/runVariant.js';
import { quantile, round1 } from '../stats.js';
import { SCREEN_SIZE, screenSourceScript } from './screenSource.js';

/** A downlink cap of the technician's side, by name. */
export interface ShareStep {
  name: string;
  downlinkKbit: number;
}

/** The caps the issue names, falling. */
export const SHARE_STEPS: readonly ShareStep[] = [
  { name: '2.5mbps', downlinkKbit: 2500 },
  { name: '1.2mbps', downlinkKbit: 1200 },
  { name: '0.8mbps', downlinkKbit: 800 },
];

/** What one cap showed the viewer once settled. */
export interface ShareStepFigures {
  step: string;
  /** Median of the settled one-second frame rates of the signer's camera. */
  signerFps: number;
  /** The lowest settled one-second frame rate of the signer's camera. */
  signerFpsMin: number;
  /** What the customer's camera encoder itself sent over the step (its top encoding), fps: the most the signer could get. */
  senderFps: number;
  /** Median of the settled lines and frame rate of the received screen. */
  screenHeight: number;
  screenFps: number;
  /** The received screen at the end of the step, scaled to the shared size, as a PNG file. */
  capture: string;
}

/** One variant's call through every cap. */
export interface ShareRun {
  variant: MediaPolicy;
  run: number;
  /** Pointer event on the technician's page to its drawing on the customer's, ms, one per position matched. */
  pointerLatenciesMs: number[];
  /** Pointer event to the position reaching the customer's page (before its drawing waits for a frame), ms. */
  pointerArrivalsMs: number[];
  /** Positions the technician sent that the customer never drew. */
  pointersLost: number;
  steps: ShareStepFigures[];
  /** The customer's own preview of the shared screen, as sent, scaled the same way (the OCR's ceiling). */
  sourceCapture: string;
}

/** Options of one variant's call. */
export interface ShareRunOptions {
  variant: MediaPolicy;
  run: number;
  stepMs: number;
  /** The start of each step left out of its figures while the layers settle. */
  settleMs: number;
  pointerMoves: number;
  outDir: string;
}

type SignlineWindow = {
  signline: { receiveStats(): Promise<ReceiveStats | null>; shareStats(): Promise<ShareStats[]>; sendStats(): Promise<OutboundVideo[]>; shares(): SharedViewsSnapshot | null };
};

/** Unshaped time before the pointer pass: the sharer's own send estimate starts at 1 Mbit/s and takes this to rise. */
const WARM_UP_MS = 15_000;
const POINTER_INTERVAL_MS = 50;

/**
 * One call in the lab: the customer on the host signs (the 30 fps hand clip) and shares the text screen; the agent, in
 * the namespace, watches both and points at the screen; its downlink steps through the caps. The agent stands for the
 * technician: the viewer's side is the same page code.
 */
export async function runShare(lab: NetworkLab, options: ShareRunOptions): Promise<ShareRun> {
  const { variant } = options;
  const tag = `[${variant} run ${options.run}]`;
  lab.unshape();
  const server = await startTestServer([testAgent('bench', ['csl'])], { HOST: HOST_IP, MEDIA_LISTEN_IP: HOST_IP, ...SERVER_SETTINGS[variant] });
  const browsers: Browser[] = [];
  try {
    const customerBrowser = await launchChromium(FIXTURE_VIDEO, [`--unsafely-treat-insecure-origin-as-secure=${server.url}`]);
    browsers.push(customerBrowser);
    const agentBrowser = await launchChromiumInNamespace(lab.namespace, FIXTURE_VIDEO, server.url);
    browsers.push(agentBrowser);
    const [agent, customer] = await Promise.all([agentBrowser.newPage(), customerBrowser.newPage()]);
    // A wide viewer, as a technician's console is: the screen tile is about half the shared size.
    await agent.setViewport({ width: 1600, height: 1000 });
    await customer.evaluateOnNewDocument(screenSourceScript());
    // connectCall has the customer's page answered by the agent and waits for the customer's first frame.
    await connectCall(agent, customer, server.url);
    await customer.click('#share-screen');
    const producerId = await shareShown(agent);
    process.stderr.write(`${tag} call up, screen shared; ${WARM_UP_MS / 1000} s unshaped warm-up, then ${options.pointerMoves} pointer moves\n`);
    await sleep(WARM_UP_MS);
    const { latencies, arrivals, lost } = await pointerPass(agent, customer, producerId, options.pointerMoves);
    process.stderr.write(
      `${tag} pointer: p50 ${round1(quantile(latencies, 0.5))} ms, p95 ${round1(quantile(latencies, 0.95))} ms over ${latencies.length} positions, ${lost} lost; ` +
        `of which arriving at the page p50 ${round1(quantile(arrivals, 0.5))} ms, p95 ${round1(quantile(arrivals, 0.95))} ms\n`,
    );
    const sourceCapture = path.join(options.outDir, `share-source-run${options.run}-${variant}.png`);
    await writeFile(sourceCapture, await captureShare(customer, true));
    const steps: ShareStepFigures[] = [];
    for (const step of SHARE_STEPS) {
      await lab.shape({ downlinkKbit: step.downlinkKbit });
      const sentBefore = await sentVideo(customer);
      const samples = await sampleFor(agent, options.stepMs);
      const sentAfter = await sentVideo(customer);
      const settled = samples.filter((sample) => sample.sinceStartMs >= options.settleMs);
      const capture = path.join(options.outDir, `share-${step.name}-run${options.run}-${variant}.png`);
      await writeFile(capture, await captureShare(agent, false));
      const fps = settled.map((s) => s.signerFps);
      const figures: ShareStepFigures = {
        step: step.name,
        signerFps: round1(quantile(fps, 0.5)),
        signerFpsMin: round1(Math.min(...fps)),
        senderFps: round1(cameraSentFps(sentBefore, sentAfter)),
        screenHeight: quantile(settled.map((s) => s.screenHeight), 0.5),
        screenFps: round1(quantile(settled.map((s) => s.screenFps), 0.5)),
        capture,
      };
      steps.push(figures);
      process.stderr.write(`${tag} ${step.name}: signer ${figures.signerFps} fps (min ${figures.signerFpsMin}), screen ${figures.screenHeight} lines at ${figures.screenFps} fps\n`);
      process.stderr.write(`${tag}   customer sent: ${sentLine(sentBefore, sentAfter)}\n`);
    }
    return { variant, run: options.run, pointerLatenciesMs: latencies, pointerArrivalsMs: arrivals, pointersLost: lost, steps, sourceCapture };
  } finally {
    lab.unshape();
    await Promise.all(browsers.map((browser) => browser.close()));
    await server.close();
  }
}

/** The customer's outgoing video encodings (camera and screen): what the browser itself sent, for diagnostics. */
function sentVideo(customer: Page): Promise<OutboundVideo[]> {
  return customer.evaluate(() => (window as unknown as SignlineWindow).signline.sendStats());
}

/** The sent frame rate of the camera's top encoding over a step (the camera's encodings come first; the screen's follow). */
function cameraSentFps(before: OutboundVideo[], after: OutboundVideo[]): number {
  const rates = after.map((encoding, i) => ({ height: encoding.frameHeight, fps: before[i] ? (encoding.framesSent - before[i]!.framesSent) / Math.max(0.001, (encoding.timestamp - before[i]!.timestamp) / 1000) : 0 }));
  const camera = rates.filter((rate) => rate.height > 0 && rate.height <= 480);
  return camera.length ? Math.max(...camera.map((rate) => rate.fps)) : 0;
}

/** Each encoding's sent frame rate over a step, its lines and why the encoder held back, on one line. */
function sentLine(before: OutboundVideo[], after: OutboundVideo[]): string {
  return after
    .map((encoding, i) => {
      const first = before[i];
      const fps = first ? (encoding.framesSent - first.framesSent) / Math.max(0.001, (encoding.timestamp - first.timestamp) / 1000) : 0;
      return `${encoding.frameHeight}p ${round1(fps)} fps (${encoding.qualityLimitationReason})`;
    })
    .join(', ');
}

/** Waits until the agent's page shows the customer's screen with a picture; returns its producer id. */
async function shareShown(agent: Page): Promise<string> {
  const handle = await agent.waitForFunction(
    () => (window as unknown as SignlineWindow).signline.shares()?.views.find((view) => !view.own && view.videoHeight > 0)?.producerId ?? null,
    { timeout: 30_000 },
  );
  return (await handle.jsonValue()) as string;
}

/**
 * The agent moves its pointer over the shared screen, one position every 50 ms along a diagonal sweep, and each
 * position the customer's page draws is matched to the one sent: the time from the pointer event to the drawing.
 */
async function pointerPass(agent: Page, customer: Page, producerId: string, moves: number): Promise<{ latencies: number[]; arrivals: number[]; lost: number }> {
  const canvas = (await agent.$('.share canvas.annotations'))!;
  await canvas.scrollIntoView();
  const box = (await canvas.boundingBox())!;
  for (let i = 0; i < moves; i++) {
    const f = (i + 1) / (moves + 1);
    await agent.mouse.move(box.x + box.width * (0.1 + 0.8 * f), box.y + box.height * (0.2 + 0.6 * ((i * 7) % moves) / moves));
    await sleep(POINTER_INTERVAL_MS);
  }
  await sleep(500);
  const [sent, drawn] = await Promise.all([agent, customer].map((page) => page.evaluate(() => (window as unknown as SignlineWindow).signline.shares())));
  const drawnAt = new Map((drawn?.pointersDrawn ?? []).filter((p) => p.target === producerId).map((p) => [p.at.join(','), p]));
  const latencies: number[] = [];
  const arrivals: number[] = [];
  let lost = 0;
  for (const position of (sent?.pointersSent ?? []).filter((p) => p.target === producerId)) {
    const seen = drawnAt.get(position.at.join(','));
    if (seen === undefined) lost++;
    else {
      latencies.push(seen.time - position.time);
      if (seen.arrived !== undefined) arrivals.push(seen.arrived - position.time);
    }
  }
  return { latencies, arrivals, lost };
}

interface StepSample {
  sinceStartMs: number;
  signerFps: number;
  screenHeight: number;
  screenFps: number;
}

/** Reads the agent's receive figures every second for `stepMs`: the signer's camera and the shared screen. */
async function sampleFor(agent: Page, stepMs: number): Promise<StepSample[]> {
  const read = () =>
    agent.evaluate(async () => {
      const s = (window as unknown as SignlineWindow).signline;
      const [stats, shares] = await Promise.all([s.receiveStats(), s.shareStats()]);
      return { at: performance.now(), frames: stats?.video?.framesDecoded ?? 0, share: shares[0] ?? null };
    });
  const started = Date.now();
  const samples: StepSample[] = [];
  let before = await read();
  while (Date.now() - started < stepMs) {
    await sleep(1000);
    const now = await read();
    const seconds = (now.at - before.at) / 1000;
    // A camera whose counters went back is a new receiver; that second is not counted.
    if (now.frames >= before.frames) {
      samples.push({
        sinceStartMs: Date.now() - started,
        signerFps: (now.frames - before.frames) / seconds,
        screenHeight: now.share?.frameHeight ?? 0,
        screenFps: now.share && before.share ? Math.max(0, (now.share.framesDecoded - before.share.framesDecoded) / seconds) : 0,
      });
    }
    before = now;
  }
  return samples;
}

/** The shared screen's video on a page (received, or the sender's own preview) scaled to the shared size, as PNG bytes. */
async function captureShare(page: Page, own: boolean): Promise<Buffer> {
  const dataUrl = await page.evaluate(
    (wantOwn, size) => {
      const figure = [...document.querySelectorAll<HTMLElement>('.share')].find((element) => (element.querySelector<HTMLElement>('figcaption > span')?.dataset.i18n === 'share.own') === wantOwn);
      const video = figure?.querySelector('video');
      if (!video || video.videoWidth === 0) return null;
      const canvas = Object.assign(document.createElement('canvas'), size);
      const context = canvas.getContext('2d')!;
      context.imageSmoothingQuality = 'high';
      context.drawImage(video, 0, 0, size.width, size.height);
      return canvas.toDataURL('image/png');
    },
    own,
    { ...SCREEN_SIZE },
  );
  if (!dataUrl) throw new Error(`no ${own ? 'sent' : 'received'} screen to capture`);
  return Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
}
