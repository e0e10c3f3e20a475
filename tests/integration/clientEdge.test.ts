import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RequestError, SignalingClient } from '../../client/src/net/SignalingClient.js';
import type { QueueStatus } from '../../signaling/index.js';

/**
 * The browser's one edge, exercised from Node against a real Socket.IO server on port 0 that plays a server sending
 * good and bad pushes and acks (the real server never sends bad ones, so only a stand-in can test the edge).
 */
describe('the client edge against a stand-in server that sends malformed pushes and acks', () => {
  let http: HttpServer;
  let io: Server;
  let url: string;
  let client: SignalingClient | undefined;
  let serverSide: Promise<Socket>;

  beforeEach(async () => {
    http = createServer();
    io = new Server(http);
    serverSide = new Promise((resolve) => io.once('connection', resolve));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    client?.close();
    await new Promise<void>((resolve) => io.close(() => resolve()));
  });

  it('hands a push to its handler only when it fits the schema', async () => {
    client = new SignalingClient({ url });
    const seen: QueueStatus[] = [];
    const valid = { ticketId: 'SL-AAA-AAA', position: 2, eta: { lowSec: 60, highSec: 120, sure: true } };
    const arrived = new Promise<void>((resolve) => client!.on('queue:status', (status) => void (seen.push(status) === 2 && resolve())));
    const socket = await serverSide;

    socket.emit('queue:status', { ticketId: 'SL-AAA-AAA', position: 'second' });
    socket.emit('queue:status', valid);
    socket.emit('queue:status', { ...valid, position: 0 });
    socket.emit('queue:status', { ...valid, position: 1 });
    await arrived;

    expect(seen).toEqual([valid, { ...valid, position: 1 }]);
  });

  it('stops calling a handler once unsubscribed', async () => {
    client = new SignalingClient({ url });
    const seen: unknown[] = [];
    const unsubscribe = client.on('call:ended', (end) => seen.push(end));
    const marker = new Promise<void>((resolve) => client!.on('call:peerSigning', () => resolve()));
    const socket = await serverSide;
    unsubscribe();
    socket.emit('call:ended', { sessionId: 's1', reason: 'hangup' });
    socket.emit('call:peerSigning', { sessionId: 's1', role: 'agent', signing: true });
    await marker;
    expect(seen).toEqual([]);
  });

  it('rejects an ack whose data does not fit the reply schema with BAD_REPLY, and passes a coded error through', async () => {
    client = new SignalingClient({ url });
    const socket = await serverSide;
    socket.on('station:join', (_payload: unknown, ack: (reply: unknown) => void) => ack({ ok: true, data: { station: 42 } }));
    socket.on('queue:leave', (_payload: unknown, ack: (reply: unknown) => void) => ack({ ok: false, error: { code: 'INVALID_STATE', message: 'not waiting in the queue' } }));
    socket.on('agent:status', (_payload: unknown, ack: (reply: unknown) => void) => ack('yes'));

    await expect(client.request('station:join', {})).rejects.toMatchObject({ code: 'BAD_REPLY' });
    await expect(client.request('queue:leave', {})).rejects.toEqual(new RequestError('INVALID_STATE', 'not waiting in the queue'));
    await expect(client.request('agent:status', { status: 'away' })).rejects.toMatchObject({ code: 'BAD_REPLY' });
  });

  it('reports a refused connection with the server’s code, once', async () => {
    io.use((_socket, next) => next(Object.assign(new Error('UNAUTHORIZED'), { data: { code: 'UNAUTHORIZED', message: 'unknown or expired token' } })));
    client = new SignalingClient({ url, token: () => 'expired' });
    const refused = await new Promise<RequestError>((resolve) => client!.onConnection({ refused: resolve }));
    expect(refused).toMatchObject({ code: 'UNAUTHORIZED', message: 'unknown or expired token' });
  });
});
