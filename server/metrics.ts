import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { queueNameSchema, type QueueServiceLevel } from '../signaling/index.js';
import type { CallService } from './calls/CallService.js';
import type { Router } from './routing/Router.js';

/**
 * The Prometheus metrics of one node (`GET /metrics`): its process (prom-client's defaults) and the service as this
 * node sees it, read when scraped: queues (waiting, longest wait, answered, within target, abandoned), agents by
 * state, and live calls.
 */
export function createMetrics(parts: { router: Router; calls: CallService }): Registry {
  const { router, calls } = parts;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'signline_' });
  // Five gauges read the same service levels: one read per scrape (with Redis it is a round of store reads), shared by
  // the gauges that a scrape collects together.
  let levels: Promise<QueueServiceLevel[]> | undefined;
  const serviceLevels = () => {
    levels ??= router.serviceLevels(queueNameSchema.options).finally(() => setTimeout(() => (levels = undefined), 0));
    return levels;
  };
  const perQueue = (name: string, help: string, pick: (level: QueueServiceLevel) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const level of await serviceLevels()) {
          const value = pick(level);
          if (value !== null) this.set({ queue: level.queue }, value);
        }
      },
    });
  perQueue('signline_queue_waiting', 'Customers waiting, per queue', (level) => level.waiting);
  perQueue('signline_queue_longest_wait_seconds', 'Longest current wait, per queue', (level) => level.longestWaitMs / 1000);
  perQueue('signline_queue_answered', 'Calls answered since the counters began, per queue', (level) => level.answered);
  perQueue('signline_queue_answered_within_target_ratio', 'Share of answered calls answered within their SLA target, per queue', (level) => level.answeredWithinTarget);
  perQueue('signline_queue_abandoned', 'Customers who gave up waiting since the counters began, per queue', (level) => level.abandoned);
  new Gauge({
    name: 'signline_agents',
    help: 'Agents online, by state',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const agent of router.onlineAgents()) counts.set(agent.status, (counts.get(agent.status) ?? 0) + 1);
      for (const [status, count] of counts) this.set({ status }, count);
    },
  });
  new Gauge({
    name: 'signline_calls_active',
    help: 'Calls in progress on this node',
    registers: [registry],
    collect() {
      this.set(calls.activeCount);
    },
  });
  return registry;
}
