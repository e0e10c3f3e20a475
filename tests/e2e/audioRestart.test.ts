import { describe, expect, it } from 'vitest';
import { CallDriver } from '../support/CallDriver.js';
import { TEST_PASSWORD, testAgent } from '../support/testServer.js';
import { serverAndChromium } from '../support/e2eSuite.js';

type PeerConnectionsWindow = { peerConnections: RTCPeerConnection[] };

describe("a customer page whose audio buffer stays large after the network calmed (Chromium's real buffer)", () => {
  const live = serverAndChromium([testAgent('carol', ['csl'])]);

  it("restarts the reception of the agent's audio once, and the new audio arrives with a small buffer", async () => {
    const driver = await CallDriver.open(live.browser, live.server.url);
    // Keep hold of the page's own peer connections, so the test can make the browser hold its audio buffer high.
    await driver.customer.evaluateOnNewDocument(() => {
      const Native = window.RTCPeerConnection;
      const all: RTCPeerConnection[] = [];
      (window as unknown as PeerConnectionsWindow).peerConnections = all;
      window.RTCPeerConnection = class extends Native {
        constructor(configuration?: RTCConfiguration) {
          super(configuration);
          all.push(this);
        }
      };
    });
    await driver.customer.reload();
    await driver.agentReady('carol', TEST_PASSWORD);
    await driver.customerJoins('csl');
    await driver.agentAccepts();
    await driver.firstFrameAt(driver.customer);
    // The page loads MediaPipe 3 s into a signing call, and its first inference holds the main thread for a second
    // or two. Hold the buffer once that is over, so that the restart's gap measures the restart.
    await driver.customer.waitForFunction(() => document.querySelector('#framing-hints')?.getAttribute('data-hints') === 'vision.loading', { polling: 'mutation', timeout: 20_000 });
    await driver.customer.waitForFunction(() => document.querySelector('#framing-hints')?.getAttribute('data-hints') !== 'vision.loading', { polling: 'mutation', timeout: 40_000 });
    await expect.poll(async () => (await driver.stats(driver.customer)).audio?.packetsReceived ?? 0, { timeout: 10_000 }).toBeGreaterThan(50);
    expect((await driver.stats(driver.customer)).audioRestartGapsMs).toEqual([]);

    // A 400 ms jitter buffer target on a loopback link: a large buffer that calm arrivals do not need, as after a
    // congestion spike.
    const held = await driver.customer.evaluate(() => {
      // Only the receive transport's audio: the send transport's transceivers have (idle) receivers too.
      const receivers = (window as unknown as PeerConnectionsWindow).peerConnections
        .filter((pc) => pc.connectionState !== 'closed')
        .flatMap((pc) => pc.getTransceivers())
        .filter((t) => t.currentDirection === 'recvonly' && t.receiver.track.kind === 'audio')
        .map((t) => t.receiver);
      for (const receiver of receivers) (receiver as RTCRtpReceiver & { jitterBufferTarget: number }).jitterBufferTarget = 400;
      return receivers.length;
    });
    expect(held).toBe(1);

    await expect.poll(async () => (await driver.stats(driver.customer)).audioRestartGapsMs.length, { timeout: 20_000, interval: 250 }).toBe(1);
    const [gapMs] = (await driver.stats(driver.customer)).audioRestartGapsMs;
    expect(gapMs).not.toBeNull();
    expect(gapMs).toBeLessThan(1000);

    // The new receiver's audio flows, with a buffer far below the one that was held, and no second restart follows.
    const before = (await driver.stats(driver.customer)).audio!;
    await driver.customer.evaluate(() => new Promise((resolve) => setTimeout(resolve, 3000)));
    const after = await driver.stats(driver.customer);
    expect(after.audio!.packetsReceived - before.packetsReceived).toBeGreaterThan(100);
    const bufferMs = ((after.audio!.jitterBufferDelay - before.jitterBufferDelay) / (after.audio!.jitterBufferEmittedCount - before.jitterBufferEmittedCount)) * 1000;
    expect(bufferMs).toBeLessThan(200);
    expect(after.audioRestartGapsMs).toHaveLength(1);

    await driver.agentHangsUp();
    await driver.close();
  }, 90_000);
});
