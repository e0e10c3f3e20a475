import {
  AudioFrame,
  AudioSource,
  dispose,
  LocalAudioTrack,
  LocalVideoTrack,
  Room,
  RoomEvent,
  TrackKind,
  TrackPublishOptions,
  TrackSource,
  VideoBufferType,
  VideoFrame,
  VideoSource,
  VideoStream,
  type RemoteTrack,
} from '@livekit/rtc-node';
import { randomUUID } from 'node:crypto';
import { RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tokenFor, type LiveKitParticipant } from '../../media/livekit/livekitAccess.js';
import type { CallMode, ParticipantRole } from '../../signaling/index.js';
import { livekitUnavailable, startLiveKit, type LiveKitProcess } from '../support/livekitServer.js';

/**
 * The tokens `livekitAccess` makes, used by real LiveKit participants (`@livekit/rtc-node`, the native client SDK, in
 * place of a browser) against a real livekit-server 1.13.5 on loopback: what a role may send is enforced by the server.
 */
const unavailable = livekitUnavailable();

describe.skipIf(unavailable !== undefined)(`LiveKit tokens on a real livekit-server${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let livekit: LiveKitProcess;
  const rooms: Room[] = [];

  beforeAll(async () => {
    livekit = await startLiveKit();
  }, 30_000);
  afterEach(async () => {
    await Promise.all(rooms.splice(0).map((room) => room.disconnect().catch(() => undefined)));
  });
  afterAll(async () => {
    await livekit?.stop();
    await dispose();
  });

  async function join(call: string, role: ParticipantRole, mode: CallMode, keys: Pick<LiveKitProcess, 'apiKey' | 'apiSecret'> = livekit): Promise<Room> {
    const participant: LiveKitParticipant = { room: call, identity: `${role}-${randomUUID().slice(0, 6)}`, name: role, role, mode };
    const room = new Room();
    rooms.push(room);
    await room.connect(livekit.wsUrl, await tokenFor(keys, participant), { autoSubscribe: true, dynacast: false });
    return room;
  }

  function publishOptions(source: TrackSource): TrackPublishOptions {
    return new TrackPublishOptions({ source, simulcast: false });
  }

  async function publishCamera(room: Room): Promise<{ stop(): void }> {
    const source = new VideoSource(160, 120);
    const track = LocalVideoTrack.createVideoTrack('camera', source);
    await room.localParticipant!.publishTrack(track, publishOptions(TrackSource.SOURCE_CAMERA));
    const pixels = new Uint8Array(160 * 120 * 4).fill(200);
    const timer = setInterval(() => source.captureFrame(new VideoFrame(pixels, 160, 120, VideoBufferType.RGBA)), 33);
    return { stop: () => clearInterval(timer) };
  }

  async function publishMicrophone(room: Room): Promise<void> {
    const source = new AudioSource(48_000, 1);
    const track = LocalAudioTrack.createAudioTrack('microphone', source);
    await room.localParticipant!.publishTrack(track, publishOptions(TrackSource.SOURCE_MICROPHONE));
    await source.captureFrame(new AudioFrame(new Int16Array(480), 48_000, 1, 480));
  }

  /** Resolves with the first remote track of `kind` the room subscribes to, or rejects after `ms`. */
  function nextTrack(room: Room, kind: TrackKind, ms = 15_000): Promise<RemoteTrack> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${TrackKind[kind]} track within ${ms} ms`)), ms);
      const onTrack = (track: RemoteTrack) => {
        if (track.kind !== kind) return;
        clearTimeout(timer);
        room.off(RoomEvent.TrackSubscribed, onTrack);
        resolve(track);
      };
      room.on(RoomEvent.TrackSubscribed, onTrack);
    });
  }

  /** Settles with whether publishing was refused: a rejection, or no answer within `ms` (the server ignores it). */
  async function refused(publish: Promise<unknown>, ms = 12_000): Promise<boolean> {
    const outcome = await Promise.race([
      publish.then(() => 'published' as const, () => 'refused' as const),
      new Promise<'unanswered'>((resolve) => setTimeout(() => resolve('unanswered'), ms)),
    ]);
    return outcome !== 'published';
  }

  it('lets a signing customer send their camera, and the agent in the same call decodes its frames', async () => {
    const call = `S-${randomUUID()}`;
    const agent = await join(call, 'agent', 'csl');
    const customer = await join(call, 'customer', 'csl');
    const incoming = nextTrack(agent, TrackKind.KIND_VIDEO);
    const camera = await publishCamera(customer);
    try {
      const reader = new VideoStream(await incoming).getReader();
      const { value } = await reader.read();
      expect(value?.frame.width).toBe(160);
      await reader.cancel();
    } finally {
      camera.stop();
    }
  }, 30_000);

  it('refuses at the server the camera and microphone of a text call’s customer, whose data still reaches the agent', async () => {
    const call = `S-${randomUUID()}`;
    const agent = await join(call, 'agent', 'text');
    const customer = await join(call, 'customer', 'text');
    const video = new VideoSource(160, 120);
    expect(await refused(customer.localParticipant!.publishTrack(LocalVideoTrack.createVideoTrack('camera', video), publishOptions(TrackSource.SOURCE_CAMERA)))).toBe(true);
    expect(await refused(publishMicrophone(customer))).toBe(true);
    expect([...(agent.remoteParticipants.values())].flatMap((p) => [...p.trackPublications.values()])).toEqual([]);
    // The server itself holds no track of the customer's.
    const onServer = await new RoomServiceClient(livekit.httpUrl, livekit.apiKey, livekit.apiSecret).listParticipants(call);
    const customerOnServer = onServer.find((p) => p.identity === customer.localParticipant!.identity);
    expect(customerOnServer?.tracks).toEqual([]);
    const received = new Promise<string>((resolve) => agent.on(RoomEvent.DataReceived, (payload) => resolve(new TextDecoder().decode(payload))));
    // Data sent before the agent's side knows the customer is lost; send until it arrives.
    const timer = setInterval(() => void customer.localParticipant!.publishData(new TextEncoder().encode('hello'), { reliable: true }), 200);
    try {
      expect(await received).toBe('hello');
    } finally {
      clearInterval(timer);
    }
  }, 60_000);

  it('takes the microphone of a voice call’s customer and refuses their camera', async () => {
    const call = `S-${randomUUID()}`;
    const agent = await join(call, 'agent', 'voice');
    const customer = await join(call, 'customer', 'voice');
    const audio = nextTrack(agent, TrackKind.KIND_AUDIO);
    await publishMicrophone(customer);
    expect((await audio).kind).toBe(TrackKind.KIND_AUDIO);
    const video = new VideoSource(160, 120);
    expect(await refused(customer.localParticipant!.publishTrack(LocalVideoTrack.createVideoTrack('camera', video), publishOptions(TrackSource.SOURCE_CAMERA)))).toBe(true);
  }, 60_000);

  it('refuses a token signed with another secret, and keeps a participant of another call out of sight', async () => {
    const call = `S-${randomUUID()}`;
    await expect(join(call, 'customer', 'csl', { apiKey: livekit.apiKey, apiSecret: 'x'.repeat(48) })).rejects.toThrow();
    const agent = await join(call, 'agent', 'csl');
    const stranger = await join(`S-${randomUUID()}`, 'customer', 'csl');
    const camera = await publishCamera(stranger);
    try {
      // The call's own customer joins after the stranger: once the agent sees them, the stranger would have shown too.
      const seen = new Promise<string>((resolve) => agent.on(RoomEvent.ParticipantConnected, (participant) => resolve(participant.identity)));
      const customer = await join(call, 'customer', 'csl');
      expect(await seen).toBe(customer.localParticipant!.identity);
      expect([...agent.remoteParticipants.values()].map((p) => p.identity)).toEqual([customer.localParticipant!.identity]);
    } finally {
      camera.stop();
    }
  }, 30_000);
});
