import type { QueueJoin } from '../../signaling/index.js';
import { newTicketId } from './ticketId.js';

/** Where a ticket is in its life. */
export const TicketState = { Queued: 'queued', InCall: 'in-call', Ended: 'ended', Abandoned: 'abandoned' } as const;
/** One of the ticket states. */
export type TicketState = (typeof TicketState)[keyof typeof TicketState];

/** A support request: one per customer visit, kept after the call for follow-up. */
export interface Ticket {
  id: string;
  request: QueueJoin;
  state: TicketState;
  createdAt: number;
  sessionId?: string;
  agentId?: string;
}

/** Tickets in memory, keyed by their human-readable id. */
export class TicketRegistry {
  readonly #tickets = new Map<string, Ticket>();

  /** Opens a ticket with a fresh, unused id. */
  open(request: QueueJoin, now = Date.now()): Ticket {
    let id = newTicketId();
    while (this.#tickets.has(id)) id = newTicketId();
    const ticket: Ticket = { id, request, state: TicketState.Queued, createdAt: now };
    this.#tickets.set(id, ticket);
    return ticket;
  }

  /** The ticket with this id, or undefined. */
  get(id: string): Ticket | undefined {
    return this.#tickets.get(id);
  }

  /** Whether the ticket is still being served: waiting (or held) or in a call. */
  isLive(id: string): boolean {
    const state = this.#tickets.get(id)?.state;
    return state === TicketState.Queued || state === TicketState.InCall;
  }

  /** An agent answered: the ticket is in this call. */
  inCall(id: string, sessionId: string, agentId: string): void {
    const ticket = this.#tickets.get(id);
    if (ticket) Object.assign(ticket, { state: TicketState.InCall, sessionId, agentId });
  }

  /** The call was transferred: the ticket waits again. */
  requeued(id: string): void {
    const ticket = this.#tickets.get(id);
    if (ticket) ticket.state = TicketState.Queued;
  }

  /** The ticket's wait or call is over, served or not. */
  close(id: string, state: typeof TicketState.Ended | typeof TicketState.Abandoned): void {
    const ticket = this.#tickets.get(id);
    if (ticket) ticket.state = state;
  }
}
