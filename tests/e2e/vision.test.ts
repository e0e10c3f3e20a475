import { readFileSync } from 'node:fs';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import type { RunningServer } from '../../server/createServer.js';
import { FramingHint } from '../../client/src/vision/FramingCheck.js';
import { SigningState } from '../../client/src/vision/SigningDetector.js';
import { FIXTURE_STILL_VIDEO, FIXTURE_VIDEO } from '../support/chromium.js';
import { chromiumPerSuite, openVisionPage, requireVisionModels } from '../support/visionHarness.js';
import type { PhotoResult, VisionTestApi } from '../support/visionPage.js';
import { startTestServer, testAgent } from '../support/testServer.js';

const HAND_PHOTO = '/usr/share/doc/opencv-doc/opencv4/html/handSrc.jpg';
const FACE_PHOTO = '/usr/share/doc/opencv-doc/opencv4/html/face_swapped.jpg';

const dataUrl = (file: string) => `data:image/jpeg;base64,${readFileSync(file).toString('base64')}`;

function analysePhoto(page: Page, file: string): Promise<PhotoResult> {
  return page.evaluate((url) => (window as unknown as { visionTest: VisionTestApi }).visionTest.analysePhoto(url), dataUrl(file));
}

describe('MediaPipe in Chromium, with the wasm runtime and models served offline by the real server', () => {
  let server: RunningServer;

  beforeAll(async () => {
    requireVisionModels(loadConfig({}));
    server = await startTestServer([testAgent('vision')]);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('serves the wasm runtime as application/wasm and the model bundle, and answers 404 for a model it does not have', async () => {
    const wasm = await fetch(`${server.url}/vision/wasm/vision_wasm_internal.wasm`, { method: 'HEAD' });
    expect(wasm.status).toBe(200);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    const bundle = await fetch(`${server.url}/vision/models/hand_landmarker.task`);
    expect(bundle.status).toBe(200);
    // A zip (the .task bundle) whose first entry is the palm detector.
    const bytes = Buffer.from(await bundle.arrayBuffer());
    expect(bytes.readUInt32LE(0)).toBe(0x04034b50);
    expect(bytes.toString('utf8', 30, 30 + bytes.readUInt16LE(26))).toBe('hand_detector.tflite');
    const missing = await fetch(`${server.url}/vision/models/pose_landmarker.task`);
    expect(missing.status).toBe(404);
    await expect(missing.json()).resolves.toMatchObject({ ok: false, error: { code: expect.any(String) } });
  });

  describe('with the moving-hand clip as camera', () => {
    const chromium = chromiumPerSuite(FIXTURE_VIDEO);

    it('finds 21 landmarks on the real hand photo from opencv-doc, and no face in it', async () => {
      const page = await openVisionPage(chromium.browser, server.url);
      const result = await analysePhoto(page, HAND_PHOTO);
      expect(result.landmarksPerHand).toEqual([21]);
      expect(result.checksFaces).toBe(true);
      expect(result.faces).toBe(0);
    });

    it('finds the face in a portrait photo from opencv-doc, and no hand in it', async () => {
      const page = await openVisionPage(chromium.browser, server.url);
      const result = await analysePhoto(page, FACE_PHOTO);
      expect(result.faces).toBe(1);
      expect(result.landmarksPerHand).toEqual([]);
    });

    it('says signing while the hand sweeps across the frame', async () => {
      const page = await openVisionPage(chromium.browser, server.url);
      const log = await page.evaluate(async (signing) => {
        const api = (window as unknown as { visionTest: VisionTestApi }).visionTest;
        await api.watchCamera();
        return api.untilSigning(signing, 20_000);
      }, SigningState.Signing);
      expect(log.signing).toEqual([SigningState.NotSigning, SigningState.Signing]);
      expect(log.framesWithHands).toBeGreaterThan(0);
    }, 30_000);
  });

  describe('with the still-hand clip as camera', () => {
    const chromium = chromiumPerSuite(FIXTURE_STILL_VIDEO);

    it('says not signing while the same hand is held still, sees the hand, and asks for the face', async () => {
      const page = await openVisionPage(chromium.browser, server.url);
      // 30 analysed frames with a hand take 2.5 s or more (12 Hz at most): longer than the 1.5 s signing window.
      const log = await page.evaluate(async () => {
        const api = (window as unknown as { visionTest: VisionTestApi }).visionTest;
        await api.watchCamera();
        return api.untilFramesWithHands(30, 25_000);
      });
      expect(log.signing).toEqual([SigningState.NotSigning]);
      const lastHints = log.framing.at(-1) ?? [];
      expect(lastHints).not.toContain(FramingHint.NoHands);
      expect(lastHints).not.toContain(FramingHint.TooDark);
      // The clip is a hand photo on a backdrop: there is no face to see.
      expect(lastHints).toContain(FramingHint.FaceNotVisible);
    }, 30_000);
  });
});
