// Where a call's freezes came from: the customer's receiver counts them (Chromium's freezeCount), and the samples
// around each one say whether the agent's browser had fallen short of its frame rate (its camera delivering fewer
// frames, or its encoder leaving some out), whether the page had just restarted the audio's reception, or neither.
import { SENDER_SHORT_FPS, type Sample } from '../bench/network/samples.js';

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

/** Freezes the customer's receiver counted between two times, by cause (a replaced receiver counts again from 0). */
export function freezeCauses(samples: readonly Sample[], from: number, to: number): FreezeCauses {
  const causes: FreezeCauses = { total: 0, cameraShort: 0, encoderShort: 0, afterAudioRestart: 0, other: 0 };
  const restarts = audioRestartTimes(samples);
  let last: Sample | undefined;
  for (const sample of samples) {
    const video = sample.stats?.video;
    if (sample.at < from || sample.at > to || !video) continue;
    const before = last?.stats?.video;
    const freezes = before && video.framesDecoded >= before.framesDecoded ? Math.max(0, video.freezeCount - before.freezeCount) : 0;
    if (freezes > 0) {
      causes.total += freezes;
      const short = [sample, last].filter((s) => s?.sentFps != null && s.sentFps < SENDER_SHORT_FPS);
      const restarted = restarts.some((at) => at <= sample.at && sample.at - at <= AUDIO_RESTART_REACH_MS);
      if (short.some((s) => s?.sourceFps != null && s.sourceFps < SENDER_SHORT_FPS)) causes.cameraShort += freezes;
      else if (short.length > 0) causes.encoderShort += freezes;
      else if (restarted) causes.afterAudioRestart += freezes;
      else causes.other += freezes;
    }
    last = sample;
  }
  return causes;
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
