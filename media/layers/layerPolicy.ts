/**
 * Which simulcast layers each video consumer of one receive transport gets.
 *
 * Signing needs frame rate more than resolution (EN 301 549 6.5: at least 20 fps, 30 preferred, at no
 * less than 320x240). So a camera consumer gets the highest spatial layer whose full frame rate (top
 * temporal layer) fits the bandwidth left for it, and only when even the lowest spatial layer at full
 * rate does not fit does it lose temporal layers. A screen share (or a device view) is the opposite: its
 * detail matters, its motion does not, so it keeps its resolution and loses frame rate first. The
 * bandwidth goes in two rounds, cameras (signers) before screens in each: first what each needs (a
 * signer at full frame rate, a screen at its full lines), then what is left (a signer's resolution, a
 * screen's frame rate). Audio is reserved up front.
 * Moving up needs `upMargin` of headroom so that a link near a threshold does not flap between layers.
 * Pure: bitrates in, layers out.
 */

/** The kind of picture a consumer carries. */
export type LayerContent = 'camera' | 'screen';

/** One video consumer, as the policy sees it. */
export interface LayerCandidate {
  id: string;
  content: LayerContent;
  /** `bitrates[s][t]`: bit/s to receive spatial layer s at temporal layer t (cumulative); 0 when not received now. */
  bitrates: readonly (readonly number[])[];
  /** The layers it has now, if any. */
  current?: Layers | undefined;
}

/** A spatial and a temporal layer index. */
export interface Layers {
  spatial: number;
  temporal: number;
}

/** Settings of the policy. */
export interface LayerPolicyOptions {
  /** Share of the estimated bandwidth that may be used (the rest absorbs estimate error and retransmissions). */
  usable: number;
  /** Bit/s kept for each audio consumer. */
  audioReserve: number;
  /** Extra headroom, as a share, needed to move to a costlier choice than the current one. */
  upMargin: number;
}

/**
 * Defaults: 95 % of the estimate (GCC's estimate is already cautious on a lossy link), 40 kbit/s per audio
 * stream (Opus voice with packet overhead), 15 % headroom to move up.
 */
export const DEFAULT_LAYER_POLICY: LayerPolicyOptions = { usable: 0.95, audioReserve: 40_000, upMargin: 0.15 };

/**
 * Layers for each candidate whose bitrates are known, by id; candidates with no measured layer are left
 * out (the SFU keeps its own choice until the first figures arrive).
 */
export function chooseLayers(
  availableBitrate: number,
  audioConsumers: number,
  candidates: readonly LayerCandidate[],
  options: LayerPolicyOptions = DEFAULT_LAYER_POLICY,
): Map<string, Layers> {
  let budget = Math.max(0, availableBitrate * options.usable - audioConsumers * options.audioReserve);
  const cameras = candidates.filter((c) => c.content === 'camera');
  const ordered = [...cameras, ...candidates.filter((c) => c.content === 'screen')]
    .map((candidate) => ({ candidate, choices: orderedChoices(candidate) }))
    .filter(({ choices }) => choices.length > 0);
  const fits = (candidate: LayerCandidate, layers: Layers, room: number): boolean => {
    const cost = costOf(candidate, layers);
    return (isUpgrade(candidate, layers) ? cost * (1 + options.upMargin) : cost) <= room;
  };
  // First what each needs: a signer at full frame rate (its lowest layer), a screen at its lines (its lowest rate).
  // The cheapest choice is taken when nothing fits: a picture at the lowest layers beats none.
  const chosen = new Map<string, Layers>();
  for (const { candidate, choices } of ordered) {
    const best = choices[0]!;
    const needed = choices.filter((l) => (candidate.content === 'camera' ? l.temporal === best.temporal : l.spatial === best.spatial));
    const cheapest = choices.reduce((low, l) => (costOf(candidate, l) < costOf(candidate, low) ? l : low));
    const pick = needed.at(-1) !== undefined && fits(candidate, needed.at(-1)!, budget) ? needed.at(-1)! : cheapest;
    chosen.set(candidate.id, pick);
    budget = Math.max(0, budget - costOf(candidate, pick));
  }
  // Then what is left, in the same order: a signer's resolution, then a screen's frame rate.
  for (const { candidate, choices } of ordered) {
    const base = chosen.get(candidate.id)!;
    const room = budget + costOf(candidate, base);
    const better = choices.find((layers) => costOf(candidate, layers) >= costOf(candidate, base) && fits(candidate, layers, room));
    if (!better) continue;
    chosen.set(candidate.id, better);
    budget = Math.max(0, room - costOf(candidate, better));
  }
  return chosen;
}

