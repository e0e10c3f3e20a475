// bench:records: the records store under the service's own classes, on embedded PGlite (a folder, the default) and on
// PostgreSQL (Debian's, started here in a temporary folder with its default durability: fsync, synchronous_commit and
// full-page writes on). Per store, with the same calls, lines and spans on both:
// - ticketEventAppendMs: one ticket change through TicketRegistry and SqlTicketJournal, from the registry's call to the
//   journal's settled() (written), one at a time, round-robin over many tickets;
// - transcriptAppendMs: one SqlTranscriptStore.append of a 20-120 character caption or RTT line, sealed with the
//   ticket's data key under a real keyring, awaited, one at a time, round-robin over many tickets;
// - sustainedLinesPerSec: BENCH_RECORDS_CALLS tickets appending lines as fast as they are stored, for
//   BENCH_RECORDS_SUSTAIN_MS; lines per second, and p50/p99 of each append under that load;
// - recordsOpenMs: openRecords (open and migrate) on the records with data, in this process;
// - restartToServingMs: the real server (server/main.ts, its own process) started on those records, until GET /healthz
//   answers.
// Each sequential part starts with BENCH_RECORDS_WARMUP untimed appends on tickets of their own. Stores interleave
// part by part, the first store alternating run by run; the whole run is repeated BENCH_RECORDS_RUNS times and each
// figure is the median of runs with the lowest and highest. Prints a JSON line per figure and run, a summary line per
// figure, the bars of issue 15 (append p99 < 5 ms on both stores, >= 2,000 lines/s on PostgreSQL), then a table.
// PGlite runs with its own settings (it turns fsync off: commits reach the OS, not the disk), PostgreSQL with its
// defaults; the settings line says which. Figures are measured, never asserted: a missed bar or a failed part is
// reported and the run exits 0; only setup errors (no PostgreSQL installed) fail it.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../server/logger.js';
import { openRecords, type RecordsLocation } from '../server/records/openRecords.js';
import type { RecordsDb } from '../server/records/RecordsDb.js';
import { Keyring, newMasterKeyText, parseMasterKey } from '../server/records/sealing.js';
import { startPostgres } from '../tests/support/postgresServer.js';
import { sustainedAppends, ticketEventAppends, transcriptAppends, type Latencies } from './records/appends.js';
import { restartToServing } from './records/restartToServing.js';
import { emit, median, quantile, round1, round2 } from './stats.js';

const RUNS = Math.max(1, Number(process.env.BENCH_RECORDS_RUNS ?? 3));
const SAMPLES = Number(process.env.BENCH_RECORDS_SAMPLES ?? 3000);
/** Tickets the sequential appends are spread over: about 30 changes or lines each at the default samples. */
const TICKETS = Number(process.env.BENCH_RECORDS_TICKETS ?? 100);
/** Untimed appends on tickets of their own before each sequential part, so neither store is timed while cold. */
const WARMUP = Number(process.env.BENCH_RECORDS_WARMUP ?? 100);
const CALLS = Number(process.env.BENCH_RECORDS_CALLS ?? 200);
const SUSTAIN_MS = Number(process.env.BENCH_RECORDS_SUSTAIN_MS ?? 10_000);
const STORES = (process.env.BENCH_RECORDS_STORES ?? 'pglite,postgres').split(',').map((s) => storeName(s.trim()));
const APPEND_P99_BAR_MS = 5;
const SUSTAINED_BAR_LINES_PER_SEC = 2000;
/** What the settings line reports of each store. */
const SETTINGS = ['server_version', 'fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method', 'shared_buffers', 'max_wal_size'];

type StoreName = 'pglite' | 'postgres';
type Metric = 'ticketEventAppendMs' | 'transcriptAppendMs' | 'sustainedLinesPerSec' | 'recordsOpenMs' | 'restartToServingMs';

function storeName(text: string): StoreName {
  if (text !== 'pglite' && text !== 'postgres') throw new TypeError(`BENCH_RECORDS_STORES: unknown store "${text}" (pglite, postgres)`);
  return text;
}

/** One part of one run on one store: its statistics (p50, p99, n; or `value` for a single figure), or why it failed. */
interface RunFigure {
  store: StoreName;
  metric: Metric;
  run: number;
  values: Record<string, number>;
  error?: string;
}

const log = createLogger('warn');
const figures: RunFigure[] = [];
/** Each store's durability settings as it ran, for the table. */
const settings = new Map<StoreName, Record<string, string>>();

function record(store: StoreName, metric: Metric, run: number, values: Record<string, number>): void {
  const figure = { store, metric, run, values };
  figures.push(figure);
  emit({ bench: 'records', metric, store, run, ...values });
}

