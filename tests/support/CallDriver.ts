import type { Browser, Page } from 'puppeteer-core';

import type { ReceiveStats } from '../../client/src/media/CallMedia.js';

/** Receive figures read from a page's call (see client/src/diagnostics.ts). */
export type PageStats = ReceiveStats;

/** Drives the real customer and agent pages in one browser, each in its own profile. */
export class CallDriver {
  readonly customer: Page;
  readonly agent: Page;

  private constructor(customer: Page, agent: Page) {
    this.customer = customer;
    this.agent = agent;
  }

  /** Opens both pages against a running server, or the agent's against another node of the same deployment. */
  static async open(browser: Browser, baseUrl: string, agentBaseUrl = baseUrl): Promise<CallDriver> {
    const [customerContext, agentContext] = await Promise.all([browser.createBrowserContext(), browser.createBrowserContext()]);
    const [customer, agent] = await Promise.all([customerContext.newPage(), agentContext.newPage()]);
    await Promise.all([customer.goto(`${baseUrl}/support`), agent.goto(`${agentBaseUrl}/agent`)]);
    return new CallDriver(customer, agent);
  }

  /** Signs the agent in and makes them available; the camera opens at sign-in. */
  async agentReady(username: string, password: string): Promise<void> {
    await this.agent.type('input[name=username]', username);
    await this.agent.type('input[name=password]', password);
    await this.agent.click('#signin');
    await this.agent.waitForSelector('section[data-view=console]:not([hidden])');
    await this.agent.waitForFunction(() => (document.querySelector('#self-preview') as HTMLVideoElement).readyState >= 2);
    await this.setAvailable();
  }

  /** Sets the agent available and waits until the server confirms it (or, with a customer waiting, offers at once). */
  async setAvailable(): Promise<void> {
    await this.agent.waitForSelector('#toggle-status:not([disabled])');
    await this.agent.click('#toggle-status');
    await this.agent.waitForSelector('#status-label[data-status=available], #status-label[data-status=offered]');
  }

  /** Waits for the customer's camera and framing check, as a customer would, then asks for an agent in a mode. */
  async customerJoins(mode = 'csl', topic = 'My phone will not connect to Wi-Fi'): Promise<void> {
    await this.customer.waitForSelector('#device-status[data-state=ok]');
    await this.customer.waitForSelector('#framing-hints[data-hints]:not([data-hints="vision.loading"])', { timeout: 30_000 });
    await this.customer.click(`input[name=mode][value=${mode}]`);
    await this.customer.type('input[name=topic]', topic);
    await this.customer.click('#start');
    await this.customer.waitForSelector('section[data-view=queue]:not([hidden])');
  }

  /**
   * A call under way: the agent signs in and goes available, the customer asks with `topic`, the agent accepts and
   * both pages show the other's video. Resolves with the ticket and the call's session, as the customer's page shows them.
   */
  async callUnderWay(username: string, password: string, topic: string): Promise<{ ticket: string; sessionId: string }> {
    await this.agentReady(username, password);
    await this.customerJoins('csl', topic);
    const ticket = await this.customer.$eval('#ticket-id', (el) => el.textContent ?? '');
    await this.agentAccepts();
    await Promise.all([this.firstFrameAt(this.customer), this.firstFrameAt(this.agent)]);
    const sessionId = await this.customer.$eval('#hangup', (el) => (el as HTMLElement).dataset.sessionId ?? '');
    return { ticket, sessionId };
  }

  /** Waits for the offer, clicks Accept and returns the epoch ms of the click. */
  async agentAccepts(): Promise<number> {
    await this.agent.waitForSelector('#offer:not([hidden])');
    const at = Date.now();
    await this.agent.click('#accept');
    return at;
  }

  /** Waits until a page shows its first remote frame; returns its epoch ms. */
  async firstFrameAt(page: Page, timeoutMs = 20_000): Promise<number> {
    const handle = await page.waitForFunction(() => (window as unknown as { signline: { firstRemoteFrameAt: number | null } }).signline.firstRemoteFrameAt, {
      timeout: timeoutMs,
      polling: 10,
    });
    return (await handle.jsonValue()) as number;
  }

  /** Receive figures of a page's current call. */
  stats(page: Page): Promise<PageStats> {
    return page.evaluate(() => (window as unknown as { signline: { receiveStats(): Promise<PageStats> } }).signline.receiveStats());
  }

  /**
   * Measures the frames decoded within a window (framesDecoded at its end minus at its start) and their rate, with
   * the last resolution and the audio packets received so far.
   */
  async measure(page: Page, windowMs: number): Promise<{ fps: number; frames: number; width: number; height: number; audioPackets: number }> {
    const first = await this.stats(page);
    const started = Date.now();
    await page.evaluate((ms) => new Promise((resolve) => setTimeout(resolve, ms)), windowMs);
    const last = await this.stats(page);
    const elapsed = (Date.now() - started) / 1000;
    const frames = (last.video?.framesDecoded ?? 0) - (first.video?.framesDecoded ?? 0);
    return {
      fps: frames / elapsed,
      frames,
      width: last.video?.frameWidth ?? 0,
      height: last.video?.frameHeight ?? 0,
      audioPackets: last.audio?.packetsReceived ?? 0,
    };
  }

