import { describe, expect, it } from 'vitest';
import { CallDriver } from '../support/CallDriver.js';
import { serverAndChromium } from '../support/e2eSuite.js';
import { killMediasoupWorkers, remoteFrameAfter } from '../support/faults.js';
import { TEST_PASSWORD, testAgent } from '../support/testServer.js';

describe('the SFU worker killed in the middle of a call (Chromium, one worker)', () => {
  const live = serverAndChromium([testAgent('alice', ['csl'])]);

  it('moves the call to the fresh worker: both pages decode video again in the same session and ticket, and the transcript keeps every line', async () => {
    const driver = await CallDriver.open(live.browser, live.server.url);
    const { ticket, sessionId } = await driver.callUnderWay('alice', TEST_PASSWORD, 'The screen stays black');

    // This test's server is the only one in this process with an SFU worker.
    const killedAt = Date.now();
    expect(killMediasoupWorkers(process.pid)).toBe(1);

    const [customerBack, agentBack] = await Promise.all([remoteFrameAfter(driver.customer, killedAt, 30_000), remoteFrameAfter(driver.agent, killedAt, 30_000)]);
    console.log(JSON.stringify({ recoveryMs: { customer: customerBack - killedAt, agent: agentBack - killedAt } }));
    // The video flows again, not just one frame: the customer sees the agent's camera moving.
    const seen = await driver.framesShown(driver.customer, '#remote-view', 3000);
    expect(seen.frames).toBeGreaterThan(30);
    await expect(driver.customer.$eval('#hangup', (el) => (el as HTMLElement).dataset.sessionId)).resolves.toBe(sessionId);
    await expect(driver.agent.$eval('#hangup', (el) => (el as HTMLElement).dataset.sessionId)).resolves.toBe(sessionId);

    // The customer hangs up: the ended page has the same ticket and a transcript with the call's start and the restart.
    await driver.customer.click('#hangup');
    await driver.customer.waitForSelector('section[data-view=ended]:not([hidden])', { timeout: 20_000 });
    const ticketNumber = /SL-[A-Z0-9-]+/.exec(ticket)?.[0];
    expect(ticketNumber).toBeDefined();
    await expect(driver.customer.$eval('#ended-ticket', (el) => el.textContent ?? '')).resolves.toContain(ticketNumber);
    const lines = await driver.customer.$$eval('#ended-transcript-list li', (items) => items.map((item) => item.textContent ?? ''));
    expect(lines.some((line) => line.includes('joined the call'))).toBe(true);
    expect(lines.some((line) => line.includes('The video restarted after a fault on our side'))).toBe(true);
    await driver.close();
  }, 120_000);
});