/** Every measured choice of a candidate, best first, in the order its content prefers. */
function orderedChoices(candidate: LayerCandidate): Layers[] {
  const measured: Layers[] = [];
  candidate.bitrates.forEach((temporals, spatial) => {
    temporals.forEach((bitrate, temporal) => {
      if (bitrate > 0) measured.push({ spatial, temporal });
    });
  });
  if (candidate.content === 'camera') {
    // Full frame rate first: every spatial layer at its top temporal layer, highest first; then the lowest spatial layer at lower rates.
    const tops = new Map<number, number>();
    for (const { spatial, temporal } of measured) tops.set(spatial, Math.max(tops.get(spatial) ?? -1, temporal));
    const topTemporal = Math.max(...tops.values());
    const fullRate = [...tops].filter(([, temporal]) => temporal === topTemporal).map(([spatial]) => ({ spatial, temporal: topTemporal }));
    fullRate.sort((a, b) => b.spatial - a.spatial);
    const lowest = Math.min(...tops.keys());
    const slower = measured.filter((l) => l.spatial === lowest && l.temporal < topTemporal).sort((a, b) => b.temporal - a.temporal);
    return [...fullRate, ...slower];
  }
  return measured.sort((a, b) => b.spatial - a.spatial || b.temporal - a.temporal);
}

function costOf(candidate: LayerCandidate, layers: Layers): number {
  return candidate.bitrates[layers.spatial]?.[layers.temporal] ?? 0;
}

function isUpgrade(candidate: LayerCandidate, layers: Layers): boolean {
  return candidate.current === undefined || costOf(candidate, layers) > costOf(candidate, candidate.current);
}

/** One tick's bandwidth estimate for a receiver, kept to decide when a rise has held long enough. */
export interface EstimateEntry {
  at: number;
  bitrate: number;
}

/** How long a rise must hold before the layers follow it. */
export interface SettleOptions {
  /** Normally, ms. */
  stableMs: number;
  /**
   * After a cut, ms: the estimate fell to `cutRatio` of the tick before or less (the SFU's estimator backs off
   * to what got through when a link is overrun). A rise then is most often a probe overshooting the cap that
   * just bit.
   */
  afterCutMs: number;
  cutRatio: number;
}

export const DEFAULT_SETTLE: SettleOptions = { stableMs: 5_000, afterCutMs: 20_000, cutRatio: 2 / 3 };

/** Whether a bandwidth of `bitrate` after `before` is a cut: `cutRatio` of it or less. */
export function isCut(before: number, bitrate: number, options: SettleOptions = DEFAULT_SETTLE): boolean {
  return bitrate <= before * options.cutRatio;
}

/**
 * The bandwidth to choose layers with at `now`: the lowest estimate of the last `stableMs`, or of the last
 * `afterCutMs` while a cut lies within them. A drop counts at once; a rise only once it has held. On a
 * capped link the SFU's probes slip through the cap's burst and briefly overestimate it, and an estimate the
 * video does not fill is never contradicted, so a short hold steps back up into the cap: seconds of low frame
 * rate and a late audio buffer. Holding the lower layer for longer after a cut costs only resolution.
 * `history` is oldest first. Returns the entries still worth keeping with it.
 */
export function settledBandwidth(history: readonly EstimateEntry[], now: number, options: SettleOptions = DEFAULT_SETTLE): { bitrate: number; keep: EstimateEntry[] } {
  const cut = history.some((entry, i) => now - entry.at <= options.afterCutMs && i > 0 && isCut(history[i - 1]!.bitrate, entry.bitrate, options));
  const windowMs = cut ? options.afterCutMs : options.stableMs;
  const bitrate = Math.min(...history.filter((entry) => now - entry.at <= windowMs).map((entry) => entry.bitrate));
  // Entries within the longer window, and the one before them, which the first is compared with.
  const first = history.findIndex((entry) => now - entry.at <= Math.max(options.stableMs, options.afterCutMs));
  return { bitrate, keep: first < 0 ? [] : history.slice(Math.max(0, first - 1)) };
}
