import { describe, expect, it } from 'vitest';
import { SocketPool } from '../support/sockets.js';
import { serverAndChromium } from '../support/e2eSuite.js';
import { TEST_PASSWORD, testAgent, testSupervisor } from '../support/testServer.js';

describe('the supervisor console in Chromium', () => {
  const live = serverAndChromium([testAgent('alice', ['csl']), testSupervisor('sam')]);

  it('shows a supervisor a customer waiting in the CSL queue, the signed-in agent, and both charts drawn by uPlot, in English and Chinese', async () => {
    const pool = new SocketPool(live.server.url);
    const page = await (await live.browser.createBrowserContext()).newPage();
    try {
      await page.setViewport({ width: 1280, height: 900 });
      await page.goto(`${live.server.url}/supervisor`);
      await page.type('input[name=username]', 'sam');
      await page.type('input[name=password]', TEST_PASSWORD);
      await page.click('#signin');
      await page.waitForSelector('section[data-view=overview]:not([hidden])');
      await page.waitForSelector('#queues tr[data-queue=csl] td[data-field=waiting]');

      await pool.agent('alice');
      await pool.queuedCustomer({ mode: 'csl' });
      // The page polls every 5 s: the next poll shows the waiting customer and the agent who signed in.
      await page.waitForFunction(() => document.querySelector('#queues tr[data-queue=csl] td[data-field=waiting]')?.textContent === '1', { timeout: 12_000 });
      await page.waitForSelector('#agents tr[data-agent=alice] .pill[data-status=away]');

      for (const chart of ['#chart-waits', '#chart-service']) {
        await page.waitForSelector(`${chart} .uplot canvas`);
        const size = await page.$eval(`${chart} .uplot canvas`, (canvas) => ({ width: (canvas as HTMLCanvasElement).width, height: (canvas as HTMLCanvasElement).height }));
        expect(size.width, chart).toBeGreaterThan(200);
        expect(size.height, chart).toBeGreaterThan(100);
      }
      expect(await page.$eval('#chart-service .u-legend', (legend) => legend.textContent)).toContain('Within target');

      await page.click('#lang-switch');
      await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
      expect(await page.$eval('#queues thead th', (th) => th.textContent)).toBe('队列');
      expect(await page.$eval('#chart-service .u-legend', (legend) => legend.textContent)).toContain('达标率');
      await page.click('#lang-switch');
    } finally {
      pool.closeAll();
      await page.browserContext().close();
    }
  });

  it('turns an agent away from the supervisor console with a clear message', async () => {
    const page = await (await live.browser.createBrowserContext()).newPage();
    try {
      await page.goto(`${live.server.url}/supervisor`);
      await page.type('input[name=username]', 'alice');
      await page.type('input[name=password]', TEST_PASSWORD);
      await page.click('#signin');
      await page.waitForFunction(() => document.querySelector('#error-banner')?.textContent !== '');
      expect(await page.$eval('#error-banner', (banner) => banner.textContent)).toMatch(/not a supervisor/);
      expect(await page.$eval('section[data-view=overview]', (section) => (section as HTMLElement).hidden)).toBe(true);
    } finally {
      await page.browserContext().close();
    }
  });
});
