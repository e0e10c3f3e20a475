import { progressKey } from '../tickets/TicketProgress.js';
import type { Services } from '../services.js';
import type { EventHandlers } from './types.js';

/** Events of the progress page: anyone holding a ticket's secret may watch it, signed in or not. */
export function progressHandlers(services: Services): EventHandlers {
  const { progress } = services;
  return {
    // Joined before the view is read, so a change written in between arrives as a push (its seq tells duplicates).
    'progress:watch': async ({ ticketId, secret }, socket) => {
      await progress.authorize(ticketId, secret);
      await socket.join(progressKey(ticketId));
      return progress.view(ticketId);
    },
  };
}
