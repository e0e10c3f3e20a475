import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll } from 'vitest';
import type { Config } from '../../server/config.js';
import type { AgentAccount } from '../../server/auth/AgentDirectory.js';
import type { RunningServer } from '../../server/createServer.js';
import { launchChromium } from './chromium.js';
import { startTestServer } from './testServer.js';

/** What an end-to-end suite shares: one server on port 0 and one headless Chromium, ready once `beforeAll` ran. */
export interface E2eSuite {
  readonly server: RunningServer;
  readonly browser: Browser;
}

/**
 * Starts a test server with these accounts (and configuration overrides) and Chromium with the moving-hand clip before
 * the suite's tests, and closes both after them.
 */
export function serverAndChromium(accounts: AgentAccount[], overrides: Partial<Config> = {}): E2eSuite {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(accounts, overrides), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  const started = <T>(part: T | undefined, name: string): T => {
    if (!part) throw new Error(`the suite's ${name} is not started: use it inside a test`);
    return part;
  };
  return {
    get server() {
      return started(server, 'server');
    },
    get browser() {
      return started(browser, 'browser');
    },
  };
}
