import type { VisionMonitorOptions } from './VisionMonitor.js';

/**
 * How the customer page runs its vision monitor, before and during a call; bench:vision measures at this rate.
 * Three analysed frames a second (fewer when inference is slow) tell framing and signing apart and leave the CPU to
 * the call's video; the signing detector's window and gap tolerance widen to match frames a third of a second apart.
 */
export const customerVisionOptions: VisionMonitorOptions = {
  tracker: { maxRateHz: 3, maxBusyShare: 0.2 },
  signing: { windowMs: 2000, maxGapMs: 1500 },
};
