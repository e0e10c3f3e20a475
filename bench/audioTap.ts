// bench:audioTap: the two ways a participant's Opus audio can leave mediasoup as 16 kHz mono PCM, measured on the same
// streams. `direct`: a DirectTransport consumer hands RTP to Node and wasm libopus decodes it in the main thread
// (media/mediasoup/DirectAudioTap.ts, what MediasoupRoom.tapAudio uses). `ffmpeg`: a PlainTransport consumer sends RTP
// to one Debian ffmpeg per stream, which writes s16le to a pipe (bench/audioTap/FfmpegAudioTap.ts). `relay`: the direct
// path without decoding, to split its cost between mediasoup's payload channel and the decoder. `none`: the same
// streams with no tap, the baseline that CPU and memory are measured against.
//
// Each run: a fresh router, BENCH_TAP_STREAMS (default 10) producers fed by a sender process (bench/audioTap/sender.ts)
// looping Opus packets of a 1 kHz tone burst (80 ms every 400 ms) every 20 ms, one tap per producer opened in turn
// while the stream runs, each at a random point of the packet schedule (start-up: open to first pcm event; open: to the
// tap object), then a BENCH_TAP_SECONDS (default 5) window. Latency is taken at every burst onset, from the send of the
// packet that starts the burst (found by decoding the packets beforehand) to the pcm event whose chunk first carries
// it, and (sample latency) to when its first loud sample reached Node, which for ffmpeg is its pipe, before chunking.
// CPU over the window: the Node process (the sender runs elsewhere), the mediasoup worker and the ffmpeg children, less
// the `none` run's; the source is mostly silence, which decodes cheaper than speech. Memory: Node and worker RSS growth
// from before the taps opened, and each ffmpeg's RSS and PSS. BENCH_TAP_ROUNDS (default 3, at least 3) rounds, the
// variants interleaved in a rotating order; each figure is the median of the runs with their min and max. Prints one
// JSON line per run and per figure, then a table. Never fails: a run that throws is reported and the rest go on.
import { fork, spawn, execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { EventEmitter, once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { types } from 'mediasoup';
import { AUDIO_TAP_FORMAT, type AudioTap, type AudioTapEvents } from '../media/MediaEngine.js';
import { OpusRtpDecoder } from '../media/audioTap/OpusRtpDecoder.js';
import { DirectAudioTap } from '../media/mediasoup/DirectAudioTap.js';
import type { MediasoupEngine } from '../media/mediasoup/MediasoupEngine.js';
import { opusRtpParameters, testMediaEngine, testRoom } from '../tests/support/opusSource.js';
import { mulberry32 } from '../tests/support/random.js';
import { FfmpegAudioTap } from './audioTap/FfmpegAudioTap.js';
import type { SenderCommand, SenderReport } from './audioTap/sender.js';
import { emit, median, quantile, round1 } from './stats.js';

const STREAMS = Math.max(1, Number(process.env.BENCH_TAP_STREAMS ?? 10));
const WINDOW_S = Math.max(1, Number(process.env.BENCH_TAP_SECONDS ?? 5));
const ROUNDS = Math.max(3, Number(process.env.BENCH_TAP_ROUNDS ?? 3));
const SSRC = 1111;
const FRAME_MS = 20;
const TICKS_PER_FRAME = 960;
/** The source: a tone burst of BURST_MS every PERIOD_MS, looped; longer than any latency, so onsets pair up unambiguously. */
const PERIOD_MS = 400;
const BURST_MS = 80;
const LOOP_S = 2;
/** A chunk this loud (RMS, of 32768) is in a burst; the silence between bursts decodes far below it. */
const LOUD_RMS = 330;
/** A sample this loud starts a burst when the QUIET_SAMPLES before it were all quieter. */
const LOUD_SAMPLE = 1000;
const QUIET_SAMPLES = 1600;
const START_TIMEOUT_MS = 5000;

type Variant = 'none' | 'relay' | 'direct' | 'ffmpeg';

/** What one run measured. */
interface RunFigures {
  variant: Variant;
  round: number;
  latencyMs: number[];
  /** From the same send to when the burst's first loud sample reached Node, chunked or not. */
  sampleLatencyMs: number[];
  startupMs: number[];
  /** From the open call to the tap object, before its first packet. */
  openMs: number[];
  /** Share of one core per stream over the window, by process. */
  nodeCpu: number;
  workerCpu: number;
  ffmpegCpu: number;
  /** Growth per stream from before the taps opened to the end of the window, MiB. */
  nodeRssMiB: number;
  workerRssMiB: number;
  /** Per ffmpeg process, MiB. */
  ffmpegRssMiB: number;
  ffmpegPssMiB: number;
  chunks: number;
  error?: string;
}

const random = mulberry32(Number(process.env.BENCH_TAP_SEED ?? 1));
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU seconds a process has used. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** A process's resident and proportional set sizes in MiB. */
function memoryMiB(pid: number): { rss: number; pss: number } {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0);
    return { rss: kib('Rss') / 1024, pss: kib('Pss') / 1024 };
  } catch {
    return { rss: 0, pss: 0 };
  }
}

