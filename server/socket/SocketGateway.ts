import type { AgentProfile } from '../../signaling/index.js';
import type { QueuedEntry } from '../store/RoutingStore.js';
import type { Services } from '../services.js';
import { agentKey, customerKey, participantKeys, roleIn, type CallSession } from '../sessions/SessionRegistry.js';
import { TicketState } from '../tickets/TicketRegistry.js';
import { agentHandlers } from './agentHandlers.js';
import { bindEvents } from './bindEvents.js';
import { callHandlers } from './callHandlers.js';
import { customerHandlers } from './customerHandlers.js';
import { TokenBucket } from './TokenBucket.js';
import type { AppSocket } from './types.js';

/**
 * Connects Socket.IO to the server's parts: authenticates each connection, binds the events its
 * role may send, turns router and session events into pushes, and cleans up on disconnect.
 */
export function attachSocketGateway(services: Services): void {
  const { io, config, tokens, router, sessions, stations, tickets, quality, log } = services;
  const forCustomers = { ...customerHandlers(services), ...callHandlers(services) };
  const forAgents = { ...agentHandlers(services), ...callHandlers(services) };

  io.use((socket, next) => {
    const token: unknown = socket.handshake.auth?.token;
    socket.data.bucket = new TokenBucket(config.EVENT_RATE_PER_SEC, config.EVENT_BURST);
    if (token === undefined) return next();
    const principal = typeof token === 'string' ? tokens.resolve(token) : undefined;
    if (!principal) return next(Object.assign(new Error('UNAUTHORIZED'), { data: { code: 'UNAUTHORIZED', message: 'unknown or expired token' } }));
    socket.data.principal = principal;
    next();
  });

  io.on('connection', (socket: AppSocket) => {
    const principal = socket.data.principal;
    if (principal?.role === 'agent') {
      bindEvents(socket, forAgents, { maxEventBytes: config.MAX_EVENT_BYTES }, log);
      void socket.join(agentKey(principal.agent.id));
      void router.agentConnected(principal.agent, principal.skills).then(
        (state) => socket.emit('agent:state', state),
        (error: unknown) => log.error('agent could not come online', error),
      );
      socket.on('disconnect', () => void onAgentGone(principal.agent.id));
      return;
    }
    bindEvents(socket, forCustomers, { maxEventBytes: config.MAX_EVENT_BYTES }, log);
    if (principal?.role === 'customer') void onCustomerBack(socket, principal.ticketId);
    socket.on('disconnect', () => {
      const current = socket.data.principal;
      if (current?.role === 'customer') void onCustomerGone(current.ticketId);
    });
  });

  router.on('offer', (agentId, offer) => io.to(agentKey(agentId)).emit('offer:new', offer));
  router.on('offerCancelled', (agentId, offerId, reason) => io.to(agentKey(agentId)).emit('offer:cancelled', { offerId, reason }));
  router.on('agentState', (agentId, state) => io.to(agentKey(agentId)).emit('agent:state', state));
  // Every node computes every position; each tells only the customers connected to it.
  router.on('position', (ticketId, position, eta) => io.local.to(customerKey(ticketId)).emit('queue:status', { ticketId, position, eta }));
  router.on('accepted', (entry, agent) => {
    void startCall(entry, agent).then(
      async (session) => {
        announceCall(session);
        // The customer may have left while the room was opening; then nobody would ever end this call.
        if ((await io.in(session.customerKey).fetchSockets()).length === 0) sessions.end(session.id, 'disconnected');
      },
      (error: unknown) => {
        log.error(`could not open the media room for ticket ${entry.ticketId}`, error);
        void router.callEnded(agent.id, { handleMs: 0, signing: false, queue: entry.queue });
      },
    );
  });

  sessions.on('ended', (session, reason) => {
    quality.close(session.id, Date.now());
    io.to(participantKeys(session)).emit('call:ended', { sessionId: session.id, reason });
    const ticket = tickets.get(session.ticketId);
    if (ticket) ticket.state = reason === 'transferred' ? TicketState.Queued : TicketState.Ended;
    const signing = session.mode === 'csl' || session.mode === 'asl' || session.mode === 'hksl';
    void router.callEnded(session.agent.id, { handleMs: Date.now() - session.startedAt, signing, queue: session.queue }).catch((error: unknown) => log.error('ending the call in routing failed', error));
  });

  async function startCall(entry: QueuedEntry, agent: AgentProfile): Promise<CallSession> {
    const station = stations.get(agentKey(agent.id));
    const session = await sessions.start(entry.ticketId, agent, { mode: entry.mode, queue: entry.queue }, station);
    if (station) await session.room.adoptProducers(session.agentKey, station);
    return session;
  }

  function announceCall(session: CallSession): void {
    quality.open({ sessionId: session.id, ticketId: session.ticketId, startedAt: session.startedAt });
    const ticket = tickets.get(session.ticketId);
    if (ticket) {
      ticket.state = TicketState.InCall;
      ticket.sessionId = session.id;
      ticket.agentId = session.agent.id;
    }
    const others = (ownerId: string) => participantKeys(session).filter((key) => key !== ownerId);
    session.room.on('newProducer', (ownerId, producer) => io.to(others(ownerId)).emit('media:newProducer', producer));
    session.room.on('producerClosed', (ownerId, producerId) => io.to(others(ownerId)).emit('media:producerClosed', { sessionId: session.id, producerId }));
    const common = { sessionId: session.id, ticketId: session.ticketId, mode: session.mode };
    io.to(session.customerKey).emit('call:started', { ...common, role: 'customer', peerName: session.agent.name });
    io.to(session.agentKey).emit('call:started', { ...common, role: 'agent', peerName: session.ticketId });
  }

  // A customer who loses the connection keeps their place for RECONNECT_GRACE_MS; a call in progress ends.
  // A customer's token works only on the node that issued it, so asking this node alone is exact, and fast
  // enough that a quick reconnect cannot slip in between this check and the hold.
  async function onCustomerGone(ticketId: string): Promise<void> {
    const key = customerKey(ticketId);
    if ((await io.local.in(key).fetchSockets()).length > 0) return;
    if (router.isQueued(ticketId)) await router.hold(ticketId);
    const session = sessions.findByParticipant(key);
    if (session) sessions.end(session.id, 'disconnected');
  }

  async function onCustomerBack(socket: AppSocket, ticketId: string): Promise<void> {
    await socket.join(customerKey(ticketId));
    if (!(await router.resume(ticketId))) return;
    const status = router.statusOf(ticketId);
    if (status) socket.emit('queue:status', { ticketId, ...status });
  }

  async function onAgentGone(agentId: string): Promise<void> {
    await router.agentDisconnected(agentId);
    const key = agentKey(agentId);
    if ((await io.in(key).fetchSockets()).length > 0) return;
    stations.close(key);
    const session = sessions.findByParticipant(key);
    if (!session) return;
    if (roleIn(session, key) === 'technician') sessions.removeGuest(session, key);
    else sessions.end(session.id, 'disconnected');
  }
}
