import { AppError } from '../../signaling/index.js';
import { customerKey } from '../calls/participantKeys.js';
import { enqueueRequestOf } from '../tickets/enqueueRequest.js';
import type { Services } from '../services.js';
import { TicketState } from '../tickets/TicketRegistry.js';
import type { EventHandlers } from './types.js';

/** Events only a customer may send: join and leave the queue. */
export function customerHandlers(services: Services): EventHandlers {
  const { tickets, tokens, router, config, progress } = services;
  return {
    'queue:join': async (request, socket) => {
      if (socket.data.principal) throw AppError.invalidState('this connection already holds a ticket');
      const ticket = tickets.open(request);
      let secret: string;
      try {
        secret = await progress.issue(ticket.id);
      } catch (error) {
        // Without its secret the ticket could never be followed or rated: it goes, and the customer may try again.
        tickets.close(ticket.id, TicketState.Abandoned, 'system', { reason: 'records unavailable' });
        throw error;
      }
      const token = tokens.issue({ role: 'customer', ticketId: ticket.id });
      socket.data.principal = { role: 'customer', ticketId: ticket.id };
      await socket.join(customerKey(ticket.id));
      const status = await router.enqueue(enqueueRequestOf(ticket));
      await tokens.stored();
      return { ticketId: ticket.id, token, secret, ...status, reconnectGraceSec: config.RECONNECT_GRACE_MS / 1000, callbackAfterSec: config.CALLBACK_AFTER_SEC };
    },
    // A long wait: the customer may go and be called back; the place stays (a virtual hold) even with no page open.
    'queue:callback': async (_payload, socket) => {
      const principal = socket.data.principal;
      if (principal?.role !== 'customer') throw AppError.invalidState('join the queue first (queue:join)');
      const ticket = tickets.get(principal.ticketId);
      const status = router.statusOf(principal.ticketId);
      if (ticket?.state !== TicketState.Queued || !status) throw AppError.invalidState('only a waiting ticket can be called back');
      if (ticket.callback) throw AppError.conflict('a callback is already scheduled for this ticket');
      if (status.eta.lowSec < config.CALLBACK_AFTER_SEC) {
        throw AppError.invalidState(`the wait is short: a callback is offered from an estimated ${config.CALLBACK_AFTER_SEC} s`);
      }
      tickets.callbackScheduled(ticket.id);
      return null;
    },
    // Leaving on purpose gives the place up at once and ends the ticket's token.
    'queue:leave': async (_payload, socket) => {
      const principal = socket.data.principal;
      if (principal?.role !== 'customer') throw AppError.invalidState('join the queue first (queue:join)');
      if (!(await router.abandon(principal.ticketId))) throw AppError.invalidState('not waiting in the queue');
      tickets.close(principal.ticketId, TicketState.Abandoned, 'customer', { reason: 'left' });
      tokens.revokeTicket(principal.ticketId);
      return null;
    },
  };
}
