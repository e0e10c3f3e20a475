import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';
import { newMasterKeyText } from '../../server/records/sealing.js';
import { CallDriver } from '../support/CallDriver.js';
import { launchChromium } from '../support/chromium.js';
import { freePort } from '../support/freePort.js';
import { startServerProcess, type ServerProcess } from '../support/serverProcess.js';
import { TEST_PASSWORD, testAgent } from '../support/testServer.js';

describe('the server killed with SIGKILL in the middle of a call (Chromium, embedded records)', () => {
  const started: ServerProcess[] = [];
  let browser: Browser | undefined;
  let root = '';
  afterAll(async () => {
    await browser?.close();
    for (const server of started) await server.stop(0);
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('brings the customer’s page back to its ticket: told of the fault, first in line, then in a new call with the same agent', async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'signline-crash-e2e-'));
    // The pages reconnect to the address they were opened on, so the restarted node listens on the same port.
    const env = {
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      MEDIASOUP_WORKERS: '1',
      CAPTIONS: 'off',
      LOG_LEVEL: 'warn',
      RECONNECT_GRACE_MS: '60000',
      RECORDS_DIR: path.join(root, 'records'),
      RECORDS_KEY: newMasterKeyText(),
      AGENT_ACCOUNTS: JSON.stringify([testAgent('alice', ['csl'])]),
    };
    const [first, launched] = await Promise.all([startServerProcess(env, 120_000), launchChromium()]);
    started.push(first);
    browser = launched;
    const driver = await CallDriver.open(browser, first.url);
    const { ticket, sessionId: sessionBefore } = await driver.callUnderWay('alice', TEST_PASSWORD, 'Router keeps restarting');

    await first.stop(0);
    const second = await startServerProcess(env, 120_000);
    started.push(second);

    // The page hears that the call was cut off and waits first in line, with the same ticket.
    await driver.customer.waitForSelector('section[data-view=queue]:not([hidden])', { timeout: 60_000 });
    await driver.customer.waitForSelector('#queue-notice[data-i18n="queue.interrupted"]', { timeout: 60_000 });
    await driver.customer.waitForSelector('#queue-position[data-position="1"]', { timeout: 60_000 });
    await expect(driver.customer.$eval('#ticket-id', (el) => el.textContent)).resolves.toBe(ticket);

    // The agent's console, signed in from before the crash, leaves the dead call; going available brings the offer.
    await driver.agent.waitForSelector('section[data-view=console]:not([hidden])', { timeout: 60_000 });
    await driver.setAvailable();
    await driver.agentAccepts();
    await driver.customer.waitForSelector('section[data-view=call]:not([hidden])', { timeout: 60_000 });
    await Promise.all([driver.firstFrameAt(driver.customer, 40_000), driver.firstFrameAt(driver.agent, 40_000)]);
    const sessionAfter = await driver.customer.$eval('#hangup', (el) => (el as HTMLElement).dataset.sessionId);
    expect(sessionAfter).not.toBe(sessionBefore);
    await expect(driver.customer.$eval('#ticket-id', (el) => el.textContent)).resolves.toBe(ticket);
    await driver.close();
  }, 300_000);
});
