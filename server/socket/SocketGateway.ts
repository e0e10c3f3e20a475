import type { ServerEventName, ServerEventPayload, ServerToClientEvents } from '../../signaling/index.js';
import { AppError, MAX_GUIDE_EVENT_BYTES, MAX_STEP_EVENT_BYTES } from '../../signaling/index.js';
import type { Principal } from '../auth/TokenRegistry.js';
import type { Messenger } from '../calls/CallTypes.js';
import { agentKey, customerKey, guestKey } from '../calls/participantKeys.js';
import type { Services } from '../services.js';
import { TicketState } from '../tickets/TicketRegistry.js';
import { agentHandlers } from './agentHandlers.js';
import { bindEvents, type EdgeLimits } from './bindEvents.js';
import { forwardCallEvents, sharePresence } from './callForwarding.js';
import { callHandlers } from './callHandlers.js';
import { customerHandlers } from './customerHandlers.js';
import { progressHandlers } from './progressHandlers.js';
import { TokenBucket } from './TokenBucket.js';
import type { AppServer, AppSocket, EventHandlers } from './types.js';

/** Pushes to participant keys, which are Socket.IO rooms: with the Redis adapter they reach every node. */
export function socketMessenger(io: AppServer): Messenger {
  return {
    push<E extends ServerEventName>(to: string | readonly string[], event: E, payload: ServerEventPayload<E>): void {
      const args = [payload] as Parameters<ServerToClientEvents[E]>;
      io.to(typeof to === 'string' ? to : [...to]).emit(event, ...args);
    },
  };
}

/**
 * Connects Socket.IO to the server's parts: authenticates each connection, binds the events its role may send,
 * turns routing events into pushes, and tells routing and calls when a participant's last connection comes or goes.
 */
