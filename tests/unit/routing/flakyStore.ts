import type { Logger } from '../../../server/logger.js';
import type { RoutingStore } from '../../../server/store/RoutingStore.js';

/** A method of the routing store. */
export type StoreMethod = { [K in keyof RoutingStore]: RoutingStore[K] extends (...args: never[]) => Promise<unknown> ? K : never }[keyof RoutingStore];

/**
 * A real routing store whose chosen methods reject a set number of times and then work again, as a store
 * does while its connection is down. Every other call goes straight to the real store.
 */
export class FlakyStore {
  /** The store to hand to the router. */
  readonly store: RoutingStore;
  /** Methods whose calls were refused, in order. */
  readonly refused: StoreMethod[] = [];
  readonly #failures = new Map<StoreMethod, number>();

  constructor(inner: RoutingStore) {
    this.store = new Proxy(inner, {
      get: (target, property) => {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        const method = property as StoreMethod;
        return (...args: unknown[]): unknown => {
          const left = this.#failures.get(method) ?? 0;
          if (left === 0) return (value as (...a: unknown[]) => unknown).apply(target, args);
          this.#failures.set(method, left - 1);
          this.refused.push(method);
          return Promise.reject(new Error(`store unavailable (${method})`));
        };
      },
    });
  }

  /** The next `times` calls of `method` reject. */
  failNext(method: StoreMethod, times: number): void {
    this.#failures.set(method, times);
  }
}

/** One line a `CapturingLog` received. */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  detail: unknown;
}

/** A logger that keeps its lines for assertions instead of writing them. */
export function capturingLog(): { log: Logger; lines: LogLine[]; errors: () => LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (message: string, detail?: unknown) => void lines.push({ level, message, detail });
  return { log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines, errors: () => lines.filter((line) => line.level === 'error') };
}
