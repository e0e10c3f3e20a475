import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/createServer.js';
import { CallDriver } from '../support/CallDriver.js';
import { launchChromium } from '../support/chromium.js';
import { startTestServer, TEST_PASSWORD, testAgent } from '../support/testServer.js';

/** What one participant's "them" area shows of another's open line. */
const openLine = (page: Page, role: string) => page.$eval(`.rtt-speaker[data-speaker=${role}] .rtt-current`, (el) => el.textContent ?? '').catch(() => '');

/** Waits until `role`'s open line on `page` reads `text`. */
async function seesTyping(page: Page, role: string, text: string): Promise<void> {
  await page.waitForFunction(
    (who: string, expected: string) => document.querySelector(`.rtt-speaker[data-speaker=${who}] .rtt-current`)?.textContent === expected,
    { timeout: 10_000, polling: 20 },
    role,
    text,
  );
}

describe('a text call in Chromium: real-time text both ways, chat with marks, canned replies, the saved transcript', () => {
  let server: RunningServer;
  let browser: Browser;
  let downloads: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer([testAgent('alice', ['csl', 'text'])], { RTT_LINE_PAUSE_MS: 2_000 }), launchChromium()]);
    downloads = mkdtempSync(path.join(os.tmpdir(), 'signline-downloads-'));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (downloads) rmSync(downloads, { recursive: true, force: true });
  });

  it('never asks a text caller for a camera, shows each letter as it is typed, and lets the customer keep the transcript', async () => {
    const driver = await CallDriver.open(browser, server.url);
    // Count every request for a camera or microphone the support page makes, from its first script on.
    await driver.customer.evaluateOnNewDocument(() => {
      // Keep the page's data channels at hand, to send what the page itself never would.
      const channels: RTCDataChannel[] = [];
      (window as unknown as { channels: RTCDataChannel[] }).channels = channels;
      const create = RTCPeerConnection.prototype.createDataChannel;
      RTCPeerConnection.prototype.createDataChannel = function (this: RTCPeerConnection, ...args: Parameters<typeof create>) {
        const channel = create.apply(this, args);
        channels.push(channel);
        return channel;
      };
      const media = navigator.mediaDevices;
      const original = media.getUserMedia.bind(media);
      (window as unknown as { mediaAsks: number }).mediaAsks = 0;
      media.getUserMedia = (constraints) => {
        (window as unknown as { mediaAsks: number }).mediaAsks++;
        return original(constraints);
      };
    });
    await driver.customer.goto(`${server.url}/support?mode=text`);
    await driver.customer.waitForSelector('#text-only-note:not([hidden])');
    expect(await driver.customer.$eval('#camera-check', (el) => (el as HTMLElement).hidden)).toBe(true);

    await driver.agentReady('alice', TEST_PASSWORD);
    await driver.customer.type('input[name=topic]', 'My watch shows the wrong time');
    await driver.customer.click('#start');
    await driver.agentAccepts();
    await driver.customer.waitForSelector('section[data-view=call][data-mode=text]:not([hidden]) .text-panel');
    await driver.agent.waitForSelector('section[data-view=call]:not([hidden]) .text-panel');
    // Real-time text goes over the call's data channels through the SFU (RFC 8865), on both pages.
    await Promise.all([driver.customer, driver.agent].map((page) => page.waitForSelector('[data-part=rtt-path][data-path=data-channel]', { timeout: 20_000 })));

    // Key by key: the agent sees the first letters while the customer is still typing the word.
    await driver.customer.focus('[data-part=rtt-you]');
    await driver.customer.keyboard.type('my wa', { delay: 60 });
    await seesTyping(driver.agent, 'customer', 'my wa');
    await driver.customer.keyboard.type('xc', { delay: 60 });
    await seesTyping(driver.agent, 'customer', 'my waxc');
    await driver.customer.keyboard.press('Backspace');
    await driver.customer.keyboard.press('Backspace');
    await seesTyping(driver.agent, 'customer', 'my wa');
    // Both type at once: each side's open line reaches the other while its own is still open.
    await driver.agent.focus('[data-part=rtt-you]');
    await Promise.all([driver.customer.keyboard.type('tch is late', { delay: 40 }), driver.agent.keyboard.type('which model?', { delay: 40 })]);
    await seesTyping(driver.agent, 'customer', 'my watch is late');
    await seesTyping(driver.customer, 'agent', 'which model?');
    await driver.customer.keyboard.press('Enter');
    await driver.agent.waitForFunction(() => Array.from(document.querySelectorAll('.rtt-speaker[data-speaker=customer] .rtt-closed p')).some((p) => p.textContent === 'my watch is late'));
    expect(await openLine(driver.agent, 'customer')).toBe('');
    const arrivals = await driver.agent.$eval('.text-panel', (el) => ({ ...(el as HTMLElement).dataset }));
    expect(Number(arrivals.rttByChannel)).toBeGreaterThan(0);

    // What the page never sends, sent on its real T.140 channel: escape codes and binary are refused by the server
    // (the page hears why on its inbox) and reach nobody.
    await driver.customer.evaluate(() => {
      const t140 = (window as unknown as { channels: RTCDataChannel[] }).channels.find((channel) => channel.label === 't140')!;
      t140.send('\u001b[2Jwiped');
      t140.send(new Uint8Array([1, 2, 3]));
    });
    await driver.customer.waitForSelector('[data-part=rtt-path][data-path=failed]');
    await driver.customer.keyboard.type('ok', { delay: 40 });
    await seesTyping(driver.agent, 'customer', 'ok');
    expect(await driver.agent.$$eval('.rtt-speaker[data-speaker=customer] p', (items) => items.map((p) => p.textContent).join('|'))).not.toContain('wiped');
    // A flood on the channel is cut by the same rate limit as events (80 at once here): the rest is refused, never passed on.
    await driver.customer.waitForSelector('.text-panel[data-rtt-refused="2"]');
    await driver.customer.evaluate(() => {
      const t140 = (window as unknown as { channels: RTCDataChannel[] }).channels.find((channel) => channel.label === 't140')!;
      for (let i = 0; i < 300; i++) t140.send('z');
    });
    await driver.customer.waitForFunction(() => Number((document.querySelector('.text-panel') as HTMLElement).dataset.rttRefused) > 2);
    // The flood's tail may still be arriving (and refused) on a busy machine: type on once the refusals have stopped
    // for a while, so the bucket has refilled and the next key is not itself part of the flood.
    await driver.customer.waitForFunction(
      () => {
        const state = window as unknown as { refusedSeen?: { count: string; since: number } };
        const count = (document.querySelector('.text-panel') as HTMLElement).dataset.rttRefused ?? '';
        if (state.refusedSeen?.count !== count) state.refusedSeen = { count, since: performance.now() };
        return performance.now() - state.refusedSeen.since > 1000;
      },
      { polling: 100, timeout: 30_000 },
    );
    await driver.customer.keyboard.type('!', { delay: 40 });
    const flooded = await driver.agent.waitForFunction(
      () => {
        const line = document.querySelector('.rtt-speaker[data-speaker=customer] .rtt-current')?.textContent ?? '';
        return line.endsWith('!') ? line : null;
      },
      { timeout: 10_000 },
    );
    const passed = String(await flooded.jsonValue()).replace(/^ok/, '').replace(/!$/, '');
    expect(passed).toMatch(/^z+$/);
    expect(passed.length).toBeLessThan(300);
    await driver.customer.keyboard.press('Enter');

    // A canned reply from the keyboard: "/" and letters filter, Enter inserts, Enter sends.
    await driver.agent.focus('[data-part=chat-input]');
    await driver.agent.keyboard.type('/restart');
    await driver.agent.waitForSelector('.canned-list:not([hidden]) [role=option][aria-selected=true][data-reply-id=restart]');
    await driver.agent.keyboard.press('Enter');
    const inserted = await driver.agent.$eval('[data-part=chat-input]', (el) => (el as HTMLInputElement).value);
    expect(inserted).toMatch(/^Please hold the power button/);
    await driver.agent.keyboard.press('Enter');
    await driver.customer.waitForFunction((text: string) => Array.from(document.querySelectorAll('.chat-item[data-from=agent] .chat-text')).some((el) => el.textContent === text), {}, inserted);
    await driver.agent.waitForSelector('.chat-item[data-from=self][data-mark=delivered]');

    await driver.customer.focus('[data-part=chat-input]');
    await driver.customer.keyboard.type('OK, done');
    await driver.customer.keyboard.press('Enter');
    await driver.customer.waitForSelector('.chat-item[data-from=self][data-mark=delivered]');
    // The agent's open line closes after the pause and lands in the customer's live transcript.
    await driver.customer.waitForFunction(() => Array.from(document.querySelectorAll('.transcript-line[data-kind=rtt]')).some((li) => li.textContent?.includes('which model?')));

    await driver.agentHangsUp();
    await driver.customer.waitForSelector('section[data-view=ended]:not([hidden]) #ended-transcript:not([hidden])');
    const kinds = await driver.customer.$$eval('#ended-transcript-list .transcript-line', (items) => items.map((li) => (li as HTMLElement).dataset.kind));
    expect(new Set(kinds)).toEqual(new Set(['event', 'rtt', 'chat']));

    // The text file the customer saves holds the same lines, each with time, kind and speaker.
    const session = await browser.target().createCDPSession();
    await session.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads, browserContextId: driver.customer.browserContext().id });
    await driver.customer.click('#save-transcript');
    const file = await waitForFile(downloads, /^transcript-SL-.+\.txt$/);
    const saved = readFileSync(file, 'utf8');
    expect(saved).toMatch(/^Transcript of support ticket SL-/);
    expect(saved).toMatch(/\(text\) .*: my watch is late/);
    expect(saved).toMatch(/\(chat\) .*: Please hold the power button/);
    expect(saved).toMatch(/\(chat\) .*: OK, done/);
    expect(saved).toMatch(/\(event\) .*ended the call/);

    // The printable page is the transcript alone: no buttons, no header, every line.
    await driver.customer.emulateMediaType('print');
    const printed = await driver.customer.evaluate(() => ({
      buttons: Array.from(document.querySelectorAll('button')).filter((b) => getComputedStyle(b).display !== 'none').length,
      lines: Array.from(document.querySelectorAll('#ended-transcript-list li')).filter((li) => getComputedStyle(li).display !== 'none').length,
    }));
    expect(printed.buttons).toBe(0);
    expect(printed.lines).toBe(kinds.length);
    expect(await driver.customer.evaluate(() => (window as unknown as { mediaAsks: number }).mediaAsks)).toBe(0);
    await driver.close();
  }, 120_000);
});

/** Waits for a finished download: the file is there, not empty, and Chromium has no partial download left. */
async function waitForFile(folder: string, name: RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const entries = readdirSync(folder);
    const found = entries.find((entry) => name.test(entry));
    if (found && !entries.some((entry) => entry.endsWith('.crdownload')) && statSync(path.join(folder, found)).size > 0) return path.join(folder, found);
    if (Date.now() > deadline) throw new Error(`no file matching ${name} in ${folder} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
