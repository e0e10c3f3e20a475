import { createHash, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { dispose, LocalVideoTrack, Room, RoomEvent, TrackPublishOptions, TrackSource, VideoBufferType, VideoFrame, VideoSource } from '@livekit/rtc-node';
import express, { type NextFunction, type Request, type Response } from 'express';
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LiveKitRooms, type LiveKitRoomEvents } from '../../media/livekit/LiveKitRooms.js';
import { toErrorBody } from '../../server/errors.js';
import { LIVEKIT_WEBHOOK_PATH, livekitWebhookRouter } from '../../server/http/livekitWebhook.js';
import { livekitUnavailable, startLiveKit, type LiveKitProcess } from '../support/livekitServer.js';

/**
 * `LiveKitRooms` and its webhook route against a real livekit-server 1.13.5 that posts its webhooks to a real Express
 * server on port 0, with `@livekit/rtc-node` participants in place of browsers.
 */
const unavailable = livekitUnavailable();

type Heard = { [K in keyof LiveKitRoomEvents]: [K, ...LiveKitRoomEvents[K]] }[keyof LiveKitRoomEvents];

describe.skipIf(unavailable !== undefined)(`the calls' rooms on a real livekit-server${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let livekit: LiveKitProcess;
  let rooms: LiveKitRooms;
  let http: Server;
  let webhookUrl: string;
  const heard: Heard[] = [];
  const participants: Room[] = [];

  beforeAll(async () => {
    const app = express();
    // The route is mounted before the server's keys exist: LiveKit needs the route's address to start.
    app.use((req, res, next) => livekitWebhookRouter(rooms)(req, res, next));
    app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      const { status, ...body } = toErrorBody(error, () => undefined);
      res.status(status).json({ ok: false, error: body });
    });
    http = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => http.once('listening', resolve));
    webhookUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}${LIVEKIT_WEBHOOK_PATH}`;
    livekit = await startLiveKit({ webhookUrl });
    rooms = new LiveKitRooms(livekit);
    for (const name of ['participantJoined', 'participantLeft', 'trackPublished', 'trackUnpublished', 'roomFinished'] as const) {
      rooms.on(name, (...args: unknown[]) => heard.push([name, ...args] as Heard));
    }
  }, 30_000);
  afterEach(async () => {
    await Promise.all(participants.splice(0).map((room) => room.disconnect().catch(() => undefined)));
  });
  afterAll(async () => {
    await livekit?.stop();
    await dispose();
    await new Promise((resolve) => http?.close(resolve));
  });

  /** Resolves once `heard` holds an event `match` accepts, checking as events arrive; rejects after `ms`. */
  async function until(match: (event: Heard) => boolean, what: string, ms = 15_000): Promise<Heard> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = heard.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms; heard: ${JSON.stringify(heard.map((e) => e[0]))}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Posts a webhook body with the given signature to the route, as LiveKit would. */
  function post(body: string, authorization?: string): Promise<globalThis.Response> {
    return fetch(webhookUrl, { method: 'POST', body, headers: { 'content-type': 'application/webhook+json', ...(authorization ? { authorization } : {}) } });
  }

  /** A signature over `body` as LiveKit makes it: a token of the key whose sha256 claim is the body's hash. */
  async function sign(body: string, secret: string): Promise<string> {
    const token = new AccessToken(livekit.apiKey, secret);
    token.sha256 = createHash('sha256').update(body).digest('base64');
    return token.toJwt();
  }

  it('opens a call’s room, hears who joined and what they sent, removes one and closes the room, from verified webhooks', async () => {
    const call = `S-${randomUUID()}`;
    await rooms.open(call, 4);
    const [info] = await new RoomServiceClient(livekit.httpUrl, livekit.apiKey, livekit.apiSecret).listRooms([call]);
    expect(info?.maxParticipants).toBe(4);

    const customer = new Room();
    participants.push(customer);
    const { url, token } = await rooms.admit({ room: call, identity: 'cust-1', name: 'SL-4K7', role: 'customer', mode: 'csl' });
    await customer.connect(url, token, { autoSubscribe: true, dynacast: false });
    await until((e) => e[0] === 'participantJoined' && e[1] === call && e[2] === 'cust-1', 'participant_joined');

    const source = new VideoSource(160, 120);
    await customer.localParticipant!.publishTrack(LocalVideoTrack.createVideoTrack('camera', source), new TrackPublishOptions({ source: TrackSource.SOURCE_CAMERA, simulcast: false }));
    source.captureFrame(new VideoFrame(new Uint8Array(160 * 120 * 4), 160, 120, VideoBufferType.RGBA));
    const published = await until((e) => e[0] === 'trackPublished' && e[1] === call, 'track_published');
    expect(published[3]).toMatchObject({ kind: 'video', source: 'camera' });

    const disconnected = new Promise((resolve) => customer.once(RoomEvent.Disconnected, resolve));
    await rooms.remove(call, 'cust-1');
    await disconnected;
    await until((e) => e[0] === 'participantLeft' && e[1] === call && e[2] === 'cust-1', 'participant_left');
    await rooms.remove(call, 'cust-1');

    await rooms.close(call);
    await until((e) => e[0] === 'roomFinished' && e[1] === call, 'room_finished');
    expect(await rooms.list()).not.toContain(call);
    await rooms.close(call);
  }, 60_000);

  it('refuses a webhook signed with another secret, changed after signing, or unsigned, and announces nothing', async () => {
    const body = JSON.stringify({ event: 'participant_joined', id: `EV_${randomUUID()}`, room: { name: 'S-forged' }, participant: { identity: 'intruder' }, createdAt: String(Math.floor(Date.now() / 1000)) });
    const before = heard.length;
    const forged = await post(body, await sign(body, 'z'.repeat(48)));
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    const changed = await post(body.replace('intruder', 'someone-else'), await sign(body, livekit.apiSecret));
    expect(changed.status).toBe(401);
    expect((await post(body)).status).toBe(401);
    expect((await post('{"event": 3', await sign('{"event": 3', livekit.apiSecret))).status).toBe(401);
    // The same body with our own signature is taken: the refusals above were the signature's doing.
    expect((await post(body, await sign(body, livekit.apiSecret))).status).toBe(200);
    expect(heard.slice(before)).toEqual([['participantJoined', 'S-forged', 'intruder']]);
  });

  it('announces a webhook delivered twice once', async () => {
    const body = JSON.stringify({ event: 'room_finished', id: `EV_${randomUUID()}`, room: { name: 'S-twice' } });
    const signature = await sign(body, livekit.apiSecret);
    expect((await post(body, signature)).status).toBe(200);
    expect((await post(body, signature)).status).toBe(200);
    expect(heard.filter((e) => e[1] === 'S-twice')).toEqual([['roomFinished', 'S-twice']]);
  });
});
