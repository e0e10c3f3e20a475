import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import type { CallQualityRecord } from '../../signaling/index.js';
import { CallDriver, signIn } from '../support/CallDriver.js';
import { loginAgent } from '../support/sockets.js';
import { TEST_PASSWORD, testAgent, testSupervisor } from '../support/testServer.js';
import { serverAndChromium } from '../support/e2eSuite.js';


/** Opens the console on `page` and signs alice in; resolves to the token the sign-in gave. */
async function signInWithToken(page: Page, baseUrl: string): Promise<string> {
  await page.goto(`${baseUrl}/agent`);
  const login = page.waitForResponse((response) => response.url().endsWith('/api/agent/login'));
  await signIn(page, 'alice', TEST_PASSWORD);
  return ((await (await login).json()) as { data: { token: string } }).data.token;
}
describe('a sign-language call between the real customer page and agent console in Chromium', () => {
  const live = serverAndChromium([testAgent('alice', ['csl']), testSupervisor('sam')]);

  it('shows the agent that the customer is signing, and lets each side decode at least 100 frames of the other at 25 fps or more, at 320x240 or more, with audio, while vision runs', async () => {
    const driver = await CallDriver.open(live.browser, live.server.url);
    await driver.agentReady('alice', TEST_PASSWORD);
    await driver.customerJoins('csl');
    await driver.agentAccepts();
    await Promise.all([driver.firstFrameAt(driver.customer), driver.firstFrameAt(driver.agent)]);
    // The customer's clip is a moving hand: their page's detector says signing, and only that state reaches the agent.
    await driver.agent.waitForSelector('#peer-signing[data-signing=true]:not([hidden])', { timeout: 20_000 });

    const [customerSees, agentSees] = await Promise.all([driver.measure(driver.customer, 6000), driver.measure(driver.agent, 6000)]);
    console.log(JSON.stringify({ customerSees, agentSees }));
    for (const seen of [customerSees, agentSees]) {
      expect(seen.frames).toBeGreaterThanOrEqual(100);
      expect(seen.fps).toBeGreaterThanOrEqual(25);
      expect(seen.width).toBeGreaterThanOrEqual(320);
      expect(seen.height).toBeGreaterThanOrEqual(240);
      expect(seen.audioPackets).toBeGreaterThan(0);
    }

    const sessionId = await driver.agent.$eval('#hangup', (el) => (el as HTMLElement).dataset.sessionId!);
    // Call quality records are a supervisor's to read.
    const { token } = await loginAgent(live.server.url, 'sam');
    const readRecord = async (): Promise<CallQualityRecord> => {
      const response = await fetch(`${live.server.url}/api/calls/${sessionId}/quality`, { headers: { authorization: `Bearer ${token}` } });
      return ((await response.json()) as { data: CallQualityRecord }).data;
    };
    // Samples come every 2 s from each side; the verdicts wait for samples past the warm-up of each side's video.
    const stillWarmingUp = async (): Promise<string[]> => {
      const { participants } = await readRecord();
      return (['customer', 'agent'] as const).filter((role) => {
        const verdicts = participants[role]?.summary.verdicts;
        return !verdicts || Object.values(verdicts).some((verdict) => verdict.verdict === 'unknown');
      });
    };
    await expect.poll(stillWarmingUp, { timeout: 20_000, interval: 250 }).toEqual([]);

    await driver.agentHangsUp();
    await expect(driver.customer.$eval('#ended-ticket', (el) => el.textContent)).resolves.toMatch(/SL-[0-9A-Z]{3}-[0-9A-Z]{3}/);
    await driver.close();

    const record = await readRecord();
    console.log(JSON.stringify({ quality: { endedAt: record.endedAt, customer: record.participants.customer?.summary, agent: record.participants.agent?.summary } }));
    expect(record.endedAt).toEqual(expect.any(Number));
    for (const role of ['customer', 'agent'] as const) {
      const { samples, summary } = record.participants[role]!;
      // Before the first frame there is nothing to measure: every field is asked of the samples with video.
      const withVideo = samples.filter((sample) => sample.height > 0);
      expect(withVideo.length, `${role} samples with video`).toBeGreaterThanOrEqual(2);
      for (const sample of withVideo) {
        for (const field of ['at', 'fps', 'width', 'height', 'freezes', 'freezeMs', 'jitterBufferMs', 'avSyncMs', 'rttMs'] as const) expect(sample[field], `${role} ${field}`).toEqual(expect.any(Number));
      }
      for (const verdict of Object.values(summary.verdicts)) expect(verdict.verdict).not.toBe('unknown');
      expect(summary.verdicts.frameRate.verdict).toBe('pass');
      expect(summary.verdicts.resolution.verdict).toBe('pass');
    }
  }, 60_000);

  it('signs the agent out from the console: back at the sign-in form, the old sign-in refused, a new one working', async () => {
    const page = await live.browser.newPage();
    try {
      const token = await signInWithToken(page, live.server.url);
      await page.waitForSelector('#toggle-status:not([disabled])');
      await page.click('#sign-out');
      await page.waitForSelector('section[data-view=signin]:not([hidden])');
      expect(await page.$eval('#sign-out', (el) => (el as HTMLElement).hidden)).toBe(true);
      expect((await fetch(`${live.server.url}/api/guides`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
      await signIn(page, 'alice', TEST_PASSWORD);
      expect(await page.$eval('#sign-out', (el) => (el as HTMLElement).hidden)).toBe(false);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('comes back signed in after a reload, and to the sign-in form, saying why, once that sign-in was revoked', async () => {
    const page = await live.browser.newPage();
    try {
      const token = await signInWithToken(page, live.server.url);
      await page.reload();
      await page.waitForSelector('#toggle-status:not([disabled])');
      expect(await page.$eval('section[data-view=signin]', (el) => (el as HTMLElement).hidden)).toBe(true);

      // Signed out elsewhere (another tab, the same token): the open console goes back to the form and says why.
      const kept = await page.evaluate(() => sessionStorage.getItem('signline.staffSession'));
      expect((await fetch(`${live.server.url}/api/agent/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).ok).toBe(true);
      await page.waitForSelector('section[data-view=signin]:not([hidden])');
      await page.waitForSelector('#error-banner[data-i18n="agent.sessionEnded"]');
      await page.reload();
      await page.waitForSelector('section[data-view=signin]:not([hidden])');
      expect(await page.$eval('#error-banner', (el) => el.textContent)).toBe('');

      // A tab that kept a sign-in the server no longer takes (it expired while the tab was away) starts at the form too.
      await page.evaluate((value) => sessionStorage.setItem('signline.staffSession', value!), kept);
      await page.reload();
      await page.waitForSelector('#error-banner[data-i18n="agent.sessionEnded"]');
      expect(await page.$eval('section[data-view=signin]', (el) => (el as HTMLElement).hidden)).toBe(false);
    } finally {
      await page.close();
    }
  }, 60_000);
});
