import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { MAX_GUIDE_EVENT_BYTES, type CannedReplies, type Guides } from '../signaling/index.js';
import type { MediaEngine } from '../media/MediaEngine.js';
import { createMediaEngine } from './createMediaEngine.js';
import { AgentDirectory } from './auth/AgentDirectory.js';
import { JoinLinks } from './auth/JoinLinks.js';
import { TokenRegistry } from './auth/TokenRegistry.js';
import type { Config } from './config.js';
import { createHttpApp } from './http/httpApp.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { openRecords } from './records/openRecords.js';
import type { RecordsDb } from './records/RecordsDb.js';
import { DataKeys } from './records/DataKeys.js';
import { SqlTranscriptStore } from './records/SqlTranscriptStore.js';
import { SqlTicketJournal } from './records/SqlTicketJournal.js';
import { SqlTokenStore } from './records/SqlTokenStore.js';
import { SqlTicketWaits } from './records/SqlTicketWaits.js';
import { SqlSurveyStore } from './records/SqlSurveyStore.js';
import { SqlWrapUpStore } from './records/SqlWrapUpStore.js';
import { SqlTicketAccess } from './records/SqlTicketAccess.js';
import { keySourceOf, loadKeyring } from './records/keys.js';
import type { Keyring } from './records/sealing.js';
import { scheduleRetention } from './records/maintenance.js';
import { QualityRecords } from './quality/QualityRecords.js';
import { loadCannedReplies } from './text/cannedReplies.js';
import { loadGuides } from './guides/guides.js';
import { createSpeechRecognizer } from './captions/index.js';
import type { SpeechRecognizer } from './captions/SpeechRecognizer.js';
import { DEFAULT_ROUTING_OPTIONS } from './routing/model.js';
import { Router } from './routing/Router.js';
import { SkillPolicy } from './routing/SkillPolicy.js';
import { MemoryRoutingStore } from './store/MemoryRoutingStore.js';
import { RedisRoutingStore } from './store/RedisRoutingStore.js';
import { CallService } from './calls/CallService.js';
import { agentKey } from './calls/participantKeys.js';
import { UntoldEnds } from './calls/UntoldEnds.js';
import { WrapUps } from './calls/WrapUps.js';
import { StationRegistry } from './stations/StationRegistry.js';
import { shareSupervisorView, type OtherNodes } from './supervisor/clusterView.js';
import { SupervisorView } from './supervisor/SupervisorView.js';
import { attachSocketGateway, socketMessenger } from './socket/SocketGateway.js';
import { FORWARD_TIMEOUT_MS } from './socket/callForwarding.js';
import { NodeLiveness } from './cluster/NodeLiveness.js';
import { forgetLostAgents, takeOverCalls } from './cluster/takeOverCalls.js';
import type { AppServer } from './socket/types.js';
import { TicketRegistry } from './tickets/TicketRegistry.js';
import { restoreTickets } from './tickets/restoreTickets.js';
import { TicketProgress } from './tickets/TicketProgress.js';

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
  /** An open, migrated records database (tests give each server a fresh one); the caller closes it. */
  records?: RecordsDb;
  log?: Logger;
}

/** The composition root: builds every part from config, listens, and returns a handle. */
export async function startServer(config: Config, parts: ServerParts = {}): Promise<RunningServer> {
  const log = parts.log ?? createLogger(config.LOG_LEVEL);
  const cannedReplies = loadCannedReplies(config.CANNED_REPLIES_FILE);
  const guides = loadGuides(config.GUIDES_FILE);
  // First, so that a missing or broken speech model stops the start-up before anything else runs.
  const recognizer = config.CAPTIONS === 'on' ? await createSpeechRecognizer({ asrModelDir: config.ASR_MODEL_DIR, asrThreads: config.ASR_THREADS }) : undefined;
  if (recognizer) log.info(`captions: ${recognizer.description}`);
  const ownsRecords = !parts.records;
  let keyring: Keyring;
  let records: RecordsDb;
  try {
    // Before the records open, so that a missing key stops the start-up with what to set.
    keyring = loadKeyring(keySourceOf(config), log);
    records = parts.records ?? (await openRecords({ databaseUrl: config.DATABASE_URL, dir: config.RECORDS_DIR }, log));
  } catch (error) {
    recognizer?.close();
    throw error;
  }
  try {
    return await startOn(config, parts, { log, cannedReplies, guides, recognizer, keyring, records, ownsRecords });
  } catch (error) {
    // A start that fails half way lets go of what it opened: the records folder's lock, the recognizer's threads.
    recognizer?.close();
    if (ownsRecords) await records.close().catch(() => undefined);
    throw error;
  }
}

/** What `startServer` opened before the rest of the service is built on it. */
interface Opened {
  log: Logger;
  cannedReplies: CannedReplies;
  guides: Guides;
  recognizer: SpeechRecognizer | undefined;
  keyring: Keyring;
  records: RecordsDb;
  ownsRecords: boolean;
}

