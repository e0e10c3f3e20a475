import type { MediaPolicy } from '../../signaling/index.js';
import { median, quantile, round1 } from '../stats.js';
import { newFrames } from './glassToGlass.js';
import type { VariantRun } from './runVariant.js';
import { marksOf, SMOOTH_FPS, type Mark, type Sample } from './samples.js';

/** The samples a frame-rate figure is read over: all of a step's, or only those the network alone decided (unmarked). */
export type SampleSet = 'all' | 'network';

/** A step of one run, ready to be measured. */
interface StepData {
  /** Each sample of the step with the epoch ms its interval began (the previous sample). */
  intervals: { sample: Sample; from: number }[];
  /** Glass-to-glass delays of the frames presented during the step, ms. */
  delays: number[];
  /** First presentations of counter frames on the customer's page, over the whole run. */
  shown: { at: number }[];
}

/** How one figure is read from a step; null when the step has nothing to read it from. */
interface FigureDef {
  metric: string;
  set?: SampleSet;
  of(step: StepData): number | null;
}

const p = (values: number[], q: number): number | null => (values.length ? quantile(values, q) : null);
const min = (values: number[]): number | null => (values.length ? Math.min(...values) : null);
const inSet = (step: StepData, set: SampleSet) => step.intervals.filter(({ sample }) => set === 'all' || marksOf(sample).length === 0);
const fpsIn = (step: StepData, set: SampleSet) => inSet(step, set).map(({ sample }) => sample.fps);
const picked = (step: StepData, pick: (s: Sample) => number | null) => step.intervals.flatMap(({ sample }) => (pick(sample) === null ? [] : [pick(sample)!]));
const marked = (step: StepData, mark?: Mark) => step.intervals.filter(({ sample }) => (mark ? marksOf(sample).includes(mark) : marksOf(sample).length > 0)).length;

/** Frames first presented within the set's sample intervals, per second of those intervals. */
function shownFps(step: StepData, set: SampleSet): number | null {
  const intervals = inSet(step, set);
  const seconds = intervals.reduce((sum, { sample, from }) => sum + (sample.at - from) / 1000, 0);
  if (seconds <= 0) return null;
  const frames = intervals.reduce((sum, { sample, from }) => sum + step.shown.filter((f) => f.at > from && f.at <= sample.at).length, 0);
  return frames / seconds;
}

/**
 * Every figure of a step, in print order. Frame-rate figures come twice: over all samples, and over the samples the
 * network alone decided. Height counts only samples that decoded frames.
 */
export const FIGURES: readonly FigureDef[] = [
  ...(['all', 'network'] as const).flatMap((set): FigureDef[] => [
    { metric: 'received_fps_p50', set, of: (step) => p(fpsIn(step, set), 0.5) },
    { metric: 'received_fps_min', set, of: (step) => min(fpsIn(step, set)) },
    { metric: `received_under${SMOOTH_FPS}_pct`, set, of: (step) => { const fps = fpsIn(step, set); return fps.length ? (100 * fps.filter((f) => f < SMOOTH_FPS).length) / fps.length : null; } },
    { metric: 'shown_fps', set, of: (step) => shownFps(step, set) },
  ]),
  { metric: 'received_height_p50', of: (step) => p(picked(step, (s) => s.height), 0.5) },
  { metric: 'received_height_min', of: (step) => min(picked(step, (s) => s.height)) },
  { metric: 'glass_to_glass_ms_p50', of: (step) => p(step.delays, 0.5) },
  { metric: 'glass_to_glass_ms_p95', of: (step) => p(step.delays, 0.95) },
  { metric: 'glass_to_glass_frames', of: (step) => step.delays.length },
  { metric: 'sent_fps_p50', of: (step) => p(picked(step, (s) => s.sentFps), 0.5) },
  { metric: 'sent_fps_min', of: (step) => min(picked(step, (s) => s.sentFps)) },
  { metric: 'decode_ms_p50', of: (step) => p(picked(step, (s) => s.decodeMs), 0.5) },
  { metric: 'decode_ms_p95', of: (step) => p(picked(step, (s) => s.decodeMs), 0.95) },
  { metric: 'samples', of: (step) => step.intervals.length },
  { metric: 'marked_samples', of: (step) => marked(step) },
  { metric: 'marked_sender_short', of: (step) => marked(step, 'sender-short') },
  { metric: 'marked_sender_cpu', of: (step) => marked(step, 'sender-cpu') },
  { metric: 'marked_sender_unknown', of: (step) => marked(step, 'sender-unknown') },
];

