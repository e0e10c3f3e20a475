import { AppError } from '../../signaling/index.js';
import { requirementsFor } from '../routing/requirements.js';
import { customerKey } from '../sessions/SessionRegistry.js';
import type { Services } from '../services.js';
import { TicketState } from '../tickets/TicketRegistry.js';
import type { EventHandlers } from './types.js';

/** Events only a customer may send: join and leave the queue. */
export function customerHandlers(services: Services): EventHandlers {
  const { tickets, tokens, router } = services;
  return {
    'queue:join': async (request, socket) => {
      if (socket.data.principal) throw AppError.invalidState('this connection already holds a ticket');
      const ticket = tickets.open(request);
      const token = tokens.issue({ role: 'customer', ticketId: ticket.id });
      socket.data.principal = { role: 'customer', ticketId: ticket.id };
      await socket.join(customerKey(ticket.id));
      const status = await router.enqueue({
        ticketId: ticket.id,
        ...requirementsFor(request),
        slaClass: request.category,
        priority: 'normal',
        mode: request.mode,
        queue: request.mode,
        topic: request.topic,
        device: request.device,
      });
      return { ticketId: ticket.id, token, ...status };
    },
    'queue:leave': async (_payload, socket) => {
      const principal = socket.data.principal;
      if (principal?.role !== 'customer') throw AppError.invalidState('join the queue first (queue:join)');
      if (!(await router.abandon(principal.ticketId))) throw AppError.invalidState('not waiting in the queue');
      const ticket = tickets.get(principal.ticketId);
      if (ticket) ticket.state = TicketState.Abandoned;
      return null;
    },
  };
}
