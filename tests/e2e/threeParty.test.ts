import { describe, expect, it } from 'vitest';
import { CallDriver } from '../support/CallDriver.js';
import { TEST_PASSWORD, testAgent, testTechnician } from '../support/testServer.js';
import { serverAndChromium } from '../support/e2eSuite.js';

describe('a technician joining a sign-language call in Chromium', () => {
  const live = serverAndChromium([testAgent('alice', ['csl']), testTechnician('tess')]);

  it('puts the active signer, not the active speaker, in the large tile, with the others in small tiles', async () => {
    const driver = await CallDriver.open(live.browser, live.server.url);
    await driver.agentReady('alice', TEST_PASSWORD);
    await driver.customerJoins('csl');
    await driver.agentAccepts();
    await driver.firstFrameAt(driver.agent);
    const technician = await driver.technicianJoins(live.browser, live.server.url, 'tess', TEST_PASSWORD);

    // Everyone's fake microphone speaks, but only the customer's page runs the signing detector on a moving hand:
    // the technician's stage starts on the inviting agent and moves to the customer only because they sign. Wait for
    // that whole state at once: before the streams arrive the customer can be large for a moment without signing.
    // The customer's page loads MediaPipe 3 s into the call, which takes seconds more on a busy machine.
    await technician.waitForFunction(
      () =>
        document.querySelector('#remote-view[data-role=customer]') !== null &&
        document.querySelector('#peer-signing[data-signing=true]') !== null &&
        document.querySelector('#tiles video[data-role=agent]') !== null,
      { timeout: 60_000 },
    );
    await driver.customer.waitForSelector('#tiles video[data-role=technician]', { timeout: 20_000 });
    await expect(driver.customer.$eval('#remote-view', (el) => (el as HTMLElement).dataset.role)).resolves.toBe('agent');
    await expect(driver.agent.$eval('#remote-view', (el) => (el as HTMLElement).dataset.role)).resolves.toBe('customer');
    const technicianSees = await technician.waitForFunction(
      () => {
        const video = document.querySelector<HTMLVideoElement>('#remote-view')!;
        return video.videoWidth > 0 && video.readyState >= 2 ? video.videoWidth : 0;
      },
      { timeout: 20_000 },
    );
    expect(await technicianSees.jsonValue()).toBeGreaterThanOrEqual(320);

    await technician.click('#hangup');
    await technician.waitForSelector('section[data-view=console]:not([hidden])');
    await driver.customer.waitForFunction(() => document.querySelector('#tiles video[data-role=technician]') === null, { timeout: 20_000 });
    await driver.agentHangsUp();
    await technician.browserContext().close();
    await driver.close();
  }, 240_000);
});
