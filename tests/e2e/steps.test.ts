import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { loadGuides } from '../../server/guides/guides.js';
import { CallDriver } from '../support/CallDriver.js';
import { TEST_PASSWORD, testAgent } from '../support/testServer.js';
import { serverAndChromium } from '../support/e2eSuite.js';

/** What the customer's step card shows now. */
const card = (page: Page) =>
  page.$eval('.step-card', (root) => ({
    count: root.querySelector('.step-card-count')?.textContent ?? '',
    text: root.querySelector('.step-card-text')?.textContent ?? '',
    textPx: parseFloat(getComputedStyle(root.querySelector('.step-card-text')!).fontSize),
    imageWidth: (root.querySelector('.step-card-image') as HTMLImageElement).hidden ? 0 : (root.querySelector('.step-card-image') as HTMLImageElement).naturalWidth,
    buttons: [...root.querySelectorAll<HTMLButtonElement>('.step-card-actions button')].map((button) => ({ reply: button.dataset.reply, height: button.getBoundingClientRect().height })),
  }));

describe('step-by-step guidance in Chromium: the agent sends a guide, the customer answers card by card', () => {
  const live = serverAndChromium([testAgent('alice', ['csl'])]);

  it('shows the customer one large card at a time, moves on after Done, and tells the agent when the customer is stuck', async () => {
    const router = loadGuides(path.resolve('config/guides.json')).en.find((guide) => guide.id === 'restart-router')!;
    const driver = await CallDriver.open(live.browser, live.server.url);
    await driver.agentReady('alice', TEST_PASSWORD);
    await driver.customerJoins('csl');
    await driver.agentAccepts();
    await driver.agent.waitForSelector('section[data-view=call]:not([hidden]) .step-composer');

    // The agent picks a guide from the file (the list is filled again when the select gets focus) and sends it.
    await driver.agent.focus('.step-composer select[name=guide]');
    await driver.agent.waitForSelector('.step-composer option[value="restart-router"]');
    await driver.agent.select('.step-composer select[name=guide]', 'restart-router');
    await driver.agent.click('[data-part=send-guide]');

    await driver.customer.waitForSelector('.step-card:not([hidden])[data-index="0"]', { timeout: 10_000 });
    const first = await card(driver.customer);
    expect(first.count).toBe(`Step 1 of ${router.steps.length}`);
    expect(first.text).toBe(router.steps[0]!.text);
    expect(first.textPx).toBeGreaterThanOrEqual(28);
    expect(first.buttons.map((button) => button.reply)).toEqual(['done', 'again', 'stuck']);
    expect(Math.min(...first.buttons.map((button) => button.height))).toBeGreaterThanOrEqual(44);

    await driver.customer.click('.step-card button[data-reply=done]');
    await driver.customer.waitForSelector('.step-card[data-index="1"][data-status=current]');
    // The second card carries the guide's picture, served with the client.
    await driver.customer.waitForFunction(() => ((document.querySelector('.step-card-image') as HTMLImageElement | null)?.naturalWidth ?? 0) > 0);
    const second = await card(driver.customer);
    expect(second.count).toBe(`Step 2 of ${router.steps.length}`);
    expect(second.text).toBe(router.steps[1]!.text);
    await driver.agent.waitForSelector('.step-progress .step-item:nth-child(1)[data-status=done]');

    await driver.customer.click('.step-card button[data-reply=stuck]');
    await driver.customer.waitForSelector('.step-card[data-status=stuck] .step-card-note:not(:empty)');
    await driver.agent.waitForSelector('.step-progress .step-item:nth-child(2)[data-status=stuck][aria-current=step]');
    await driver.agent.waitForFunction(() => (document.querySelector('.step-composer .step-alert')?.textContent ?? '').includes('stuck at step 2'));
    // The customer's answers are in the transcript both pages keep.
    await driver.agent.waitForFunction(() => (document.querySelector('#text-area')?.textContent ?? '').includes('is stuck at step 2/'));

    await driver.close();
  }, 120_000);
});
