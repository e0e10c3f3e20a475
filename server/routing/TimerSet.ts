import type { Logger } from '../logger.js';

/** How long to wait before running a failed task again: `firstMs`, doubling after each failure up to `maxMs`. */
export interface RetryBackoff {
  firstMs: number;
  maxMs: number;
}

/** 0.25 s, 0.5 s, 1 s, ... up to 5 s between attempts. */
export const DEFAULT_RETRY_BACKOFF: RetryBackoff = Object.freeze({ firstMs: 250, maxMs: 5000 });

/** Options of a timer set. */
export interface TimerSetOptions {
  /** What the timers are for, in log lines ("offer deadline"). */
  name: string;
  log: Logger;
  backoff?: RetryBackoff;
  /** Called after each failed attempt, before the retry is scheduled (the owner may mark its state stale). */
  onError?: (error: unknown) => void;
  /** Do not keep the process alive for these timers. */
  unref?: boolean;
}

/** What is scheduled under one key; replaced as a whole, so a superseded attempt can tell it is no longer current. */
interface Slot {
  timer: NodeJS.Timeout | undefined;
}

/** A task run later (or now) that may be async. */
export type TimerTask = () => void | Promise<void>;

/**
 * Timers by key whose tasks may be async. A task that throws or rejects is logged and run again after a
 * bounded backoff until it succeeds, its key is cleared or set anew (what it was for no longer exists or
 * was rescheduled), or the set is closed; so no promise started from one of these timers goes unhandled.
 * A task should therefore end quietly when it finds its object gone, and throw only when it should be retried.
 */
export class TimerSet<K> {
  readonly #name: string;
  readonly #log: Logger;
  readonly #backoff: RetryBackoff;
  readonly #onError: ((error: unknown) => void) | undefined;
  readonly #unref: boolean;
  readonly #slots = new Map<K, Slot>();
  #closed = false;

  constructor(options: TimerSetOptions) {
    this.#name = options.name;
    this.#log = options.log;
    this.#backoff = options.backoff ?? DEFAULT_RETRY_BACKOFF;
    this.#onError = options.onError;
    this.#unref = options.unref ?? false;
  }

  /** Number of keys with a task scheduled, running or waiting for a retry. */
  get size(): number {
    return this.#slots.size;
  }

  /** Whether a task is scheduled, running or waiting for a retry under `key`. */
  has(key: K): boolean {
    return this.#slots.has(key);
  }

  /** Runs `task` after `delayMs` under `key`, replacing whatever was scheduled under it. Does nothing once closed. */
  set(key: K, delayMs: number, task: TimerTask): void {
    const slot = this.#take(key);
    if (slot) this.#arm(key, slot, delayMs, task, 0);
  }

  /**
   * Runs `task` now under `key`, replacing whatever was scheduled under it; a failure is logged and retried
   * like a timer's. Resolves once the first attempt has ended, and never rejects.
   */
  async run(key: K, task: TimerTask): Promise<void> {
    const slot = this.#take(key);
    if (slot) await this.#attempt(key, slot, task, 0);
  }

  /** Cancels what is scheduled under `key`; a task already running finishes but is not retried. False when nothing was. */
  clear(key: K): boolean {
    const slot = this.#slots.get(key);
    if (!slot) return false;
    clearTimeout(slot.timer);
    this.#slots.delete(key);
    return true;
  }

  /** Cancels every timer and retry; later `set` and `run` do nothing. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const slot of this.#slots.values()) clearTimeout(slot.timer);
    this.#slots.clear();
  }

  #take(key: K): Slot | undefined {
    if (this.#closed) return undefined;
    this.clear(key);
    const slot: Slot = { timer: undefined };
    this.#slots.set(key, slot);
    return slot;
  }

  #arm(key: K, slot: Slot, delayMs: number, task: TimerTask, failures: number): void {
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      // #attempt handles every failure of the task; only a logger that throws could get past it.
      this.#attempt(key, slot, task, failures).catch(() => undefined);
    }, delayMs);
    if (this.#unref) slot.timer.unref();
  }

  // Every failure of the task ends in the log, and in a retry while the slot is still current.
  async #attempt(key: K, slot: Slot, task: TimerTask, failures: number): Promise<void> {
    try {
      await task();
      if (this.#slots.get(key) === slot) this.#slots.delete(key);
    } catch (error) {
      const current = !this.#closed && this.#slots.get(key) === slot;
      const waitMs = Math.min(this.#backoff.maxMs, this.#backoff.firstMs * 2 ** failures);
      const next = current ? `retrying in ${waitMs} ms` : 'no longer needed, not retried';
      this.#log.error(`${this.#name} "${String(key)}" failed (attempt ${failures + 1}); ${next}`, error instanceof Error ? error : new Error(String(error)));
      try {
        this.#onError?.(error);
      } catch (hookError) {
        this.#log.error(`${this.#name}: error hook failed`, hookError instanceof Error ? hookError : new Error(String(hookError)));
      }
      if (current) this.#arm(key, slot, waitMs, task, failures + 1);
    }
  }
}
