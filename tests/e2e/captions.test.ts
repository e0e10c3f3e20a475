import { describe, expect, it } from 'vitest';
import { CallDriver } from '../support/CallDriver.js';
import { TEST_PASSWORD, testAgent } from '../support/testServer.js';
import { serverAndChromium } from '../support/e2eSuite.js';

// Both Chromiums' microphones play the flite fixture: "Hello. My phone will not connect to the wireless network.
// Can you help me reset the settings?", looped with a second of silence.
const SAID = ['phone', 'connect', 'wireless', 'network', 'help', 'reset', 'settings'];

describe('live captions in a voice call (Chromium, the SFU audio tap, PocketSphinx with the support model)', () => {
  const live = serverAndChromium([testAgent('alice', ['voice'])], { CAPTIONS: 'on' });

  it('shows the other side’s words large as they are said, lets the reader resize and move them, and keeps the finals in the transcript', async () => {
    const driver = await CallDriver.open(live.browser, live.server.url);
    await driver.agentReady('alice', TEST_PASSWORD);
    await driver.customerJoins('voice', 'My phone will not connect');
    await driver.agentAccepts();
    await driver.firstFrameAt(driver.customer, 30_000);

    // Final captions of the agent's speech on the customer's page with the sentence's words. The clip loops, so the
    // call may begin mid-sentence: wait until the finals so far hold a whole pass of it.
    await driver.customer.waitForFunction(
      (said: string[]) => {
        const finals = Array.from(document.querySelectorAll('.captions-log li[data-final=true]')).map((li) => li.textContent ?? '');
        const agent = finals.filter((text) => text.startsWith('Agent alice:')).join(' ').toLowerCase();
        return said.filter((word) => agent.includes(word)).length >= 5 ? agent : null;
      },
      { timeout: 60_000, polling: 100 },
      SAID,
    );
    // The agent sees the customer's words too, and both pages get the finals in the transcript.
    await driver.agent.waitForSelector('.captions-log li[data-final=true]', { timeout: 60_000 });
    await driver.customer.waitForSelector('.transcript-line[data-kind=caption]', { timeout: 30_000 });

    // Large and readable: white on near-black at 1.6rem by default; A+ makes it larger, and the choice moves it below the video.
    const before = await driver.customer.$eval('.captions-log', (el) => parseFloat(getComputedStyle(el).fontSize));
    expect(before).toBeGreaterThanOrEqual(24);
    await driver.customer.click('.captions [data-part=larger]');
    const after = await driver.customer.$eval('.captions-log', (el) => parseFloat(getComputedStyle(el).fontSize));
    expect(after).toBeGreaterThan(before);
    await driver.customer.click('.captions [data-part=move]');
    await driver.customer.waitForSelector('.stage + .captions[data-position=below]');
    await driver.agentHangsUp();
    await driver.close();
  }, 150_000);
});
