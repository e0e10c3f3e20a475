import type { MediaEngine } from '../media/MediaEngine.js';
import { LiveKitEngine } from '../media/livekit/LiveKitEngine.js';
import { MediasoupEngine } from '../media/mediasoup/MediasoupEngine.js';
import type { Config } from './config.js';

/** The media engine `MEDIA_ENGINE` names: the embedded mediasoup SFU (default) or a LiveKit server. */
export async function createMediaEngine(config: Config): Promise<MediaEngine> {
  switch (config.MEDIA_ENGINE) {
    case 'mediasoup':
      return MediasoupEngine.create({
        workerBin: config.MEDIASOUP_WORKER_BIN,
        workers: config.MEDIASOUP_WORKERS,
        listenIp: config.MEDIA_LISTEN_IP,
        announcedIp: config.MEDIA_ANNOUNCED_IP,
        rtcMinPort: config.RTC_MIN_PORT,
        rtcMaxPort: config.RTC_MAX_PORT,
        initialAvailableOutgoingBitrate: config.MEDIA_INITIAL_BITRATE,
        policy: config.MEDIA_POLICY,
        logLevel: 'warn',
      });
    case 'livekit': {
      // loadConfig made sure these are set.
      const wsUrl = config.LIVEKIT_URL!;
      return LiveKitEngine.create({
        wsUrl,
        httpUrl: config.LIVEKIT_API_URL ?? wsUrl.replace(/^ws/, 'http'),
        apiKey: config.LIVEKIT_API_KEY!,
        apiSecret: config.LIVEKIT_API_SECRET!,
        policy: config.MEDIA_POLICY,
      });
    }
  }
}
