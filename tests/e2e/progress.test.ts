import { describe, expect, it } from 'vitest';
import { CallDriver } from '../support/CallDriver.js';
import { TEST_PASSWORD, testAgent } from '../support/testServer.js';
import { serverAndChromium } from '../support/e2eSuite.js';

describe('the ticket progress page in Chromium, beside a real customer call', () => {
  const live = serverAndChromium([testAgent('alice', ['csl'])]);

  it('opens from the customer’s link with status and history, is pushed each change live, and takes the survey after the call', async () => {
    const driver = await CallDriver.open(live.browser, live.server.url);
    await driver.agentReady('alice', TEST_PASSWORD);
    await driver.customerJoins('csl');
    const link = await driver.customer.$eval('#queue-progress a.progress-link', (a) => (a as HTMLAnchorElement).href);
    expect(link).toMatch(/\/t\/SL-[0-9A-Z]{3}-[0-9A-Z]{3}#[A-Za-z0-9_-]{43}$/);

    const progress = await (await live.browser.createBrowserContext()).newPage();
    await progress.goto(link);
    await progress.waitForSelector('#ticket-status[data-status=queued]');
    await progress.waitForSelector('#steps li[data-kind=opened]');

    // Pushed, not polled: the agent answers and the open page says so, in its banner too.
    await driver.agentAccepts();
    await progress.waitForSelector('#ticket-status[data-status=in-call]');
    await progress.waitForSelector('#change-banner[data-status=in-call]');
    await progress.waitForSelector('#steps li[data-kind=in-call]');

    await driver.agentHangsUp();
    const ended = driver.customer;
    expect(await ended.$eval('#ended-progress a.progress-link', (a) => (a as HTMLAnchorElement).href)).toBe(link);
    await ended.waitForSelector('#ended-progress figure.progress-qr svg path');
    await ended.waitForSelector('#ended-survey .survey input[name=rating]');

    await progress.waitForSelector('#ticket-status[data-status=ended]');
    await progress.waitForSelector('#steps li[data-kind=ended]');
    await progress.waitForSelector('#survey-area:not([hidden]) .survey');
    await progress.click('#survey-area .survey-choice:has(input[name=rating][value="5"])');
    await progress.click('#survey-area .survey-choice:has(input[name=solved][value=yes])');
    await progress.type('#survey-area textarea[name=comment]', 'Clear signing, thank you');
    await progress.click('#survey-area .survey-send');
    await progress.waitForSelector('#survey-area .survey[data-state=done]');

    // The end screen's own survey hears that this ticket was answered already.
    await ended.click('#ended-survey .survey-choice:has(input[name=rating][value="2"])');
    await ended.click('#ended-survey .survey-choice:has(input[name=solved][value=no])');
    await ended.click('#ended-survey .survey-send');
    await ended.waitForSelector('#ended-survey .survey[data-state=done]');
    expect(await ended.$eval('#ended-survey .survey-status', (p) => p.getAttribute('data-i18n'))).toBe('survey.already');

    await progress.browserContext().close();
    await driver.close();
  });
});
