/** Socket.IO room (and media participant id) of a customer's ticket. */
export const customerKey = (ticketId: string): string => `ticket:${ticketId}`;

/** Socket.IO room (and media participant id) of a technician who came by a one-time link. */
export const guestKey = (guestId: string): string => `guest:${guestId}`;

/** Socket.IO room (and media participant id) of an agent. */
export const agentKey = (agentId: string): string => `agent:${agentId}`;
