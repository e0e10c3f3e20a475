import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../signaling/index.js';
import { serverPerTest } from '../support/liveServer.js';
import { joinWithTransport, produceCamera } from '../support/media.js';
import { call, errorOf, once, openCall, request } from '../support/sockets.js';
import { testAgent } from '../support/testServer.js';

const accounts = () => [testAgent('alice', ['csl']), testAgent('bob', ['csl'])];

describe("an agent's station (the persistent send path)", () => {
  // The next customer straight after a call: no wrap-up time between them.
  const live = serverPerTest(accounts, { WRAP_UP_SEC: 0 });

  it("hands the agent's camera to the customer the moment the call starts", async () => {
    const alice = await live.pool.agent('alice');
    const { stationId } = await call(alice.socket, 'station:join', {});
    const cameraId = await produceCamera(alice.socket, stationId, await joinWithTransport(alice.socket, stationId, 'send'), 2222);

    const session = await openCall(live.pool, 'alice');
    const customerSide = await joinWithTransport(session.customer, session.sessionId, 'recv');
    expect(customerSide.joined.producers).toEqual([{ sessionId: session.sessionId, producerId: cameraId, from: 'agent', kind: 'video', source: 'camera' }]);
    const consumer = await call(session.customer, 'media:consume', {
      sessionId: session.sessionId,
      transportId: customerSide.transportId,
      producerId: cameraId,
      rtpCapabilities: customerSide.joined.routerRtpCapabilities as Record<string, unknown>,
    });
    expect(consumer).toMatchObject({ producerId: cameraId, kind: 'video', source: 'camera' });
  });

  it('keeps producing after a call ends, ready for the next customer', async () => {
    const alice = await live.pool.agent('alice');
    const { stationId } = await call(alice.socket, 'station:join', {});
    const cameraId = await produceCamera(alice.socket, stationId, await joinWithTransport(alice.socket, stationId, 'send'), 3333);

    const first = await openCall(live.pool, 'alice');
    const ended = once(first.agent, 'call:ended');
    await call(first.customer, 'call:end', { sessionId: first.sessionId });
    await ended;

    // After the call the agent is available again, so the next customer is offered straight away.
    const nextOffer = once(alice.socket, 'offer:new');
    const { socket: nextCustomer } = await live.pool.queuedCustomer();
    const started = once(nextCustomer, 'call:started');
    await call(alice.socket, 'offer:accept', { offerId: (await nextOffer).offerId });
    const { sessionId } = await started;
    expect(sessionId).not.toBe(first.sessionId);
    const { joined } = await joinWithTransport(nextCustomer, sessionId, 'recv');
    expect(joined.producers.map((p) => p.producerId)).toEqual([cameraId]);
  });

  it('is closed to everyone but its agent', async () => {
    const alice = await live.pool.agent('alice');
    const bob = await live.pool.agent('bob');
    const { stationId } = await call(alice.socket, 'station:join', {});
    const { socket: customer } = await live.pool.queuedCustomer();

    expect(errorOf(await request(bob.socket, 'media:join', { sessionId: stationId }))).toEqual({
      code: ErrorCode.NotFound,
      message: `session with id "${stationId}" not found`,
    });
    expect(errorOf(await request(customer, 'media:join', { sessionId: stationId })).code).toBe(ErrorCode.NotFound);
    expect(errorOf(await request(customer, 'station:join', {})).code).toBe(ErrorCode.Forbidden);
  });

  it('cannot be ended like a call', async () => {
    const alice = await live.pool.agent('alice');
    const { stationId } = await call(alice.socket, 'station:join', {});
    expect(errorOf(await request(alice.socket, 'call:end', { sessionId: stationId })).code).toBe(ErrorCode.NotFound);
  });
});
