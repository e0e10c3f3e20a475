import type { types } from 'mediasoup';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, type Annotation } from '../../signaling/index.js';
import type { RunningServer } from '../../server/createServer.js';
import { customerKey } from '../../server/calls/participantKeys.js';
import type { MediaEngine, MediaRoom } from '../../media/MediaEngine.js';
import { MediasoupRoom } from '../../media/mediasoup/MediasoupRoom.js';
import type { MediasoupEngine } from '../../media/mediasoup/MediasoupEngine.js';
import { testMediaEngine } from '../support/opusSource.js';
import { call, errorOf, once, openCall, rawRequest, record, SocketPool, technicianJoins, type OpenCall } from '../support/sockets.js';
import { startTestServer, testAgent, testTechnician } from '../support/testServer.js';

/** The real engine, keeping each room it makes so a test can put a producer in it as a participant's. */
function recordingEngine(engine: MediasoupEngine, rooms: Map<string, MediaRoom>): MediaEngine {
  return {
    kind: engine.kind,
    stations: engine.stations,
    rtpCapabilities: engine.rtpCapabilities,
    createRoom: async (sessionId, options) => {
      const room = await engine.createRoom(sessionId, options);
      rooms.set(sessionId, room);
      return room;
    },
    close: async () => undefined,
  };
}

/** A VP8 producer from a plain transport on the room's router, owned by the call's customer, as a screen or camera. */
async function customerProducer(room: MediaRoom, open: OpenCall, source: 'screen' | 'camera', ssrc: number): Promise<types.Producer> {
  if (!(room instanceof MediasoupRoom)) throw new Error('not a mediasoup room');
  const transport = await room.router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: true });
  const producer = await transport.produce({
    kind: 'video',
    rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90_000 }], encodings: [{ ssrc }] },
    appData: { source },
  });
  room.addRouterProducer(customerKey(open.ticketId), producer);
  return producer;
}