/** The mediasoup worker this process started (the engine runs one). */
function workerPid(): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8').trim();
      const [, comm, rest] = /^\d+ \((.*)\) (.*)$/.exec(stat) ?? [];
      if (comm?.startsWith('mediasoup-worke') && Number(rest!.split(' ')[1]) === process.pid) return Number(entry);
    } catch {
      // The process ended while listed.
    }
  }
  throw new Error('mediasoup worker process not found');
}
/** One loop of the source as Opus RTP packets, encoded by ffmpeg with the router's settings and caught on a socket. */
async function encodeSource(router: types.Router): Promise<Uint8Array[]> {
  const opus = router.rtpCapabilities.codecs!.find((codec) => codec.mimeType === 'audio/opus')!;
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const packets: Uint8Array[] = [];
  socket.on('message', (packet) => {
    // RTCP (payload types 200-204 with the marker bit's place) is not part of the stream.
    if (packet[1]! < 200 || packet[1]! > 204) packets.push(new Uint8Array(packet));
  });
  const expression = `if(lt(mod(t\\,${PERIOD_MS / 1000})\\,${BURST_MS / 1000})\\,0.5*sin(2*PI*1000*t)\\,0)`;
  const ffmpeg = spawn('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
    ...['-f', 'lavfi', '-i', `aevalsrc=${expression}:s=48000:d=${LOOP_S + PERIOD_MS / 1000}`],
    ...['-c:a', 'libopus', '-ar', '48000', '-ac', String(opus.channels ?? 2), '-frame_duration', String(FRAME_MS)],
    ...['-payload_type', String(opus.preferredPayloadType), '-ssrc', String(SSRC), '-f', 'rtp', `rtp://127.0.0.1:${socket.address().port}`],
  ], { stdio: ['ignore', 'ignore', 'inherit'] });
  const [code] = (await once(ffmpeg, 'exit')) as [number | null];
  // ffmpeg's last packets are on loopback already; one more turn of the loop drains them.
  await sleep(50);
  socket.close();
  if (code !== 0) throw new Error(`ffmpeg exited with ${code} while encoding the source`);
  const perPeriod = PERIOD_MS / FRAME_MS;
  const expected = (LOOP_S * 1000) / FRAME_MS;
  if (packets.length < perPeriod + expected) throw new Error(`caught ${packets.length} of ${perPeriod + expected} source packets`);
  // Whole periods, after the first: the encoder's first frames are weak, and the loop joins in the silence.
  return packets.slice(perPeriod, perPeriod + expected);
}

