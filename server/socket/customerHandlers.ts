import { AppError } from '../../signaling/index.js';
import { customerKey } from '../sessions/SessionRegistry.js';
import type { Services } from '../services.js';
import { TicketState } from '../tickets/TicketRegistry.js';
import type { EventHandlers } from './types.js';

/** Events only a customer may send: join and leave the queue. */
export function customerHandlers(services: Services): EventHandlers {
  const { tickets, tokens, dispatcher } = services;
  return {
    'queue:join': async (request, socket) => {
      if (socket.data.principal) throw AppError.invalidState('this connection already holds a ticket');
      const ticket = tickets.open(request);
      const token = tokens.issue({ role: 'customer', ticketId: ticket.id });
      socket.data.principal = { role: 'customer', ticketId: ticket.id };
      await socket.join(customerKey(ticket.id));
      const position = dispatcher.enqueue({ ticketId: ticket.id, mode: request.mode, topic: request.topic, device: request.device });
      return { ticketId: ticket.id, token, position };
    },
    'queue:leave': (_payload, socket) => {
      const ticketId = customerTicket(socket.data.principal);
      if (!dispatcher.isQueued(ticketId)) throw AppError.invalidState('not waiting in the queue');
      dispatcher.abandon(ticketId);
      const ticket = tickets.get(ticketId);
      if (ticket) ticket.state = TicketState.Abandoned;
      return null;
    },
  };
}

function customerTicket(principal: { role: string; ticketId?: string } | undefined): string {
  if (principal?.role !== 'customer' || !principal.ticketId) throw AppError.invalidState('join the queue first (queue:join)');
  return principal.ticketId;
}
