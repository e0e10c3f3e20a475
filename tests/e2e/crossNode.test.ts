import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallDriver } from '../support/CallDriver.js';
import { launchChromium } from '../support/chromium.js';
import { startCluster, type Cluster } from '../support/cluster.js';
import { watchPolicyViolations } from '../support/e2eSuite.js';
import { livekitUnavailable } from '../support/livekitServer.js';
import type { ServerProcess } from '../support/serverProcess.js';
import { freshDatabaseUrl } from '../support/testRecords.js';
import { TEST_PASSWORD, testAgent } from '../support/testServer.js';

/** Each engine the nodes may run their media on: the embedded SFU (each node its own), or one LiveKit server for all. */
const engines = [
  { name: 'mediasoup', skip: undefined },
  { name: 'livekit', skip: livekitUnavailable() },
] as const;

for (const engine of engines) describe.skipIf(engine.skip !== undefined)(`a call in Chromium on ${engine.name} whose customer page is served by one node and agent console by another${engine.skip ? ` (skipped: ${engine.skip})` : ''}`, () => {
  /** `npm run cluster`'s topology: Redis, LiveKit through it on that engine, two app nodes (records on the tests' PostgreSQL). */
  let cluster: Cluster | undefined;
  let nodes: ServerProcess[] = [];
  let browser: Browser;
  let violations: string[] = [];

  beforeAll(async () => {
    const env = { MEDIASOUP_WORKERS: '1', LOG_LEVEL: 'warn', AGENT_ACCOUNTS: JSON.stringify([testAgent('alice', ['csl'])]) };
    [cluster, browser] = await Promise.all([startCluster({ engine: engine.name, databaseUrl: await freshDatabaseUrl(), env }), launchChromium()]);
    nodes = cluster.nodes;
    violations = watchPolicyViolations(browser);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
    // On LiveKit the pages connect to its server too: the policy names it.
    expect(violations).toEqual([]);
  });

  it('decodes video both ways, carries real-time text on the engine’s data path and hangs up, the customer’s signalling forwarded to the node hosting the call', async () => {
    const [nodeA, nodeB] = nodes as [ServerProcess, ServerProcess];
    const driver = await CallDriver.open(browser, nodeA.url, nodeB.url);
    try {
      await driver.agentReady('alice', TEST_PASSWORD);
      await driver.customerJoins('csl');
      await driver.agentAccepts();
      await Promise.all([driver.firstFrameAt(driver.customer), driver.firstFrameAt(driver.agent)]);
      const [customerSees, agentSees] = await Promise.all([driver.measure(driver.customer, 4000), driver.measure(driver.agent, 4000)]);
      console.log(JSON.stringify({ crossNode: { engine: engine.name, customerSees, agentSees } }));
      for (const seen of [customerSees, agentSees]) {
        expect(seen.frames).toBeGreaterThanOrEqual(40);
        expect(seen.height).toBeGreaterThanOrEqual(240);
        expect(seen.audioPackets).toBeGreaterThan(0);
      }
      // Real-time text takes the engine's data path (the SFU's data channels, or LiveKit's data to the service) on both pages.
      await Promise.all([driver.customer, driver.agent].map((page) => page.waitForSelector('[data-part=rtt-path][data-path=data-channel]', { timeout: 20_000 })));
      await driver.customer.focus('[data-part=rtt-you]');
      await driver.customer.keyboard.type('my router', { delay: 40 });
      await driver.agent.waitForFunction(() => document.querySelector('.rtt-speaker[data-speaker=customer] .rtt-current')?.textContent === 'my router', { timeout: 10_000, polling: 20 });
      expect(Number(await driver.agent.$eval('.text-panel', (el) => (el as HTMLElement).dataset.rttByChannel))).toBeGreaterThan(0);
      await driver.agentHangsUp();
      await expect(driver.customer.$eval('#ended-ticket', (el) => el.textContent)).resolves.toMatch(/SL-[0-9A-Z]{3}-[0-9A-Z]{3}/);
    } finally {
      await driver.close();
    }
    expect(`${nodeA.stderr()}${nodeB.stderr()}`).not.toMatch(/forwarded .*: unexpected error/);
  }, 90_000);

  it('puts the customer first in line when the node hosting the call is killed, and the agent signed in on the live node takes them back with video', async () => {
    const [nodeA, nodeB] = nodes as [ServerProcess, ServerProcess];
    const driver = await CallDriver.open(browser, nodeA.url, nodeB.url);
    const rescue = await (await browser.createBrowserContext()).newPage();
    try {
      const { ticket, sessionId: sessionBefore } = await driver.callUnderWay('alice', TEST_PASSWORD, 'Router keeps restarting');

      await nodeB.stop(0);
      // The page, still connected to node A, hears that the call was cut off and waits first in line, same ticket.
      await driver.customer.waitForSelector('#queue-notice[data-i18n="queue.interrupted"]', { timeout: 30_000 });
      await driver.customer.waitForSelector('#queue-position[data-position="1"]', { timeout: 30_000 });
      await expect(driver.customer.$eval('#ticket-id', (el) => el.textContent)).resolves.toBe(ticket);

      // The agent's console was on the dead node: they sign in on the live one, go available and are offered the ticket.
      const answered = await driver.answeredBy(rescue, nodeA.url, 'alice', TEST_PASSWORD);
      expect(answered.sessionId).not.toBe(sessionBefore);
      expect(answered.ticket).toBe(ticket);
    } finally {
      await rescue.browserContext().close();
      await driver.close();
      await cluster!.startNode(1);
    }
  }, 180_000);
});
