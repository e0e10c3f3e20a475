import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import type { MediaEngine } from '../media/MediaEngine.js';
import { MediasoupEngine } from '../media/mediasoup/MediasoupEngine.js';
import { AgentDirectory } from './auth/AgentDirectory.js';
import { TokenRegistry } from './auth/TokenRegistry.js';
import type { Config } from './config.js';
import { createHttpApp } from './http/httpApp.js';
import { createLogger, type Logger } from './logger.js';
import { Dispatcher } from './routing/Dispatcher.js';
import { FifoPolicy } from './routing/RoutingPolicy.js';
import { SessionRegistry } from './sessions/SessionRegistry.js';
import { StationRegistry } from './sessions/StationRegistry.js';
import { attachSocketGateway } from './socket/SocketGateway.js';
import type { AppServer } from './socket/types.js';
import { TicketRegistry } from './tickets/TicketRegistry.js';

/** A running service: its URL and a way to stop it. */
export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:3000. */
  url: string;
  port: number;
  agents: AgentDirectory;
  /** Stops accepting, ends every call, closes media. Idempotent. */
  close(): Promise<void>;
}

/** Parts a caller may supply instead of the defaults built from config (tests share one media engine). */
export interface ServerParts {
  agents?: AgentDirectory;
  media?: MediaEngine;
  log?: Logger;
}

/** The composition root: builds every part from config, listens, and returns a handle. */
export async function startServer(config: Config, parts: ServerParts = {}): Promise<RunningServer> {
  const log = parts.log ?? createLogger(config.LOG_LEVEL);
  const agents = parts.agents ?? AgentDirectory.load({ json: config.AGENT_ACCOUNTS, file: config.AGENT_ACCOUNTS_FILE });
  const ownsMedia = !parts.media;
  const media =
    parts.media ??
    (await MediasoupEngine.create({
      workerBin: config.MEDIASOUP_WORKER_BIN,
      workers: config.MEDIASOUP_WORKERS,
      listenIp: config.MEDIA_LISTEN_IP,
      announcedIp: config.MEDIA_ANNOUNCED_IP,
      rtcMinPort: config.RTC_MIN_PORT,
      rtcMaxPort: config.RTC_MAX_PORT,
      initialAvailableOutgoingBitrate: config.MEDIA_INITIAL_BITRATE,
      logLevel: 'warn',
    }));
  const tokens = new TokenRegistry();
  const tickets = new TicketRegistry();
  const dispatcher = new Dispatcher({ policy: new FifoPolicy(), offerTimeoutMs: config.OFFER_TIMEOUT_MS });
  const sessions = new SessionRegistry(media);
  const stations = new StationRegistry(media);
  const app = createHttpApp({ config, log, agents, tokens, tickets, dispatcher, sessions, stations, media });
  const http = createHttpServer(app);
  const io: AppServer = new Server(http, { maxHttpBufferSize: 256 * 1024, serveClient: false });
  attachSocketGateway({ config, log, agents, tokens, tickets, dispatcher, sessions, stations, media, io });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.PORT, config.HOST, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    agents,
    close: () =>
      (closing ??= (async () => {
        sessions.endAll('server-shutdown');
        dispatcher.close();
        await new Promise<void>((resolve) => io.close(() => resolve()));
        if (ownsMedia) await media.close();
      })()),
  };
}