/** Which packet of each period first decodes to a loud chunk: the packet whose send starts a burst. */
async function onsetPhase(packets: Uint8Array[], payloadType: number): Promise<number> {
  const loud: boolean[] = [];
  const decoder = await OpusRtpDecoder.create({
    payloadType,
    sampleRate: AUDIO_TAP_FORMAT.sampleRate,
    chunkSamples: AUDIO_TAP_FORMAT.chunkSamples,
    maxGapMs: 1000,
    onPcm: (chunk) => loud.push(rms(chunk) >= LOUD_RMS),
  });
  for (let index = 0; index < 2 * packets.length; index++) decoder.push(numbered(packets[index % packets.length]!, index));
  decoder.free();
  const perPeriod = PERIOD_MS / FRAME_MS;
  const phases = loud.flatMap((isLoud, index) => (isLoud && index > 0 && !loud[index - 1] ? [index % perPeriod] : []));
  if (phases.length === 0 || phases.some((phase) => phase !== phases[0])) throw new Error(`burst onsets do not repeat: ${phases.join(',')}`);
  return phases[0]!;
}

/** A copy of the packet as the sender sends it as the stream's packet `index`. */
function numbered(packet: Uint8Array, index: number): Uint8Array {
  const copy = Buffer.from(packet);
  copy.writeUInt16BE(index & 0xffff, 2);
  copy.writeUInt32BE((index * TICKS_PER_FRAME) >>> 0, 4);
  return copy;
}

function rms(chunk: Int16Array): number {
  let sum = 0;
  for (const sample of chunk) sum += sample * sample;
  return Math.sqrt(sum / chunk.length);
}

/** Calls back with the arrival time of every sample that starts a burst. */
function sampleOnsetDetector(onOnset: (at: number) => void): (samples: Int16Array, at: number) => void {
  let quiet = 0;
  return (samples, at) => {
    for (const sample of samples) {
      if (Math.abs(sample) < LOUD_SAMPLE) {
        quiet++;
        continue;
      }
      if (quiet >= QUIET_SAMPLES) onOnset(at);
      quiet = 0;
    }
  };
}

async function openTap(variant: Exclude<Variant, 'none'>, router: types.Router, producer: types.Producer): Promise<AudioTap> {
  switch (variant) {
    case 'relay':
      return RelayOnlyTap.open(router, producer);
    case 'direct':
      return DirectAudioTap.open(router, producer);
    case 'ffmpeg':
      return FfmpegAudioTap.open(router, producer);
  }
}

/**
 * The direct tap without decoding: a DirectTransport consumer whose every packet comes out as a silent chunk, so the
 * bench's own per-chunk work is the same. `direct` less `relay` is the decoding; `relay` less `none` is mediasoup's
 * payload channel carrying the packets to Node.
 */
class RelayOnlyTap extends EventEmitter<AudioTapEvents> implements AudioTap {
  readonly producerId: string;
  readonly #transport: types.DirectTransport;
  #closed = false;

  private constructor(producerId: string, transport: types.DirectTransport, consumer: types.Consumer) {
    super();
    this.producerId = producerId;
    this.#transport = transport;
    const silent = new Int16Array(AUDIO_TAP_FORMAT.chunkSamples);
    consumer.on('rtp', () => this.emit('pcm', silent));
  }

  static async open(router: types.Router, producer: types.Producer): Promise<RelayOnlyTap> {
    const opus = router.rtpCapabilities.codecs!.find((codec) => codec.mimeType === 'audio/opus')!;
    const transport = await router.createDirectTransport();
    const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: { codecs: [opus], headerExtensions: [] } });
    return new RelayOnlyTap(producer.id, transport, consumer);
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#transport.close();
    this.emit('closed');
  }
}

