import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { CallDriver } from '../support/CallDriver.js';
import { serverAndChromium } from '../support/e2eSuite.js';
import { TEST_PASSWORD, testAgent } from '../support/testServer.js';

/** Records the page's vibrations from now on (Chromium on a desktop has the API but no motor). */
async function recordVibrations(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: unknown[] = [];
    (window as unknown as { vibrations: unknown[] }).vibrations = seen;
    navigator.vibrate = ((pattern: unknown) => (seen.push(pattern), true)) as Navigator['vibrate'];
  });
}

/** Waits until the page has cued `kind` and returns what the cue did: vibrations so far and the top bar's look. */
async function cued(page: Page, kind: string): Promise<{ vibrations: unknown[]; animation: string; background: string; sounds: number }> {
  await page.waitForSelector(`body.cued[data-cue=${kind}]`, { timeout: 20_000 });
  return page.evaluate(() => {
    const bar = getComputedStyle(document.querySelector('.bar')!);
    // Nothing on the page makes a sound: no audio element plays but the call's own.
    const sounds = [...document.querySelectorAll('audio')].filter((audio) => !audio.srcObject).length;
    return { vibrations: (window as unknown as { vibrations: unknown[] }).vibrations, animation: bar.animationName, background: bar.backgroundColor, sounds };
  });
}

describe('events are seen and felt, never only heard; motion and text size follow the user', () => {
  const live = serverAndChromium([testAgent('alice', ['csl'])]);

  it('vibrates and flashes the bar for an offer, an answered call and a message; with reduced motion the bar lights steadily instead', async () => {
    const driver = await CallDriver.open(live.browser, live.server.url);
    // The agent asked their system for reduced motion; the customer did not.
    await driver.agent.emulateMediaFeatures([{ name: 'prefers-reduced-motion', value: 'reduce' }]);
    await Promise.all([recordVibrations(driver.agent), recordVibrations(driver.customer)]);
    await driver.agentReady('alice', TEST_PASSWORD);
    await driver.customerJoins('csl');

    const offer = await cued(driver.agent, 'offer');
    expect(offer.vibrations).toContainEqual([400, 200, 400, 200, 400]);
    expect(offer.animation).toBe('none');
    expect(offer.background).toBe('rgb(255, 211, 77)');
    expect(offer.sounds).toBe(0);

    await driver.agentAccepts();
    const answered = await cued(driver.customer, 'answered');
    expect(answered.vibrations).toContainEqual([300, 150, 300]);
    expect(answered.animation).toBe('flash');
    expect(answered.sounds).toBe(0);

    await driver.agent.waitForSelector('[data-part=chat-input]');
    await driver.agent.type('[data-part=chat-input]', 'Can you see my hands?');
    await driver.agent.keyboard.press('Enter');
    const message = await cued(driver.customer, 'message');
    expect(message.vibrations).toContainEqual([120]);
    await driver.close();
  }, 90_000);

  it('sizes the pages’ text from the size the user set in the browser', async () => {
    const page = await (await live.browser.createBrowserContext()).newPage();
    const sizes = async () =>
      page.evaluate(() => ({ body: parseFloat(getComputedStyle(document.body).fontSize), heading: parseFloat(getComputedStyle(document.querySelector('h1, h2')!).fontSize) }));
    await page.goto(`${live.server.url}/support`);
    const normal = await sizes();
    // Chromium's own setting (Settings > Appearance > Font size), from 16 px to 24 px.
    const session = await page.createCDPSession();
    await session.send('Page.setFontSizes', { fontSizes: { standard: 24 } });
    await page.reload();
    const large = await sizes();
    expect(normal.body).toBe(18);
    expect(large.body).toBe(27);
    expect(large.heading / normal.heading).toBeCloseTo(1.5, 1);
    await page.close();
  });
});
