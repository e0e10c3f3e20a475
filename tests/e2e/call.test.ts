import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/createServer.js';
import { CallDriver } from '../support/CallDriver.js';
import { launchChromium } from '../support/chromium.js';
import { startTestServer, TEST_PASSWORD, testAgent } from '../support/testServer.js';

describe('a sign-language call between the real customer page and agent console in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer([testAgent('alice', ['csl'])]), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lets each side decode at least 100 frames of the other at 25 fps or more, at 320x240 or more, with audio', async () => {
    const driver = await CallDriver.open(browser, server.url);
    await driver.agentReady('alice', TEST_PASSWORD);
    await driver.customerJoins('csl');
    await driver.agentAccepts();
    await Promise.all([driver.firstFrameAt(driver.customer), driver.firstFrameAt(driver.agent)]);

    const [customerSees, agentSees] = await Promise.all([driver.measure(driver.customer, 4000), driver.measure(driver.agent, 4000)]);
    console.log(JSON.stringify({ customerSees, agentSees }));
    for (const seen of [customerSees, agentSees]) {
      expect(seen.frames).toBeGreaterThanOrEqual(100);
      expect(seen.fps).toBeGreaterThanOrEqual(25);
      expect(seen.width).toBeGreaterThanOrEqual(320);
      expect(seen.height).toBeGreaterThanOrEqual(240);
      expect(seen.audioPackets).toBeGreaterThan(0);
    }

    await driver.agentHangsUp();
    await expect(driver.customer.$eval('#ended-ticket', (el) => el.textContent)).resolves.toMatch(/SL-[0-9A-Z]{3}-[0-9A-Z]{3}/);
    await driver.close();
  }, 60_000);
});
