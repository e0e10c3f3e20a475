import type { RoutingEntry } from '../../../server/routing/model.js';

/** The clock of the pure routing tests, epoch ms. */
export const NOW = 10_000_000;

/** A CSL consultation at level 3 that has waited `waitedSec` at NOW, unless overridden. */
export function entry(ticketId: string, waitedSec: number, overrides: Partial<RoutingEntry> = {}): RoutingEntry {
  return {
    ticketId,
    required: [{ skill: 'csl', minLevel: 3 }],
    preferred: [],
    slaClass: 'consultation',
    priority: 'normal',
    transferred: false,
    enqueuedAt: NOW - waitedSec * 1000,
    seq: 0,
    ...overrides,
  };
}
