import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { newMasterKeyText } from '../server/records/sealing.js';
import { startServerProcess, type ServerProcess } from '../tests/support/serverProcess.js';
import { testAgent, testSupervisor, testTechnician } from '../tests/support/testServer.js';
import { median } from '../bench/stats.js';

/**
 * One figure of a drill, printed as a JSON line: what was measured (`value`), what was lost because of the fault
 * (`lost`: null where the drill loses nothing by design), and the goal it is read against.
 */
export interface DrillFigure {
  drill: string;
  metric: string;
  /** How the node went, for a drill that stops one: killed (SIGKILL) or stopped cleanly (SIGTERM). */
  stop?: 'SIGKILL' | 'SIGTERM';
  value: number | string;
  lost: number | null;
  unit?: string;
  /** The bar for this figure, as text ("< 3000"); `met` says whether the value meets it. */
  goal?: string;
  met?: boolean;
  /** Repeats behind a median, with the lowest and highest. */
  runs?: number;
  low?: number;
  high?: number;
  note?: string;
}

/** Prints a figure as one JSON line on stdout (progress goes to stderr). */
export function report(figure: DrillFigure): void {
  process.stdout.write(`${JSON.stringify(figure)}\n`);
}

/** Progress for whoever watches the run: stderr, so stdout stays JSON lines. */
export function progress(drill: string, message: string): void {
  process.stderr.write(`[drill ${drill}] ${message}\n`);
}

/** Median, lowest and highest of repeated measurements, rounded to whole units. */
export function spread(values: readonly number[]): { value: number; runs: number; low: number; high: number } {
  return { value: Math.round(median(values)), runs: values.length, low: Math.round(Math.min(...values)), high: Math.round(Math.max(...values)) };
}

/** The accounts every drill's servers know: agents for every mode, a supervisor and a technician. */
export const DRILL_ACCOUNTS = [testAgent('alice', ['csl', 'asl', 'voice']), testAgent('bob', ['csl', 'asl', 'voice']), testSupervisor('sam'), testTechnician('tess')];

/** A folder of the drill's own, removed by `cleanup`. */
export async function scratch(name: string): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `signline-drill-${name}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** One app node as its own process on a free port, with embedded records in `dir` and the drill accounts. */
export function startDrillServer(dir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  return startServerProcess(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      CAPTIONS: 'off',
      RECORDS_DIR: path.join(dir, 'records'),
      RECORDS_KEY: newMasterKeyText(),
      AGENT_ACCOUNTS: JSON.stringify(DRILL_ACCOUNTS),
      ...env,
    },
    120_000,
  );
}

/** A process's resident memory in bytes (Linux: /proc). */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

/** True while a process exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How many wait in a queue over every node, as a supervisor's service levels show it. */
export async function waitingIn(url: string, supervisorToken: string, queue: string): Promise<number> {
  const response = await fetch(`${url}/api/service-levels`, { headers: { authorization: `Bearer ${supervisorToken}` } });
  if (!response.ok) throw new Error(`service levels: HTTP ${response.status}`);
  const body = (await response.json()) as { data: { queues: { queue: string; waiting: number }[] } };
  return body.data.queues.find((entry) => entry.queue === queue)?.waiting ?? 0;
}