  /**
   * Counts the frames a video element presents over a window (requestVideoFrameCallback), whichever receiver feeds it:
   * unlike the receive stats, it does not mix a consumer replaced meanwhile with the new one.
   */
  framesShown(page: Page, selector: string, windowMs: number): Promise<{ frames: number; height: number }> {
    return page.evaluate(
      (sel, ms) =>
        new Promise<{ frames: number; height: number }>((resolve) => {
          const video = document.querySelector<HTMLVideoElement>(sel)!;
          let frames = 0;
          const until = performance.now() + ms;
          const onFrame = (now: number) => {
            if (now >= until) return resolve({ frames, height: video.videoHeight });
            frames++;
            video.requestVideoFrameCallback(onFrame);
          };
          video.requestVideoFrameCallback(onFrame);
          // A video that presents nothing at all still answers.
          setTimeout(() => resolve({ frames, height: video.videoHeight }), ms + 1000);
        }),
      selector,
      windowMs,
    );
  }

  /**
   * Opens a technician's console (/tech) in its own profile, signs them in, has the call's agent pick them from the
   * list of who is online, to help or to take the call over, and joins them into the call; resolves with their page
   * once it shows the call.
   */
  async technicianJoins(browser: Browser, baseUrl: string, username: string, password: string, purpose: 'help' | 'takeover' = 'help'): Promise<Page> {
    const technician = await (await browser.createBrowserContext()).newPage();
    await technician.goto(`${baseUrl}/tech`);
    await signIn(technician, username, password);
    await this.askIn(username, purpose);
    await technician.waitForSelector('#invitation:not([hidden])');
    await technician.click('#join-call');
    await technician.waitForSelector('section[data-view=call]:not([hidden])');
    return technician;
  }

  /**
   * The call's agent asks an online agent in from the list (refreshed until they show in it). The list is redrawn
   * every few seconds, so the button is found and pressed in one step inside the page, never across a redraw.
   */
  async askIn(username: string, purpose: 'help' | 'takeover'): Promise<void> {
    const button = `#technicians tr[data-agent-id="${username}"] button[data-purpose=${purpose}]:not([disabled])`;
    await this.agent.waitForFunction(
      (selector) => {
        const found = document.querySelector<HTMLButtonElement>(selector);
        if (found) {
          found.click();
          return true;
        }
        document.querySelector<HTMLButtonElement>('#refresh-technicians')?.click();
        return false;
      },
      { polling: 500, timeout: 30_000 },
      button,
    );
  }

  /** The agent ends the call and both pages leave the call view. */
  async agentHangsUp(): Promise<void> {
    await this.agent.click('#hangup');
    await Promise.all([
      this.agent.waitForSelector('section[data-view=console]:not([hidden])'),
      this.customer.waitForSelector('section[data-view=ended]:not([hidden])'),
    ]);
  }

  /**
   * Another agent's console (`rescue`, a page of its own) signs in at `agentBaseUrl`, goes available and answers the
   * customer waiting first in line; resolves once both pages decode video, with the customer's session and ticket.
   */
  async answeredBy(rescue: Page, agentBaseUrl: string, username: string, password: string): Promise<{ sessionId: string; ticket: string }> {
    await rescue.goto(`${agentBaseUrl}/agent`);
    await signIn(rescue, username, password);
    await rescue.waitForSelector('#toggle-status:not([disabled])');
    await rescue.click('#toggle-status');
    await rescue.waitForSelector('#offer:not([hidden])', { timeout: 30_000 });
    await rescue.click('#accept');
    await this.customer.waitForSelector('section[data-view=call]:not([hidden])', { timeout: 30_000 });
    await Promise.all([this.firstFrameAt(this.customer, 40_000), this.firstFrameAt(rescue, 40_000)]);
    return {
      sessionId: await this.customer.$eval('#hangup', (el) => (el as HTMLElement).dataset.sessionId ?? ''),
      ticket: await this.customer.$eval('#ticket-id', (el) => el.textContent ?? ''),
    };
  }

  /** Closes both pages' profiles. */
  async close(): Promise<void> {
    await Promise.all([this.customer.browserContext().close(), this.agent.browserContext().close()]);
  }
}

/** Signs an agent's console in and waits for its camera preview. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.type('input[name=username]', username);
  await page.type('input[name=password]', password);
  await page.click('#signin');
  await page.waitForSelector('section[data-view=console]:not([hidden])');
  await page.waitForFunction(() => (document.querySelector('#self-preview') as HTMLVideoElement).readyState >= 2);
}
