import { requirementsForTransfer } from '../routing/requirements.js';
import type { EnqueueRequest } from '../routing/RouterTypes.js';
import type { Ticket } from './TicketRegistry.js';

/** What routing needs to queue a ticket in the queue it is in now (its mode's, or where a transfer sent it). Pure. */
export function enqueueRequestOf(ticket: Pick<Ticket, 'id' | 'request' | 'queue'>, preferredAgentId?: string): EnqueueRequest {
  return {
    ticketId: ticket.id,
    ...requirementsForTransfer(ticket.request, ticket.queue, []),
    slaClass: ticket.request.category,
    priority: 'normal',
    mode: ticket.request.mode,
    queue: ticket.queue,
    topic: ticket.request.topic,
    device: ticket.request.device,
    ...(preferredAgentId ? { preferredAgentId } : {}),
  };
}
