import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { CallDriver, signIn } from '../support/CallDriver.js';
import { TEST_PASSWORD, testAgent, testTechnician } from '../support/testServer.js';
import { serverAndChromium } from '../support/e2eSuite.js';

const inCall = 'section[data-view=call]:not([hidden])';

/**
 * Waits until the large video of `page` (the customer's by default) presents at least 10 frames within 2 s: the call
 * is up and showing someone. A tile that just switched to another participant's stream may take a moment, so it
 * retries for up to 30 s.
 */
async function videoFlows(driver: CallDriver, page: Page = driver.customer): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { frames } = await driver.framesShown(page, '#remote-view', 2000);
    if (frames >= 10 || Date.now() > deadline) return frames;
  }
}

describe('escalation in Chromium: a warm transfer keeps the call up, a one-time link works once', () => {
  const live = serverAndChromium([testAgent('alice', ['csl']), testTechnician('tess')]);

  it('hands the call from the agent to a technician while the customer keeps seeing video, then lets one guest in by link', async () => {
    const driver = await CallDriver.open(live.browser, live.server.url);
    await driver.agentReady('alice', TEST_PASSWORD);
    await driver.customerJoins('csl', 'Phone will not charge');
    await driver.agentAccepts();
    await driver.firstFrameAt(driver.customer);

    // Tess signs in at /tech; Alice briefs and asks her to take the call over.
    const tess = await (await live.browser.createBrowserContext()).newPage();
    await tess.goto(`${live.server.url}/tech`);
    await signIn(tess, 'tess', TEST_PASSWORD);
    expect(await tess.evaluate(() => document.body.dataset.console)).toBe('tech');
    await driver.agent.type('#escalate-note', 'Port may be damaged');
    await driver.askIn('tess', 'takeover');
    await tess.waitForSelector('#invitation:not([hidden])');
    expect(await tess.$eval('#invitation-note', (el) => el.textContent)).toContain('Port may be damaged');
    // The customer is told who is coming and why while the call goes on.
    const told = await driver.customer.waitForFunction(() => {
      const notice = document.querySelector<HTMLElement>('#call-notice');
      return notice && !notice.hidden && notice.textContent?.includes('Technician Tess') ? notice.textContent : null;
    });
    expect(await told.jsonValue()).toMatch(/take over.*Port may be damaged/);

    await tess.click('#join-call');
    await tess.waitForSelector(inCall);
    await tess.waitForSelector('#escalate', { hidden: true });
    expect(await videoFlows(driver)).toBeGreaterThanOrEqual(10);

    // Alice hands over and leaves; the customer's call never ends and shows who has it now.
    await driver.agent.waitForSelector('#handover:not([hidden])');
    await driver.agent.click('#handover');
    await driver.agent.waitForSelector('section[data-view=console]:not([hidden])');
    await driver.customer.waitForFunction(() => document.querySelector('#call-notice')?.textContent?.includes('now has the call'));
    await tess.waitForSelector('#escalate:not([hidden])');
    expect(await driver.customer.$(inCall)).not.toBeNull();
    const afterHandover = await driver.customer.waitForFunction(
      () => {
        const video = document.querySelector<HTMLVideoElement>('#remote-view');
        return video && video.videoHeight > 0 && !video.paused ? video.videoHeight : null;
      },
      { timeout: 30_000 },
    );
    expect(await afterHandover.jsonValue()).toBeGreaterThan(0);
    expect(await videoFlows(driver)).toBeGreaterThanOrEqual(10);

    // Tess, the call's agent now, makes a one-time link; a guest uses it and joins.
    await tess.click('#make-link');
    await tess.waitForSelector('#link-out:not([hidden])');
    const link = await tess.$eval('#link-url', (el) => (el as HTMLInputElement).value);
    expect(link).toMatch(/\/tech\?join=/);
    const guest = await (await live.browser.createBrowserContext()).newPage();
    await guest.goto(link);
    await guest.waitForSelector('#link-form:not([hidden])');
    await guest.type('#link-form input[name=name]', 'Wang Lei');
    await guest.click('#link-form button[type=submit]');
    await guest.waitForSelector(inCall, { timeout: 30_000 });
    await driver.customer.waitForFunction(() => document.querySelector('#call-notice')?.textContent?.includes('Wang Lei'));

    // The same link a second time: refused with a clear message, nobody joins.
    await driver.agent.goto(link);
    await driver.agent.waitForSelector('#link-form:not([hidden])');
    await driver.agent.type('#link-form input[name=name]', 'Someone else');
    await driver.agent.click('#link-form button[type=submit]');
    const refused = await driver.agent.waitForFunction(() => document.querySelector('#error-banner')?.textContent || null);
    expect(await refused.jsonValue()).toMatch(/used already/);
    expect(await driver.agent.$(inCall)).toBeNull();

    // The guest's page reloads: the link is spent, but the token the tab kept takes them back into the call, and the
    // customer stops being told to wait for them.
    await videoFlows(driver, guest);
    await guest.reload();
    await guest.waitForSelector(inCall, { timeout: 30_000 });
    expect(await videoFlows(driver, guest)).toBeGreaterThanOrEqual(10);
    await driver.customer.waitForFunction(() => document.querySelector<HTMLElement>('#peer-connection')?.hidden, { timeout: 30_000 });

    // Tess finished the call, so its wrap-up is hers to write.
    await tess.click('#hangup');
    await tess.waitForSelector('#wrap-up:not([hidden])');
    await driver.customer.waitForSelector('section[data-view=ended]:not([hidden])');
    // The guest's token went with the call: a reload now finds nothing kept, and no call.
    await guest.waitForSelector('section[data-view=console]:not([hidden])');
    await guest.reload();
    await guest.waitForSelector('section[data-view=signin]:not([hidden])');
    expect(await guest.evaluate(() => sessionStorage.getItem('signline.guestSession'))).toBeNull();

    await Promise.all([guest.browserContext().close(), tess.browserContext().close(), driver.close()]);
  }, 240_000);
});
