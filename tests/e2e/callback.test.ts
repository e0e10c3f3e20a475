import { describe, it } from 'vitest';
import { CallDriver } from '../support/CallDriver.js';
import { serverAndChromium } from '../support/e2eSuite.js';
import { TEST_PASSWORD, testAgent } from '../support/testServer.js';

describe('callback instead of waiting, in Chromium', () => {
  // Every wait offers the callback here; the customer leaves the support page for the ticket's page.
  const live = serverAndChromium([testAgent('alice', ['csl'])], { CALLBACK_AFTER_SEC: 0 });

  it('keeps the place on the ticket page, signals it when the agent answers, and joins the customer into the call from there', async () => {
    const driver = await CallDriver.open(live.browser, live.server.url);
    await driver.customerJoins('csl');
    const customer = driver.customer;
    await customer.waitForSelector('#callback-offer:not([hidden]) #callback');
    await Promise.all([customer.waitForNavigation(), customer.click('#callback')]);
    await customer.waitForSelector('#ticket-status[data-status=queued]');
    await customer.waitForSelector('#steps li[data-kind=callback-scheduled]');
    await customer.waitForSelector('#callback-waiting:not([hidden])');

    await driver.agentReady('alice', TEST_PASSWORD);
    await driver.agentAccepts();
    await customer.waitForSelector('#callback-ready:not([hidden]) #callback-join', { timeout: 20_000 });
    await Promise.all([customer.waitForNavigation(), customer.click('#callback-join')]);
    await customer.waitForSelector('section[data-view=call]:not([hidden])', { timeout: 30_000 });
    await Promise.all([driver.firstFrameAt(customer, 40_000), driver.firstFrameAt(driver.agent, 40_000)]);
    await driver.close();
  }, 120_000);
});
