import type { AgentProfile, AgentState, Offer, OfferCancelReason, QueueName, WaitRange } from '../../signaling/index.js';
import type { Logger } from '../logger.js';
import type { QueuedEntry, RoutingStore } from '../store/RoutingStore.js';
import type { SkillPolicy } from './SkillPolicy.js';
import type { WaitEstimator } from './WaitEstimator.js';

/** What the router announces; the socket layer turns these into pushes. */
export interface RouterEvents {
  /** An entry was offered to an agent. */
  offer: [agentId: string, offer: Offer];
  /** An open offer was withdrawn. */
  offerCancelled: [agentId: string, offerId: string, reason: OfferCancelReason];
  /** An agent's state changed. */
  agentState: [agentId: string, state: AgentState];
  /** A waiting entry's position or estimated wait changed. */
  position: [ticketId: string, position: number, eta: WaitRange];
  /** An agent accepted: the entry left the queue and a call should start. */
  accepted: [entry: QueuedEntry, agent: AgentProfile];
  /** A customer who lost the connection did not come back in time: their place is given up (on this node's timer or sweep). */
  placeLapsed: [ticketId: string];
}

/** Options of a router. */
export interface RouterOptions {
  /** The shared routing state; its owner closes it. */
  store: RoutingStore;
  policy: SkillPolicy;
  /** How long an agent has to answer an offer. */
  offerTimeoutMs: number;
  /** How long a customer who lost the connection keeps their place. */
  holdMs: number;
  /** After a missed offer the agent is available again after this long; 0 waits for the agent. */
  missedCooldownMs: number;
  /** After a call that ends its ticket the agent is in wrap-up (no offers) for up to this long; 0 (the default) skips it. */
  wrapUpMs?: number;
  estimator?: WaitEstimator;
  now?: () => number;
  /** How often to look for offers and holds whose node died before their timer fired. */
  sweepIntervalMs?: number;
  /** Least time between two rounds of position updates. */
  positionIntervalMs?: number;
  /** Where failed store calls (each retried in the background) are reported; stderr by default. */
  log?: Logger;
}

/** A request to join the queue, already turned into routing terms. */
export type EnqueueRequest = Omit<QueuedEntry, 'seq' | 'offerId' | 'enqueuedAt' | 'transferred' | 'heldUntil' | 'transfer'>;

/** A call in progress moving to another queue or agent, with the ticket's context. */
export interface TransferRequest extends EnqueueRequest {
  transfer: NonNullable<QueuedEntry['transfer']>;
  /** Offer it to this agent only (who must be available); declined or lapsed, it waits in `queue`. */
  toAgentId?: string | undefined;
}

/** A call that ended, as routing counts it. */
export interface EndedCall {
  handleMs: number;
  /** A sign-language call: it adds to the agent's continuous signing. */
  signing: boolean;
  queue: QueueName;
  /** The call ended its ticket (not a transfer or a hand-over): the agent's wrap-up time follows. */
  wrapUp?: boolean;
  /** The agent had lost the connection and was not back when it ended: they go offline, with no wrap-up. */
  agentGone?: boolean;
}