export function attachSocketGateway(services: Services): void {
  const { io, config, tokens, router, calls, stations, tickets, log } = services;
  // With several nodes, an in-call event for a call hosted on another node is run there (callForwarding.ts).
  const hostedHere = (sessionId: string, principal: Principal | undefined): boolean =>
    calls.get(sessionId) !== undefined || (principal?.role === 'agent' && stations.get(agentKey(principal.agent.id))?.id === sessionId);
  const inCall = config.REDIS_URL ? forwardCallEvents(io, callHandlers(services), hostedHere, log, services.nodePeers) : callHandlers(services);
  // ... and a participant whose call is on another node is gone or back there too. Without Redis every call is here.
  // The ends of calls this node ended while an agent's console was away, pushed to their room once they are back, on
  // this node or (asked by the node they came back to) another.
  const tellUntoldEnds = (key: string) =>
    void services.untoldEnds.take(key).then((ends) => {
      for (const ended of ends) io.to(key).emit('call:ended', ended);
    });
  const tellCallElsewhere = config.REDIS_URL ? sharePresence(io, (key) => calls.findByParticipant(key), tellUntoldEnds) : async () => false;
  const forCustomers = { ...customerHandlers(services), ...inCall, ...progressHandlers(services) };
  const forAgents = { ...agentHandlers(services), ...inCall };
  // A technician with a one-time link may join its one call and do what anyone in a call does; nothing else.
  const forGuests: EventHandlers = {
    ...inCall,
    'call:join': async ({ sessionId }, socket) => {
      const principal = socket.data.principal;
      if (principal?.role !== 'guest-technician' || principal.sessionId !== sessionId) throw AppError.notFound('invitation to session', sessionId);
      await calls.admitGuest(sessionId, principal.guestId);
      return null;
    },
  };
  // Guides and snapshots carry pictures; every other event keeps the small limit.
  const limits: EdgeLimits = { maxEventBytes: config.MAX_EVENT_BYTES, eventBytes: { 'call:guide': MAX_GUIDE_EVENT_BYTES, 'call:step': MAX_STEP_EVENT_BYTES } };

  io.use((socket, next) => {
    const token: unknown = socket.handshake.auth?.token;
    socket.data.bucket = new TokenBucket(config.EVENT_RATE_PER_SEC, config.EVENT_BURST);
    if (token === undefined) return next();
    const refused = () => next(Object.assign(new Error('UNAUTHORIZED'), { data: { code: 'UNAUTHORIZED', message: 'unknown or expired token' } }));
    if (typeof token !== 'string') return refused();
    tokens.resolve(token).then(
      (principal) => {
        if (!principal) return refused();
        // Least privilege: a supervisor's token reads over HTTP and never joins routing, calls or queues.
        if (principal.role === 'supervisor') {
          return next(Object.assign(new Error('FORBIDDEN'), { data: { code: 'FORBIDDEN', message: 'a supervisor’s token opens the supervisor console, not a connection' } }));
        }
        socket.data.principal = principal;
        next();
      },
      (error: unknown) => {
        log.error('a token could not be checked', error);
        next(Object.assign(new Error('INTERNAL'), { data: { code: 'INTERNAL', message: 'the token could not be checked; try again' } }));
      },
    );
  });

  io.on('connection', (socket: AppSocket) => {
    const principal = socket.data.principal;
    if (principal?.role === 'agent') {
      bindEvents(socket, forAgents, limits, log);
      void socket.join(agentKey(principal.agent.id));
      services.nodeAgents.here(principal.agent.id);
      // The calls a restart cut off, or that ended while the console was away: it leaves them (the agent can take
      // the customers back) and opens a wrap-up still to file.
      tellUntoldEnds(agentKey(principal.agent.id));
      router.agentConnected(principal.agent, principal.skills).then(
        async (state) => {
          socket.emit('agent:state', state);
          // An offer made while the console was away (a reload, its node died) is shown again, deadline and all.
          const pending = await router.openOffer(principal.agent.id);
          if (pending) socket.emit('offer:new', pending);
          // Back to the call the agent lost the connection to (a reload, a network switch), here or on another node.
          // A technician helping in a call is away to routing, so any agent not in a call here asks the other nodes.
          const key = agentKey(principal.agent.id);
          const call = calls.findByParticipant(key);
          if (call) call.reconnected(key);
          else if (state.status === 'in-call' || state.status === 'away') await tellCallElsewhere({ key, present: true });
        },
        (error: unknown) => log.error('agent could not come online', error),
      );
      socket.on('disconnect', () => void onAgentGone(principal.agent.id).catch((error: unknown) => log.error('agent going offline failed', error)));
      return;
    }
    if (principal?.role === 'guest-technician') {
      const key = guestKey(principal.guestId);
      bindEvents(socket, forGuests, limits, log);
      // Back to the call after a reload or a network switch (a first connection joins with `call:join`).
      void socket.join(key);
      const call = calls.findByParticipant(key);
      if (call) call.reconnected(key);
      else void tellCallElsewhere({ key, present: true }).catch((error: unknown) => log.error('technician could not resume', error));
      socket.on('disconnect', () => void onGuestGone(key).catch((error: unknown) => log.error('technician leaving failed', error)));
      return;
    }
    bindEvents(socket, forCustomers, limits, log);
    if (principal?.role === 'customer') void onCustomerBack(socket, principal.ticketId).catch((error: unknown) => log.error('customer could not resume', error));
    socket.on('disconnect', () => {
      const current = socket.data.principal;
      if (current?.role === 'customer') void onCustomerGone(current.ticketId).catch((error: unknown) => log.error('holding a customer’s place failed', error));
    });
  });

  router.on('offer', (agentId, offer) => io.to(agentKey(agentId)).emit('offer:new', offer));
  router.on('offerCancelled', (agentId, offerId, reason) => io.to(agentKey(agentId)).emit('offer:cancelled', { offerId, reason }));
  router.on('agentState', (agentId, state) => io.to(agentKey(agentId)).emit('agent:state', state));
  // Every node computes every position; each tells only the customers connected to it.
  // A round tells thousands of customers at once, one push each: straight to this node's sockets of the ticket, which
  // skips the frame a broadcast pre-encodes for many receivers (a quarter of a round's cost with 20,000 waiting).
  router.on('position', (ticketId, position, eta) => {
    const here = io.sockets.adapter.rooms.get(customerKey(ticketId));
    if (!here) return;
    const status = { ticketId, position, eta };
    for (const id of here) io.sockets.sockets.get(id)?.emit('queue:status', status);
  });
  // The wait is over for a customer who did not come back: the ticket closes and its token goes.
  router.on('placeLapsed', (ticketId) => {
    void ticketHere(ticketId)
      .then(() => tickets.close(ticketId, TicketState.Abandoned, 'system', { reason: 'lapsed' }))
      .catch((error: unknown) => log.error(`could not close the lapsed ticket ${ticketId}`, error));
    tokens.revokeTicket(ticketId);
  });
  router.on('accepted', (entry, agent) => {
    const customerConnected = async () => (await io.in(customerKey(entry.ticketId)).fetchSockets()).length > 0;
    // This node hosts the call and keeps the ticket's life from here.
    ticketHere(entry.ticketId)
      .then(() => calls.start(entry, agent, customerConnected))
      .catch((error: unknown) => log.error(`could not open the call of ticket ${entry.ticketId}`, error));
  });

  // A customer who loses the connection keeps their place, or their call, for RECONNECT_GRACE_MS (an agent, their
  // call: `onAgentGone`). Their token works only on the node that issued it, so asking this node alone is exact, and
  // fast enough that a quick reconnect cannot slip in between this check and the hold.
  async function onCustomerGone(ticketId: string): Promise<void> {
    const key = customerKey(ticketId);
    if ((await io.local.in(key).fetchSockets()).length > 0) return;
    const call = calls.findByParticipant(key);
    if (call) return void call.disconnected(key);
    // A customer waiting for a callback keeps the place without a page open.
    if (tickets.get(ticketId)?.callback) return;
    if (router.isQueued(ticketId)) return router.hold(ticketId);
    await tellCallElsewhere({ key, present: false });
  }

  // Back within the grace period: into the call, or the same place in line. Otherwise the ticket is over.
  /**
   * With several nodes, a ticket opened on another node (the customer joined there, or came here when it died) is read
   * from the records before this node changes it: a change to a ticket this node does not hold would not be recorded.
   */
  async function ticketHere(ticketId: string): Promise<void> {
    if (tickets.get(ticketId) || !config.REDIS_URL) return;
    const ticket = await services.loadTicket(ticketId);
    if (ticket) tickets.restore(ticket);
  }

  async function onCustomerBack(socket: AppSocket, ticketId: string): Promise<void> {
    const key = customerKey(ticketId);
    await socket.join(key);
    const call = calls.findByParticipant(key);
    if (call) return call.reconnected(key);
    // The node restarted in the middle of the call: the page leaves it and waits for the next one, in line.
    const interrupted = tickets.takeInterruption(ticketId);
    if (interrupted) socket.emit('call:ended', { sessionId: interrupted, reason: 'interrupted' });
    // Accepted a moment ago: the call is opening and will announce itself to this room.
    if (tickets.get(ticketId)?.state === TicketState.InCall) return;
    // Back in line: the router's next round of positions tells this customer where they stand. Their leaving from
    // here must close the ticket in the records, so this node holds it from now on.
    if (await router.resume(ticketId)) return await ticketHere(ticketId);
    // In a call another node hosts: it tells the page, as it would a connection of its own.
    if (await tellCallElsewhere({ key, present: true })) return;
    // Waiting here and not anywhere now: the place lapsed. With several nodes this node's copy may be old (the call
    // was answered and ended on another), so the records decide.
    const lapsed = tickets.get(ticketId)?.state === TicketState.Queued && (!config.REDIS_URL || (await services.loadTicket(ticketId))?.state === TicketState.Queued);
    if (lapsed) tickets.close(ticketId, TicketState.Abandoned, 'system', { reason: 'lapsed' });
    tokens.revokeTicket(ticketId);
    socket.data.principal = undefined;
    await socket.leave(key);
    socket.emit('ticket:closed', { ticketId, reason: lapsed ? 'lapsed' : 'ended' });
  }

  async function onGuestGone(key: string): Promise<void> {
    if ((await io.in(key).fetchSockets()).length > 0) return;
    const call = calls.findByParticipant(key);
    if (call) return void call.disconnected(key);
    await tellCallElsewhere({ key, present: false });
  }

  async function onAgentGone(agentId: string): Promise<void> {
    const key = agentKey(agentId);
    if ((await io.local.in(key).fetchSockets()).length === 0) services.nodeAgents.gone(agentId);
    let callWaits = false;
    if ((await io.in(key).fetchSockets()).length === 0) {
      stations.close(key);
      // The call waits for the agent as for a customer; it may be on another node (the agent had come back there).
      const call = calls.findByParticipant(key);
      callWaits = call ? call.disconnected(key) : await tellCallElsewhere({ key, present: false });
    }
    await router.agentDisconnected(agentId, callWaits);
  }
}