describe('annotations on a shared screen (Socket.IO path, real server and SFU worker)', () => {
  let engine: MediasoupEngine;
  const rooms = new Map<string, MediaRoom>();
  let server: RunningServer;
  let pool: SocketPool;

  beforeAll(async () => {
    engine = await testMediaEngine();
  });
  afterAll(async () => {
    await engine?.close();
  });
  beforeEach(async () => {
    server = await startTestServer([testAgent('alice', ['csl']), testAgent('bob', ['csl']), testTechnician('tess'), testTechnician('ted')], {}, { media: recordingEngine(engine, rooms) });
    pool = new SocketPool(server.url);
  });
  afterEach(async () => {
    pool?.closeAll();
    await server?.close();
  });

  it('passes a technician’s arrow and pointer to everyone else in the call, in the technician’s colour', async () => {
    const open = await openCall(pool, 'alice');
    const tess = await pool.agent('tess');
    await technicianJoins(open, tess);
    const announced = once(tess.socket, 'media:newProducer');
    const screen = await customerProducer(rooms.get(open.sessionId)!, open, 'screen', 3001);
    expect(await announced).toMatchObject({ producerId: screen.id, from: 'customer', kind: 'video', source: 'screen' });

    const customerSees = record(open.customer, 'call:annotation');
    const agentSees = record(open.agent, 'call:annotation');
    const tessSees = record(tess.socket, 'call:annotation');
    const arrow: Annotation = { kind: 'stroke', target: screen.id, stroke: { id: 's1', shape: 'arrow', points: [[0.2, 0.3], [0.6, 0.45]] } };
    const arrived = once(open.customer, 'call:annotation');
    await call(tess.socket, 'call:annotate', { sessionId: open.sessionId, annotation: arrow });
    expect(await arrived).toEqual({ sessionId: open.sessionId, from: { role: 'technician', name: 'Technician Tess', color: 2 }, annotation: arrow });
    await call(tess.socket, 'call:annotate', { sessionId: open.sessionId, annotation: { kind: 'pointer', target: screen.id, at: [0.5, 0.5] } });
    await call(open.customer, 'call:annotate', { sessionId: open.sessionId, annotation: { kind: 'undo', target: screen.id } });

    await expect.poll(() => agentSees.length).toBe(3);
    expect(customerSees.map((pushed) => pushed.annotation.kind)).toEqual(['stroke', 'pointer']);
    expect(agentSees.map((pushed) => `${pushed.from.role}:${pushed.annotation.kind}`)).toEqual(['technician:stroke', 'technician:pointer', 'customer:undo']);
    expect(tessSees.map((pushed) => `${pushed.from.color}:${pushed.annotation.kind}`)).toEqual(['0:undo']);
    expect(open.customerStarted.color).toBe(0);
    expect(open.agentStarted.color).toBe(1);
  });

  it('refuses bad marks with a coded error and passes nothing on: out of range, not a shared view, a flood, a stranger', async () => {
    const open = await openCall(pool, 'alice');
    const room = rooms.get(open.sessionId)!;
    const screen = await customerProducer(room, open, 'screen', 3002);
    const camera = await customerProducer(room, open, 'camera', 3003);
    const customerSees = record(open.customer, 'call:annotation');
    const point = (target: string, at: [number, number] = [0.5, 0.5]): Annotation => ({ kind: 'pointer', target, at });

    const outOfRange = await rawRequest(open.agent, 'call:annotate', { sessionId: open.sessionId, annotation: { kind: 'pointer', target: screen.id, at: [1.5, 0.2] } });
    expect(errorOf(outOfRange).code).toBe(ErrorCode.BadRequest);
    const tooLong = await rawRequest(open.agent, 'call:annotate', {
      sessionId: open.sessionId,
      annotation: { kind: 'stroke', target: screen.id, stroke: { id: 'x', shape: 'free', points: Array.from({ length: 300 }, () => [0.5, 0.5]) } },
    });
    expect(errorOf(tooLong).code).toBe(ErrorCode.BadRequest);
    for (const target of [camera.id, 'no-such-producer']) {
      const refused = await rawRequest(open.agent, 'call:annotate', { sessionId: open.sessionId, annotation: point(target) });
      expect(errorOf(refused)).toMatchObject({ code: ErrorCode.NotFound });
    }

    // A stranger: a customer of another call names this call and its screen.
    const other = await openCall(pool, 'bob');
    const stranger = await rawRequest(other.customer, 'call:annotate', { sessionId: open.sessionId, annotation: point(screen.id) });
    expect(errorOf(stranger).code).toBe(ErrorCode.NotFound);
    const closeOthers = await rawRequest(other.customer, 'media:closeProducer', { sessionId: open.sessionId, producerId: screen.id });
    expect(errorOf(closeOthers).code).toBe(ErrorCode.NotFound);
    expect(screen.closed).toBe(false);

    // A flood: the burst goes through, then each mark beyond the rate is refused and not passed on.
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => rawRequest(open.agent, 'call:annotate', { sessionId: open.sessionId, annotation: point(screen.id, [i / 100, 0.5]) })));
    const limited = results.filter((ack) => !ack.ok);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.every((ack) => errorOf(ack).code === ErrorCode.RateLimited)).toBe(true);
    const passed = results.length - limited.length;
    await expect.poll(() => customerSees.length).toBe(passed);
    expect(customerSees.every((pushed) => pushed.annotation.kind === 'pointer' && pushed.annotation.target === screen.id)).toBe(true);
  });

  it('keeps the strokes for pages that join later: each with its drawer, after undo and clear, and none of a share that stopped', async () => {
    const open = await openCall(pool, 'alice');
    const screen = await customerProducer(rooms.get(open.sessionId)!, open, 'screen', 3004);
    const stroke = (id: string, shape: 'arrow' | 'circle'): Annotation => ({ kind: 'stroke', target: screen.id, stroke: { id, shape, points: [[0.1, 0.2], [0.4, 0.5]] } });
    const annotate = (socket: typeof open.agent, annotation: Annotation) => call(socket, 'call:annotate', { sessionId: open.sessionId, annotation });
    await annotate(open.customer, stroke('c1', 'arrow'));
    await annotate(open.agent, stroke('a1', 'circle'));
    await annotate(open.agent, stroke('a2', 'arrow'));
    await annotate(open.agent, { kind: 'undo', target: screen.id });
    await annotate(open.customer, { kind: 'pointer', target: screen.id, at: [0.5, 0.5] });

    // A technician who comes in now asks for what was drawn before: the two strokes left, oldest first, no pointer.
    const tess = await pool.agent('tess');
    await technicianJoins(open, tess);
    const { marks } = await call(tess.socket, 'call:marks', { sessionId: open.sessionId });
    expect(marks).toEqual([
      { from: { role: 'customer', name: expect.any(String), color: 0 }, annotation: stroke('c1', 'arrow') },
      { from: { role: 'agent', name: 'Agent alice', color: 1 }, annotation: stroke('a1', 'circle') },
    ]);
    // A customer of another call asks for this call's marks: refused, as for any of its events.
    const other = await openCall(pool, 'bob');
    expect(errorOf(await rawRequest(other.customer, 'call:marks', { sessionId: open.sessionId })).code).toBe(ErrorCode.NotFound);

    await annotate(tess.socket, { kind: 'clear', target: screen.id });
    expect((await call(open.agent, 'call:marks', { sessionId: open.sessionId })).marks).toEqual([]);
    await annotate(tess.socket, stroke('t1', 'arrow'));
    expect((await call(open.customer, 'call:marks', { sessionId: open.sessionId })).marks).toHaveLength(1);
    screen.close();
    await expect.poll(async () => (await call(open.agent, 'call:marks', { sessionId: open.sessionId })).marks).toEqual([]);
  });

  it('gives a technician who joins after one who drew and left a colour of their own, so the strokes stay the first one’s', async () => {
    const open = await openCall(pool, 'alice');
    const screen = await customerProducer(rooms.get(open.sessionId)!, open, 'screen', 3006);
    const arrow: Annotation = { kind: 'stroke', target: screen.id, stroke: { id: 't1', shape: 'arrow', points: [[0.1, 0.2], [0.4, 0.5]] } };
    const tess = await pool.agent('tess');
    await technicianJoins(open, tess);
    await call(tess.socket, 'call:annotate', { sessionId: open.sessionId, annotation: arrow });
    await call(tess.socket, 'call:end', { sessionId: open.sessionId });

    const ted = await pool.agent('ted');
    const started = once(ted.socket, 'call:started');
    await technicianJoins(open, ted);
    const tedColor = (await started).color;
    expect([0, 1, 2]).not.toContain(tedColor);
    const { marks } = await call(ted.socket, 'call:marks', { sessionId: open.sessionId });
    expect(marks).toEqual([{ from: { role: 'technician', name: 'Technician Tess', color: 2 }, annotation: arrow }]);
  });
});
