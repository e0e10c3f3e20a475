import { progressStepKindSchema, queueNameSchema, ticketStatusSchema, type ProgressStep, type TicketStatus } from '../../signaling/index.js';
import type { TicketEvent } from '../records/SqlTicketJournal.js';

/** Who made a change, as the customer reads it: they did, an agent did, or the service did. */
function byOf(actor: string): ProgressStep['by'] {
  if (actor === 'customer') return 'you';
  return actor.startsWith('agent:') ? 'agent' : 'system';
}

/**
 * A journal event as a step of the customer's history, or null for a kind the progress page does not show. Only the
 * kind, time, a general "by" and a queue pass: agent ids, session ids and reasons stay with the staff. Pure.
 */
export function progressStepOf(event: TicketEvent): ProgressStep | null {
  const kind = progressStepKindSchema.safeParse(event.kind);
  if (!kind.success) return null;
  const queue = queueNameSchema.safeParse(event.detail.queue);
  return { seq: event.seq, at: event.at, kind: kind.data, by: byOf(event.actor), ...(queue.success ? { queue: queue.data } : {}) };
}

/** A ticket's status as the customer reads it; a state this page does not know comes after the call, so it reads as ended. Pure. */
export function progressStatusOf(status: string): TicketStatus {
  return ticketStatusSchema.catch('ended').parse(status);
}
