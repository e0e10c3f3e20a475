import type { Logger } from '../logger.js';
import { enqueueRequestOf } from './enqueueRequest.js';
import type { Router } from '../routing/Router.js';
import { type Ticket, type TicketRegistry, TicketState } from './TicketRegistry.js';

/** What a restart gave back: how many tickets, and the calls it cut off by agent, to tell each agent when back. */
export interface Restored {
  waiting: number;
  interrupted: number;
  /** Session ids of the cut-off calls, by the agent who had them. */
  callsByAgent: Map<string, string[]>;
}

/**
 * Puts the tickets this node was serving before it stopped back where they were: each waiting ticket in its queue
 * with its first arrival time, each call that the stop cut off back in line ahead of new arrivals, offered first to
 * the agent who had it. Both are held for the customer's reconnect grace, as after a lost connection: a customer who
 * does not come back loses the place as usual.
 *
 * With a shared routing store (Redis) the waiting entries outlived the node there and are left as they are; calls
 * may live on another node then, so only a single node (the memory store) takes its calls back.
 */
export async function restoreTickets(live: Ticket[], options: { tickets: TicketRegistry; router: Router; takeCalls: boolean; log: Logger }): Promise<Restored> {
  const { tickets, router, takeCalls, log } = options;
  const restored: Restored = { waiting: 0, interrupted: 0, callsByAgent: new Map() };
  for (const ticket of live) {
    if (ticket.state === TicketState.InCall && !takeCalls) continue;
    tickets.restore(ticket);
    const cut = ticket.state === TicketState.InCall ? { sessionId: ticket.sessionId, agentId: ticket.agentId } : undefined;
    if (cut) tickets.interrupted(ticket.id);
    // A customer waiting for a callback has no page open to come back with: that place is not held.
    const held = cut !== undefined || !ticket.callback;
    const requeued = await router.restore(enqueueRequestOf(ticket, cut?.agentId), ticket.createdAt, { transferred: cut !== undefined, held });
    if (!requeued && !cut) continue;
    if (cut) {
      restored.interrupted += 1;
      if (cut.agentId && cut.sessionId) restored.callsByAgent.set(cut.agentId, [...(restored.callsByAgent.get(cut.agentId) ?? []), cut.sessionId]);
    } else restored.waiting += 1;
  }
  if (restored.waiting + restored.interrupted > 0) log.info(`tickets: ${restored.waiting} waiting and ${restored.interrupted} cut-off calls back in line after the restart`);
  return restored;
}
