import type { Page } from 'puppeteer-core';
import { MARKER_LEVEL } from './speechTrack.js';

/** Quiet a sound must follow to count as an onset: the pauses inside a phrase are mostly shorter. */
const ONSET_QUIET_MS = 250;

/**
 * Runs on the audio rendering thread: every onset of the microphone (a sample louder than the level after at least
 * `ONSET_QUIET_MS` of none) by its frame on the AudioContext's clock, and a clock reading every 10 ms.
 */
const MIC_WORKLET = `
class BenchMicProbe extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.level = options.processorOptions.level;
    this.quietNeeded = options.processorOptions.quietMs * sampleRate / 1000;
    this.block = Math.round(sampleRate / 100);
    this.quiet = 0;
    this.count = 0;
  }
  process(inputs) {
    const samples = inputs[0] && inputs[0][0];
    const first = currentFrame;
    const length = samples ? samples.length : 128;
    for (let i = 0; i < length; i++) {
      const x = samples ? samples[i] : 0;
      if (Math.abs(x) > this.level) {
        if (this.quiet >= this.quietNeeded) this.port.postMessage({ onset: first + i, quietMs: this.quiet * 1000 / sampleRate });
        this.quiet = 0;
      } else this.quiet++;
      if (++this.count === this.block) {
        this.port.postMessage({ frame: first + i + 1 });
        this.count = 0;
      }
    }
    return true;
  }
}
registerProcessor('bench-mic-probe', BenchMicProbe);
`;

/** What the speaking page's probe recorded: frames of the AudioContext, and when the page received each reading. */
export interface MicRecord {
  sampleRate: number;
  /** Every 10 ms: a frame, and the epoch ms its message reached the page. */
  frames: number[];
  arrivals: number[];
  /** Frames of the onsets, and the quiet before each in ms. */
  onsets: number[];
  onsetQuietMs: number[];
}

interface MicProbeWindow {
  signlineBenchMic?: MicRecord;
}

/**
 * Makes every microphone the page opens also feed an AudioWorklet probe (installed before the page's own scripts
 * run). Only the latest microphone is recorded.
 */
export async function installMicProbe(page: Page): Promise<void> {
  // tsx compiles with esbuild's keepNames, which wraps the functions below in a `__name` helper the page lacks.
  await page.evaluateOnNewDocument('globalThis.__name = (fn) => fn');
  await page.evaluateOnNewDocument(
    (workletSource: string, level: number, quietMs: number) => {
      const devices = navigator.mediaDevices;
      const original = devices.getUserMedia.bind(devices);
      const moduleUrl = URL.createObjectURL(new Blob([workletSource], { type: 'text/javascript' }));
      const probe = async (stream: MediaStream) => {
        const context = new AudioContext();
        await context.audioWorklet.addModule(moduleUrl);
        const record = { sampleRate: context.sampleRate, frames: [] as number[], arrivals: [] as number[], onsets: [] as number[], onsetQuietMs: [] as number[] };
        (window as MicProbeWindow).signlineBenchMic = record;
        const node = new AudioWorkletNode(context, 'bench-mic-probe', { processorOptions: { level, quietMs } });
        node.port.onmessage = ({ data }: MessageEvent<{ frame: number } | { onset: number; quietMs: number }>) => {
          if ('onset' in data) {
            record.onsets.push(data.onset);
            record.onsetQuietMs.push(data.quietMs);
          } else {
            record.frames.push(data.frame);
            record.arrivals.push(performance.timeOrigin + performance.now());
          }
        };
        // A silent path to the output keeps the graph, and so the probe, running.
        const mute = context.createGain();
        mute.gain.value = 0;
        context.createMediaStreamSource(stream).connect(node).connect(mute).connect(context.destination);
        await context.resume();
      };
      devices.getUserMedia = async (constraints?: MediaStreamConstraints) => {
        const stream = await original(constraints);
        if (stream.getAudioTracks().length > 0) probe(stream).catch((error: unknown) => console.error('bench microphone probe', error));
        return stream;
      };
    },
    MIC_WORKLET,
    MARKER_LEVEL / 32_768,
    ONSET_QUIET_MS,
  );
}

/** The speaking page's record so far. */
export async function readMicRecord(page: Page): Promise<MicRecord> {
  const record = await page.evaluate(() => (window as MicProbeWindow).signlineBenchMic ?? null);
  if (!record) throw new Error('the speaking page never opened its microphone');
  return record;
}

/**
 * The epoch ms of an AudioContext frame, as a function. The audio thread renders ahead in bursts and its messages wait
 * for the main thread, so each reading arrives at its frame's time plus a delay that is never negative: the smallest
 * arrival-minus-frame-time among the readings within 2 s of a frame is taken as the offset (local, so a stall of the
 * audio thread that shifts its clock later on does not move earlier times).
 */
export function frameClock(record: MicRecord): (frame: number) => number {
  const { frames, arrivals, sampleRate } = record;
  if (frames.length === 0) throw new Error('the microphone probe of the speaking page recorded nothing');
  const msPerFrame = 1000 / sampleRate;
  const span = 2 * sampleRate;
  const raw = frames.map((frame, i) => arrivals[i]! - frame * msPerFrame);
  const offsets = frames.map((frame) => {
    let offset = Number.POSITIVE_INFINITY;
    for (let j = lowerBound(frames, frame - span); j < frames.length && frames[j]! <= frame + span; j++) offset = Math.min(offset, raw[j]!);
    return offset;
  });
  return (frame) => offsets[Math.min(frames.length - 1, lowerBound(frames, frame))]! + frame * msPerFrame;
}

function lowerBound(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** A caption line as the listening page showed it. */
export interface ShownCaption {
  /** The speaker prefix, e.g. "Agent bench: ". */
  who: string;
  /** Epoch ms the line first appeared (its first partial) and when it turned final; absent if it never did. */
  firstAt: number;
  firstText: string;
  finalAt?: number;
  finalText?: string;
  /** When the line was taken away (its final was empty: what sounded like speech was not words). */
  removedAt?: number;
}

interface CaptionRecorderWindow {
  signlineBenchCaptions?: ShownCaption[];
}

/** Records, from before the page's own scripts run, every `.captions-log li`: when it appeared and when it turned final. */
export async function installCaptionRecorder(page: Page): Promise<void> {
  await page.evaluateOnNewDocument('globalThis.__name = (fn) => fn');
  await page.evaluateOnNewDocument(() => {
    const lines: ShownCaption[] = [];
    const known = new Map<Element, ShownCaption>();
    (window as CaptionRecorderWindow).signlineBenchCaptions = lines;
    const observe = () => {
      const at = performance.timeOrigin + performance.now();
      const present = new Set<Element>();
      document.querySelectorAll('.captions-log li').forEach((li) => {
        present.add(li);
        const text = li.querySelector('.caption-words')?.textContent ?? '';
        let line = known.get(li);
        if (!line) {
          line = { who: li.querySelector('.caption-who')?.textContent ?? '', firstAt: at, firstText: text };
          known.set(li, line);
          lines.push(line);
        }
        if ((li as HTMLElement).dataset.final === 'true' && line.finalAt === undefined) {
          line.finalAt = at;
          line.finalText = text;
        }
      });
      for (const [li, line] of known) {
        if (!present.has(li) && line.removedAt === undefined) line.removedAt = at;
      }
    };
    new MutationObserver(observe).observe(document, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-final'] });
  });
}

/** Every caption line the listening page has shown so far. */
export async function readCaptions(page: Page): Promise<ShownCaption[]> {
  return page.evaluate(() => (window as CaptionRecorderWindow).signlineBenchCaptions ?? []);
}
