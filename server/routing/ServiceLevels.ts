import type { QueueName, QueueServiceLevel } from '../../signaling/index.js';
import type { Logger } from '../logger.js';
import type { QueuedEntry, RoutingStore, ServiceCounters } from '../store/RoutingStore.js';
import type { SkillPolicy } from './SkillPolicy.js';
import { TimerSet } from './TimerSet.js';

/** Handle times kept for the wait estimate, newest last. */
const HANDLE_TIMES_KEPT = 50;

const NO_COUNTS: ServiceCounters = Object.freeze({ answered: 0, answeredWithinTarget: 0, abandoned: 0, handled: 0, handleMsTotal: 0 });

/** Options of the service-level counter. */
export interface ServiceLevelsOptions {
  store: RoutingStore;
  policy: SkillPolicy;
  log: Logger;
}

/**
 * Service-level counting: answers (within the SLA target or not), abandons and handled calls per queue, in
 * the store so that every node counts into the same figures, and the recent handle times of this node for
 * the wait estimate. Counting never fails its caller: the routing step it follows has already happened, so a
 * count the store refuses is logged and retried in the background (a retry after a lost reply may count twice).
 */
export class ServiceLevels {
  readonly #store: RoutingStore;
  readonly #policy: SkillPolicy;
  readonly #counts: TimerSet<number>;
  /** Replaced, never changed in place: the wait estimator keeps its quartiles per list. */
  #handleTimesSec: readonly number[] = [];
  #nextCount = 0;

  constructor(options: ServiceLevelsOptions) {
    this.#store = options.store;
    this.#policy = options.policy;
    this.#counts = new TimerSet({ name: 'routing: service-level count', log: options.log });
  }

  /** Recent handle times in seconds, newest last, at most 50. */
  get handleTimesSec(): readonly number[] {
    return this.#handleTimesSec;
  }

  /** Counts an answered entry, within target when it had waited no longer than its SLA target by `now`. */
  answered(entry: QueuedEntry, now: number): Promise<void> {
    const withinTarget = this.#policy.urgency(entry, now) <= 1 ? 1 : 0;
    return this.#count(entry.queue, { answered: 1, answeredWithinTarget: withinTarget });
  }

  /** Counts a customer who left the queue, or whose hold ran out, before being answered. */
  abandoned(queue: QueueName): Promise<void> {
    return this.#count(queue, { abandoned: 1 });
  }

  /** Counts a finished call and keeps its handle time. */
  handled(queue: QueueName, handleMs: number): Promise<void> {
    this.#handleTimesSec = [...this.#handleTimesSec.slice(1 - HANDLE_TIMES_KEPT), handleMs / 1000];
    return this.#count(queue, { handled: 1, handleMsTotal: Math.round(handleMs) });
  }

  /** Service levels per queue over every node: waiting and longest wait at `now`, and the counters so far. */
  async report(queues: readonly QueueName[], now: number): Promise<QueueServiceLevel[]> {
    const [{ entries }, counters] = await Promise.all([this.#store.snapshot(), this.#store.serviceCounters()]);
    return serviceLevelsOf(queues, entries, counters, now);
  }

  /** Stops retrying counts. Idempotent. */
  close(): void {
    this.#counts.close();
  }

  #count(queue: QueueName, delta: Partial<ServiceCounters>): Promise<void> {
    return this.#counts.run(this.#nextCount++, () => this.#store.countService(queue, delta));
  }
}

/** Service levels per queue from the queued entries and the counters. Pure. */
export function serviceLevelsOf(
  queues: readonly QueueName[],
  entries: readonly Pick<QueuedEntry, 'queue' | 'enqueuedAt'>[],
  counters: Partial<Record<QueueName, ServiceCounters>>,
  now: number,
): QueueServiceLevel[] {
  return queues.map((queue) => {
    const waiting = entries.filter((entry) => entry.queue === queue);
    const c = counters[queue] ?? NO_COUNTS;
    const closed = c.answered + c.abandoned;
    return {
      queue,
      waiting: waiting.length,
      longestWaitMs: waiting.reduce((longest, entry) => Math.max(longest, now - entry.enqueuedAt), 0),
      answered: c.answered,
      answeredWithinTarget: c.answered > 0 ? c.answeredWithinTarget / c.answered : null,
      abandoned: c.abandoned,
      abandonmentRate: closed > 0 ? c.abandoned / closed : null,
      averageHandleSec: c.handled > 0 ? c.handleMsTotal / c.handled / 1000 : null,
    };
  });
}
