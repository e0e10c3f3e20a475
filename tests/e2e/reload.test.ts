import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/createServer.js';
import { CallDriver } from '../support/CallDriver.js';
import { launchChromium } from '../support/chromium.js';
import { serverAndChromium } from '../support/e2eSuite.js';
import { call, SocketPool } from '../support/sockets.js';
import { startTestServer, TEST_PASSWORD, testAgent } from '../support/testServer.js';

/** The ticket id and place in line the support page shows. */
function shownPlace(page: Page): Promise<{ ticket: string; position: string | undefined }> {
  return page.evaluate(() => ({
    ticket: document.querySelector('#ticket-id')!.textContent ?? '',
    position: (document.querySelector('#queue-position') as HTMLElement).dataset.position,
  }));
}

/** The id of the video track `page` shows large for `role`, or null. */
function cameraShown(page: Page, role: 'agent' | 'customer'): Promise<string | null> {
  return page.evaluate(
    (who) => ((document.querySelector(`#remote-view[data-role=${who}]`) as HTMLVideoElement | null)?.srcObject as MediaStream | null)?.getVideoTracks()[0]?.id ?? null,
    role,
  );
}

/**
 * Waits until `page` shows `role`'s camera on a track other than `before` (the one that reloaded sends afresh; until
 * it arrives the old track stays attached, frozen), with a picture, and no lost-connection notice.
 */
async function showsNewCamera(page: Page, role: 'agent' | 'customer', before: string | null): Promise<void> {
  await page.waitForFunction(
    (who: string, old: string | null) => {
      const video = document.querySelector<HTMLVideoElement>(`#remote-view[data-role=${who}]`);
      const track = (video?.srcObject as MediaStream | null)?.getVideoTracks()[0];
      return (document.querySelector('#peer-connection') as HTMLElement).hidden && track !== undefined && track.id !== old && video!.readyState >= 2;
    },
    { timeout: 40_000 },
    role,
    before,
  );
}

describe('a customer who reloads the support page (Chromium)', () => {
  let server: RunningServer;
  let browser: Browser;
  let pool: SocketPool;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer([testAgent('alice', ['csl'])], { RECONNECT_GRACE_MS: 60_000 }), launchChromium()]);
    pool = new SocketPool(server.url);
  });

  afterAll(async () => {
    pool?.closeAll();
    await browser?.close();
    await server?.close();
  });

  it('keeps the same ticket and the same place in line, tells how long a lost connection keeps it, and follows the queue after', async () => {
    const ahead = await pool.queuedCustomer();
    const driver = await CallDriver.open(browser, server.url);
    await driver.customerJoins('csl');
    await driver.customer.waitForSelector('#queue-position[data-position="2"]');
    const before = await shownPlace(driver.customer);
    expect(before.ticket).toMatch(/SL-[0-9A-Z]{3}-[0-9A-Z]{3}/);
    await expect(driver.customer.$eval('#queue-held', (el) => el.textContent)).resolves.toContain('1 min');

    await driver.customer.reload();
    await driver.customer.waitForSelector('section[data-view=queue]:not([hidden])');
    await driver.customer.waitForFunction(() => document.querySelector('#queue-notice')!.textContent === '' && (document.querySelector('#queue-position') as HTMLElement).dataset.position === '2');
    expect(await shownPlace(driver.customer)).toEqual(before);

    // The reloaded page still hears the queue: the customer ahead leaves, and this one is next.
    await call(ahead.socket, 'queue:leave', {});
    await driver.customer.waitForSelector('#queue-position[data-position="1"]');
    await driver.customer.click('#leave-queue');
    await driver.customer.waitForSelector('section[data-view=precall]:not([hidden])');
    await driver.close();
  }, 60_000);

  it('comes back into the same call with video flowing both ways', async () => {
    const driver = await CallDriver.open(browser, server.url);
    await driver.agentReady('alice', TEST_PASSWORD);
    await driver.customerJoins('csl');
    await driver.agentAccepts();
    await Promise.all([driver.firstFrameAt(driver.customer), driver.firstFrameAt(driver.agent)]);
    const sessionId = await driver.agent.$eval('#hangup', (el) => (el as HTMLElement).dataset.sessionId);
    const cameraBefore = await cameraShown(driver.agent, 'customer');

    await driver.customer.reload();
    await driver.customer.waitForSelector('section[data-view=call]:not([hidden])', { timeout: 40_000 });
    await driver.firstFrameAt(driver.customer, 40_000);
    await expect(driver.customer.$eval('#hangup', (el) => (el as HTMLElement).dataset.sessionId)).resolves.toBe(sessionId);
    // The agent's console stays in the same call and shows the customer's new camera; nobody is told the call ended.
    await showsNewCamera(driver.agent, 'customer', cameraBefore);
    const [customerSees, agentSees] = await Promise.all([
      driver.framesShown(driver.customer, '#remote-view', 3000),
      driver.framesShown(driver.agent, '#remote-view', 3000),
    ]);
    console.log(JSON.stringify({ afterReload: { customerSees, agentSees } }));
    for (const seen of [customerSees, agentSees]) {
      // Flowing, not a frozen last frame (which presents none): at least 10 fps over 3 s even on a busy machine, and a
      // real picture.
      expect(seen.frames).toBeGreaterThanOrEqual(30);
      expect(seen.height).toBeGreaterThanOrEqual(240);
    }
    expect(await driver.agent.$eval('section[data-view=call]', (el) => (el as HTMLElement).hidden)).toBe(false);

    await driver.agentHangsUp();
    // The call is over: a reload now starts afresh instead of rejoining.
    await driver.customer.reload();
    await driver.customer.waitForSelector('section[data-view=precall]:not([hidden])');
    await driver.close();
  }, 150_000);
});

