import type { AgentProfile, CallMode } from '../../signaling/index.js';
import type { Services } from '../services.js';
import { agentKey, customerKey, type CallSession } from '../sessions/SessionRegistry.js';
import { TicketState } from '../tickets/TicketRegistry.js';
import { agentHandlers } from './agentHandlers.js';
import { bindEvents } from './bindEvents.js';
import { callHandlers } from './callHandlers.js';
import { customerHandlers } from './customerHandlers.js';
import { TokenBucket } from './TokenBucket.js';
import type { AppSocket } from './types.js';

/**
 * Connects Socket.IO to the server's parts: authenticates each connection, binds the events its
 * role may send, turns dispatcher and session events into pushes, and cleans up on disconnect.
 */
export function attachSocketGateway(services: Services): void {
  const { io, config, tokens, dispatcher, sessions, stations, tickets, log } = services;
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
      socket.emit('agent:state', dispatcher.agentConnected(principal.agent));
      socket.on('disconnect', () => onAgentGone(principal.agent.id));
      return;
    }
    bindEvents(socket, forCustomers, { maxEventBytes: config.MAX_EVENT_BYTES }, log);
    if (principal?.role === 'customer') {
      void socket.join(customerKey(principal.ticketId));
      const position = dispatcher.positionOf(principal.ticketId);
      if (position !== undefined) socket.emit('queue:status', { ticketId: principal.ticketId, position });
    }
    socket.on('disconnect', () => {
      const current = socket.data.principal;
      if (current?.role === 'customer') void onCustomerGone(current.ticketId);
    });
  });

  dispatcher.on('offer', (agentId, offer) => io.to(agentKey(agentId)).emit('offer:new', offer));
  dispatcher.on('offerCancelled', (agentId, offerId, reason) => io.to(agentKey(agentId)).emit('offer:cancelled', { offerId, reason }));
  dispatcher.on('agentState', (agentId, state) => io.to(agentKey(agentId)).emit('agent:state', state));
  dispatcher.on('position', (ticketId, position) => io.to(customerKey(ticketId)).emit('queue:status', { ticketId, position }));
  dispatcher.on('accepted', (entry, agent) => {
    void startCall(entry.ticketId, agent, entry.mode).then(
      async (session) => {
        announceCall(session);
        // The customer may have left while the room was opening; then nobody would ever end this call.
        if ((await io.in(session.customerKey).fetchSockets()).length === 0) sessions.end(session.id, 'disconnected');
      },
      (error: unknown) => {
        log.error(`could not open the media room for ticket ${entry.ticketId}`, error);
        dispatcher.callEnded(agent.id);
      },
    );
  });

  sessions.on('ended', (session, reason) => {
    io.to([session.customerKey, session.agentKey]).emit('call:ended', { sessionId: session.id, reason });
    const ticket = tickets.get(session.ticketId);
    if (ticket) ticket.state = TicketState.Ended;
    dispatcher.callEnded(session.agent.id);
  });

  async function startCall(ticketId: string, agent: AgentProfile, mode: CallMode): Promise<CallSession> {
    const station = stations.get(agentKey(agent.id));
    const session = await sessions.start(ticketId, agent, mode, station);
    if (station) await session.room.adoptProducers(session.agentKey, station);
    return session;
  }

  function announceCall(session: CallSession): void {
    const ticket = tickets.get(session.ticketId);
    if (ticket) {
      ticket.state = TicketState.InCall;
      ticket.sessionId = session.id;
      ticket.agentId = session.agent.id;
    }
    session.room.on('newProducer', (ownerId, producer) => {
      const other = ownerId === session.customerKey ? session.agentKey : session.customerKey;
      io.to(other).emit('media:newProducer', producer);
    });
    session.room.on('producerClosed', (ownerId, producerId) => {
      const other = ownerId === session.customerKey ? session.agentKey : session.customerKey;
      io.to(other).emit('media:producerClosed', { sessionId: session.id, producerId });
    });
    const common = { sessionId: session.id, ticketId: session.ticketId, mode: session.mode };
    io.to(session.customerKey).emit('call:started', { ...common, role: 'customer', peerName: session.agent.name });
    io.to(session.agentKey).emit('call:started', { ...common, role: 'agent', peerName: session.ticketId });
  }

  async function onCustomerGone(ticketId: string): Promise<void> {
    const key = customerKey(ticketId);
    if ((await io.in(key).fetchSockets()).length > 0) return;
    if (dispatcher.isQueued(ticketId)) {
      dispatcher.abandon(ticketId);
      const ticket = tickets.get(ticketId);
      if (ticket) ticket.state = TicketState.Abandoned;
    }
    const session = sessions.findByParticipant(key);
    if (session) sessions.end(session.id, 'disconnected');
  }

  async function onAgentGone(agentId: string): Promise<void> {
    dispatcher.agentDisconnected(agentId);
    const key = agentKey(agentId);
    if ((await io.in(key).fetchSockets()).length > 0) return;
    stations.close(key);
    const session = sessions.findByParticipant(key);
    if (session) sessions.end(session.id, 'disconnected');
  }
}
