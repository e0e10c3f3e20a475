import { mkdir } from 'node:fs/promises';
import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import type { SharedViewsSnapshot } from '../../client/src/ui/SharedViews.js';
import { CallDriver } from '../support/CallDriver.js';
import { TEST_PASSWORD, testAgent, testTechnician } from '../support/testServer.js';
import { serverAndChromium } from '../support/e2eSuite.js';
import { attributesLeftIn } from '../support/languageLeft.js';

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

type Box = { left: number; top: number; right: number; bottom: number; width: number; height: number };

/**
 * Where a page's call tiles are: the large view and its tile, each small tile's video and tile, the shared view, and
 * whether the page is wider than its window (which pushes everything off-centre on a phone).
 */
function layoutOf(page: Page): Promise<{ large: Box; stage: Box; tiles: { video: Box; tile: Box }[]; shares: Box; overflowing: string[] }> {
  return page.evaluate(() => {
    const box = (element: Element) => {
      const { left, top, right, bottom, width, height } = element.getBoundingClientRect();
      return { left, top, right, bottom, width, height };
    };
    return {
      large: box(document.querySelector('#remote-view')!),
      stage: box(document.querySelector('.stage')!),
      tiles: [...document.querySelectorAll('#tiles .tile')].map((tile) => ({ video: box(tile.querySelector('video')!), tile: box(tile) })),
      shares: box(document.querySelector('#shares')!),
      // When the page is wider than the window, the elements past its right edge, named so a failure says which.
      overflowing:
        document.documentElement.scrollWidth > window.innerWidth
          ? [...document.querySelectorAll('section[data-view=call] *')]
              .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5)
              .map((element) => `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}.${element.className}`)
          : [],
    };
  });
}

/** Expects a video's box, and so its contained picture, centred in its tile within 2 px. */
function expectCentred(video: Box, tile: Box): void {
  expect(Math.abs(video.left + video.width / 2 - (tile.left + tile.width / 2))).toBeLessThanOrEqual(2);
  expect(Math.abs(video.top + video.height / 2 - (tile.top + tile.height / 2))).toBeLessThanOrEqual(2);
  expect(video.width).toBeGreaterThan(0);
}

/** With LAYOUT_SCREENSHOTS set, saves what a page looks like, once every video of its call shows a picture, into docs/. */
async function screenshot(page: Page, name: string): Promise<void> {
  if (!process.env.LAYOUT_SCREENSHOTS) return;
  await page.waitForFunction(() => [...document.querySelectorAll<HTMLVideoElement>('.call-grid video')].every((video) => video.readyState >= 2), { timeout: 30_000 });
  await mkdir('docs', { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `docs/${name}.png` });
}

const DESKTOP = { width: 1280, height: 800 };
const PHONE_PORTRAIT = { width: 390, height: 844 };

