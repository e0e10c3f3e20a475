import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { axeViolations } from '../support/axe.js';
import { CallDriver, signIn } from '../support/CallDriver.js';
import { serverAndChromium } from '../support/e2eSuite.js';
import { TEST_PASSWORD, testAgent, testSupervisor } from '../support/testServer.js';

/**
 * axe-core on every page in each state a customer, an agent and a supervisor go through, in both languages: the
 * languages are switched with each page's own button, as a person would.
 */
describe('accessibility: axe-core finds nothing on any page, in any state, in either language', () => {
  const live = serverAndChromium([testAgent('alice', ['csl']), testSupervisor('sam')]);

  for (const language of ['en', 'zh-CN'] as const) {
    it(`in ${language}: sign-in, waiting, offer, in call, wrap-up, survey, progress, technician and supervisor`, async () => {
      const found: Record<string, string[]> = {};
      const scan = async (state: string, page: Page) => {
        const violations = await axeViolations(page);
        if (violations.length > 0) found[state] = violations;
      };
      const inLanguage = async (page: Page) => {
        if ((await page.$eval('html', (el) => el.lang)) === language) return;
        await page.click('#lang-switch');
        await page.waitForFunction((lang) => document.documentElement.lang === lang, {}, language);
      };
      const driver = await CallDriver.open(live.browser, live.server.url);
      const others: Page[] = [];
      try {
        await Promise.all([inLanguage(driver.customer), inLanguage(driver.agent)]);
        await driver.customer.waitForSelector('#device-status[data-state=ok]');
        await scan('support: start', driver.customer);
        await scan('agent: sign-in', driver.agent);
        await driver.agentReady('alice', TEST_PASSWORD);
        await scan('agent: console, available', driver.agent);
        await driver.customerJoins('csl');
        await driver.agent.waitForSelector('#offer:not([hidden])');
        await scan('support: waiting', driver.customer);
        await scan('agent: offer', driver.agent);
        await driver.agent.click('#accept');
        await Promise.all([driver.firstFrameAt(driver.customer), driver.firstFrameAt(driver.agent)]);
        await scan('support: in call', driver.customer);
        await scan('agent: in call', driver.agent);
        await driver.agentHangsUp();
        await driver.agent.waitForSelector('#wrap-up:not([hidden])');
        await scan('agent: wrap-up', driver.agent);
        await driver.customer.waitForSelector('#ended-survey button, #ended-survey input');
        await scan('support: ended, survey', driver.customer);
        const progressUrl = await driver.customer.$eval('#ended-progress a', (a) => (a as HTMLAnchorElement).href).catch(() => null);
        if (progressUrl) {
          const progress = await driver.customer.browserContext().newPage();
          others.push(progress);
          await progress.goto(progressUrl);
          await inLanguage(progress);
          await progress.waitForSelector('section[data-view=progress]:not([hidden])');
          await scan('progress', progress);
        }
        const tech = await driver.agent.browserContext().newPage();
        others.push(tech);
        await tech.goto(`${live.server.url}/tech`);
        await inLanguage(tech);
        await scan('tech: sign-in', tech);
        const supervisor = await driver.customer.browserContext().newPage();
        others.push(supervisor);
        await supervisor.goto(`${live.server.url}/supervisor`);
        await inLanguage(supervisor);
        await scan('supervisor: sign-in', supervisor);
        await supervisor.type('input[name=username]', 'sam');
        await supervisor.type('input[name=password]', TEST_PASSWORD);
        await supervisor.click('#signin');
        await supervisor.waitForSelector('section[data-view=overview]:not([hidden]) table tr');
        // The view shows before the first overview has been rendered into it (its tables' header rows are static).
        await supervisor.waitForFunction(() => Boolean(document.querySelector('#sla-heading')?.textContent && document.querySelector('#charts-heading')?.textContent));
        await scan('supervisor: overview', supervisor);
        expect(progressUrl, 'the ended page links to the ticket’s progress').not.toBeNull();
      } finally {
        await Promise.all(others.map((page) => page.close()));
        await driver.close();
      }
      expect(found).toEqual({});
    }, 120_000);
  }
});
