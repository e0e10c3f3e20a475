import type { QueueJoin, QueueName } from '../../signaling/index.js';
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
  /** The queue it waits in, or waited in last: its mode's at first, another after a transfer. */
  queue: QueueName;
  createdAt: number;
  sessionId?: string;
  agentId?: string;
  /** The customer left the line to be called back: the place is kept (a virtual hold); calls tried so far. */
  callback?: { attempts: number };
  /** The call a restart of the node cut off, until the customer has been told (the ticket waits again meanwhile). */
  interruptedSessionId?: string;
}

/** What happened to a ticket, by whom: `customer`, `agent:<id>` or `system`. */
export interface TicketChange {
  kind:
    | 'opened'
    | 'in-call'
    | 'escalated'
    | 'handed-over'
    | 'transferred'
    | 'interrupted'
    | 'agent-lost'
    | 'callback-scheduled'
    | 'callback-missed'
    | 'ended'
    | 'abandoned'
    | 'wrap-up'
    | 'wrapped-up';
  actor: string;
  detail?: Record<string, unknown>;
}

/** Where the changes of tickets are kept (the records store); it must not throw or make the registry wait. */
export interface TicketJournal {
  record(ticket: Ticket, change: TicketChange, at: number): void;
}

/** The actor of an agent's change. */
export const agentActor = (agentId: string): string => `agent:${agentId}`;

/**
 * Tickets in memory, keyed by their human-readable id; every change is also handed to the journal (the records), with
 * its time and actor.
 */
export class TicketRegistry {
  readonly #tickets = new Map<string, Ticket>();
  readonly #journal: TicketJournal | undefined;
  readonly #now: () => number;

  constructor(options: { journal?: TicketJournal; now?: () => number } = {}) {
    this.#journal = options.journal;
    this.#now = options.now ?? Date.now;
  }

  /** Opens a ticket with a fresh, unused id. */
  open(request: QueueJoin): Ticket {
    let id = newTicketId();
    while (this.#tickets.has(id)) id = newTicketId();
    const ticket: Ticket = { id, request, state: TicketState.Queued, queue: request.mode, createdAt: this.#now() };
    this.#tickets.set(id, ticket);
    this.#change(ticket, { kind: 'opened', actor: 'customer', detail: { queue: ticket.queue, category: request.category } });
    return ticket;
  }

  /**
   * Takes back a ticket the records kept from before a restart, as it was, without recording a change: `live()` of the
   * journal gives them.
   */
  restore(ticket: Ticket): void {
    this.#tickets.set(ticket.id, { ...ticket });
  }

  /**
   * The node serving the ticket's call stopped (a crash, a kill): the call is gone, the ticket waits again in its queue
   * until it is answered anew, and the customer is told once they are back.
   */
  interrupted(id: string): void {
    const ticket = this.#tickets.get(id);
    if (ticket?.state !== TicketState.InCall) return;
    Object.assign(ticket, { state: TicketState.Queued, interruptedSessionId: ticket.sessionId });
    this.#change(ticket, { kind: 'interrupted', actor: 'system', detail: { sessionId: ticket.sessionId, agentId: ticket.agentId } });
  }

  /**
   * The call's agent lost the connection and did not come back, or signed out: the ticket waits again in its queue,
   * first in line. The customer is told in the call.
   */
  agentLost(id: string): void {
    const ticket = this.#tickets.get(id);
    if (ticket?.state !== TicketState.InCall) return;
    ticket.state = TicketState.Queued;
    this.#change(ticket, { kind: 'agent-lost', actor: 'system', detail: { sessionId: ticket.sessionId, agentId: ticket.agentId } });
  }

  /** The waiting customer asked to be called back instead of keeping the page open: the ticket keeps its place. */
  callbackScheduled(id: string): void {
    const ticket = this.#tickets.get(id);
    if (ticket?.state !== TicketState.Queued || ticket.callback) return;
    ticket.callback = { attempts: 0 };
    this.#change(ticket, { kind: 'callback-scheduled', actor: 'customer', detail: { queue: ticket.queue } });
  }

  /**
   * A callback's call went unanswered: the ticket waits again for the next try, or, after the last, closes as
   * abandoned. Returns whether another try follows.
   */
  callbackMissed(id: string, maxAttempts: number): boolean {
    const ticket = this.#tickets.get(id);
    if (!ticket?.callback) return false;
    ticket.callback.attempts += 1;
    const retry = ticket.callback.attempts < maxAttempts;
    ticket.state = retry ? TicketState.Queued : TicketState.Abandoned;
    this.#change(ticket, { kind: 'callback-missed', actor: 'system', detail: { attempt: ticket.callback.attempts, retry } });
    return retry;
  }

  /** The interrupted call the customer has not been told of yet, forgotten once asked for. */
  takeInterruption(id: string): string | undefined {
    const ticket = this.#tickets.get(id);
    const sessionId = ticket?.interruptedSessionId;
    if (ticket) delete ticket.interruptedSessionId;
    return sessionId;
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
    if (!ticket) return;
    Object.assign(ticket, { state: TicketState.InCall, sessionId, agentId });
    delete ticket.interruptedSessionId;
    this.#change(ticket, { kind: 'in-call', actor: agentActor(agentId), detail: { sessionId } });
  }

  /** The call's agent asked a higher tier in (or sent the call to one). */
  escalated(id: string, byAgentId: string, tier: number, how: 'warm' | 'cold'): void {
    const ticket = this.#tickets.get(id);
    if (ticket) this.#change(ticket, { kind: 'escalated', actor: agentActor(byAgentId), detail: { tier, how } });
  }

  /** A warm transfer completed: another agent has the ticket's call now. */
  handedOver(id: string, fromAgentId: string, toAgentId: string): void {
    const ticket = this.#tickets.get(id);
    if (!ticket) return;
    ticket.agentId = toAgentId;
    this.#change(ticket, { kind: 'handed-over', actor: agentActor(fromAgentId), detail: { to: toAgentId } });
  }

  /** The call was transferred: the ticket waits again, in `queue`. */
  requeued(id: string, byAgentId: string, queue: QueueName): void {
    const ticket = this.#tickets.get(id);
    if (!ticket) return;
    Object.assign(ticket, { state: TicketState.Queued, queue });
    this.#change(ticket, { kind: 'transferred', actor: agentActor(byAgentId), detail: { queue } });
  }

  /** The ticket's wait or call is over, served or not; `actor` ended it. */
  close(id: string, state: typeof TicketState.Ended | typeof TicketState.Abandoned, actor = 'system', detail: Record<string, unknown> = {}): void {
    const ticket = this.#tickets.get(id);
    if (!ticket) return;
    ticket.state = state;
    this.#change(ticket, { kind: state, actor, detail });
  }

  /** The ended call's agent is in wrap-up until `until`; the ticket stays ended. */
  wrapUp(id: string, agentId: string, until: number): void {
    const ticket = this.#tickets.get(id);
    if (ticket) this.#change(ticket, { kind: 'wrap-up', actor: agentActor(agentId), detail: { until } });
  }

  /** The agent filed the ticket's wrap-up (what they wrote stays in the sealed record). */
  wrappedUp(id: string, agentId: string, detail: { disposition: string; followUp: boolean }): void {
    const ticket = this.#tickets.get(id);
    if (ticket) this.#change(ticket, { kind: 'wrapped-up', actor: agentActor(agentId), detail });
  }

    #change(ticket: Ticket, change: TicketChange): void {
    this.#journal?.record(ticket, change, this.#now());
  }
}