describe('guided troubleshooting in Chromium: a shared screen and marks on it', () => {
  const live = serverAndChromium([testAgent('alice', ['csl']), testTechnician('tess'), testTechnician('tom')]);

  it('the technician receives the customer’s screen at its full resolution and an arrow they draw lands on the same spot of the customer’s view', async () => {
    const driver = await CallDriver.open(live.browser, live.server.url);
    await driver.agentReady('alice', TEST_PASSWORD);
    await driver.customerJoins('csl');
    await driver.agentAccepts();
    await driver.firstFrameAt(driver.agent);
    const technician = await driver.technicianJoins(live.browser, live.server.url, 'tess', TEST_PASSWORD);

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

    // A second technician who comes in after it was drawn finds the arrow on their view too, where the others have it.
    const late = await driver.technicianJoins(live.browser, live.server.url, 'tom', TEST_PASSWORD);
    const found = await late.waitForFunction(
      (target) => (window as unknown as SignlineWindow).signline.shares()?.strokes[target]?.find((stroke) => stroke.shape === 'arrow') ?? null,
      { timeout: 30_000 },
      sent.producerId,
    );
    expect(await found.jsonValue()).toEqual(arrow);
    await late.browserContext().close();

    // The agent keeps the customer's context beside the video; the technician has what their invitation said.
    await expect(driver.agent.$eval('#call-context:not([hidden]) dd[data-field=topic]', (el) => el.textContent)).resolves.toBe('My phone will not connect to Wi-Fi');
    await expect(driver.agent.$eval('#call-context dd[data-field=device]', (el) => el.textContent)).resolves.toBe('Phone');
    await expect(technician.$eval('#call-context:not([hidden]) dd[data-field=topic]', (el) => el.textContent)).resolves.toBe('My phone will not connect to Wi-Fi');

    // On a desktop the signer and the shared screen are side by side, every video centred in its tile.
    await Promise.all([driver.customer.setViewport(DESKTOP), driver.agent.setViewport(DESKTOP)]);
    await driver.agent.waitForSelector('#tiles .tile video[data-role=technician]');
    await driver.customer.waitForSelector('#tiles .tile video[data-role=technician]');
    for (const page of [driver.customer, driver.agent]) {
      const layout = await layoutOf(page);
      expectCentred(layout.large, layout.stage);
      for (const { video, tile } of layout.tiles) expectCentred(video, tile);
      expect(layout.shares.left).toBeGreaterThanOrEqual(layout.stage.right);
      expect(layout.shares.top).toBeLessThan(layout.stage.bottom);
      expect(layout.overflowing).toEqual([]);
    }
    const agentContext = await driver.agent.$eval('#call-context', (el) => el.getBoundingClientRect().left);
    expect(agentContext).toBeGreaterThanOrEqual((await layoutOf(driver.agent)).shares.right);
    await screenshot(driver.agent, 'layout-desktop-agent');
    await screenshot(driver.customer, 'layout-desktop-customer');

    // Pinning the technician's small tile puts them large over the active signer, and gives the stage the larger part.
    const splitBefore = Number(await driver.agent.$eval('.splitter', (el) => el.getAttribute('aria-valuenow')));
    await driver.agent.click('#tiles .tile[data-role=technician] button.pin');
    await driver.agent.waitForSelector('#remote-view[data-role=technician]');
    await driver.agent.waitForSelector('.stage > button.pin[data-pin="person:technician"][aria-pressed=true]');
    const splitPinned = Number(await driver.agent.$eval('.splitter', (el) => el.getAttribute('aria-valuenow')));
    expect(splitPinned).toBe(Math.max(splitBefore, 100 - splitBefore));
    // The separator moves by keyboard, and the viewer's split is remembered.
    await driver.agent.focus('.splitter');
    await driver.agent.keyboard.press('ArrowLeft');
    await expect(driver.agent.$eval('.splitter', (el) => el.getAttribute('aria-valuenow'))).resolves.toBe(String(splitPinned - 5));
    await expect(driver.agent.evaluate(() => localStorage.getItem('signline.split.agent'))).resolves.toBe(String((splitPinned - 5) / 100));
    // Unpinned, the active-signer rule has the stage again; a pinned share comes first among the shared views.
    await driver.agent.click('.stage > button.pin');
    await driver.agent.waitForSelector('#remote-view[data-role=customer]');
    await driver.agent.click('.share button.pin');
    await driver.agent.waitForSelector('.share[data-pinned] button.pin[aria-pressed=true]');

    // On a phone held upright the panes stack, the shared screen under the signer unless it is pinned (the agent's is),
    // and nothing is wider than the screen.
    for (const [page, shareFirst] of [[driver.customer, false], [driver.agent, true]] as const) {
      await page.setViewport(PHONE_PORTRAIT);
      await page.waitForFunction(
        (first) => {
          const [stage, shares] = [document.querySelector('.stage')!.getBoundingClientRect(), document.querySelector('#shares')!.getBoundingClientRect()];
          return first ? stage.top >= shares.bottom : shares.top >= stage.bottom;
        },
        {},
        shareFirst,
      );
      const layout = await layoutOf(page);
      expectCentred(layout.large, layout.stage);
      expect(layout.overflowing).toEqual([]);
    }
    await screenshot(driver.customer, 'layout-phone-customer');
    await screenshot(driver.agent, 'layout-phone-agent');

    // Switched to Chinese in the middle of the call, what a screen reader says of the tools, pins, separator and
    // tiles follows, like the text: no English phrase is left in an attribute.
    for (const page of [driver.agent, technician]) {
      await page.click('#lang-switch');
      await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
      await expect(attributesLeftIn(page, 'en', 'zh-CN')).resolves.toEqual([]);
    }

    // Stopping the share takes the view away on the other pages.
    await driver.customer.click('#share-stop');
    await technician.waitForFunction(() => ((window as unknown as SignlineWindow).signline.shares()?.views.length ?? 0) === 0, { timeout: 10_000 });
    expect((await shares(driver.agent))?.views ?? []).toHaveLength(0);

    await driver.agentHangsUp();
    await technician.browserContext().close();
    await driver.close();
  }, 240_000);
});

describe('sharing without data channels (RTT_DATA_CHANNELS=off, Chromium)', () => {
  const live = serverAndChromium([testAgent('alice', ['csl'])], { RTT_DATA_CHANNELS: 'off' });

  it('the agent, whose camera reaches the call through the station, shares a screen the customer receives', async () => {
    const driver = await CallDriver.open(live.browser, live.server.url);
    try {
      await driver.callUnderWay('alice', TEST_PASSWORD, 'My phone will not connect to Wi-Fi');
      await driver.agent.click('#share-screen');
      const sent = await sharedViewShown(driver.agent, true);
      const received = await sharedViewShown(driver.customer, false);
      expect(received.producerId).toBe(sent.producerId);
    } finally {
      await driver.close();
    }
  }, 120_000);
});