function failed(store: StoreName, metric: Metric, run: number, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  figures.push({ store, metric, run, values: {}, error: message });
  emit({ bench: 'records', metric, store, run, error: message });
}

const latency = ({ ms, firstMs }: Latencies): Record<string, number> => ({
  p50: round2(quantile(ms, 0.5)),
  p99: round2(quantile(ms, 0.99)),
  max: round2(Math.max(...ms)),
  n: ms.length,
  firstP50: round2(quantile(firstMs, 0.5)),
});

async function settingsOf(db: RecordsDb): Promise<Record<string, string>> {
  const rows = await db.query<{ name: string; setting: string; unit: string | null }>('SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)', [SETTINGS]);
  return Object.fromEntries(rows.map((row) => [row.name, row.unit ? `${row.setting} x ${row.unit}` : row.setting]));
}

async function main(): Promise<void> {
  // The records the bench names, never ones from the environment.
  for (const name of ['DATABASE_URL', 'RECORDS_DIR', 'RECORDS_KEY', 'RECORDS_KEY_PREVIOUS', 'RECORDS_KEY_FILE']) delete process.env[name];
  const began = performance.now();
  const root = await mkdtemp(path.join(os.tmpdir(), 'signline-bench-records-'));
  const recordsKey = newMasterKeyText();
  const keyring = new Keyring([parseMasterKey(recordsKey)]);
  const postgres = STORES.includes('postgres') ? await startPostgres({ durable: true }) : undefined;
  const locations: Record<StoreName, RecordsLocation> = { pglite: { dir: path.join(root, 'records') }, postgres: { dir: '', databaseUrl: postgres?.urlOf('signline') } };
  try {
    await postgres?.createDatabase('signline');
    // Untimed: creating the folder (initdb in WebAssembly) and the schema, which a restart does not do again.
    for (const store of STORES) {
      const db = await openRecords(locations[store], log);
      settings.set(store, await settingsOf(db));
      emit({ bench: 'records', metric: 'settings', store, where: db.kind === 'pglite' ? 'a folder in os.tmpdir()' : 'its own process, data in os.tmpdir()', connections: db.kind === 'postgres' ? 10 : 1, ...settings.get(store) });
      await db.close();
    }
    for (let run = 1; run <= RUNS; run++) {
      const order = run % 2 === 1 ? STORES : [...STORES].reverse();
      const open = new Map<StoreName, RecordsDb>();
      for (const store of order) {
        try {
          const started = performance.now();
          open.set(store, await openRecords(locations[store], log));
          record(store, 'recordsOpenMs', run, { value: round1(performance.now() - started) });
        } catch (error) {
          failed(store, 'recordsOpenMs', run, error);
        }
      }
      const each = async (metric: Metric, part: (db: RecordsDb) => Promise<Record<string, number>>) => {
        for (const store of order) {
          const db = open.get(store);
          if (!db) continue;
          try {
            record(store, metric, run, await part(db));
          } catch (error) {
            failed(store, metric, run, error);
          }
        }
      };
      await each('ticketEventAppendMs', async (db) => {
        await ticketEventAppends(db, WARMUP, 10);
        return latency(await ticketEventAppends(db, SAMPLES, TICKETS));
      });
      await each('transcriptAppendMs', async (db) => {
        await transcriptAppends(db, keyring, WARMUP, 10, -run);
        return latency(await transcriptAppends(db, keyring, SAMPLES, TICKETS, run));
      });
      await each('sustainedLinesPerSec', async (db) => {
        const { lines, seconds, ms } = await sustainedAppends(db, keyring, CALLS, SUSTAIN_MS, run);
        return { value: Math.round(lines / seconds), p50: round2(quantile(ms, 0.5)), p99: round2(quantile(ms, 0.99)), n: lines, calls: CALLS, seconds: round1(seconds) };
      });
      for (const db of open.values()) await db.close();
      for (const store of order) {
        const location = locations[store];
        try {
          const { servingMs, listeningMs } = await restartToServing(location.databaseUrl ? { DATABASE_URL: location.databaseUrl } : { RECORDS_DIR: location.dir }, recordsKey);
          record(store, 'restartToServingMs', run, { value: round1(servingMs), listeningMs: round1(listeningMs) });
        } catch (error) {
          failed(store, 'restartToServingMs', run, error);
        }
      }
    }
  } finally {
    await postgres?.stop();
    await rm(root, { recursive: true, force: true });
  }
  report((performance.now() - began) / 1000);
}

/** Median of runs with the lowest and highest, per store, metric and statistic. */
interface Summary {
  median: number;
  low: number;
  high: number;
}

