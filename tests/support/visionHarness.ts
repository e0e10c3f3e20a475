import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll } from 'vitest';
import type { Config } from '../../server/config.js';
import { launchChromium } from './chromium.js';
import type { VisionTestApi } from './visionPage.js';

const pageEntry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'visionPage.ts');
let bundle: Promise<string> | null = null;

/** The browser side of the vision tests, bundled once per process with the app's own bundler. */
function visionBundle(): Promise<string> {
  bundle ??= build({ entryPoints: [pageEntry], bundle: true, format: 'iife', platform: 'browser', target: 'es2022', write: false, logLevel: 'warning' }).then(
    (result) => result.outputFiles[0]!.text,
  );
  return bundle;
}

/** Fails with the fix when setup has not built the models the server is to serve. */
export function requireVisionModels(config: Config): void {
  const missing = ['hand_landmarker.task', 'face_detector.tflite'].map((file) => path.join(config.VISION_MODEL_DIR, file)).filter((file) => !existsSync(file));
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}: run "npm run setup"`);
}

/**
 * Opens a page on the real server's origin (so /vision/wasm and /vision/models are fetched from it, as the app's
 * pages do) and installs the test API of visionPage.ts as `window.visionTest`.
 */
export async function openVisionPage(browser: Browser, serverUrl: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (error) => process.stderr.write(`[vision page] ${String(error)}\n`));
  page.on('console', (message) => {
    if (message.type() === 'error') process.stderr.write(`[vision page] ${message.text()}\n`);
  });
  await page.goto(`${serverUrl}/healthz`);
  await page.setContent('<!doctype html><html><head><meta charset="utf-8"><title>vision test</title></head><body></body></html>');
  await page.addScriptTag({ content: await visionBundle() });
  await page.waitForFunction(() => 'visionTest' in window);
  return page;
}

/**
 * Chromium flags for pages that run MediaPipe: it converts frames with WebGL even on the CPU delegate, and headless
 * Chromium without a GPU has only SwiftShader, whose automatic fallback is deprecated.
 */
export const VISION_CHROMIUM_ARGS = ['--enable-unsafe-swiftshader'];

/**
 * Launches Chromium for MediaPipe with `video` as its camera before the enclosing suite and closes it (and its
 * pages) after. Read `browser` inside tests, not at suite definition time.
 */
export function chromiumPerSuite(video: string): { browser: Browser } {
  const suite = {} as { browser: Browser };
  beforeAll(async () => {
    suite.browser = await launchChromium(video, VISION_CHROMIUM_ARGS);
  });
  afterAll(async () => {
    await suite.browser?.close();
  });
  return suite;
}
