import type { CallInvitation, CallMode, CallStarted, Device, Offer, SupportCategory } from '../../../signaling/index.js';

/** One earlier agent's word on the call: a transfer note or an invitation's briefing. */
export interface ContextNote {
  from: string;
  note: string;
}

/** What the agent's console knows about the customer of a call; null where nothing told it. */
export interface CallContext {
  sessionId: string;
  ticketId: string;
  mode: CallMode;
  topic: string | null;
  device: Device | null;
  category: SupportCategory | null;
  /** How long the customer waited for an answer, in milliseconds. */
  waitedMs: number | null;
  notes: ContextNote[];
}

/** An offer this console accepted, and when (epoch ms) it arrived: the customer kept waiting until the answer. */
export interface AcceptedOffer {
  offer: Offer;
  receivedAt: number;
}

/**
 * The customer's context when a call starts at `answeredAt`: from the offer this agent accepted (topic, device,
 * category, wait, the transferring agent's note), else from the invitation they joined by (a technician: topic,
 * device, the briefing), else only what the call itself says (a one-time link, a reload). Either is used only when it
 * is about this call. Pure.
 */
export function callContext(started: CallStarted, accepted: AcceptedOffer | null, invitation: CallInvitation | null, answeredAt: number): CallContext {
  const offer = accepted?.offer.ticketId === started.ticketId ? accepted.offer : null;
  const invited = invitation?.sessionId === started.sessionId ? invitation : null;
  const notes: ContextNote[] = [];
  if (offer?.transfer && offer.transfer.note.trim() !== '') notes.push({ from: offer.transfer.fromAgent, note: offer.transfer.note });
  if (invited && invited.note.trim() !== '') notes.push({ from: invited.fromAgent, note: invited.note });
  return {
    sessionId: started.sessionId,
    ticketId: started.ticketId,
    mode: started.mode,
    topic: offer?.topic ?? invited?.topic ?? null,
    device: offer?.device ?? invited?.device ?? null,
    category: offer?.slaClass ?? null,
    waitedMs: offer && accepted ? offer.waitedMs + Math.max(0, answeredAt - accepted.receivedAt) : null,
    notes,
  };
}

/** A wait as whole minutes and the seconds left over, rounded to the second. */
export function minutesAndSeconds(ms: number): { minutes: number; seconds: number } {
  const total = Math.max(0, Math.round(ms / 1000));
  return { minutes: Math.floor(total / 60), seconds: total % 60 };
}
