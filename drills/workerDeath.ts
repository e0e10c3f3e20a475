// An SFU worker killed (SIGKILL) in the middle of a call: the call moves to the worker's replacement and both pages
// start their media again in the same session. Measured from the kill to the later of the two pages' first frame of
// the new media, KILLS times in one call; then the customer hangs up and the ticket and transcript are checked.
import { CallDriver } from '../tests/support/CallDriver.js';
import { launchChromium } from '../tests/support/chromium.js';
import { killMediasoupWorkers, remoteFrameAfter } from '../tests/support/faults.js';
import { TEST_PASSWORD } from '../tests/support/testServer.js';
import { progress, report, scratch, sleep, spread, startDrillServer } from './drill.js';

const DRILL = 'worker-death';
const KILLS = 3;
const GOAL_MS = 3000;
/** Between kills the call runs this long, so each kill lands in a settled call. */
const SETTLE_MS = 5000;

export async function run(): Promise<void> {
  const folder = await scratch(DRILL);
  // One worker: the call cannot move to a sibling that was already running; it waits for the replacement.
  const [server, browser] = await Promise.all([startDrillServer(folder.dir, { MEDIASOUP_WORKERS: '1' }), launchChromium()]);
  try {
    const driver = await CallDriver.open(browser, server.url);
    const { ticket, sessionId } = await driver.callUnderWay('alice', TEST_PASSWORD, 'The screen stays black');
    const recoveries: number[] = [];
    let lost = 0;
    for (let kill = 1; kill <= KILLS; kill++) {
      await sleep(SETTLE_MS);
      const killedAt = Date.now();
      if (killMediasoupWorkers(server.pid) !== 1) throw new Error('the server has no single SFU worker to kill');
      const back = await Promise.all([remoteFrameAfter(driver.customer, killedAt, 30_000), remoteFrameAfter(driver.agent, killedAt, 30_000)]);
      recoveries.push(Math.max(...back) - killedAt);
      const sessions = await Promise.all([driver.customer, driver.agent].map((page) => page.$eval('#hangup', (el) => (el as HTMLElement).dataset.sessionId)));
      lost += sessions.filter((session) => session !== sessionId).length;
      progress(DRILL, `kill ${kill}: both pages decode again after ${recoveries.at(-1)} ms (customer ${back[0]! - killedAt} ms, agent ${back[1]! - killedAt} ms)`);
    }
    await driver.customer.click('#hangup');
    await driver.customer.waitForSelector('section[data-view=ended]:not([hidden])', { timeout: 20_000 });
    const ticketNumber = /SL-[A-Z0-9-]+/.exec(ticket)?.[0] ?? ticket;
    const endedTicket = await driver.customer.$eval('#ended-ticket', (el) => el.textContent ?? '');
    const lines = await driver.customer.$$eval('#ended-transcript-list li', (items) => items.map((item) => item.textContent ?? ''));
    if (!endedTicket.includes(ticketNumber)) lost++;
    // The transcript keeps the call's start and one restart line per kill.
    if (!lines.some((line) => line.includes('joined the call'))) lost++;
    const restarts = lines.filter((line) => line.includes('The video restarted')).length;
    lost += Math.max(0, KILLS - restarts);
    const figure = spread(recoveries);
    report({ drill: DRILL, metric: 'recovery_ms', ...figure, lost, unit: 'ms', goal: `< ${GOAL_MS}`, met: figure.value < GOAL_MS && lost === 0, note: 'kill to the later page decoding the new media; lost counts sessions changed, ticket or transcript lines missing' });
    await driver.close();
  } finally {
    await browser.close();
    await server.stop();
    await folder.cleanup();
  }
}
