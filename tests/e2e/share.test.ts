import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SharedViewsSnapshot } from '../../client/src/ui/SharedViews.js';
import type { RunningServer } from '../../server/createServer.js';
import { CallDriver } from '../support/CallDriver.js';
import { launchChromium } from '../support/chromium.js';
import { startTestServer, TEST_PASSWORD, testAgent, testTechnician } from '../support/testServer.js';

type SignlineWindow = { signline: { shares(): SharedViewsSnapshot | null } };

const shares = (page: Page) => page.evaluate(() => (window as unknown as SignlineWindow).signline.shares());

/** Waits until a page shows a shared view whose video has a picture; returns its producer id and size. */
async function sharedViewShown(page: Page, own: boolean): Promise<{ producerId: string; videoWidth: number; videoHeight: number }> {
  const handle = await page.waitForFunction(
    (wantOwn) => (window as unknown as SignlineWindow).signline.shares()?.views.find((view) => view.own === wantOwn && view.videoHeight > 0) ?? null,
    { timeout: 60_000 },
    own,
  );
  return (await handle.jsonValue()) as { producerId: string; videoWidth: number; videoHeight: number };
}

describe('guided troubleshooting in Chromium: a shared screen and marks on it', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer([testAgent('alice', ['csl']), testTechnician('tess')]), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the technician receives the customer’s screen at its full resolution and an arrow they draw lands on the same spot of the customer’s view', async () => {
    const driver = await CallDriver.open(browser, server.url);
    await driver.agentReady('alice', TEST_PASSWORD);
    await driver.customerJoins('csl');
    await driver.agentAccepts();
    await driver.firstFrameAt(driver.agent);
    const technician = await driver.technicianJoins(browser, server.url, 'tess', TEST_PASSWORD);

    // Chromium's fake display capture stands in for the screen picker.
    await driver.customer.click('#share-screen');
    const sent = await sharedViewShown(driver.customer, true);
    await driver.customer.waitForSelector('#share-stop:not([hidden])');
    // Full resolution: the technician decodes the lines the customer's page captures (no simulcast layer below it).
    const received = await technician.waitForFunction(
      (height) => (window as unknown as SignlineWindow).signline.shares()?.views.find((view) => !view.own && view.videoHeight === height) ?? null,
      { timeout: 60_000 },
      sent.videoHeight,
    );
    const view = (await received.jsonValue()) as { producerId: string; videoWidth: number; videoHeight: number };
    expect(view).toMatchObject({ producerId: sent.producerId, videoWidth: sent.videoWidth, videoHeight: sent.videoHeight });
    expect(sent.videoHeight).toBeGreaterThanOrEqual(720);

    // The technician drags an arrow over their view of the screen, from a quarter to the middle of the frame.
    await technician.click('.share .annotation-tools button[data-tool=arrow]');
    const canvas = (await technician.$('.share canvas.annotations'))!;
    const ends = await canvas.evaluate((element) => {
      const video = element.parentElement!.querySelector('video')!;
      const box = element.getBoundingClientRect();
      const scale = Math.min(box.width / video.videoWidth, box.height / video.videoHeight);
      const [w, h] = [video.videoWidth * scale, video.videoHeight * scale];
      const [left, top] = [box.left + (box.width - w) / 2, box.top + (box.height - h) / 2];
      return { from: [left + w * 0.25, top + h * 0.25], to: [left + w * 0.5, top + h * 0.5] };
    });
    await technician.mouse.move(ends.from[0]!, ends.from[1]!);
    await technician.mouse.down();
    await technician.mouse.move((ends.from[0]! + ends.to[0]!) / 2, (ends.from[1]! + ends.to[1]!) / 2, { steps: 4 });
    await technician.mouse.move(ends.to[0]!, ends.to[1]!, { steps: 4 });
    await technician.mouse.up();

    const arrived = await driver.customer.waitForFunction(
      (target) => {
        const strokes = (window as unknown as SignlineWindow).signline.shares()?.strokes[target] ?? [];
        return strokes.find((stroke) => stroke.shape === 'arrow') ?? null;
      },
      { timeout: 10_000 },
      sent.producerId,
    );
    const arrow = (await arrived.jsonValue()) as { color: number; points: [number, number][] };
    // The same normalized spot, whatever each page's size (one CSS pixel of the technician's view is the tolerance).
    expect(arrow.points[0]![0]).toBeCloseTo(0.25, 2);
    expect(arrow.points[0]![1]).toBeCloseTo(0.25, 2);
    expect(arrow.points[1]![0]).toBeCloseTo(0.5, 2);
    expect(arrow.points[1]![1]).toBeCloseTo(0.5, 2);
    expect(arrow.color).toBe(2);
    // And it is drawn there: the customer's overlay has the technician's colour on the arrow's middle.
    const painted = await driver.customer.$eval('.share canvas.annotations', (element) => {
      const canvas = element as HTMLCanvasElement;
      const video = canvas.parentElement!.querySelector('video')!;
      const scale = Math.min(canvas.clientWidth / video.videoWidth, canvas.clientHeight / video.videoHeight);
      const [w, h] = [video.videoWidth * scale, video.videoHeight * scale];
      const ratio = canvas.width / canvas.clientWidth;
      const [x, y] = [((canvas.clientWidth - w) / 2 + w * 0.375) * ratio, ((canvas.clientHeight - h) / 2 + h * 0.375) * ratio];
      return [...canvas.getContext('2d')!.getImageData(Math.round(x), Math.round(y), 1, 1).data];
    });
    expect(painted[3]).toBeGreaterThan(0);
    expect(painted.slice(0, 3)).toEqual([0xff, 0x8c, 0x00]);

    // Stopping the share takes the view away on the other pages.
    await driver.customer.click('#share-stop');
    await technician.waitForFunction(() => ((window as unknown as SignlineWindow).signline.shares()?.views.length ?? 0) === 0, { timeout: 10_000 });
    expect((await shares(driver.agent))?.views ?? []).toHaveLength(0);

    await driver.agentHangsUp();
    await technician.browserContext().close();
    await driver.close();
  }, 240_000);
});