async function startOn(config: Config, parts: ServerParts, opened: Opened): Promise<RunningServer> {
  const { log, cannedReplies, guides, recognizer, keyring, records, ownsRecords } = opened;
  const agents = parts.agents ?? AgentDirectory.load({ json: config.AGENT_ACCOUNTS, file: config.AGENT_ACCOUNTS_FILE });
  const ownsMedia = !parts.media;
  const media = parts.media ?? (await createMediaEngine(config));
  const tokenStore = new SqlTokenStore(records, log);
  const tokens = new TokenRegistry({ ttlMs: config.TOKEN_TTL_MIN * 60_000, store: tokenStore });
  const dataKeys = new DataKeys(keyring);
  const journal = new SqlTicketJournal(records, log, dataKeys);
  const tickets = new TicketRegistry({ journal });
  const store = config.REDIS_URL ? await RedisRoutingStore.connect(config.REDIS_URL, config.REDIS_NAMESPACE) : new MemoryRoutingStore();
  const slaTargetsSec = { consultation: config.SLA_CONSULTATION_SEC, software: config.SLA_SOFTWARE_SEC, hardware: config.SLA_HARDWARE_SEC };
  const policy = new SkillPolicy({
    ...DEFAULT_ROUTING_OPTIONS,
    slaTargetsSec,
    fatigueAfterMs: config.FATIGUE_AFTER_MIN * 60_000,
  });
  const router = new Router({
    store,
    policy,
    offerTimeoutMs: config.OFFER_TIMEOUT_MS,
    holdMs: config.RECONNECT_GRACE_MS,
    missedCooldownMs: config.MISSED_COOLDOWN_MS,
    wrapUpMs: config.WRAP_UP_SEC * 1000,
    log,
  });
  await router.start();
  // Before any customer can connect: the tickets this node was serving when it stopped go back in line.
  const restored = await restoreTickets(await journal.live(), { tickets, router, takeCalls: !config.REDIS_URL, log });
  // The calls the stop cut off, told to each agent as they come back, beside those that end while an agent is away.
  const untoldEnds = new UntoldEnds();
  for (const [agentId, sessionIds] of restored.callsByAgent) for (const sessionId of sessionIds) untoldEnds.add(agentKey(agentId), { sessionId, reason: 'interrupted' });
  const stations = new StationRegistry(media, (key, stationId) => socketMessenger(io).push(key, 'station:closed', { stationId }));
  const quality = new QualityRecords();
  const transcripts = new SqlTranscriptStore(records, dataKeys);
  // Expired tokens can never be valid again: swept hourly, whatever the retention of records.
  const tokenSweep = setInterval(() => void tokenStore.deleteExpired(Date.now()).catch((error: unknown) => log.error('records: the token sweep failed', error)), 3_600_000);
  tokenSweep.unref();
  const retention = config.RETENTION_DAYS > 0 ? scheduleRetention(records, config.RETENTION_DAYS, log) : undefined;
  // Room for a guide with pictures, the largest event, and a margin so that one a little over its limit gets the
  // edge's coded error rather than a dropped connection; every other event stays small at the edge.
  const io: AppServer = new Server({ maxHttpBufferSize: MAX_GUIDE_EVENT_BYTES + 256 * 1024, serveClient: false });
  // With Redis, this node says which calls it hosts, so that another node takes them over if this one dies.
  let liveness: NodeLiveness | undefined;
  const calls = new CallService({
    media,
    stations,
    router,
    tickets,
    tokens,
    links: new JoinLinks(),
    quality,
    transcripts,
    messenger: socketMessenger(io),
    log,
    reconnectGraceMs: config.RECONNECT_GRACE_MS,
    callbackAttempts: config.CALLBACK_ATTEMPTS,
    rttLinePauseMs: config.RTT_LINE_PAUSE_MS,
    dataRate: { perSec: config.EVENT_RATE_PER_SEC, burst: config.EVENT_BURST },
    recognizer,
    wrapUps: new WrapUps({ router, tickets, store: new SqlWrapUpStore(records, dataKeys), log }),
    hosting: { hosting: (ticketId, sessionId) => liveness?.hosting(ticketId, sessionId), released: (ticketId) => liveness?.released(ticketId) },
    untoldEnds,
  });
  const surveys = new SqlSurveyStore(records, dataKeys);
  const progress = new TicketProgress({
    journal,
    access: new SqlTicketAccess(records),
    transcripts,
    surveys,
    messenger: socketMessenger(io),
  });
  journal.onRecorded(progress.recorded);
  const metrics = createMetrics({ router, calls });
  // With several nodes a supervisor on any of them sees every node's calls (asked when the overview is read).
  const otherNodes: OtherNodes | undefined = config.REDIS_URL ? shareSupervisorView(io, { calls: () => supervisor.localCalls(), quality: (sessionId) => quality.get(sessionId) }, log) : undefined;
  const supervisor: SupervisorView = new SupervisorView({ router, calls, quality, waits: new SqlTicketWaits(records), slaTargetsSec, csat: surveys, otherNodes });
  const loadTicket = async (ticketId: string) => (await journal.live([ticketId]))[0];
  const nodeAgents = { here: (agentId: string) => liveness?.agentHere(agentId), gone: (agentId: string) => liveness?.agentGone(agentId) };
  const nodePeers = async () => (liveness ? await liveness.peers() : 0);
  const services = { config, log, agents, tokens, tickets, loadTicket, nodeAgents, nodePeers, progress, router, calls, stations, media, quality, cannedReplies, guides, io, metrics, supervisor, otherNodes, untoldEnds };
  const app = createHttpApp(services);
  const tls = await tlsFiles(config);
  const http = tls ? createHttpsServer(tls, app) : createHttpServer(app);
  io.attach(http);
  // With Redis, pushes to a room reach its sockets on every node (an offer made here, an agent connected there).
  const adapterClients = config.REDIS_URL ? await connectAdapter(io, config.REDIS_URL, config.REDIS_NAMESPACE, log) : [];
  attachSocketGateway(services);
  if (config.REDIS_URL) {
    const connected = async (key: string) => (await io.in(key).fetchSockets()).length > 0;
    const parts = { journal, tickets, router, messenger: socketMessenger(io), connected, untoldEnds, log };
    liveness = await NodeLiveness.start({
      url: config.REDIS_URL,
      namespace: config.REDIS_NAMESPACE,
      nodeId: randomUUID(),
      log,
      takeOver: async (_deadNode, left) => {
        await takeOverCalls(left.calls, parts);
        await forgetLostAgents(left.agents, parts);
      },
    });
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.PORT, config.HOST, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  let closing: Promise<void> | undefined;
  return {
    url: `${tls ? 'https' : 'http'}://${host}:${port}`,
    port,
    agents,
    close: () =>
      (closing ??= (async () => {
        await calls.interruptAll();
        await closeConnectionsFlushed(io, CLOSE_FLUSH_MS);
        await liveness?.close();
        supervisor.close();
        router.close();
        await new Promise<void>((resolve) => io.close(() => resolve()));
        recognizer?.close();
        if (ownsMedia) await media.close();
        await store.close();
        for (const client of adapterClients) await client.close();
        retention?.stop();
        clearInterval(tokenSweep);
        await journal.settled();
        await tokenStore.settled();
        if (ownsRecords) await records.close();
      })()),
  };
}

/** Longest a stopping server waits for its connections to send what they still have (the calls' cut-off) and close. */
const CLOSE_FLUSH_MS = 2_000;

/**
 * Closes this node's connections once each has sent what it still holds: Socket.IO's own close drops a connection's
 * buffered packets, and a page must hear that its call was cut off. The pages reconnect on their own, as after a
 * network drop (to another node, or to this one when it is back).
 */
async function closeConnectionsFlushed(io: AppServer, timeoutMs: number): Promise<void> {
  const closing = [...io.sockets.sockets.values()].map(({ conn }) => new Promise<void>((resolve) => {
    conn.once('close', () => resolve());
    conn.close();
  }));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(closing), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}

async function connectAdapter(io: AppServer, url: string, namespace: string, log: Logger): Promise<ReturnType<typeof createClient>[]> {
  const pub = createClient({ url });
  const sub = pub.duplicate();
  for (const client of [pub, sub]) client.on('error', (error: Error) => log.error(`redis adapter: ${error.message}`));
  await Promise.all([pub.connect(), sub.connect()]);
  // The namespace keeps deployments sharing one Redis from hearing each other's pushes.
  io.adapter(createAdapter(pub, sub, { key: `${namespace}-io`, requestsTimeout: FORWARD_TIMEOUT_MS }));
  return [pub, sub];
}

/** The certificate chain and key to serve TLS with, when TLS_CERT and TLS_KEY name them; a file it cannot read stops the start. */
async function tlsFiles(config: Pick<Config, 'TLS_CERT' | 'TLS_KEY'>): Promise<{ cert: Buffer; key: Buffer } | undefined> {
  if (!config.TLS_CERT || !config.TLS_KEY) return undefined;
  const read = (name: 'TLS_CERT' | 'TLS_KEY', file: string) =>
    readFile(file).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`invalid configuration: ${name} ${file} cannot be read (${error.code ?? error.message})`);
    });
  const [cert, key] = await Promise.all([read('TLS_CERT', config.TLS_CERT), read('TLS_KEY', config.TLS_KEY)]);
  return { cert, key };
}
