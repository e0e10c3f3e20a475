import type { AgentWrapUp } from '../../signaling/index.js';
import type { Logger } from '../logger.js';
import type { SqlWrapUpStore } from '../records/SqlWrapUpStore.js';
import type { EndedCall, Router } from '../routing/Router.js';
import type { TicketRegistry } from '../tickets/TicketRegistry.js';

/** What the wrap-ups work with. */
export interface WrapUpsOptions {
  router: Router;
  tickets: TicketRegistry;
  store: SqlWrapUpStore;
  log: Logger;
  now?: () => number;
}

/**
 * The time after a call for its notes: when a call that ends its ticket ends, routing puts its agent in wrap-up, the
 * ticket journals it and the records open the ticket's wrap-up; the agent files it once (disposition, sealed summary,
 * follow-up), which makes them available again if their wrap-up time has not run out meanwhile.
 */
export class WrapUps {
  readonly #options: WrapUpsOptions;
  readonly #now: () => number;
  /** Wrap-ups being opened, by ticket: a filing that arrives meanwhile waits for its row. */
  readonly #opening = new Map<string, Promise<unknown>>();
  /** The ticket each agent on this node is in wrap-up for, so filing an older ticket's does not end a newer one's time. */
  readonly #current = new Map<string, string>();

  constructor(options: WrapUpsOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The call that ends its ticket ended: its agent goes into wrap-up (when configured) and routing hears of the call's
   * end. An agent who was away when it ended (`agentGone`) goes offline, but the wrap-up is opened for them all the
   * same, to file when they are back. Resolves to when the wrap-up is due, or undefined when none was opened.
   */
  callEnded(agentId: string, call: { ticketId: string; sessionId: string }, ended: Omit<EndedCall, 'wrapUp'>): Promise<number | undefined> {
    const opening = this.#open(agentId, call, ended).finally(() => {
      if (this.#opening.get(call.ticketId) === opening) this.#opening.delete(call.ticketId);
    });
    this.#opening.set(call.ticketId, opening);
    return opening;
  }

  /**
   * Files the agent's wrap-up of a ticket whose call of theirs ended; NOT_FOUND for a ticket that has none open for
   * them, CONFLICT for a second filing, and nothing changes.
   */
  async submit(agentId: string, wrapUp: AgentWrapUp): Promise<void> {
    const { router, tickets, store } = this.#options;
    await this.#opening.get(wrapUp.ticketId)?.catch(() => undefined);
    await store.submit(agentId, wrapUp, this.#now());
    tickets.wrappedUp(wrapUp.ticketId, agentId, { disposition: wrapUp.disposition, followUp: wrapUp.followUp });
    if (this.#current.get(agentId) !== wrapUp.ticketId) return;
    this.#current.delete(agentId);
    await router.endWrapUp(agentId);
  }

  async #open(agentId: string, call: { ticketId: string; sessionId: string }, ended: Omit<EndedCall, 'wrapUp'>): Promise<number | undefined> {
    const { router, tickets, store } = this.#options;
    const openedAt = this.#now();
    const inWrapUp = await router.callEnded(agentId, { ...ended, wrapUp: true });
    const until = inWrapUp ?? (ended.agentGone && router.wrapUpMs > 0 ? openedAt + router.wrapUpMs : undefined);
    if (until === undefined) return undefined;
    // Routing's wrap-up time is theirs only when they are there: filing then makes them available again.
    if (inWrapUp !== undefined) this.#current.set(agentId, call.ticketId);
    tickets.wrapUp(call.ticketId, agentId, until);
    await store.open({ ticketId: call.ticketId, agentId, sessionId: call.sessionId, openedAt, dueAt: until });
    return until;
  }
}
