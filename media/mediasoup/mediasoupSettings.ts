import type { types } from 'mediasoup';
import type { MediaPolicy } from '../../signaling/index.js';

/** Opus for voice; VP8 because it carries simulcast temporal layers that mediasoup 3.8 can switch (H264 cannot here). */
export const mediaCodecs: types.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100 },
  {
    kind: 'video',
    mimeType: 'video/VP8',
    clockRate: 90000,
    preferredPayloadType: 101,
    parameters: { 'x-google-start-bitrate': 1000 },
  },
];

/** Options of the embedded mediasoup engine. */
export interface MediasoupEngineOptions {
  /** Path of the mediasoup-worker binary built by scripts/build-mediasoup-worker.sh. */
  workerBin: string;
  /** Worker processes to run, one per core by default. */
  workers: number;
  /** Local address WebRTC transports listen on. */
  listenIp: string;
  /** Address announced in ICE candidates when clients reach the server through NAT. */
  announcedIp?: string | undefined;
  rtcMinPort: number;
  rtcMaxPort: number;
  /** Starting send estimate; the 600 kbps default sends 720p at 5-10 fps for the first seconds. */
  initialAvailableOutgoingBitrate: number;
  /** `product` steers simulcast layers frame-rate first; `default` leaves mediasoup's own choice. */
  policy: MediaPolicy;
  logLevel: 'debug' | 'warn' | 'error' | 'none';
}
