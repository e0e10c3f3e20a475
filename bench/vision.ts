// bench:vision: MediaPipe hand tracking in Chromium on the moving-hand clip (640x480, 30 fps fake camera), at the
// rate the customer page runs it (client/src/vision/visionOptions.ts) and, for reference, with its caps lifted.
// Per run, on a fresh page: the camera's frame rate without vision, then each rate in turn after a warm-up. The run
// is repeated BENCH_VISION_RUNS times; each figure prints its median over the runs and the spread (min, max).
// One JSON line per figure, then a table. Measured, never asserted.
import type { Browser, Page } from 'puppeteer-core';
import type { VisionStats } from '../client/src/vision/VisionMonitor.js';
import { FIXTURE_VIDEO, launchChromium } from '../tests/support/chromium.js';
import { openVisionPage, VISION_CHROMIUM_ARGS } from '../tests/support/visionHarness.js';
import type { MonitorRate, VisionTestApi } from '../tests/support/visionPage.js';
import { startTestServer, testAgent } from '../tests/support/testServer.js';
import { emit, median, quantile, round1 } from './stats.js';

const WINDOW_MS = Number(process.env.BENCH_VISION_MS ?? 5000);
const RUNS = Number(process.env.BENCH_VISION_RUNS ?? 3);
/** The first frames pay for wasm warm-up and XNNPACK weight packing; they are not the steady-state cost. */
const WARM_UP_FRAMES = 10;
const RATES = ['product', 'max'] as const satisfies readonly MonitorRate[];
type Rate = (typeof RATES)[number];
const RATE_LABEL: Record<Rate, string> = { product: 'product_rate', max: 'max_rate' };

/** What one rate measured in one run. */
interface RateFigures {
  handMsP50: number;
  handMsP95: number;
  faceMsP50: number;
  analysedPerSec: number;
  /** Hand and face inference time over wall time, in percent. */
  inferenceSharePct: number;
  videoFps: number;
}

type TestWindow = { visionTest: VisionTestApi };
const openCamera = (page: Page) => page.evaluate(() => (window as unknown as TestWindow).visionTest.openCamera());
const measureFps = (page: Page, ms: number) => page.evaluate((w) => (window as unknown as TestWindow).visionTest.measureFps(w), ms);
const startMonitor = (page: Page, rate: Rate) => page.evaluate((r) => (window as unknown as TestWindow).visionTest.startMonitor(r), rate);
const stopMonitor = (page: Page) => page.evaluate(() => (window as unknown as TestWindow).visionTest.stopMonitor());
const statsCount = (page: Page) => page.evaluate(() => (window as unknown as TestWindow).visionTest.log.stats.length);
const statsSince = (page: Page, from: number) => page.evaluate((f) => (window as unknown as TestWindow).visionTest.log.stats.slice(f), from) as Promise<VisionStats[]>;
const monitorError = (page: Page) => page.evaluate(() => (window as unknown as TestWindow).visionTest.log.error);

async function measureRate(page: Page, rate: Rate): Promise<RateFigures> {
  await startMonitor(page, rate);
  const warmedAt = (await statsCount(page)) + WARM_UP_FRAMES;
  await page.waitForFunction((n) => (window as unknown as TestWindow).visionTest.log.stats.length >= n, { timeout: 60_000, polling: 50 }, warmedAt);
  const from = await statsCount(page);
  const startedAt = Date.now();
  const videoFps = await measureFps(page, WINDOW_MS);
  const wallMs = Date.now() - startedAt;
  const stats = await statsSince(page, from);
  const error = await monitorError(page);
  if (error) throw new Error(`vision stopped at the ${rate} rate: ${error}`);
  await stopMonitor(page);
  const handMs = stats.map((s) => s.handMs);
  const faceMs = stats.flatMap((s) => (s.faceMs === null ? [] : [s.faceMs]));
  const busyMs = stats.reduce((sum, s) => sum + s.handMs + (s.faceMs ?? 0), 0);
  return {
    handMsP50: quantile(handMs, 0.5),
    handMsP95: quantile(handMs, 0.95),
    faceMsP50: quantile(faceMs, 0.5),
    analysedPerSec: stats.length / (wallMs / 1000),
    inferenceSharePct: (100 * busyMs) / wallMs,
    videoFps,
  };
}

