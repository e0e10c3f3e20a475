import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../signaling/index.js';
import { joinWithTransport, vp8RtpParameters } from '../support/media.js';
import { serverPerTest } from '../support/liveServer.js';
import {
  call,
  type ClientSocket,
  errorOf,
  joinRequest,
  once,
  openCall,
  postJson,
  rawEmit,
  rawRequest,
  request,
} from '../support/sockets.js';
import { TEST_PASSWORD, testAgent } from '../support/testServer.js';

const MAX_EVENT_BYTES = 16_384;
const FLOOD_SIZE = 300;
const EVENT_BURST = 80;

const accounts = () => [testAgent('alice', ['csl']), testAgent('bob', ['csl'])];

/** The call's customer joins the media room with a send transport and sends a camera track (VP8, the given SSRC). */
async function customerCamera(session: { customer: ClientSocket; sessionId: string }, ssrc: number) {
  const sender = await joinWithTransport(session.customer, session.sessionId, 'send');
  const { producerId } = await call(session.customer, 'media:produce', {
    sessionId: session.sessionId,
    transportId: sender.transportId,
    kind: 'video',
    rtpParameters: vp8RtpParameters(sender.joined, ssrc),
    source: 'camera',
  });
  return { producerId, sender };
}

describe('a socket that sends malformed payloads', () => {
  const live = serverPerTest(accounts);

  it('gets BAD_REQUEST naming the field when a field has the wrong type', async () => {
    const customer = await live.pool.customer();
    const error = errorOf(await rawRequest(customer, 'queue:join', { ...joinRequest(), mode: 42 }));
    expect(error.code).toBe(ErrorCode.BadRequest);
    expect(error.message).toMatch(/\bmode\b/);
  });

  it('gets BAD_REQUEST naming the field when a required field is missing', async () => {
    const customer = await live.pool.customer();
    const error = errorOf(await rawRequest(customer, 'queue:join', { mode: 'csl', device: 'phone' }));
    expect(error.code).toBe(ErrorCode.BadRequest);
    expect(error.message).toMatch(/\btopic\b/);
  });

  it('gets BAD_REQUEST naming the unknown field when the payload carries one', async () => {
    const customer = await live.pool.customer();
    const error = errorOf(await rawRequest(customer, 'queue:join', { ...joinRequest(), priority: 'vip' }));
    expect(error.code).toBe(ErrorCode.BadRequest);
    expect(error.message).toContain('priority');
  });

  it('gets BAD_REQUEST when the payload is not an object at all', async () => {
    const customer = await live.pool.customer();
    const error = errorOf(await rawRequest(customer, 'queue:join', 'csl please'));
    expect(error.code).toBe(ErrorCode.BadRequest);
    expect(error.message).toMatch(/^payload: /);
  });

  it('gets BAD_REQUEST naming the field from an agent event as well', async () => {
    const alice = await live.pool.agent('alice');
    const error = errorOf(await rawRequest(alice.socket, 'agent:status', { status: 'busy' }));
    expect(error.code).toBe(ErrorCode.BadRequest);
    expect(error.message).toMatch(/\bstatus\b/);
  });

  it('is still served normally after its bad payloads', async () => {
    const customer = await live.pool.customer();
    await rawRequest(customer, 'queue:join', { mode: 42 });
    await rawRequest(customer, 'queue:join', null);
    await rawRequest(customer, 'queue:join', [1, 2, 3]);
    const joined = await call(customer, 'queue:join', joinRequest());
    expect(joined.position).toBe(1);
  });

  it('gets UNKNOWN_EVENT in the ack of an event the protocol does not have', async () => {
    const customer = await live.pool.customer();
    const error = errorOf(await rawRequest(customer, 'admin:shutdown', {}));
    expect(error).toEqual({ code: ErrorCode.UnknownEvent, message: 'unknown event "admin:shutdown"' });
  });

  it('gets a protocol:error push for an unknown event sent without an ack', async () => {
    const customer = await live.pool.customer();
    const pushed = once(customer, 'protocol:error');
    rawEmit(customer, 'admin:shutdown', {});
    expect(await pushed).toEqual({ event: 'admin:shutdown', code: ErrorCode.UnknownEvent, message: expect.any(String) });
  });

  it('gets a protocol:error push for a malformed known event sent without an ack', async () => {
    const customer = await live.pool.customer();
    const pushed = once(customer, 'protocol:error');
    rawEmit(customer, 'queue:join', { mode: 'csl' });
    const error = await pushed;
    expect(error).toMatchObject({ event: 'queue:join', code: ErrorCode.BadRequest });
    expect(error.message).toContain('topic');
  });

  it('gets PAYLOAD_TOO_LARGE for a payload over the size limit, before the schema sees it', async () => {
    const customer = await live.pool.customer();
    const topic = 'x'.repeat(20 * 1024);
    const error = errorOf(await rawRequest(customer, 'queue:join', joinRequest({ topic })));
    expect(error).toEqual({ code: ErrorCode.PayloadTooLarge, message: `payload larger than ${MAX_EVENT_BYTES} bytes` });
    expect((await call(customer, 'queue:join', joinRequest())).position).toBe(1);
  });
});