/** One run of a variant over fresh streams. */
async function run(engine: MediasoupEngine, variant: Variant, round: number, packets: Uint8Array[], phase: number, worker: number): Promise<RunFigures> {
  const figures: RunFigures = {
    variant, round, latencyMs: [], sampleLatencyMs: [], startupMs: [], openMs: [], nodeCpu: 0, workerCpu: 0, ffmpegCpu: 0, nodeRssMiB: 0, workerRssMiB: 0, ffmpegRssMiB: 0, ffmpegPssMiB: 0, chunks: 0,
  };
  const room = await testRoom(engine, `bench-${variant}-${round}`);
  const sender = fork(new URL('./audioTap/sender.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: 'inherit' });
  const reports = (kind: SenderReport['kind']) =>
    new Promise<SenderReport>((resolve) => sender.on('message', (report: SenderReport) => report.kind === kind && resolve(report)));
  const taps: AudioTap[] = [];
  try {
    const ready = (await reports('ready')) as Extract<SenderReport, { kind: 'ready' }>;
    const producers: types.Producer[] = [];
    const ports: number[] = [];
    for (let stream = 0; stream < STREAMS; stream++) {
      const transport = await room.router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: false });
      await transport.connect({ ip: '127.0.0.1', port: ready.port });
      producers.push(await transport.produce({ kind: 'audio', rtpParameters: opusRtpParameters(room.router, SSRC) }));
      ports.push(transport.tuple.localPort);
    }
    sender.send({ kind: 'start', packets, ports, frameMs: FRAME_MS, ticksPerFrame: TICKS_PER_FRAME } satisfies SenderCommand);
    const memoryBefore = { node: memoryMiB(process.pid).rss, worker: memoryMiB(worker).rss };
    // Onsets per stream: when the pcm event carrying a burst's start fired.
    const onsets: number[][] = producers.map(() => []);
    const sampleOnsets: number[][] = producers.map(() => []);
    if (variant !== 'none') {
      for (const [stream, producer] of producers.entries()) {
        // Taps open at random points of the 20 ms packet schedule, as they would in a call.
        await sleep(random() * FRAME_MS);
        const opened = nowMs();
        const tap = await openTap(variant, room.router, producer);
        figures.openMs.push(nowMs() - opened);
        taps.push(tap);
        let wasLoud = true;
        const sampleOnset = sampleOnsetDetector((at) => sampleOnsets[stream]!.push(at));
        tap.on('pcm', (chunk) => {
          const at = nowMs();
          figures.chunks++;
          const loud = rms(chunk) >= LOUD_RMS;
          if (loud && !wasLoud) onsets[stream]!.push(at);
          wasLoud = loud;
          if (!(tap instanceof FfmpegAudioTap)) sampleOnset(chunk, at);
        });
        if (tap instanceof FfmpegAudioTap) {
          let odd: number | undefined;
          tap.output.on('data', (bytes: Buffer) => {
            const at = nowMs();
            const joined = odd === undefined ? bytes : Buffer.concat([Buffer.from([odd]), bytes]);
            const whole = joined.length - (joined.length % 2);
            odd = whole < joined.length ? joined[whole] : undefined;
            const samples = new Int16Array(whole / 2);
            for (let index = 0; index < samples.length; index++) samples[index] = joined.readInt16LE(2 * index);
            sampleOnset(samples, at);
          });
        }
        tap.on('error', (error) => console.error(`[bench] ${variant} tap ${stream}: ${error.message}`));
        const first = await Promise.race([once(tap, 'pcm'), sleep(START_TIMEOUT_MS).then(() => undefined)]);
        if (!first) throw new Error(`${variant} tap ${stream} gave no pcm within ${START_TIMEOUT_MS} ms`);
        figures.startupMs.push(nowMs() - opened);
      }
    } else {
      // The baseline waits as long as the taps would take to start, so its window sits at the same stream age.
      await sleep(200);
    }
    const children = taps.flatMap((tap) => (tap instanceof FfmpegAudioTap && tap.pid ? [tap.pid] : []));
    const cpu = () => ({ node: cpuSeconds(process.pid), worker: cpuSeconds(worker), ffmpeg: children.reduce((sum, pid) => sum + cpuSeconds(pid), 0) });
    const windowStart = nowMs();
    const before = cpu();
    await sleep(WINDOW_S * 1000);
    const after = cpu();
    const windowEnd = nowMs();
    const seconds = (windowEnd - windowStart) / 1000;
    figures.nodeCpu = (after.node - before.node) / seconds / STREAMS;
    figures.workerCpu = (after.worker - before.worker) / seconds / STREAMS;
    figures.ffmpegCpu = (after.ffmpeg - before.ffmpeg) / seconds / STREAMS;
    figures.nodeRssMiB = (memoryMiB(process.pid).rss - memoryBefore.node) / STREAMS;
    figures.workerRssMiB = (memoryMiB(worker).rss - memoryBefore.worker) / STREAMS;
    const childMemory = children.map(memoryMiB);
    figures.ffmpegRssMiB = median(childMemory.map((memory) => memory.rss)) || 0;
    figures.ffmpegPssMiB = median(childMemory.map((memory) => memory.pss)) || 0;

    for (const tap of taps) tap.close();
    sender.send({ kind: 'stop' } satisfies SenderCommand);
    const sent = ((await reports('sent')) as Extract<SenderReport, { kind: 'sent' }>).times;
    const perPeriod = PERIOD_MS / FRAME_MS;
    const pair = (onsetsOf: number[][], into: number[]) => {
      for (const [stream, times] of onsetsOf.entries()) {
        const sentTimes = sent[stream] ?? [];
        for (const at of times) {
          if (at < windowStart || at > windowEnd) continue;
          // The burst's starting packet: the latest one of the onset phase sent before the audio came out.
          let index = sentTimes.length - 1;
          while (index >= 0 && (index % perPeriod !== phase || sentTimes[index]! > at)) index--;
          if (index >= 0) into.push(at - sentTimes[index]!);
        }
      }
    };
    pair(onsets, figures.latencyMs);
    pair(sampleOnsets, figures.sampleLatencyMs);
  } catch (error) {
    figures.error = error instanceof Error ? error.message : String(error);
  } finally {
    for (const tap of taps) tap.close();
    sender.kill();
    room.close();
  }
  return figures;
}