/** A figure's key: its metric, and the sample set for frame-rate figures. */
export const keyOf = (figure: { metric: string; set?: SampleSet | undefined }): string => (figure.set ? `${figure.metric}@${figure.set}` : figure.metric);

/** Every figure of one step of one run. */
export interface RunStepFigures {
  variant: MediaPolicy;
  run: number;
  step: string;
  values: Map<string, number | null>;
}

/** Measures each step of a run. */
export function runFigures(run: VariantRun, steps: readonly string[]): RunStepFigures[] {
  const shown = newFrames(run.received);
  return steps.map((step, i) => {
    const inStep = (at: number) => at >= run.stepStarts[i]! && at < (run.stepStarts[i + 1] ?? Number.POSITIVE_INFINITY);
    const intervals = run.samples.flatMap((sample, j) => (sample.step === step ? [{ sample, from: run.samples[j - 1]?.at ?? run.stepStarts[i]! }] : []));
    const data: StepData = { intervals, delays: run.delays.filter((d) => inStep(d.at)).map((d) => d.delayMs), shown };
    return { variant: run.variant, run: run.run, step, values: new Map(FIGURES.map((figure) => [keyOf(figure), figure.of(data)])) };
  });
}

/** One figure of a step and variant over the runs: the median of runs, and the lowest and highest run. */
export interface RunsFigure {
  variant: MediaPolicy;
  step: string;
  metric: string;
  set?: SampleSet;
  /** Null when no run had the figure (no sample to read it from). */
  median: number | null;
  spread: [number, number] | null;
  /** Runs that had the figure. */
  runs: number;
  /** Each run's value, in run order. */
  perRun: (number | null)[];
}

/** Every figure of every step and variant over the runs, in the order of `figures` (variants, then steps, then figures). */
export function overRuns(figures: readonly RunStepFigures[]): RunsFigure[] {
  const groups = new Map<string, RunStepFigures[]>();
  for (const f of figures) groups.set(`${f.variant} ${f.step}`, [...(groups.get(`${f.variant} ${f.step}`) ?? []), f]);
  return [...groups.values()].flatMap((runs) =>
    FIGURES.map((figure): RunsFigure => {
      const perRun = [...runs].sort((a, b) => a.run - b.run).map((r) => r.values.get(keyOf(figure)) ?? null);
      const values = perRun.filter((v): v is number => v !== null);
      return {
        variant: runs[0]!.variant,
        step: runs[0]!.step,
        metric: figure.metric,
        ...(figure.set ? { set: figure.set } : {}),
        median: values.length ? round1(median(values)) : null,
        spread: values.length ? [round1(Math.min(...values)), round1(Math.max(...values))] : null,
        runs: values.length,
        perRun: perRun.map((v) => (v === null ? null : round1(v))),
      };
    }),
  );
}

/** A figure's JSON line: the median of runs, the lowest and highest run (absent when no run had it), and how many runs had it. */
export function figureLine(f: RunsFigure): Record<string, string | number | undefined> {
  return { bench: 'network', metric: f.metric, variant: f.variant, step: f.step, samples: f.set, median: f.median ?? undefined, low: f.spread?.[0], high: f.spread?.[1], runs: f.runs };
}