describe('a socket that sends events out of order or outside its role', () => {
  const live = serverPerTest(accounts);

  it('gets INVALID_STATE for media events before it holds a ticket', async () => {
    const customer = await live.pool.customer();
    const transport = errorOf(await request(customer, 'media:createTransport', { sessionId: 'some-session', direction: 'send' }));
    const consume = errorOf(
      await request(customer, 'media:consume', { sessionId: 'some-session', transportId: 't', producerId: 'p', rtpCapabilities: {} }),
    );
    expect(transport).toEqual({ code: ErrorCode.InvalidState, message: 'join the queue first (queue:join)' });
    expect(consume.code).toBe(ErrorCode.InvalidState);
  });

  it('gets NOT_FOUND for media events while still queued, without a session', async () => {
    const { socket } = await live.pool.queuedCustomer();
    const transport = errorOf(await request(socket, 'media:createTransport', { sessionId: 'some-session', direction: 'send' }));
    const consume = errorOf(
      await request(socket, 'media:consume', { sessionId: 'some-session', transportId: 't', producerId: 'p', rtpCapabilities: {} }),
    );
    expect(transport).toEqual({ code: ErrorCode.NotFound, message: 'session with id "some-session" not found' });
    expect(consume.code).toBe(ErrorCode.NotFound);
  });

  it('gets INVALID_STATE for media:consume in a real session before media:join', async () => {
    const call1 = await openCall(live.pool, 'alice');
    const error = errorOf(
      await request(call1.agent, 'media:consume', { sessionId: call1.sessionId, transportId: 't', producerId: 'p', rtpCapabilities: {} }),
    );
    expect(error).toEqual({ code: ErrorCode.InvalidState, message: 'join the media room first (media:join)' });
  });

  it('gets INVALID_STATE for producing on a receive transport', async () => {
    const call1 = await openCall(live.pool, 'alice');
    const { joined, transportId } = await joinWithTransport(call1.customer, call1.sessionId, 'recv');
    const error = errorOf(
      await request(call1.customer, 'media:produce', {
        sessionId: call1.sessionId,
        transportId,
        kind: 'video',
        rtpParameters: vp8RtpParameters(joined, 1111),
        source: 'camera',
      }),
    );
    expect(error.code).toBe(ErrorCode.InvalidState);
  });

  it('gets FORBIDDEN when a customer sends an agent-only event', async () => {
    const customer = await live.pool.customer();
    const error = errorOf(await request(customer, 'offer:accept', { offerId: 'some-offer' }));
    expect(error.code).toBe(ErrorCode.Forbidden);
    expect(error.message).toContain('offer:accept');
  });

  it('gets FORBIDDEN when an agent sends a customer-only event', async () => {
    const alice = await live.pool.agent('alice');
    expect(errorOf(await request(alice.socket, 'queue:join', joinRequest())).code).toBe(ErrorCode.Forbidden);
  });

  it("gets NOT_FOUND for another session's producer and for another session's id", async () => {
    const session1 = await openCall(live.pool, 'alice');
    const session2 = await openCall(live.pool, 'bob');
    expect(session2.sessionId).not.toBe(session1.sessionId);

    const sender = await joinWithTransport(session1.customer, session1.sessionId, 'send');
    const announced = once(session1.agent, 'media:newProducer');
    const { producerId } = await call(session1.customer, 'media:produce', {
      sessionId: session1.sessionId,
      transportId: sender.transportId,
      kind: 'video',
      rtpParameters: vp8RtpParameters(sender.joined, 1111),
      source: 'camera',
    });
    expect(await announced).toEqual({ sessionId: session1.sessionId, producerId, from: 'customer', kind: 'video', source: 'camera' });

    const intruder = await joinWithTransport(session2.agent, session2.sessionId, 'recv');
    const rtpCapabilities = intruder.joined.routerRtpCapabilities as Record<string, unknown>;
    expect(intruder.joined.producers).toEqual([]);

    const viaOwnSession = errorOf(
      await request(session2.agent, 'media:consume', { sessionId: session2.sessionId, transportId: intruder.transportId, producerId, rtpCapabilities }),
    );
    expect(viaOwnSession).toEqual({ code: ErrorCode.NotFound, message: `producer with id "${producerId}" not found` });

    const viaOtherSession = errorOf(
      await request(session2.agent, 'media:consume', { sessionId: session1.sessionId, transportId: intruder.transportId, producerId, rtpCapabilities }),
    );
    expect(viaOtherSession).toEqual({ code: ErrorCode.NotFound, message: `session with id "${session1.sessionId}" not found` });

    const joinOther = errorOf(await request(session2.agent, 'media:join', { sessionId: session1.sessionId }));
    expect(joinOther.code).toBe(ErrorCode.NotFound);
    const endOther = errorOf(await request(session2.customer, 'call:end', { sessionId: session1.sessionId }));
    expect(endOther.code).toBe(ErrorCode.NotFound);

    // The same producer is there for the participant it belongs with.
    const receiver = await joinWithTransport(session1.agent, session1.sessionId, 'recv');
    expect(receiver.joined.producers).toEqual([{ sessionId: session1.sessionId, producerId, from: 'customer', kind: 'video', source: 'camera' }]);
    const consumer = await call(session1.agent, 'media:consume', {
      sessionId: session1.sessionId,
      transportId: receiver.transportId,
      producerId,
      rtpCapabilities: receiver.joined.routerRtpCapabilities as Record<string, unknown>,
    });
    expect(consumer).toMatchObject({ producerId, kind: 'video', source: 'camera' });
  });

  it('closes only its own consumers with media:closeConsumer, and can consume the producer again afterwards', async () => {
    const session1 = await openCall(live.pool, 'alice');
    const { producerId } = await customerCamera(session1, 3333);
    const receiver = await joinWithTransport(session1.agent, session1.sessionId, 'recv');
    const consume = () =>
      call(session1.agent, 'media:consume', {
        sessionId: session1.sessionId,
        transportId: receiver.transportId,
        producerId,
        rtpCapabilities: receiver.joined.routerRtpCapabilities as Record<string, unknown>,
      });
    const first = await consume();

    const malformed = errorOf(await rawRequest(session1.agent, 'media:closeConsumer', { sessionId: session1.sessionId, consumerId: 7 }));
    expect(malformed.code).toBe(ErrorCode.BadRequest);
    expect(malformed.message).toMatch(/\bconsumerId\b/);
    // Someone else's consumer is not found for the customer, and the bad requests closed nothing.
    expect(errorOf(await request(session1.customer, 'media:closeConsumer', { sessionId: session1.sessionId, consumerId: first.id })).code).toBe(ErrorCode.NotFound);
    expect(await call(session1.agent, 'media:resumeConsumer', { sessionId: session1.sessionId, consumerId: first.id })).toBeNull();

    expect(await call(session1.agent, 'media:closeConsumer', { sessionId: session1.sessionId, consumerId: first.id })).toBeNull();
    const gone = errorOf(await request(session1.agent, 'media:resumeConsumer', { sessionId: session1.sessionId, consumerId: first.id }));
    expect(gone).toEqual({ code: ErrorCode.NotFound, message: `consumer with id "${first.id}" not found` });
    expect(errorOf(await request(session1.agent, 'media:closeConsumer', { sessionId: session1.sessionId, consumerId: first.id })).code).toBe(ErrorCode.NotFound);

    const again = await consume();
    expect(again).toMatchObject({ producerId, kind: 'video' });
    expect(again.id).not.toBe(first.id);
  });

  it("gets NOT_FOUND for its own producer when it asks to consume it", async () => {
    const session1 = await openCall(live.pool, 'alice');
    const { producerId, sender } = await customerCamera(session1, 2222);
    const receiver = await call(session1.customer, 'media:createTransport', { sessionId: session1.sessionId, direction: 'recv' });
    const error = errorOf(
      await request(session1.customer, 'media:consume', {
        sessionId: session1.sessionId,
        transportId: receiver.id,
        producerId,
        rtpCapabilities: sender.joined.routerRtpCapabilities as Record<string, unknown>,
      }),
    );
    expect(error.code).toBe(ErrorCode.NotFound);
  });
});

