// bench:capacity: how many 1:1 sign calls one SFU core forwards, mediasoup and LiveKit side by side in one run. A call
// is two participants, each sending 30 fps VP8 simulcast (640x480, 320x240, 160x120) plus Opus and receiving the
// other's top layer and audio. Participants are synthetic, not browsers: on mediasoup, RTP captured once from ffmpeg
// and looped into PlainTransports by a sender process (bench/capacity/rtpStreams.ts, rtpReplay.ts), received on
// PlainTransport consumers; on LiveKit, `@livekit/rtc-node` rooms (bench/capacity/livekitCalls.ts), since nothing
// lighter speaks WebRTC to it here. Those participants encode and decode on the same 2 cores, so the machine runs out
// long before one SFU core does (LiveKit's publishers most: they encode three layers each in this process). The
// figure is therefore the SFU process's own CPU, read from /proc, at a few call counts per engine
// (BENCH_CAPACITY_CALLS_MEDIASOUP, default 1,8,16,32; BENCH_CAPACITY_CALLS_LIVEKIT, default 1,2,3): cpu_per_call_pct is
// the least-squares slope of that CPU over the number of calls (idle included as 0 calls), what one more call costs,
// and calls_per_core = (100 % - idle) / slope, an extrapolation stated as such, beside the slowest receiver's frame
// rate at the largest count measured (the >= 25 fps condition) and the plain average per call there.
//
// Each run: per engine, in a rotating order, the SFU's idle CPU over the window, then each call count in turn: set up,
// BENCH_CAPACITY_SETTLE_MS (default 8000) to settle, BENCH_CAPACITY_WINDOW_MS (default 15000) measured, torn down.
// BENCH_CAPACITY_RUNS (default 3, at least 3) runs; each figure is the median of the runs with their min and max.
// Prints JSON lines (one per measurement and per figure), then a table. Never fails: a part that throws is reported
// and the rest go on.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dispose } from '@livekit/rtc-node';
import { livekitUnavailable } from '../tests/support/livekitServer.js';
import { livekitCalls } from './capacity/livekitCalls.js';
import { mediasoupCalls, type SfuCalls } from './capacity/mediasoupCalls.js';
import { captureStreams } from './capacity/rtpStreams.js';
import { emit, median, round1 } from './stats.js';

const RUNS = Math.max(3, Number(process.env.BENCH_CAPACITY_RUNS ?? 3));
const counts = (text: string) => text.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
const CALLS: Record<Engine, number[]> = {
  mediasoup: counts(process.env.BENCH_CAPACITY_CALLS_MEDIASOUP ?? '1,8,16,32'),
  livekit: counts(process.env.BENCH_CAPACITY_CALLS_LIVEKIT ?? '1,2,3'),
};
const SETTLE_MS = Number(process.env.BENCH_CAPACITY_SETTLE_MS ?? 8000);
const WINDOW_MS = Number(process.env.BENCH_CAPACITY_WINDOW_MS ?? 15000);
const ENGINES = (process.env.BENCH_CAPACITY_ENGINES ?? 'mediasoup,livekit').split(',') as Engine[];
const VIDEO = '.cache/fixtures/hand-640x480-30fps.y4m';
const SPEECH = '.cache/fixtures/speech-48k.wav';
/** Kernel clock ticks per second (`getconf CLK_TCK`), what /proc counts CPU time in. */
const CLK_TCK = 100;
const MIN_FPS = 25;

type Engine = 'mediasoup' | 'livekit';

/** A process's CPU time so far, in seconds. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** The SFU's CPU over the window, in % of one core, and each receiver's frame rate. */
async function measure(sfu: SfuCalls): Promise<{ cpuPct: number; fps: number[] }> {
  sfu.takeFrames();
  const [cpu0, t0] = [cpuSeconds(sfu.pid), performance.now()];
  await sleep(WINDOW_MS);
  const [cpu1, t1] = [cpuSeconds(sfu.pid), performance.now()];
  const seconds = (t1 - t0) / 1000;
  return { cpuPct: ((cpu1 - cpu0) / seconds) * 100, fps: sfu.takeFrames().map((frames) => frames / seconds) };
}

interface Sample {
  engine: Engine;
  run: number;
  calls: number;
  cpuPct: number;
  idlePct: number;
  fpsMin: number;
}

