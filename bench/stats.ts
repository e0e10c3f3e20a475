/** The value at quantile q (0..1) of a sample, by nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Rounds to one decimal for printing. */
export const round1 = (value: number): number => Math.round(value * 10) / 10;

/** Prints one benchmark figure as a JSON line. */
export function emit(figure: Record<string, string | number | boolean | undefined>): void {
  console.log(JSON.stringify(figure));
}

/** The median of a sample: the middle value, or the mean of the two middle ones. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Rounds to two decimals for printing (sub-millisecond latencies). */
export const round2 = (value: number): number => Math.round(value * 100) / 100;
