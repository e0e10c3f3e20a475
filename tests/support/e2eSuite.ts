import type { Browser, Target } from 'puppeteer-core';
import { afterAll, beforeAll, expect } from 'vitest';
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
 * Collects what any page of `browser` refused under its Content-Security-Policy (Chromium reports each refusal on the
 * page's console): the pages must work within the policy the server sends.
 */
export function watchPolicyViolations(browser: Browser): string[] {
  const violations: string[] = [];
  const watch = async (target: Target) => {
    const page = await target.page().catch(() => null);
    page?.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(`${page.url()}: ${message.text()}`);
    });
  };
  browser.on('targetcreated', (target: Target) => void watch(target));
  for (const target of browser.targets()) void watch(target);
  return violations;
}

/**
 * Starts a test server with these accounts (and configuration overrides) and Chromium with the moving-hand clip before
 * the suite's tests, and closes both after them, checking that no page broke the server's Content-Security-Policy.
 */
export function serverAndChromium(accounts: AgentAccount[], overrides: Partial<Config> = {}): E2eSuite {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let violations: string[] = [];
  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(accounts, overrides), launchChromium()]);
    violations = watchPolicyViolations(browser);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    expect(violations).toEqual([]);
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
