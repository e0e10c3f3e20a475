import type { Shape } from './NetworkLab.js';

/** A shaping step of the customer's downlink, by name. */
export interface Step {
  name: string;
  shape: Shape;
}

/** Every step, in the order they run: rate caps falling, then loss with delay and no cap. */
export const ALL_STEPS: readonly Step[] = [
  { name: '2.5mbps', shape: { downlinkKbit: 2500 } },
  { name: '0.8mbps', shape: { downlinkKbit: 800 } },
  { name: '0.3mbps', shape: { downlinkKbit: 300 } },
  { name: 'loss3_rtt100', shape: { downlinkLossPercent: 3, oneWayDelayMs: 50 } },
];

/** The steps a comma-separated list names, kept in ALL_STEPS's order; all of them when the list is absent. */
export function pickSteps(names: string | undefined): Step[] {
  if (!names) return [...ALL_STEPS];
  const wanted = names.split(',').map((n) => n.trim());
  const unknown = wanted.filter((n) => !ALL_STEPS.some((step) => step.name === n));
  if (unknown.length) throw new Error(`BENCH_NETWORK_STEPS: unknown step ${unknown.join(', ')} (steps: ${ALL_STEPS.map((step) => step.name).join(', ')})`);
  return ALL_STEPS.filter((step) => wanted.includes(step.name));
}
