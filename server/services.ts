import type { MediaEngine } from '../media/MediaEngine.js';
import type { Config } from './config.js';
import type { AgentDirectory } from './auth/AgentDirectory.js';
import type { TokenRegistry } from './auth/TokenRegistry.js';
import type { Logger } from './logger.js';
import type { QualityRecords } from './quality/QualityRecords.js';
import type { Router } from './routing/Router.js';
import type { CallService } from './calls/CallService.js';
import type { UntoldEnds } from './calls/UntoldEnds.js';
import type { StationRegistry } from './stations/StationRegistry.js';
import type { SupervisorView } from './supervisor/SupervisorView.js';
import type { Ticket, TicketRegistry } from './tickets/TicketRegistry.js';
import type { TicketProgress } from './tickets/TicketProgress.js';
import type { AppServer } from './socket/types.js';
import type { Registry } from 'prom-client';
import type { CannedReplies, Guides } from '../signaling/index.js';
import type { OtherNodes } from './supervisor/clusterView.js';

/** The server's parts, built once in the composition root and handed to handlers. */
export interface Services {
  config: Config;
  log: Logger;
  agents: AgentDirectory;
  tokens: TokenRegistry;
  tickets: TicketRegistry;
  /** Gives back a ticket another node opened, from the records, when this node comes to serve it. */
  loadTicket: (ticketId: string) => Promise<Ticket | undefined>;
  /** Which agents' consoles are connected to this node, for a node taking over if this one dies (with Redis). */
  nodeAgents: { here(agentId: string): void; gone(agentId: string): void };
  /** How many other nodes share this one's Redis (0 without Redis). */
  nodePeers(): Promise<number>;
  /** Tickets as their customers follow them: progress page, live updates, survey; CSAT. */
  progress: TicketProgress;
  router: Router;
  calls: CallService;
  stations: StationRegistry;
  media: MediaEngine;
  quality: QualityRecords;
  /** With several nodes (Redis), the calls and quality records other nodes host, for supervisors. */
  otherNodes?: OtherNodes | undefined;
  /** Agents' canned replies, read once at start-up. */
  cannedReplies: CannedReplies;
  /** Step-by-step guides for common problems, read once at start-up. */
  guides: Guides;
  io: AppServer;
  /** Ends of calls agents' consoles did not hear (cut off by a restart or a dead node, or ended while away): told once, when back. */
  untoldEnds: UntoldEnds;
  /** Prometheus metrics of this node (`GET /metrics`). */
  metrics: Registry;
  /** What the supervisor console shows (`GET /api/supervisor/overview`). */
  supervisor: SupervisorView;
}
