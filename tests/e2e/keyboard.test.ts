import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { CallDriver } from '../support/CallDriver.js';
import { serverAndChromium } from '../support/e2eSuite.js';
import { TEST_PASSWORD, testAgent } from '../support/testServer.js';

/**
 * Presses Tab until `selector` has the focus (at most 40 times), checking on the way that every element the
 * keyboard lands on shows a focus ring.
 */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let press = 0; press < 40; press++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate((wanted) => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return { matches: false, ring: true, what: 'body' };
      const style = getComputedStyle(el);
      const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
      return { matches: el.matches(wanted), ring, what: el.outerHTML.slice(0, 80) };
    }, selector);
    expect(focused.ring, `no visible focus on ${focused.what}`).toBe(true);
    if (focused.matches) return;
  }
  throw new Error(`${selector} cannot be reached with Tab`);
}

describe('the whole call with the keyboard alone', () => {
  const live = serverAndChromium([testAgent('alice', ['csl'])]);

  it('lets a customer ask for a signer and an agent sign in, go available, accept and hang up without a mouse, every stop with a visible focus', async () => {
    const driver = await CallDriver.open(live.browser, live.server.url);
    const { customer, agent } = driver;
    try {
      await tabTo(agent, 'input[name=username]');
      await agent.keyboard.type('alice');
      await tabTo(agent, 'input[name=password]');
      await agent.keyboard.type(TEST_PASSWORD);
      await agent.keyboard.press('Enter');
      await agent.waitForSelector('section[data-view=console]:not([hidden])');
      await agent.waitForSelector('#toggle-status:not([disabled])');
      await tabTo(agent, '#toggle-status');
      await agent.keyboard.press('Space');
      await agent.waitForSelector('#status-label[data-status=available]');

      await customer.waitForSelector('#device-status[data-state=ok]');
      await customer.waitForSelector('#framing-hints[data-hints]:not([data-hints="vision.loading"])', { timeout: 30_000 });
      await tabTo(customer, 'input[name=mode]:checked');
      expect(await customer.$eval('input[name=mode]:checked', (el) => (el as HTMLInputElement).value)).toBe('csl');
      await tabTo(customer, 'input[name=topic]');
      await customer.keyboard.type('My phone will not connect to Wi-Fi');
      await tabTo(customer, '#start');
      await customer.keyboard.press('Enter');
      await customer.waitForSelector('section[data-view=queue]:not([hidden])');

      await agent.waitForSelector('#offer:not([hidden])');
      await tabTo(agent, '#accept');
      await agent.keyboard.press('Enter');
      await Promise.all([driver.firstFrameAt(customer), driver.firstFrameAt(agent)]);
      await tabTo(agent, '#hangup');
      await agent.keyboard.press('Enter');
      await customer.waitForSelector('section[data-view=ended]:not([hidden])');
    } finally {
      await driver.close();
    }
  }, 120_000);
});