interface Spread {
  median: number;
  min: number;
  max: number;
}

function spread(values: number[]): Spread {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { median: round2(median(finite)), min: round2(Math.min(...finite)), max: round2(Math.max(...finite)) };
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

async function main(): Promise<void> {
  const engine = await testMediaEngine();
  const runs: RunFigures[] = [];
  try {
    const router = (await testRoom(engine, 'bench-source')).router;
    const packets = await encodeSource(router);
    const payloadType = router.rtpCapabilities.codecs!.find((codec) => codec.mimeType === 'audio/opus')!.preferredPayloadType!;
    const phase = await onsetPhase(packets, payloadType);
    const worker = workerPid();
    emit({ bench: 'audioTap', streams: STREAMS, windowS: WINDOW_S, rounds: ROUNDS, onsetPhase: phase, cores: (await import('node:os')).availableParallelism() });
    const variants: Variant[] = ['none', 'relay', 'direct', 'ffmpeg'];
    for (let round = 0; round < ROUNDS; round++) {
      for (let turn = 0; turn < variants.length; turn++) {
        const variant = variants[(round + turn) % variants.length]!;
        const figures = await run(engine, variant, round, packets, phase, worker);
        runs.push(figures);
        emit({
          bench: 'audioTap', kind: 'run', variant, round, error: figures.error, chunks: figures.chunks, onsets: figures.latencyMs.length,
          latencyP50Ms: round1(quantile(figures.latencyMs, 0.5)), latencyP95Ms: round1(quantile(figures.latencyMs, 0.95)),
          sampleLatencyP50Ms: round1(quantile(figures.sampleLatencyMs, 0.5)),
          startupP50Ms: round1(quantile(figures.startupMs, 0.5)),
          nodeCpuPct: round2(100 * figures.nodeCpu), workerCpuPct: round2(100 * figures.workerCpu), ffmpegCpuPct: round2(100 * figures.ffmpegCpu),
          nodeRssMiB: round2(figures.nodeRssMiB), workerRssMiB: round2(figures.workerRssMiB), ffmpegRssMiB: round2(figures.ffmpegRssMiB), ffmpegPssMiB: round2(figures.ffmpegPssMiB),
        });
      }
    }
  } catch (error) {
    emit({ bench: 'audioTap', error: error instanceof Error ? error.message : String(error) });
  } finally {
    await engine.close();
  }
  report(runs);
}

/** Figures per variant (median of runs, with min and max), CPU and memory less the baseline's. */
function report(runs: RunFigures[]): void {
  const ok = runs.filter((figures) => !figures.error);
  const of = (variant: Variant) => ok.filter((figures) => figures.variant === variant);
  const baseline = of('none');
  const baseNode = median(baseline.map((figures) => figures.nodeCpu));
  const baseWorker = median(baseline.map((figures) => figures.workerCpu));
  const baseNodeRss = median(baseline.map((figures) => figures.nodeRssMiB));
  const baseWorkerRss = median(baseline.map((figures) => figures.workerRssMiB));
  const rows: Record<string, string | number>[] = [];
  for (const variant of ['relay', 'direct', 'ffmpeg'] as const) {
    const runsOf = of(variant);
    if (runsOf.length === 0) continue;
    const figures: Record<string, Spread> = {
      latencyP50Ms: spread(runsOf.map((figures) => quantile(figures.latencyMs, 0.5))),
      latencyP95Ms: spread(runsOf.map((figures) => quantile(figures.latencyMs, 0.95))),
      sampleLatencyP50Ms: spread(runsOf.map((figures) => quantile(figures.sampleLatencyMs, 0.5))),
      sampleLatencyP95Ms: spread(runsOf.map((figures) => quantile(figures.sampleLatencyMs, 0.95))),
      startupP50Ms: spread(runsOf.map((figures) => quantile(figures.startupMs, 0.5))),
      startupMaxMs: spread(runsOf.map((figures) => Math.max(...figures.startupMs))),
      openP50Ms: spread(runsOf.map((figures) => quantile(figures.openMs, 0.5))),
      nodeCpuPctPerStream: spread(runsOf.map((figures) => 100 * (figures.nodeCpu - baseNode))),
      workerCpuPctPerStream: spread(runsOf.map((figures) => 100 * (figures.workerCpu - baseWorker))),
      ffmpegCpuPctPerStream: spread(runsOf.map((figures) => 100 * figures.ffmpegCpu)),
      totalCpuPctPerStream: spread(runsOf.map((figures) => 100 * (figures.nodeCpu - baseNode + figures.workerCpu - baseWorker + figures.ffmpegCpu))),
      nodeRssMiBPerStream: spread(runsOf.map((figures) => figures.nodeRssMiB - baseNodeRss)),
      workerRssMiBPerStream: spread(runsOf.map((figures) => figures.workerRssMiB - baseWorkerRss)),
      ffmpegRssMiB: spread(runsOf.map((figures) => figures.ffmpegRssMiB)),
      ffmpegPssMiB: spread(runsOf.map((figures) => figures.ffmpegPssMiB)),
    };
    for (const [figure, value] of Object.entries(figures)) emit({ bench: 'audioTap', variant, figure, ...value, runs: runsOf.length, streams: STREAMS });
    rows.push({ variant, ...Object.fromEntries(Object.entries(figures).map(([name, value]) => [name, `${value.median} [${value.min}-${value.max}]`])) });
  }
  const failed = runs.filter((figures) => figures.error);
  if (failed.length > 0) console.log(`${failed.length} run(s) failed: ${failed.map((figures) => `${figures.variant}#${figures.round}: ${figures.error}`).join('; ')}`);
  if (rows.length === 0) return;
  const names = Object.keys(rows[0]!).filter((name) => name !== 'variant');
  console.log(`\n${'figure (median [min-max] of runs)'.padEnd(34)}${rows.map((row) => String(row.variant).padEnd(26)).join('')}`);
  for (const name of names) console.log(`${name.padEnd(34)}${rows.map((row) => String(row[name]).padEnd(26)).join('')}`);
}

await main();
process.exit(0);
