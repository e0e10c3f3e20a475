// bench:vision: MediaPipe hand tracking in Chromium on the moving-hand clip (640x480, 30 fps fake camera).
// Prints one JSON line per figure, then a short table: per-frame inference cost, how many frames get analysed, and
// the frame rate of the camera's video element without and with vision running. Measured, never asserted.
import type { Page } from 'puppeteer-core';
import type { VisionStats } from '../client/src/vision/VisionMonitor.js';
import { FIXTURE_VIDEO, launchChromium } from '../tests/support/chromium.js';
import { openVisionPage, VISION_CHROMIUM_ARGS } from '../tests/support/visionHarness.js';
import type { VisionTestApi } from '../tests/support/visionPage.js';
import { startTestServer, testAgent } from '../tests/support/testServer.js';
import { emit, quantile, round1 } from './stats.js';

const WINDOW_MS = Number(process.env.BENCH_VISION_MS ?? 5000);
const WARM_UP_FRAMES = 10;

const measureFps = (page: Page, ms: number) => page.evaluate((w) => (window as unknown as { visionTest: VisionTestApi }).visionTest.measureFps(w), ms);
const statsCount = (page: Page) => page.evaluate(() => (window as unknown as { visionTest: VisionTestApi }).visionTest.log.stats.length);
const statsSince = (page: Page, from: number) =>
  page.evaluate((f) => (window as unknown as { visionTest: VisionTestApi }).visionTest.log.stats.slice(f), from) as Promise<VisionStats[]>;

const server = await startTestServer([testAgent('bench')], { MEDIASOUP_WORKERS: 1 });
const browser = await launchChromium(FIXTURE_VIDEO, VISION_CHROMIUM_ARGS);
try {
  const page = await openVisionPage(browser, server.url);
  await page.evaluate(() => (window as unknown as { visionTest: VisionTestApi }).visionTest.openCamera());
  const fpsWithout = await measureFps(page, WINDOW_MS);

  await page.evaluate(() => (window as unknown as { visionTest: VisionTestApi }).visionTest.startMonitor());
  // The first frames pay for wasm warm-up and XNNPACK weight packing; they are not the steady-state cost.
  await page.waitForFunction((n) => (window as unknown as { visionTest: VisionTestApi }).visionTest.log.stats.length >= n, { timeout: 60_000, polling: 50 }, WARM_UP_FRAMES);
  const from = await statsCount(page);
  const startedAt = Date.now();
  const fpsWith = await measureFps(page, WINDOW_MS);
  const seconds = (Date.now() - startedAt) / 1000;
  const stats = await statsSince(page, from);
  const handMs = stats.map((s) => s.handMs);
  const faceMs = stats.flatMap((s) => (s.faceMs === null ? [] : [s.faceMs]));
  const error = await page.evaluate(() => (window as unknown as { visionTest: VisionTestApi }).visionTest.log.error);
  if (error) throw new Error(`vision stopped: ${error}`);

  const rows = [
    { bench: 'vision', metric: 'inference_ms', p50: round1(quantile(handMs, 0.5)), p95: round1(quantile(handMs, 0.95)), n: handMs.length },
    { bench: 'vision', metric: 'face_inference_ms', p50: round1(quantile(faceMs, 0.5)), p95: round1(quantile(faceMs, 0.95)), n: faceMs.length },
    { bench: 'vision', metric: 'analysed_per_sec', value: round1(stats.length / seconds) },
    { bench: 'vision', metric: 'video_fps', variant: 'without_vision', value: round1(fpsWithout) },
    { bench: 'vision', metric: 'video_fps', variant: 'with_vision', value: round1(fpsWith) },
  ];
  rows.forEach(emit);
  console.log('\nmetric                  p50     p95     n / value');
  console.log(`hand inference ms       ${String(rows[0]!.p50).padEnd(7)} ${String(rows[0]!.p95).padEnd(7)} ${rows[0]!.n}`);
  console.log(`face inference ms       ${String(rows[1]!.p50).padEnd(7)} ${String(rows[1]!.p95).padEnd(7)} ${rows[1]!.n}`);
  console.log(`frames analysed per s                   ${rows[2]!.value}`);
  console.log(`video fps without / with vision         ${rows[3]!.value} / ${rows[4]!.value}`);
} finally {
  await browser.close();
  await server.close();
}