function summarize(store: StoreName, metric: Metric, stat: string): Summary | undefined {
  const values = figures.filter((f) => f.store === store && f.metric === metric && f.values[stat] !== undefined).map((f) => f.values[stat]!);
  if (values.length === 0) return undefined;
  return { median: round2(median(values)), low: round2(Math.min(...values)), high: round2(Math.max(...values)) };
}

const STATS: Record<Metric, string[]> = {
  ticketEventAppendMs: ['p50', 'p99', 'firstP50'],
  transcriptAppendMs: ['p50', 'p99', 'firstP50'],
  sustainedLinesPerSec: ['value', 'p50', 'p99'],
  recordsOpenMs: ['value'],
  restartToServingMs: ['value', 'listeningMs'],
};

function report(seconds: number): void {
  for (const store of STORES) {
    for (const metric of Object.keys(STATS) as Metric[]) {
      const runs = figures.filter((f) => f.store === store && f.metric === metric);
      const errors = runs.filter((f) => f.error).map((f) => `run ${f.run}: ${f.error}`);
      for (const stat of STATS[metric]) {
        const summary = summarize(store, metric, stat);
        const perRun = runs.filter((f) => !f.error).map((f) => f.values[stat]).join(' ');
        emit({ bench: 'records', metric, store, stat, ...(summary ?? {}), runs: runs.length - errors.length, perRun, ...(errors.length ? { errors: errors.join('; ') } : {}) });
      }
    }
  }
  const bars: { bar: string; store: StoreName; value: number | undefined; met: boolean }[] = [];
  for (const store of STORES) {
    for (const metric of ['ticketEventAppendMs', 'transcriptAppendMs'] as const) {
      const p99 = summarize(store, metric, 'p99')?.median;
      bars.push({ bar: `${metric} p99 < ${APPEND_P99_BAR_MS} ms`, store, value: p99, met: p99 !== undefined && p99 < APPEND_P99_BAR_MS });
    }
  }
  if (STORES.includes('postgres')) {
    const rate = summarize('postgres', 'sustainedLinesPerSec', 'value')?.median;
    bars.push({ bar: `sustainedLinesPerSec >= ${SUSTAINED_BAR_LINES_PER_SEC}`, store: 'postgres', value: rate, met: rate !== undefined && rate >= SUSTAINED_BAR_LINES_PER_SEC });
  }
  for (const bar of bars) emit({ bench: 'records', metric: 'bar', ...bar });
  emit({ bench: 'records', metric: 'benchSeconds', value: round1(seconds) });
  printTable(bars, seconds);
}

function printTable(bars: { bar: string; store: StoreName; value: number | undefined; met: boolean }[], seconds: number): void {
  const cell = (store: StoreName, metric: Metric, stat: string) => {
    const s = summarize(store, metric, stat);
    if (!s) return '-';
    return s.low === s.high ? String(s.median) : `${s.median} [${s.low}-${s.high}]`;
  };
  const pad = (cells: string[]) => cells.map((c, i) => c.padEnd([9, 24, 24][Math.min(i, 2)]!)).join(' ');
  console.log(
    `\nbench:records: median of ${RUNS} run(s), [lowest-highest] when they differ; ${SAMPLES} sequential appends per run over ${TICKETS} tickets; ` +
      `${CALLS} calls for ${SUSTAIN_MS / 1000} s sustained; ${round1(seconds)} s in all`,
  );
  for (const [store, set] of settings) console.log(`${store}: ${SETTINGS.map((name) => `${name}=${set[name] ?? '?'}`).join(' ')}`);
  console.log(pad(['store', 'event append p50 ms', 'event append p99 ms', 'line append p50 ms', 'line append p99 ms']));
  for (const store of STORES) {
    console.log(pad([store, cell(store, 'ticketEventAppendMs', 'p50'), cell(store, 'ticketEventAppendMs', 'p99'), cell(store, 'transcriptAppendMs', 'p50'), cell(store, 'transcriptAppendMs', 'p99')]));
  }
  console.log(pad(['store', 'sustained lines/s', 'sustained p99 ms', 'records open ms', 'restart to /healthz ms']));
  for (const store of STORES) {
    console.log(pad([store, cell(store, 'sustainedLinesPerSec', 'value'), cell(store, 'sustainedLinesPerSec', 'p99'), cell(store, 'recordsOpenMs', 'value'), cell(store, 'restartToServingMs', 'value')]));
  }
  for (const bar of bars) console.log(`${bar.met ? 'met   ' : 'MISSED'} ${bar.store.padEnd(9)} ${bar.bar}: ${bar.value ?? 'no figure'}`);
  const failures = figures.filter((f) => f.error);
  for (const f of failures) console.log(`failed: ${f.store} ${f.metric} run ${f.run}: ${f.error}`);
}

await main();
