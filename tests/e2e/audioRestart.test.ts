import { describe, expect, it } from 'vitest';
import { CallDriver } from '../support/CallDriver.js';
import { TEST_PASSWORD, testAgent } from '../support/testServer.js';
import { serverAndChromium } from '../support/e2eSuite.js';

type PeerConnectionsWindow = { peerConnections: RTCPeerConnection[] };

describe("a customer page whose audio buffer stays large after the network calmed (Chromium's real buffer, held by jitterBufferTarget)", () => {
  const live = serverAndChromium([testAgent('carol', ['csl'])]);

  it("leaves a buffer that only an outside hold keeps large, and restarts the reception of the agent's audio once when its own part is large (that figure rewritten in the page: a stand-in for congestion, which loopback cannot make)", async () => {
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

    // Held from outside (as lip sync holds it for a late video), the buffer is large but the part the audio's own
    // arrivals ask for (jitterBufferMinimumDelay, Chromium's real figure) is not: a new receiver would not help, so
    // the page leaves it alone past the watch's 3 s hold.
    await driver.customer.evaluate(() => new Promise((resolve) => setTimeout(resolve, 2000)));
    const holdStart = (await driver.stats(driver.customer)).audio!;
    await driver.customer.evaluate(() => new Promise((resolve) => setTimeout(resolve, 6000)));
    const holdEnd = await driver.stats(driver.customer);
    const emitted = holdEnd.audio!.jitterBufferEmittedCount - holdStart.jitterBufferEmittedCount;
    expect(((holdEnd.audio!.jitterBufferDelay - holdStart.jitterBufferDelay) / emitted) * 1000).toBeGreaterThan(200);
    expect(((holdEnd.audio!.jitterBufferMinimumDelay - holdStart.jitterBufferMinimumDelay) / emitted) * 1000).toBeLessThan(200);
    expect(holdEnd.audioRestartGapsMs).toEqual([]);

    // Now the receivers report the held buffer as the audio's own need, as a buffer grown by a congestion spike
    // would be (loopback has no such spike to offer): the page restarts the reception.
    await driver.customer.evaluate(() => {
      const native = RTCRtpReceiver.prototype.getStats;
      RTCRtpReceiver.prototype.getStats = async function (this: RTCRtpReceiver) {
        const report = await native.call(this);
        const rewritten = new Map<string, unknown>();
        report.forEach((stat: { type: string; kind?: string; jitterBufferDelay?: number }, id: string) => {
          rewritten.set(id, stat.type === 'inbound-rtp' && stat.kind === 'audio' ? { ...stat, jitterBufferMinimumDelay: stat.jitterBufferDelay } : stat);
        });
        return rewritten as unknown as RTCStatsReport;
      };
    });
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
  }, 120_000);
});
