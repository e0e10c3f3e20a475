import type { QueueStatus } from './queueStatus.js';

/** Options of a position publisher. */
export interface PositionPublisherOptions {
  /** Least time between two rounds; 0 publishes on the next turn of the event loop after each change. */
  intervalMs: number;
  now: () => number;
  /** The current status of every queued ticket, computed in one pass. */
  statuses: () => Iterable<readonly [ticketId: string, status: QueueStatus]>;
  /** Tells one customer their new status. */
  publish: (ticketId: string, status: QueueStatus) => void;
}

/**
 * Position pushes: positions change with every arrival and departure, so a change only schedules a round,
 * rounds run at most every `intervalMs`, and a round tells only the customers whose status differs from
 * what they were last told.
 */
export class PositionPublisher {
  readonly #options: PositionPublisherOptions;
  /** What each customer was last told, as a comparable key. */
  readonly #published = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  #lastRoundAt = 0;
  #closed = false;

  constructor(options: PositionPublisherOptions) {
    this.#options = options;
  }

  /** Something changed: a round runs once the interval since the last one has passed (unless one is already due). */
  schedule(): void {
    if (this.#timer || this.#closed) return;
    const waitMs = Math.max(0, this.#lastRoundAt + this.#options.intervalMs - this.#options.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#lastRoundAt = this.#options.now();
      this.#round();
    }, waitMs);
    this.#timer.unref();
  }

  /** The ticket left the queue: forget what it was told, so a return is told afresh. */
  forget(ticketId: string): void {
    this.#published.delete(ticketId);
  }

  /** Cancels a scheduled round. Idempotent. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #round(): void {
    for (const [ticketId, status] of this.#options.statuses()) {
      const key = `${status.position}|${status.eta.lowSec}|${status.eta.highSec}|${status.eta.sure}`;
      if (this.#published.get(ticketId) === key) continue;
      this.#published.set(ticketId, key);
      this.#options.publish(ticketId, status);
    }
  }
}
