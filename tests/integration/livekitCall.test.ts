import { Room, RoomEvent, dispose } from '@livekit/rtc-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LiveKitEngine } from '../../media/livekit/LiveKitEngine.js';
import { SERVICE_IDENTITY } from '../../media/livekit/LiveKitRoom.js';
import type { RunningServer } from '../../server/createServer.js';
import { ErrorCode } from '../../signaling/index.js';
import { livekitUnavailable, startLiveKit, type LiveKitProcess } from '../support/livekitServer.js';
import { call, errorOf, openCall, rawRequest, SocketPool } from '../support/sockets.js';
import { startTestServer, testAgent } from '../support/testServer.js';

/**
 * The service with `MEDIA_ENGINE=livekit` against a real livekit-server 1.13.5, over real Socket.IO: what a call's
 * pages are told and refused. (Chromium calls on it are in tests/e2e/crossNode.test.ts.)
 */
const unavailable = livekitUnavailable();

describe.skipIf(unavailable !== undefined)(`a call on LiveKit${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let livekit: LiveKitProcess;
  let engine: LiveKitEngine;
  let server: RunningServer;
  let pool: SocketPool;
  const participants: Room[] = [];

  beforeAll(async () => {
    livekit = await startLiveKit();
    engine = await LiveKitEngine.create({ ...livekit, policy: 'product' });
  }, 30_000);
  afterAll(async () => {
    await engine?.close();
    await livekit?.stop();
    await dispose();
  });
  beforeEach(async () => {
    server = await startTestServer([testAgent('alice', ['csl', 'voice'])], {}, { media: engine });
    pool = new SocketPool(server.url);
  });
  afterEach(async () => {
    await Promise.all(participants.splice(0).map((room) => room.disconnect().catch(() => undefined)));
    pool.closeAll();
    await server.close();
  });

  it('tells both sides the call is on LiveKit and gives each a token into that call’s room only', async () => {
    const open = await openCall(pool, 'alice');
    expect(open.customerStarted.media).toBe('livekit');
    expect(open.agentStarted.media).toBe('livekit');
    const joined = await call(open.customer, 'media:join', { sessionId: open.sessionId, send: true, data: true });
    if (joined.engine !== 'livekit') throw new Error(`answered for ${joined.engine}`);
    expect(joined).toMatchObject({ url: livekit.wsUrl, serviceIdentity: SERVICE_IDENTITY, policy: 'product', iceServers: [] });

    const customer = new Room();
    participants.push(customer);
    await customer.connect(joined.url, joined.token, { autoSubscribe: false, dynacast: false });
    expect(customer.name).toBe(open.sessionId);
    expect([...customer.remoteParticipants.keys()]).toContain(SERVICE_IDENTITY);
  });

  it('refuses the embedded SFU’s requests and the agent’s station with INVALID_STATE, and a stranger’s join with NOT_FOUND', async () => {
    const open = await openCall(pool, 'alice');
    const refused = errorOf(await rawRequest(open.customer, 'media:createTransport', { sessionId: open.sessionId, direction: 'send' }));
    expect(refused).toEqual({ code: ErrorCode.InvalidState, message: expect.stringContaining('LiveKit') });
    expect(errorOf(await rawRequest(open.agent, 'station:join', {})).code).toBe(ErrorCode.InvalidState);
    const stranger = await pool.queuedCustomer();
    expect(errorOf(await rawRequest(stranger.socket, 'media:join', { sessionId: open.sessionId, send: true })).code).toBe(ErrorCode.NotFound);
  });

  it('ends the call’s room on LiveKit when the call ends, disconnecting whoever is still in it', async () => {
    const open = await openCall(pool, 'alice');
    const joined = await call(open.customer, 'media:join', { sessionId: open.sessionId, send: true });
    if (joined.engine !== 'livekit') throw new Error(`answered for ${joined.engine}`);
    const customer = new Room();
    participants.push(customer);
    const disconnected = new Promise<void>((resolve) => customer.once(RoomEvent.Disconnected, () => resolve()));
    await customer.connect(joined.url, joined.token, { autoSubscribe: false, dynacast: false });
    expect(await engine.rooms.list()).toContain(open.sessionId);

    await call(open.agent, 'call:end', { sessionId: open.sessionId });
    await disconnected;
    for (const deadline = Date.now() + 10_000; (await engine.rooms.list()).includes(open.sessionId); ) {
      if (Date.now() > deadline) throw new Error('the room is still there');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
});