describe('a socket that floods the server', () => {
  const live = serverPerTest(accounts);

  it('gets RATE_LIMITED past its burst while other sockets are served, and is served again once its bucket refills', async () => {
    const flooder = await live.pool.customer();
    const bystander = await live.pool.customer();

    // queue:leave without a ticket is cheap and answers INVALID_STATE whenever it is not rate limited.
    const flood = Array.from({ length: FLOOD_SIZE }, () => rawRequest(flooder, 'queue:leave', {}));
    const bystanderJoined = request(bystander, 'queue:join', joinRequest());
    const codes = (await Promise.all(flood)).map((ack) => errorOf(ack).code);

    const limited = codes.filter((code) => code === ErrorCode.RateLimited).length;
    const served = codes.filter((code) => code === ErrorCode.InvalidState).length;
    expect(limited + served).toBe(FLOOD_SIZE);
    expect(served).toBeGreaterThanOrEqual(EVENT_BURST);
    expect(limited).toBeGreaterThanOrEqual(FLOOD_SIZE / 2);
    expect((await bystanderJoined).ok).toBe(true);

    // Each attempt waits for its ack; a refused attempt takes no token, so the bucket refills meanwhile.
    let answer = await request(flooder, 'queue:join', joinRequest());
    for (let attempt = 0; attempt < 2000 && !answer.ok && answer.error.code === ErrorCode.RateLimited; attempt++) {
      answer = await request(flooder, 'queue:join', joinRequest());
    }
    expect(answer.ok).toBe(true);
  });

  it('gets RATE_LIMITED past its burst for unknown events too', async () => {
    const flooder = await live.pool.customer();
    const flood = Array.from({ length: FLOOD_SIZE }, () => rawRequest(flooder, 'no:such-event', {}));
    const codes = (await Promise.all(flood)).map((ack) => errorOf(ack).code);
    expect(codes.filter((code) => code === ErrorCode.RateLimited).length).toBeGreaterThanOrEqual(FLOOD_SIZE / 2);
  });
});