describe('an agent who reloads the console while writing a wrap-up (Chromium)', () => {
  const live = serverAndChromium([testAgent('alice', ['csl'])]);

  it('signs back in to the same ticket’s wrap-up with its transcript and the notes so far, and files it once', async () => {
    const driver = await CallDriver.open(live.browser, live.server.url);
    try {
      const { ticket } = await driver.callUnderWay('alice', TEST_PASSWORD, 'My router keeps restarting');
      const ticketId = ticket.match(/SL-[A-Z0-9-]+/)?.[0];
      expect(ticketId).toBeDefined();
      await driver.customer.focus('[data-part=chat-input]');
      await driver.customer.keyboard.type('The router light blinks red');
      await driver.customer.keyboard.press('Enter');
      await driver.agent.waitForFunction(() => [...document.querySelectorAll('.chat-item .chat-text')].some((el) => el.textContent === 'The router light blinks red'));
      await driver.agentHangsUp();
      await driver.agent.waitForSelector('#wrap-up:not([hidden])');
      await driver.agent.select('#wrap-up select[name=disposition]', 'workaround');
      await driver.agent.type('#wrap-up textarea[name=summary]', 'Reset the router; ');
      await driver.agent.click('#wrap-up input[name=followUp]');

      // The tab kept its sign-in: the console comes back signed in, with the wrap-up.
      await driver.agent.reload();
      await driver.agent.waitForSelector('#wrap-up:not([hidden])');
      const shown = await driver.agent.evaluate(() => ({
        title: document.querySelector('#wrap-up-title')!.textContent ?? '',
        disposition: document.querySelector<HTMLSelectElement>('#wrap-up select[name=disposition]')!.value,
        summary: document.querySelector<HTMLTextAreaElement>('#wrap-up textarea[name=summary]')!.value,
        followUp: document.querySelector<HTMLInputElement>('#wrap-up input[name=followUp]')!.checked,
        transcript: document.querySelector('#wrap-up-transcript')!.textContent ?? '',
      }));
      expect(shown.title).toContain(ticketId!);
      expect(shown).toMatchObject({ disposition: 'workaround', summary: 'Reset the router; ', followUp: true });
      expect(shown.transcript).toContain('The router light blinks red');

      await driver.agent.type('#wrap-up textarea[name=summary]', 'works again');
      await driver.agent.click('#wrap-up button[type=submit]');
      await driver.agent.waitForSelector('#notice[data-i18n="wrapUp.filed"]');
      expect(await driver.agent.$eval('#wrap-up', (el) => (el as HTMLElement).hidden)).toBe(true);
      // Filed: the next reload starts without it.
      await driver.agent.reload();
      await driver.agent.waitForSelector('#toggle-status:not([disabled])');
      await expect(driver.agent.$eval('#wrap-up', (el) => (el as HTMLElement).hidden)).resolves.toBe(true);
    } finally {
      await driver.close();
    }
  }, 120_000);
});

