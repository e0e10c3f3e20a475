// bench:call: from the agent's accept click to the customer's first decoded frame of the agent, through the product
// and through a bare mediasoup call written the way mediasoup-demo writes one (bench/bare), interleaved: one warm-up
// call of each, then BENCH_CALLS of each, product and bare in turn. Every call opens a fresh browser context for each
// of its two pages, and on both sides the agent's camera flows into the SFU before the accept. Prints one JSON line
// per figure, then a table. Figures are measured, never asserted; a call that fails is reported and the run goes on.
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import type { OutboundVideo } from '../client/src/media/qualitySample.js';
import { loadConfig } from '../server/config.js';
import { CallDriver } from '../tests/support/CallDriver.js';
import { launchChromium } from '../tests/support/chromium.js';
import { startTestServer, TEST_PASSWORD, testAgent } from '../tests/support/testServer.js';
import { BARE_DIR, startBareServer } from './bare/bareServer.js';
import { emit, quantile, round1 } from './stats.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 10);
/** When, after the first frame, the received frame rate and height are read, and over how long. */
const FPS_AT_MS = 5000;
const FPS_WINDOW_MS = 1000;
/** Before the accept, every encoding of the agent's camera has sent this many frames (about a second's worth)... */
const AGENT_CAMERA_FRAMES = 30;
/** ...or this long has passed since the wait began; then the call goes on and says how many were sending. */
const AGENT_CAMERA_TIMEOUT_MS = 15_000;
const FIRST_FRAME_TIMEOUT_MS = 20_000;

type Variant = 'product' | 'bare';

/** What one call measured. */
interface CallFigures {
  acceptToFrameMs: number;
  /** Decoded frames per second over FPS_WINDOW_MS, FPS_AT_MS after the first frame. */
  fps: number;
  height: number;
  /** The agent's camera at the accept: encodings that had sent frames, of all it has. */
  agentLayers: string;
}

/** The diagnostics object a page exposes: the product's `window.signline`, the bare page's `window.bare`. */
type PageApi = 'signline' | 'bare';
interface PageDiagnostics {
  firstRemoteFrameAt: number | null;
  error?: string | null;
  receiveStats(): Promise<{ video: { framesDecoded: number; frameHeight: number } | null } | null>;
  sendStats(): Promise<OutboundVideo[]>;
}

/** One call through the product: the agent signs in (its station sends the camera), the customer asks, the agent accepts. */
async function productCall(browser: Browser, url: string): Promise<CallFigures> {
  const driver = await CallDriver.open(browser, url);
  try {
    await driver.agentReady('bench', TEST_PASSWORD);
    const agentLayers = await untilCameraFlows(driver.agent, 'signline');
    await driver.customerJoins('csl');
    const acceptedAt = await driver.agentAccepts();
    const firstFrameAt = await firstRemoteFrameAt(driver.customer, 'signline');
    const { fps, height } = await decodedLater(driver.customer, 'signline', firstFrameAt);
    await driver.agentHangsUp();
    return { acceptToFrameMs: firstFrameAt - acceptedAt, fps, height, agentLayers };
  } finally {
    await driver.close();
  }
}

/** One bare call in a room of its own: the agent's page joins and sends, the customer's page waits, the agent accepts. */
async function bareCall(browser: Browser, url: string, roomId: string): Promise<CallFigures> {
  const contexts: BrowserContext[] = [];
  const page = async (role: 'agent' | 'customer') => {
    const context = await browser.createBrowserContext();
    contexts.push(context);
    const opened = await context.newPage();
    await opened.goto(`${url}/?roomId=${roomId}&role=${role}`);
    const handle = await opened.waitForFunction(() => {
      const bare = (window as unknown as { bare?: PageDiagnostics & { ready: boolean } }).bare;
      return bare && (bare.ready || bare.error) ? { error: bare.error ?? null } : null;
    }, { timeout: 30_000, polling: 50 });
    const { error } = (await handle.jsonValue())!;
    if (error) throw new Error(`bare ${role} page: ${error}`);
    return opened;
  };
  try {
    const agent = await page('agent');
    const agentLayers = await untilCameraFlows(agent, 'bare');
    const customer = await page('customer');
    await agent.waitForSelector('#accept:not([disabled])');
    const acceptedAt = Date.now();
    await agent.click('#accept');
    const firstFrameAt = await firstRemoteFrameAt(customer, 'bare');
    const { fps, height } = await decodedLater(customer, 'bare', firstFrameAt);
    return { acceptToFrameMs: firstFrameAt - acceptedAt, fps, height, agentLayers };
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
  }
}

