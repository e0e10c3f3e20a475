// bench:capacity on LiveKit: `@livekit/rtc-node` rooms as participants (the lightest WebRTC client that runs here; no
// RTP can be pushed into LiveKit without a full WebRTC stack), each publishing the camera clip as 30 fps VP8 simulcast
// in the same three layers as the SFU side (LiveKit's SDK scales and encodes them from one source) plus Opus, and
// subscribing to the other participant, whose decoded frames are counted. The participants' encoding and decoding run
// in this process; only livekit-server's own CPU time is the SFU's.
import { readFileSync } from 'node:fs';
import {
  AudioFrame,
  AudioSource,
  LocalAudioTrack,
  LocalVideoTrack,
  Room,
  RoomEvent,
  TrackKind,
  TrackPublishOptions,
  TrackSource,
  VideoBufferType,
  VideoCodec,
  VideoFrame,
  VideoSource,
  VideoStream,
  type RemoteTrack,
} from '@livekit/rtc-node';
import { AccessToken } from 'livekit-server-sdk';
import { startLiveKit, type LiveKitProcess } from '../../tests/support/livekitServer.js';
import type { SfuCalls } from './mediasoupCalls.js';
import { LAYERS } from './rtpStreams.js';

/** Up to `count` I420 frames of a y4m clip. */
function y4mFrames(file: string, count: number): { width: number; height: number; frames: Uint8Array[] } {
  const bytes = readFileSync(file);
  const headerEnd = bytes.indexOf(0x0a);
  const header = bytes.toString('ascii', 0, headerEnd);
  const width = Number(/ W(\d+)/.exec(header)?.[1]);
  const height = Number(/ H(\d+)/.exec(header)?.[1]);
  const size = (width * height * 3) / 2;
  const frames: Uint8Array[] = [];
  for (let offset = headerEnd + 1; frames.length < count && offset < bytes.length; ) {
    const start = bytes.indexOf(0x0a, offset) + 1;
    frames.push(new Uint8Array(bytes.subarray(start, start + size)));
    offset = start + size;
  }
  return { width, height, frames };
}

export async function livekitCalls(video: string): Promise<SfuCalls> {
  const livekit: LiveKitProcess = await startLiveKit();
  const clip = y4mFrames(video, 60);
  const top = LAYERS[LAYERS.length - 1]!;
  const rooms: Room[] = [];
  const sources: VideoSource[] = [];
  const audioSources: AudioSource[] = [];
  /** Frames decoded per receiving participant. */
  const frames = new Map<Room, number>();
  let videoTimer: NodeJS.Timeout | undefined;
  let audioTimer: NodeJS.Timeout | undefined;
  let callNo = 0;

  const token = (room: string, identity: string) => {
    const grant = new AccessToken(livekit.apiKey, livekit.apiSecret, { identity });
    grant.addGrant({ room, roomJoin: true, canPublish: true, canSubscribe: true });
    return grant.toJwt();
  };

  async function join(roomName: string, identity: string): Promise<void> {
    const room = new Room();
    rooms.push(room);
    frames.set(room, 0);
    room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack) => {
      if (track.kind !== TrackKind.KIND_VIDEO) return;
      const reader = new VideoStream(track).getReader();
      void (async () => {
        while (!(await reader.read()).done) frames.set(room, (frames.get(room) ?? 0) + 1);
      })().catch(() => undefined);
    });
    // Dynacast as the product's pages use it: LiveKit asks a publisher to pause the layers nobody receives.
    await room.connect(livekit.wsUrl, await token(roomName, identity), { autoSubscribe: true, dynacast: true });
    const source = new VideoSource(clip.width, clip.height);
    sources.push(source);
    await room.localParticipant!.publishTrack(
      LocalVideoTrack.createVideoTrack('camera', source),
      new TrackPublishOptions({ source: TrackSource.SOURCE_CAMERA, simulcast: true, videoCodec: VideoCodec.VP8, videoEncoding: { maxBitrate: BigInt(top.bitrate), maxFramerate: 30 } }),
    );
    const audio = new AudioSource(48_000, 1);
    audioSources.push(audio);
    await room.localParticipant!.publishTrack(LocalAudioTrack.createAudioTrack('microphone', audio), new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }));
  }

  const sfu: SfuCalls = {
    pid: livekit.pid,
    async open(calls) {
      for (let call = 0; call < calls; call++) {
        const name = `capacity-${++callNo}`;
        await join(name, 'customer');
        await join(name, 'agent');
      }
      let frameNo = 0;
      videoTimer = setInterval(() => {
        const data = clip.frames[frameNo++ % clip.frames.length]!;
        for (const source of sources) source.captureFrame(new VideoFrame(data, clip.width, clip.height, VideoBufferType.I420));
      }, 1000 / 30);
      // A quiet tone in 10 ms frames: Opus costs the SFU the same whatever it carries.
      const tone = new Int16Array(480).map((_, index) => Math.round(3000 * Math.sin((2 * Math.PI * 440 * index) / 48_000)));
      audioTimer = setInterval(() => {
        for (const audio of audioSources) void audio.captureFrame(new AudioFrame(tone, 48_000, 1, 480)).catch(() => undefined);
      }, 10);
    },
    takeFrames() {
      const counts = [...frames.values()];
      for (const room of frames.keys()) frames.set(room, 0);
      return counts;
    },
    async closeCalls() {
      clearInterval(videoTimer);
      clearInterval(audioTimer);
      await Promise.all(rooms.splice(0).map((room) => room.disconnect().catch(() => undefined)));
      sources.splice(0);
      audioSources.splice(0);
      frames.clear();
    },
    async close() {
      await sfu.closeCalls();
      // The native SDK stays loaded for the next run (`dispose` is for the end of the process).
      await livekit.stop();
    },
  };
  return sfu;
}