async function runEngine(engine: Engine, run: number, streams: Awaited<ReturnType<typeof captureStreams>>, samples: Sample[]): Promise<void> {
  const sfu = engine === 'mediasoup' ? await mediasoupCalls(streams) : await livekitCalls(VIDEO);
  try {
    const idle = await measure(sfu);
    emit({ bench: 'capacity', engine, run, calls: 0, sfu_cpu_pct: round1(idle.cpuPct) });
    for (const calls of CALLS[engine]) {
      try {
        await sfu.open(calls);
        await sleep(SETTLE_MS);
        const { cpuPct, fps } = await measure(sfu);
        const fpsMin = fps.length === 2 * calls ? Math.min(...fps) : 0;
        samples.push({ engine, run, calls, cpuPct, idlePct: idle.cpuPct, fpsMin });
        emit({ bench: 'capacity', engine, run, calls, sfu_cpu_pct: round1(cpuPct), receiver_fps_min: round1(fpsMin), receivers: fps.length });
      } finally {
        await sfu.closeCalls();
        await sleep(1000);
      }
    }
  } finally {
    await sfu.close();
  }
}

/** Median with min and max, rounded. */
function spread(values: number[]): { value: number; min: number; max: number } {
  return { value: round1(median(values)), min: round1(Math.min(...values)), max: round1(Math.max(...values)) };
}

async function main(): Promise<void> {
  const engines = ENGINES.filter((engine) => {
    const reason = engine === 'livekit' ? livekitUnavailable() : undefined;
    if (reason) emit({ bench: 'capacity', engine, skipped: reason });
    return !reason;
  });
  const streams = await captureStreams(VIDEO, SPEECH);
  const samples: Sample[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const order = run % 2 === 1 ? engines : [...engines].reverse();
    for (const engine of order) {
      await runEngine(engine, run, streams, samples).catch((error: unknown) => emit({ bench: 'capacity', engine, run, error: error instanceof Error ? error.message : String(error) }));
    }
  }
  const table: string[] = [];
  for (const engine of engines) {
    const largest = Math.max(...CALLS[engine]);
    const runs = [...new Set(samples.filter((sample) => sample.engine === engine).map((sample) => sample.run))];
    const slopes = runs.map((run) => slope(samples.filter((sample) => sample.engine === engine && sample.run === run)));
    const at = samples.filter((sample) => sample.engine === engine && sample.calls === largest);
    if (at.length === 0) continue;
    const cpu = spread(slopes.map((fit) => fit.perCall));
    const perCore = spread(slopes.map((fit) => Math.floor((100 - fit.idle) / Math.max(fit.perCall, 0.01))));
    const average = spread(at.map((sample) => (sample.cpuPct - sample.idlePct) / largest));
    const fps = spread(at.map((sample) => sample.fpsMin));
    emit({ bench: 'capacity', metric: 'cpu_per_call_pct', engine, ...cpu, how: 'slope over calls', calls: CALLS[engine].join(','), runs: runs.length });
    emit({ bench: 'capacity', metric: 'cpu_per_call_pct_average', engine, ...average, calls: largest, runs: at.length });
    emit({ bench: 'capacity', metric: 'receiver_fps_min', engine, ...fps, calls: largest, runs: at.length });
    emit({ bench: 'capacity', metric: 'calls_per_core', engine, ...perCore, extrapolated_from_calls: largest, every_receiver_at_25fps: fps.min >= MIN_FPS, runs: runs.length });
    table.push(
      `${engine.padEnd(10)} ${`${cpu.value} % [${cpu.min}-${cpu.max}]`.padEnd(22)} ${`${perCore.value} [${perCore.min}-${perCore.max}]`.padEnd(16)} ${`${fps.value} fps [${fps.min}-${fps.max}] at ${largest} calls`}`,
    );
  }
  console.log('\nengine     SFU CPU per call       calls per core   slowest receiver');
  for (const line of table) console.log(line);
}

/** The least-squares line of one run's SFU CPU over its call counts, the idle measure as 0 calls. */
function slope(run: Sample[]): { perCall: number; idle: number } {
  const points = [{ x: 0, y: run[0]!.idlePct }, ...run.map((sample) => ({ x: sample.calls, y: sample.cpuPct }))];
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const [mx, my] = [mean(points.map((p) => p.x)), mean(points.map((p) => p.y))];
  const perCall = points.reduce((sum, p) => sum + (p.x - mx) * (p.y - my), 0) / points.reduce((sum, p) => sum + (p.x - mx) ** 2, 0);
  return { perCall, idle: run[0]!.idlePct };
}

main()
  .catch((error: unknown) => emit({ bench: 'capacity', error: error instanceof Error ? error.message : String(error) }))
  .finally(() => void dispose());
