// Where a call's freezes came from: the customer's receiver counts them (Chromium's freezeCount), and the samples
// around each one say whether the agent's browser had fallen short of its frame rate (its camera delivering fewer
// frames, or its encoder leaving some out), whether the page had just restarted the audio's reception, or neither.
import { senderShort, type Sample } from '../bench/network/samples.js';

/** How far back from the sample that counted a freeze an audio restart is taken as its cause, ms. */
export const AUDIO_RESTART_REACH_MS = 3_000;

export interface FreezeCauses {
  total: number;
  /**
   * The agent's browser sent under SENDER_SHORT_FPS in the window that ends at the freeze or the one before it, because
   * its camera delivered fewer frames (the capture was starved: on this machine, of CPU)...
   */
  cameraShort: number;
  /** ...or while its camera delivered them all (the encoder left frames out). */
  encoderShort: number;
  /** The sender kept its rate, and the page restarted its audio reception shortly before. */
  afterAudioRestart: number;
  /** Neither: the network, the SFU or the receiver. */
  other: number;
}

type Cause = Exclude<keyof FreezeCauses, 'total'>;

/** Freezes the receiver counted at one sample (since the sample before), and what the samples around them show. */
export interface Freeze {
  at: number;
  count: number;
  cause: Cause;
}

/** Every sample at which the customer's receiver counted freezes, with their cause (a replaced receiver counts again from 0). */
export function freezesOf(samples: readonly Sample[]): Freeze[] {
  const freezes: Freeze[] = [];
  const restarts = audioRestartTimes(samples);
  let last: Sample | undefined;
  for (const sample of samples) {
    const video = sample.stats?.video;
    if (!video) continue;
    const before = last?.stats?.video;
    const count = before && video.framesDecoded >= before.framesDecoded ? Math.max(0, video.freezeCount - before.freezeCount) : 0;
    if (count > 0) {
      const short = [sample, last].filter((s) => senderShort(s?.sentFps));
      const cause: Cause = short.some((s) => senderShort(s?.sourceFps))
        ? 'cameraShort'
        : short.length > 0
          ? 'encoderShort'
          : restarts.some((at) => at <= sample.at && sample.at - at <= AUDIO_RESTART_REACH_MS)
            ? 'afterAudioRestart'
            : 'other';
      freezes.push({ at: sample.at, count, cause });
    }
    last = sample;
  }
  return freezes;
}

/** The freezes counted at samples from one time to another (both included), by cause. */
export function tally(freezes: readonly Freeze[], from: number, to: number): FreezeCauses {
  const causes: FreezeCauses = { total: 0, cameraShort: 0, encoderShort: 0, afterAudioRestart: 0, other: 0 };
  for (const freeze of freezes) {
    if (freeze.at < from || freeze.at > to) continue;
    causes.total += freeze.count;
    causes[freeze.cause] += freeze.count;
  }
  return causes;
}

/** Freezes the customer's receiver counted between two times, by cause. */
export function freezeCauses(samples: readonly Sample[], from: number, to: number): FreezeCauses {
  return tally(freezesOf(samples), from, to);
}

/** When the page restarted an audio reception: the sample at which its list of restarts grew. */
function audioRestartTimes(samples: readonly Sample[]): number[] {
  const times: number[] = [];
  let count: number | null = null;
  for (const sample of samples) {
    const now = sample.stats?.audioRestartGapsMs.length;
    if (now === undefined) continue;
    if (count !== null && now > count) times.push(sample.at);
    count = now;
  }
  return times;
}
