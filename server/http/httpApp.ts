import { timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import {
  agentLoginSchema,
  AppError,
  ErrorCode,
  idSchema,
  queueNameSchema,
  supervisorOverviewQuerySchema,
  surveySubmitSchema,
  techJoinRequestSchema,
  type AgentLoginReply,
  type CallQualityRecord,
  type CannedReplies,
  type Guides,
  type MediaCapabilitiesReply,
  type ServiceLevelsReply,
  type SupervisorOverview,
  type SurveyAnswer,
  type TechJoinReply,
  type TicketRejoin,
  type TicketProgress,
} from '../../signaling/index.js';
import { LiveKitEngine } from '../../media/livekit/LiveKitEngine.js';
import { SignInGuard } from '../auth/SignInGuard.js';
import type { Principal } from '../auth/TokenRegistry.js';
import { agentKey } from '../calls/participantKeys.js';
import { toErrorBody } from '../errors.js';
import type { Services } from '../services.js';
import { livekitWebhookRouter } from './livekitWebhook.js';
import { pagePolicy, securityHeaders } from './securityHeaders.js';

/** The token of a request's `Authorization: Bearer …` header, or undefined without one. */
function bearerOf(req: Request): string | undefined {
  return /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
}

/** Sends a successful API reply in the shared envelope; `T` is the reply's type from `signaling/`. */
function sendData<T>(res: Response, data: T): void {
  res.json({ ok: true, data });
}

/** The HTTP side: pages, the client bundle, sign-in and health. Every body goes through zod. */
export function createHttpApp(services: Services): express.Express {
  const { config, agents, tokens, media, router, quality, cannedReplies, guides, progress, log } = services;
  const app = express();
  app.disable('x-powered-by');
  // Behind TRUST_PROXY proxies, a client's address is the one they add to X-Forwarded-For.
  app.set('trust proxy', config.TRUST_PROXY);
  app.use(securityHeaders(Boolean(config.TLS_CERT)));
  // LiveKit's webhooks are read raw (their signature covers the exact bytes), so before the JSON parser.
  if (media instanceof LiveKitEngine) app.use(livekitWebhookRouter(media.rooms));
  app.use(express.json({ limit: '16kb' }));

  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });

  const signIns = new SignInGuard();
  app.post('/api/agent/login', async (req, res) => {
    const { username, password } = agentLoginSchema.parse(req.body ?? {});
    const address = req.ip ?? 'unknown';
    const waitSec = Math.ceil(signIns.waitSec(username, address));
    if (waitSec > 0) {
      res.setHeader('Retry-After', String(waitSec));
      throw new AppError(ErrorCode.RateLimited, 429, `too many failed sign-ins; try again in ${waitSec} s`);
    }
    const verified = await agents.verify(username, password);
    if (!verified) {
      signIns.failed(username, address);
      throw AppError.unauthorized('wrong username or password');
    }
    const { profile, skills, role } = verified;
    const token = tokens.issue(role === 'supervisor' ? { role, agent: profile } : { role, agent: profile, skills });
    await tokens.stored();
    sendData<AgentLoginReply>(res, { token, agent: profile, role });
  });

  // A one-time link used up: its technician gets a token for that call only (the /tech page posts here).
  app.post('/api/tech/join', (req, res) => {
    const { token, name } = techJoinRequestSchema.parse(req.body ?? {});
    sendData<TechJoinReply>(res, services.calls.joinByLink(token, name));
  });

  // Static for the life of the server: pages load their WebRTC device before a call starts.
  app.get('/api/media/capabilities', (_req, res) => {
    sendData<MediaCapabilitiesReply>(res, { engine: media.kind, rtpCapabilities: media.rtpCapabilities });
  });

  // The one place roles are checked: no valid Bearer token is 401, a token of another role 403.
  const requireRole = async (req: Request, ...roles: Principal['role'][]): Promise<Principal> => {
    const principal = await tokens.resolve(bearerOf(req) ?? '');
    if (!principal) throw AppError.unauthorized(`a ${roles.join(' or ')} Bearer token is required`);
    if (!(roles as string[]).includes(principal.role)) throw AppError.forbidden(`this needs a ${roles.join(' or ')} sign-in, not a ${principal.role}'s`);
    return principal;
  };
  // Signing out ends the token here and in the store (every node refuses it from now on) and closes the agent's
  // sockets on every node: their consoles fall back to the sign-in form. A call of theirs on this node does not wait
  // for them (on another node it waits the reconnect grace, as for a lost connection).
  app.post('/api/agent/logout', async (req, res) => {
    const principal = await requireRole(req, 'agent', 'supervisor');
    tokens.revoke(bearerOf(req)!);
    await tokens.stored();
    if (principal.role === 'agent') {
      const key = agentKey(principal.agent.id);
      services.calls.findByParticipant(key)?.signedOut(key);
      services.io.in(key).disconnectSockets(true);
    }
    res.status(204).end();
  });
  // Prometheus scrapes this with METRICS_TOKEN (a scraper is not a person); without one set, nobody may read it.
  app.get('/metrics', async (req, res) => {
    if (!config.METRICS_TOKEN) throw AppError.forbidden('metrics are off: set METRICS_TOKEN and scrape with it as the Bearer token');
    const presented = Buffer.from(bearerOf(req) ?? '');
    const expected = Buffer.from(config.METRICS_TOKEN);
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      throw AppError.unauthorized('the metrics Bearer token (METRICS_TOKEN) is required');
    }
    res.type(services.metrics.contentType).send(await services.metrics.metrics());
  });
  app.get('/api/supervisor/overview', async (req, res) => {
    await requireRole(req, 'supervisor');
    const { hours } = supervisorOverviewQuerySchema.parse(req.query);
    sendData<SupervisorOverview>(res, await services.supervisor.overview(hours));
  });
  app.get('/api/service-levels', async (req, res) => {
    await requireRole(req, 'supervisor');
    const [queues, csat] = await Promise.all([router.serviceLevels(queueNameSchema.options), progress.csat()]);
    sendData<ServiceLevelsReply>(res, { at: Date.now(), queues, csat });
  });
  app.get('/api/calls/:sessionId/quality', async (req, res) => {
    await requireRole(req, 'supervisor');
    const sessionId = idSchema.parse(req.params.sessionId);
    // With several nodes the call may be another node's.
    const record = quality.get(sessionId) ?? (await services.otherNodes?.quality(sessionId));
    if (!record) throw AppError.notFound('call', sessionId);
    sendData<CallQualityRecord>(res, record);
  });

  // Read by the agent console at sign-in; supervisors may read what their agents are given.
  app.get('/api/canned-replies', async (req, res) => {
    await requireRole(req, 'agent', 'supervisor');
    sendData<CannedReplies>(res, cannedReplies);
  });

  // A technician who came by a one-time link guides the customer too; the guides hold nothing of anyone's.
  app.get('/api/guides', async (req, res) => {
    await requireRole(req, 'agent', 'supervisor', 'guest-technician');
    sendData<Guides>(res, guides);
  });

  // The customer's progress page and survey: the ticket's secret is the Bearer credential (their token ends with the call).
  const ticketOf = async (req: Request): Promise<string> => {
    const ticketId = idSchema.parse(req.params.ticketId);
    await progress.authorize(ticketId, bearerOf(req));
    return ticketId;
  };
  app.get('/api/tickets/:ticketId', async (req, res) => {
    const ticketId = await ticketOf(req);
    sendData<TicketProgress>(res, await progress.view(ticketId));
  });
  // The progress page joins its customer into a callback's call from wherever it is open (another tab, the phone).
  app.post('/api/tickets/:ticketId/rejoin', async (req, res) => {
    const ticketId = await ticketOf(req);
    z.strictObject({}).parse(req.body ?? {});
    const ticket = services.tickets.get(ticketId);
    if (!ticket || !services.tickets.isLive(ticketId)) throw AppError.invalidState('this ticket is closed: start a new request on the support page');
    const token = tokens.issue({ role: 'customer', ticketId });
    await tokens.stored();
    sendData<TicketRejoin>(res, { ticketId, token, mode: ticket.request.mode, reconnectGraceSec: config.RECONNECT_GRACE_MS / 1000 });
  });
  app.post('/api/tickets/:ticketId/survey', async (req, res) => {
    const ticketId = await ticketOf(req);
    const answer = surveySubmitSchema.parse(req.body ?? {});
    res.status(201);
    sendData<SurveyAnswer>(res, await progress.submitSurvey(ticketId, answer));
  });

  app.use('/api', (_req, _res) => {
    throw new AppError(ErrorCode.NotFound, 404, 'no such API endpoint');
  });

  // Pages carry the Content-Security-Policy; API replies and assets only the headers every response has.
  const policy = pagePolicy(config);
  const page = (name: string) => [
    policy,
    (_req: Request, res: Response) => {
      res.sendFile(path.join(config.CLIENT_DIR, name), (error) => {
        if (error) res.status(503).type('text/plain').send('The client bundle is missing: run "npm run setup" (or "npm run build:client").');
      });
    },
  ];
  app.get('/', (_req, res) => res.redirect('/support'));
  app.get('/support', page('support.html'));
  app.get('/agent', page('agent.html'));
  // A ticket's progress; the secret after # never reaches the server, the page sends it.
  app.get('/t/:ticketId', page('progress.html'));
  // The technician's console is the agent console laid out for a shared screen; it also takes one-time links.
  app.get('/tech', page('agent.html'));
  app.get('/supervisor', page('supervisor.html'));
  app.use('/assets', express.static(path.join(config.CLIENT_DIR, 'assets'), { fallthrough: false, maxAge: '1h' }));
  // MediaPipe runs in the browser from these two folders only: its wasm runtime and the models setup builds offline.
  app.use('/vision/wasm', express.static(config.VISION_WASM_DIR, { fallthrough: false, maxAge: '1h' }));
  app.use('/vision/models', express.static(config.VISION_MODEL_DIR, { fallthrough: false, maxAge: '1h' }));

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const { status, ...body } = httpErrorBody(error, (message, cause) => log.error(`http: ${message}`, cause));
    res.status(status).json({ ok: false, error: body });
  });
  return app;
}

// body-parser and static errors carry `expose` and a 4xx status: the client's fault, said plainly, never logged.
function httpErrorBody(error: unknown, log: (message: string, cause: unknown) => void): { status: number; code: ErrorCode; message: string } {
  if (error instanceof AppError || error instanceof z.ZodError) return toErrorBody(error, log);
  const http = error as { type?: string; status?: number; expose?: boolean } | undefined;
  if (http?.type === 'entity.parse.failed') return { status: 400, code: ErrorCode.BadRequest, message: 'body is not valid JSON' };
  if (http?.type === 'entity.too.large') return { status: 413, code: ErrorCode.PayloadTooLarge, message: 'body larger than 16 KiB' };
  if (http?.status === 404) return { status: 404, code: ErrorCode.NotFound, message: 'not found' };
  if (http?.expose && typeof http.status === 'number' && http.status >= 400 && http.status < 500) {
    const unsupported = http.status === 415;
    return {
      status: http.status,
      code: unsupported ? ErrorCode.Unsupported : ErrorCode.BadRequest,
      message: unsupported ? 'unsupported body encoding or charset' : 'malformed request body',
    };
  }
  return toErrorBody(error, log);
}
