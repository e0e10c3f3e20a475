import type { Messenger } from '../calls/CallTypes.js';
import type { UntoldEnds } from '../calls/UntoldEnds.js';
import type { HostedCall } from './NodeLiveness.js';
import { agentKey, customerKey } from '../calls/participantKeys.js';
import type { Logger } from '../logger.js';
import type { Router } from '../routing/Router.js';
import type { SqlTicketJournal } from '../records/SqlTicketJournal.js';
import { restoreTickets } from '../tickets/restoreTickets.js';
import { TicketState, type TicketRegistry } from '../tickets/TicketRegistry.js';

/** What taking over another node's calls works with. */
export interface TakeOverParts {
  journal: Pick<SqlTicketJournal, 'live'>;
  tickets: TicketRegistry;
  router: Router;
  messenger: Messenger;
  /** Whether the participant has a connection on some node. */
  connected: (key: string) => Promise<boolean>;
  /** The cut-off calls to tell each agent when they connect again (as after a restart). */
  untoldEnds: UntoldEnds;
  log: Logger;
}

/**
 * A node died with calls on it: their media is gone with it, so each call's ticket goes back in line ahead of new
 * arrivals, offered first to the agent who had it, exactly as when a node restarts (`restoreTickets`). Participants
 * still connected somewhere hear `call:ended` (interrupted) now; the customer keeps the place without a hold, the
 * agent is free for the next offer. Those not connected hear it when they come back, within the reconnect grace.
 */
export async function takeOverCalls(calls: readonly HostedCall[], parts: TakeOverParts): Promise<number> {
  const { journal, tickets, router, messenger, connected, untoldEnds, log } = parts;
  const sessionOf = new Map(calls.map((hosted) => [hosted.ticketId, hosted.sessionId]));
  // The records are the truth (a copy of the ticket here may be stale): only tickets still in that very call.
  const cut = (await journal.live([...sessionOf.keys()])).filter((ticket) => ticket.state === TicketState.InCall && ticket.sessionId === sessionOf.get(ticket.id));
  await restoreTickets(cut, { tickets, router, takeCalls: true, log });
  for (const ticket of cut) {
    const { sessionId, agentId } = ticket;
    if (!sessionId) continue;
    const customer = customerKey(ticket.id);
    if (await connected(customer)) {
      tickets.takeInterruption(ticket.id);
      messenger.push(customer, 'call:ended', { sessionId, reason: 'interrupted' });
      await router.resume(ticket.id);
    }
    if (!agentId) continue;
    if (await connected(agentKey(agentId))) messenger.push(agentKey(agentId), 'call:ended', { sessionId, reason: 'interrupted' });
    else untoldEnds.add(agentKey(agentId), { sessionId, reason: 'interrupted' });
    // The dead node cannot tell routing that its agent's call is over.
    await router.callEnded(agentId, { handleMs: 0, signing: false, queue: ticket.queue }).catch((error: unknown) => log.error(`routing did not free agent ${agentId} after their node died`, error));
  }
  return cut.length;
}

/**
 * The agents whose consoles were connected to the dead node and are not connected anywhere now leave routing, so no
 * customer is offered to a console that is gone; those already back on a live node stay as they are.
 */
export async function forgetLostAgents(agentIds: readonly string[], parts: Pick<TakeOverParts, 'router' | 'connected' | 'log'>): Promise<void> {
  for (const agentId of agentIds) {
    if (await parts.connected(agentKey(agentId))) continue;
    await parts.router.agentLost(agentId).catch((error: unknown) => parts.log.error(`routing could not forget agent ${agentId} after their node died`, error));
  }
}
