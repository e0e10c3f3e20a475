import { z } from 'zod';
import { callModeSchema, queueJoinedSchema } from '../../../signaling/index.js';
import { sessionValue } from './sessionValue.js';

const STORAGE_KEY = 'signline.ticket';

/** What a tab keeps of its ticket so that a reload or a reconnect finds the customer's place or call again. */
// The mode too: a text caller who reloads must not be asked for a camera. The secret: the end screen shows its link.
const savedTicketSchema = queueJoinedSchema
  .pick({ ticketId: true, token: true, secret: true, reconnectGraceSec: true })
  .extend({ mode: callModeSchema.optional(), callbackAfterSec: z.number().min(0).optional() });
/** What a tab keeps of its ticket. */
export type SavedTicket = ReturnType<typeof savedTicketSchema.parse>;

/** The ticket this tab holds, or null; anything unreadable is forgotten. Per tab (sessionStorage), so two tabs are two customers. */
export function savedTicket(): SavedTicket | null {
  return sessionValue(STORAGE_KEY, savedTicketSchema);
}

/** Keeps the ticket for this tab until the wait or the call ends. */
export function saveTicket(ticket: SavedTicket): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(ticket));
}

/** Forgets the ticket: the wait or the call ended. */
export function forgetTicket(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