describe('an agent who reloads the console in a call (Chromium)', () => {
  const live = serverAndChromium([testAgent('alice', ['csl'])]);

  it('comes back signed in to the same call, the customer shown meanwhile that the call waits for them, video flowing both ways', async () => {
    const driver = await CallDriver.open(live.browser, live.server.url);
    try {
      const { sessionId } = await driver.callUnderWay('alice', TEST_PASSWORD, 'My tablet will not charge');
      // The notice may come and go within a second: every text it shows is recorded as it changes.
      await driver.customer.evaluate(() => {
        const notice = document.querySelector<HTMLElement>('#peer-connection')!;
        const shown: string[] = [];
        (window as unknown as { noticesShown: string[] }).noticesShown = shown;
        new MutationObserver(() => {
          if (!notice.hidden) shown.push(notice.textContent ?? '');
        }).observe(notice, { attributes: true, childList: true, characterData: true, subtree: true });
      });
      const cameraBefore = await cameraShown(driver.customer, 'agent');
      expect(cameraBefore).not.toBeNull();

      const reloadedAt = Date.now();
      await driver.agent.reload();
      // No sign-in form: the tab kept its sign-in and the server its call.
      await driver.agent.waitForSelector('section[data-view=call]:not([hidden])', { timeout: 40_000 });
      await expect(driver.agent.$eval('#hangup', (el) => (el as HTMLElement).dataset.sessionId)).resolves.toBe(sessionId);
      await showsNewCamera(driver.customer, 'agent', cameraBefore);
      const shown = await driver.customer.evaluate(() => (window as unknown as { noticesShown: string[] }).noticesShown);
      expect(shown).toContain('The agent lost the connection. Waiting for them to come back…');
      expect(await driver.customer.$eval('section[data-view=call]', (el) => (el as HTMLElement).hidden)).toBe(false);

      // The console's camera reaches the customer on a fresh send transport whose bandwidth estimate, and so its
      // simulcast layers, ramp up over a few seconds (a new call starts from the station's warm one): the test waits
      // for flowing video, and prints how long it took.
      let customerSees = await driver.framesShown(driver.customer, '#remote-view', 3000);
      const settling = [customerSees.frames];
      while (customerSees.frames < 30 && Date.now() - reloadedAt < 40_000) {
        customerSees = await driver.framesShown(driver.customer, '#remote-view', 3000);
        settling.push(customerSees.frames);
      }
      const agentSees = await driver.framesShown(driver.agent, '#remote-view', 3000);
      console.log(JSON.stringify({ afterAgentReload: { customerSees, agentSees, settling, flowingAfterMs: Date.now() - 3000 - reloadedAt } }));
      for (const seen of [customerSees, agentSees]) {
        // Flowing, not a frozen last frame: at least 10 fps over 3 s even on a busy machine, and a real picture.
        expect(seen.frames).toBeGreaterThanOrEqual(30);
        expect(seen.height).toBeGreaterThanOrEqual(240);
      }
      // The transcript the console read back says what happened.
      await driver.agent.waitForFunction(() => {
        const text = document.querySelector('#text-area')?.textContent ?? '';
        return text.includes('Agent alice lost the connection') && text.includes('Agent alice is back');
      });

      // Still the agent's call: hanging up ends it for the customer and opens its wrap-up.
      await driver.agentHangsUp();
      await driver.agent.waitForSelector('#wrap-up:not([hidden])');
    } finally {
      await driver.close();
    }
  }, 150_000);

  it('opens the wrap-up of a call the customer hung up while the console was away, and the agent files it', async () => {
    const driver = await CallDriver.open(live.browser, live.server.url);
    try {
      const { ticket } = await driver.callUnderWay('alice', TEST_PASSWORD, 'My tablet will not charge');
      // The console's tab leaves the page (a crash, a slip of the finger) and the customer hangs up meanwhile.
      await driver.agent.goto('about:blank');
      await driver.customer.waitForSelector('#peer-connection:not([hidden])');
      await driver.customer.click('#hangup');
      await driver.customer.waitForSelector('section[data-view=ended]:not([hidden])');

      await driver.agent.goto(`${live.server.url}/agent`);
      await driver.agent.waitForSelector('#wrap-up:not([hidden])', { timeout: 30_000 });
      // The support page shows "Your ticket: <id>".
      await expect(driver.agent.$eval('#wrap-up-title', (el) => el.textContent)).resolves.toContain(ticket.split(' ').at(-1));
      await expect(driver.agent.$eval('#status-label', (el) => (el as HTMLElement).dataset.status)).resolves.toBe('away');
      await driver.agent.select('#wrap-up select[name=disposition]', 'no-contact');
      await driver.agent.type('#wrap-up textarea', 'The customer hung up while my console was away.');
      await driver.agent.click('#wrap-up button[type=submit]');
      await driver.agent.waitForSelector('#wrap-up', { hidden: true });
      await driver.agent.waitForFunction(() => document.querySelector('#notice')?.textContent?.includes('submitted'));
      await expect(driver.agent.$eval('#error-banner', (el) => el.textContent)).resolves.toBe('');
    } finally {
      await driver.close();
    }
  }, 120_000);
});

describe('an agent whose console does not come back within the grace period (Chromium)', () => {
  const live = serverAndChromium([testAgent('alice', ['csl']), testAgent('bob', ['csl'])], { RECONNECT_GRACE_MS: 4_000 });

  it('puts the customer first in line with the same ticket, says why, and the next agent takes the call', async () => {
    const driver = await CallDriver.open(live.browser, live.server.url);
    const rescue = await (await live.browser.createBrowserContext()).newPage();
    try {
      const { ticket, sessionId: before } = await driver.callUnderWay('alice', TEST_PASSWORD, 'My tablet will not charge');
      await driver.agent.close();
      await driver.customer.waitForSelector('#peer-connection:not([hidden])');
      await expect(driver.customer.$eval('#peer-connection', (el) => el.textContent)).resolves.toBe('The agent lost the connection. Waiting for them to come back…');
      await driver.customer.waitForSelector('#queue-notice[data-i18n="queue.agentLost"]', { timeout: 20_000 });
      await driver.customer.waitForSelector('#queue-position[data-position="1"]', { timeout: 20_000 });
      await expect(driver.customer.$eval('#ticket-id', (el) => el.textContent)).resolves.toBe(ticket);

      const answered = await driver.answeredBy(rescue, live.server.url, 'bob', TEST_PASSWORD);
      expect(answered.sessionId).not.toBe(before);
      expect(answered.ticket).toBe(ticket);
    } finally {
      await rescue.browserContext().close();
      await driver.close();
    }
  }, 150_000);
});