/**
 * Waits until every encoding of the page's outgoing camera has sent AGENT_CAMERA_FRAMES frames, at most
 * AGENT_CAMERA_TIMEOUT_MS; returns "sending/all" encodings at that moment.
 */
async function untilCameraFlows(page: Page, api: PageApi): Promise<string> {
  const handle = await page.waitForFunction(
    async (name: PageApi, frames: number, timeoutMs: number) => {
      const self = window as unknown as Record<string, PageDiagnostics> & { benchSince?: number };
      self.benchSince ??= Date.now();
      const encodings = await self[name]!.sendStats();
      const sending = encodings.filter((encoding) => encoding.framesSent > 0).length;
      const flowing = encodings.length > 0 && encodings.every((encoding) => encoding.framesSent >= frames);
      return flowing || Date.now() - self.benchSince > timeoutMs ? `${sending}/${encodings.length}` : null;
    },
    { polling: 100, timeout: AGENT_CAMERA_TIMEOUT_MS + 10_000 },
    api,
    AGENT_CAMERA_FRAMES,
    AGENT_CAMERA_TIMEOUT_MS,
  );
  return (await handle.jsonValue()) as string;
}

/** Epoch ms of the page's first presented remote frame (requestVideoFrameCallback on its remote video element). */
async function firstRemoteFrameAt(page: Page, api: PageApi): Promise<number> {
  const handle = await page.waitForFunction(
    (name: PageApi) => {
      const diagnostics = (window as unknown as Record<string, PageDiagnostics>)[name]!;
      return diagnostics.firstRemoteFrameAt ?? (diagnostics.error ? { error: diagnostics.error } : null);
    },
    { polling: 10, timeout: FIRST_FRAME_TIMEOUT_MS },
    api,
  );
  const value = (await handle.jsonValue()) as number | { error: string };
  if (typeof value !== 'number') throw new Error(`the customer's page failed: ${value.error}`);
  return value;
}

/** The received video FPS_AT_MS after the first frame: decoded frames per second over FPS_WINDOW_MS, and its height. */
async function decodedLater(page: Page, api: PageApi, firstFrameAt: number): Promise<{ fps: number; height: number }> {
  await page.waitForFunction((until: number) => Date.now() >= until, { polling: 100, timeout: FPS_AT_MS + 10_000 }, firstFrameAt + FPS_AT_MS - FPS_WINDOW_MS);
  return page.evaluate(
    async (name: PageApi, windowMs: number) => {
      const diagnostics = (window as unknown as Record<string, PageDiagnostics>)[name]!;
      const before = (await diagnostics.receiveStats())?.video;
      const startedAt = performance.now();
      await new Promise((resolve) => setTimeout(resolve, windowMs));
      const after = (await diagnostics.receiveStats())?.video;
      const seconds = (performance.now() - startedAt) / 1000;
      return { fps: ((after?.framesDecoded ?? 0) - (before?.framesDecoded ?? 0)) / seconds, height: after?.frameHeight ?? 0 };
    },
    api,
    FPS_WINDOW_MS,
  );
}

/** Builds the bare page with the app's bundler settings (scripts/build-client.mjs) into bench/out/bare. */
async function buildBarePage(): Promise<string> {
  const pageDir = path.resolve('bench/out/bare');
  await mkdir(pageDir, { recursive: true });
  await build({
    entryPoints: [path.join(BARE_DIR, 'barePage.ts')],
    outfile: path.join(pageDir, 'barePage.js'),
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    minify: true,
    logLevel: 'warning',
  });
  await copyFile(path.join(BARE_DIR, 'bare.html'), path.join(pageDir, 'index.html'));
  return pageDir;
}

/** p50, p95, min, max and n of a sample, for one JSON line. */
function summary(values: number[]): { p50: number; p95: number; min: number; max: number; n: number } {
  return {
    p50: round1(quantile(values, 0.5)),
    p95: round1(quantile(values, 0.95)),
    min: round1(values.length ? Math.min(...values) : Number.NaN),
    max: round1(values.length ? Math.max(...values) : Number.NaN),
    n: values.length,
  };
}

