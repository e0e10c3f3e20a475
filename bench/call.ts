// bench:call: ten calls in a row through the product and ten bare mediasoup pairs, in one run.
// Prints one JSON line per figure, then a short table. Figures are measured, never asserted.
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'puppeteer-core';
import { loadConfig } from '../server/config.js';
import { CallDriver } from '../tests/support/CallDriver.js';
import { launchChromium } from '../tests/support/chromium.js';
import { startTestServer, TEST_PASSWORD, testAgent } from '../tests/support/testServer.js';
import { BARE_DIR, startBareServer } from './bare/bareServer.js';
import { emit, quantile, round1 } from './stats.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 10);
const FPS_AT_MS = 5000;
const FPS_WINDOW_MS = 1000;

async function productCalls(browser: Browser): Promise<{ acceptToFrame: number[]; fps: number[]; heights: number[]; coldCall: number }> {
  const server = await startTestServer([testAgent('bench', ['csl'])], { MEDIASOUP_WORKERS: 1 });
  const driver = await CallDriver.open(browser, server.url);
  const acceptToFrame: number[] = [];
  const fps: number[] = [];
  const heights: number[] = [];
  let coldCall = Number.NaN;
  try {
    await driver.agentReady('bench', TEST_PASSWORD);
    // Call 0 is the warm-up (Chromium's codecs, the server's JIT); it is reported on its own, not counted.
    for (let i = 0; i <= CALLS; i++) {
      if (i > 0) {
        await driver.customer.reload();
        await driver.agent.waitForSelector('#status-label[data-status=available]');
      }
      await driver.customerJoins('csl');
      const acceptedAt = await driver.agentAccepts();
      const firstFrameAt = await driver.firstFrameAt(driver.customer);
      if (i === 0) {
        coldCall = firstFrameAt - acceptedAt;
        process.stderr.write(`product warm-up call: accept->first frame ${coldCall} ms\n`);
        await driver.agentHangsUp();
        continue;
      }
      acceptToFrame.push(firstFrameAt - acceptedAt);
      await driver.customer.waitForFunction((until) => Date.now() >= until, { polling: 100 }, firstFrameAt + FPS_AT_MS - FPS_WINDOW_MS);
      const seen = await driver.measure(driver.customer, FPS_WINDOW_MS);
      fps.push(seen.fps);
      heights.push(seen.height);
      process.stderr.write(`product call ${i}/${CALLS}: accept->first frame ${firstFrameAt - acceptedAt} ms, ${round1(seen.fps)} fps, ${seen.height} lines\n`);
      await driver.agentHangsUp();
    }
  } finally {
    await driver.close();
    await server.close();
  }
  return { acceptToFrame, fps, heights, coldCall };
}

async function barePairs(browser: Browser): Promise<{ times: number[]; coldPair: number }> {
  const pageDir = path.resolve('bench/out/bare');
  await mkdir(pageDir, { recursive: true });
  await build({ entryPoints: [path.join(BARE_DIR, 'barePage.ts')], outfile: path.join(pageDir, 'barePage.js'), bundle: true, format: 'esm', logLevel: 'warning' });
  await copyFile(path.join(BARE_DIR, 'bare.html'), path.join(pageDir, 'index.html'));
  const config = loadConfig({});
  const server = await startBareServer({ workerBin: config.MEDIASOUP_WORKER_BIN, pageDir, initialAvailableOutgoingBitrate: config.MEDIA_INITIAL_BITRATE });
  const times: number[] = [];
  let coldPair = Number.NaN;
  try {
    // Pair 0 is the warm-up, as for the product.
    for (let i = 0; i <= CALLS; i++) {
      const [sender, receiver] = await Promise.all([openPage(browser, server.url), openPage(browser, server.url)]);
      const pair = `pair-${i}`;
      const producerId = await sender.evaluate((p) => (window as unknown as { bare: { produce(p: string): Promise<string> } }).bare.produce(p), pair);
      const timing = await receiver.evaluate(
        (p, id) => (window as unknown as { bare: { consume(p: string, id: string): Promise<{ requestedAt: number; firstFrameAt: number }> } }).bare.consume(p, id),
        pair,
        producerId,
      );
      if (i === 0) coldPair = timing.firstFrameAt - timing.requestedAt;
      else times.push(timing.firstFrameAt - timing.requestedAt);
      process.stderr.write(`bare pair ${i}/${CALLS}${i === 0 ? ' (warm-up)' : ''}: consume->first frame ${timing.firstFrameAt - timing.requestedAt} ms\n`);
      await Promise.all([sender.browserContext().close(), receiver.browserContext().close()]);
    }
  } finally {
    await server.close();
  }
  return { times, coldPair };
}

async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await (await browser.createBrowserContext()).newPage();
  await page.goto(url);
  await page.waitForFunction(() => 'bare' in window);
  return page;
}

const browser = await launchChromium();
try {
  const product = await productCalls(browser);
  const { times: bare, coldPair } = await barePairs(browser);
  const rows = [
    { bench: 'call', metric: 'accept_to_first_frame_ms', variant: 'product', p50: quantile(product.acceptToFrame, 0.5), p95: quantile(product.acceptToFrame, 0.95), n: product.acceptToFrame.length },
    { bench: 'call', metric: 'accept_to_first_frame_ms', variant: 'bare', p50: quantile(bare, 0.5), p95: quantile(bare, 0.95), n: bare.length },
    { bench: 'call', metric: 'received_fps', variant: 'product', p50: round1(quantile(product.fps, 0.5)), min: round1(Math.min(...product.fps)) },
    { bench: 'call', metric: 'received_height', variant: 'product', min: Math.min(...product.heights) },
    { bench: 'call', metric: 'warmup_first_frame_ms', variant: 'product', value: product.coldCall },
    { bench: 'call', metric: 'warmup_first_frame_ms', variant: 'bare', value: coldPair },
  ];
  rows.forEach(emit);
  const [p, b] = rows;
  console.log('\nmetric                          variant   p50     p95');
  console.log(`accept_to_first_frame_ms        product   ${String(p!.p50).padEnd(7)} ${p!.p95}`);
  console.log(`accept_to_first_frame_ms        bare      ${String(b!.p50).padEnd(7)} ${b!.p95}`);
  console.log(`product p95 / bare p95 = ${round1(Number(p!.p95) / Number(b!.p95))}x; customer fps p50 ${rows[2]!.p50}, min ${rows[2]!.min}; min height ${rows[3]!.min}`);
} finally {
  await browser.close();
}