describe('the sign-in endpoint given bad input', () => {
  const live = serverPerTest(accounts);

  it('answers extra fields with 400 BAD_REQUEST naming them', async () => {
    const response = await postJson(live.server.url, '/api/agent/login', { username: 'alice', password: TEST_PASSWORD, role: 'admin' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { ok: boolean; error: { code: string; message: string } };
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe(ErrorCode.BadRequest);
    expect(body.error.message).toContain('role');
  });

  it('answers a missing password with 400 BAD_REQUEST naming it', async () => {
    const response = await postJson(live.server.url, '/api/agent/login', { username: 'alice' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ ok: false, error: { code: ErrorCode.BadRequest, message: expect.stringContaining('password') } });
  });

  it('answers a 20 KB body with 413 PAYLOAD_TOO_LARGE', async () => {
    const response = await postJson(live.server.url, '/api/agent/login', { username: 'alice', password: 'x'.repeat(20 * 1024) });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ ok: false, error: { code: ErrorCode.PayloadTooLarge, message: expect.any(String) } });
  });

  it('answers a body in a charset or encoding it does not support with 415 UNSUPPORTED', async () => {
    const cases: Record<string, string>[] = [
      { 'content-type': 'application/json; charset=latin1' },
      { 'content-type': 'application/json', 'content-encoding': 'x-unknown' },
    ];
    for (const headers of cases) {
      const response = await fetch(`${live.server.url}/api/agent/login`, { method: 'POST', headers, body: '{"username":"alice","password":"x"}' });
      expect(response.status, JSON.stringify(headers)).toBe(415);
      expect(await response.json()).toEqual({ ok: false, error: { code: ErrorCode.Unsupported, message: expect.any(String) } });
    }
  });

  it('answers a compressed body that does not decompress with 400 BAD_REQUEST', async () => {
    const response = await fetch(`${live.server.url}/api/agent/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: '{"username":"alice","password":"x"}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ ok: false, error: { code: ErrorCode.BadRequest, message: expect.any(String) } });
  });

  it('answers an unknown API path with 404 NOT_FOUND as JSON', async () => {
    const response = await postJson(live.server.url, '/api/agent/nothing-here', {});
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ ok: false, error: { code: ErrorCode.NotFound, message: expect.any(String) } });
  });

  it('still signs an agent in after bad requests', async () => {
    await postJson(live.server.url, '/api/agent/login', '{not json');
    await postJson(live.server.url, '/api/agent/login', { username: 'alice', password: 'x'.repeat(20 * 1024) });
    const response = await postJson(live.server.url, '/api/agent/login', { username: 'alice', password: TEST_PASSWORD });
    expect(response.status).toBe(200);
  });
});