const config = loadConfig({});
const pageDir = await buildBarePage();
const product = await startTestServer([testAgent('bench', ['csl'])], { MEDIASOUP_WORKERS: 1 });
const bare = await startBareServer({
  workerBin: config.MEDIASOUP_WORKER_BIN,
  pageDir,
  listenIp: config.MEDIA_LISTEN_IP,
  rtcMinPort: config.RTC_MIN_PORT,
  rtcMaxPort: config.RTC_MAX_PORT,
  initialAvailableOutgoingBitrate: config.MEDIA_INITIAL_BITRATE,
});
const browser = await launchChromium();
const results: Record<Variant, CallFigures[]> = { product: [], bare: [] };
const warmUp: Partial<Record<Variant, number>> = {};
const failures: Record<Variant, string[]> = { product: [], bare: [] };
try {
  // Call 0 of each is the warm-up (Chromium's codecs, both servers' JIT); it is reported on its own, not counted.
  for (let call = 0; call <= CALLS; call++) {
    for (const variant of ['product', 'bare'] as const) {
      const label = call === 0 ? `${variant} warm-up call` : `${variant} call ${call}/${CALLS}`;
      try {
        const figures = variant === 'product' ? await productCall(browser, product.url) : await bareCall(browser, bare.url, `call-${call}`);
        if (call === 0) warmUp[variant] = figures.acceptToFrameMs;
        else results[variant].push(figures);
        process.stderr.write(
          `${label}: accept->first frame ${figures.acceptToFrameMs} ms; ${round1(figures.fps)} fps, ${figures.height} lines after ${FPS_AT_MS / 1000} s; agent layers sending at accept ${figures.agentLayers}\n`,
        );
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures[variant].push(`${call}: ${message}`);
        process.stderr.write(`${label} FAILED: ${message}\n`);
      }
    }
  }
} finally {
  await browser.close();
  await Promise.all([product.close(), bare.close()]);
}

const rows: Record<string, string | number | undefined>[] = [];
for (const variant of ['product', 'bare'] as const) {
  const calls = results[variant];
  rows.push({ bench: 'call', metric: 'accept_to_first_frame_ms', variant, ...summary(calls.map((c) => c.acceptToFrameMs)) });
  rows.push({ bench: 'call', metric: 'received_fps', variant, at_s: FPS_AT_MS / 1000, ...summary(calls.map((c) => c.fps)) });
  rows.push({ bench: 'call', metric: 'received_height', variant, at_s: FPS_AT_MS / 1000, ...summary(calls.map((c) => c.height)) });
  rows.push({ bench: 'call', metric: 'warmup_accept_to_first_frame_ms', variant, value: warmUp[variant] });
  rows.push({ bench: 'call', metric: 'failed_calls', variant, value: failures[variant].length, of: CALLS + 1 });
}
rows.forEach(emit);

const figure = (variant: Variant, metric: string) => rows.find((row) => row.variant === variant && row.metric === metric)!;
const cell = (value: unknown, width: number) => String(value ?? '-').padEnd(width);
console.log(`\n${cell('metric', 34)}${cell('variant', 9)}${cell('p50', 8)}${cell('p95', 8)}${cell('min', 8)}${cell('max', 8)}n`);
for (const metric of ['accept_to_first_frame_ms', 'received_fps', 'received_height']) {
  for (const variant of ['product', 'bare'] as const) {
    const row = figure(variant, metric);
    console.log(`${cell(metric, 34)}${cell(variant, 9)}${cell(row.p50, 8)}${cell(row.p95, 8)}${cell(row.min, 8)}${cell(row.max, 8)}${row.n}`);
  }
}
const p50 = (variant: Variant) => Number(figure(variant, 'accept_to_first_frame_ms').p50);
console.log(
  `warm-up calls: product ${warmUp.product ?? 'failed'} ms, bare ${warmUp.bare ?? 'failed'} ms; failed calls: product ${failures.product.length}, bare ${failures.bare.length}; ` +
    `product p50 / bare p50 = ${round1(p50('product') / p50('bare'))}x (${CALLS} interleaved calls each)`,
);
for (const variant of ['product', 'bare'] as const) for (const failure of failures[variant]) console.log(`failed ${variant} call ${failure}`);
console.log("the figures 5 s in include the product customer's in-call vision monitor (client/src/pages/customer.ts); the bare page runs none");