/** One run on a fresh page: the camera alone, then each rate. */
async function run(browser: Browser, serverUrl: string): Promise<{ fpsWithout: number; rates: Record<Rate, RateFigures> }> {
  const page = await openVisionPage(browser, serverUrl);
  try {
    await openCamera(page);
    const fpsWithout = await measureFps(page, WINDOW_MS);
    const rates = {} as Record<Rate, RateFigures>;
    for (const rate of RATES) rates[rate] = await measureRate(page, rate);
    return { fpsWithout, rates };
  } finally {
    await page.close();
  }
}

const server = await startTestServer([testAgent('bench')], { MEDIASOUP_WORKERS: 1 });
const browser = await launchChromium(FIXTURE_VIDEO, VISION_CHROMIUM_ARGS);
const runs: Awaited<ReturnType<typeof run>>[] = [];
try {
  for (let i = 1; i <= RUNS; i++) {
    const result = await run(browser, server.url);
    runs.push(result);
    const line = RATES.map((rate) => {
      const r = result.rates[rate];
      return `${rate}: hand ${round1(r.handMsP50)} ms, ${round1(r.analysedPerSec)}/s, ${round1(r.inferenceSharePct)}% busy, ${round1(r.videoFps)} fps`;
    });
    process.stderr.write(`vision run ${i}/${RUNS}: ${round1(result.fpsWithout)} fps without vision; ${line.join('; ')}\n`);
  }
} finally {
  await browser.close();
  await server.close();
}

/** Median and spread of one figure over the runs. */
function overRuns(values: number[]): { median: number; min: number; max: number; runs: number; per_run: string } {
  return { median: round1(median(values)), min: round1(Math.min(...values)), max: round1(Math.max(...values)), runs: values.length, per_run: values.map(round1).join(',') };
}

const figures: [string, keyof RateFigures][] = [
  ['hand_inference_ms_p50', 'handMsP50'],
  ['hand_inference_ms_p95', 'handMsP95'],
  ['face_inference_ms_p50', 'faceMsP50'],
  ['analysed_per_sec', 'analysedPerSec'],
  ['inference_share_pct', 'inferenceSharePct'],
  ['video_fps_with_vision', 'videoFps'],
];
const rows: Record<string, string | number | undefined>[] = [{ bench: 'vision', metric: 'video_fps_without_vision', ...overRuns(runs.map((r) => r.fpsWithout)) }];
for (const rate of RATES) {
  for (const [metric, key] of figures) rows.push({ bench: 'vision', metric, variant: RATE_LABEL[rate], window_ms: WINDOW_MS, ...overRuns(runs.map((r) => r.rates[rate][key])) });
}
rows.forEach(emit);

const cell = (row: Record<string, string | number | undefined> | undefined) => (row ? `${row.median} [${row.min}-${row.max}]` : '-').padEnd(24);
const find = (metric: string, variant?: string) => rows.find((row) => row.metric === metric && row.variant === variant);
console.log(`\nmedian [min-max] of ${runs.length} runs, ${WINDOW_MS / 1000} s windows`);
console.log(`${'figure'.padEnd(26)}${'product rate (3/s, 20%)'.padEnd(24)}max rate (uncapped)`);
for (const [metric] of figures) console.log(`${metric.padEnd(26)}${cell(find(metric, RATE_LABEL.product))}${cell(find(metric, RATE_LABEL.max))}`);
console.log(`${'video_fps_without_vision'.padEnd(26)}${cell(find('video_fps_without_vision'))}`);
