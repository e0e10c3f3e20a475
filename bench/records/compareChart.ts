// Draws bench:records runs of two or more builds side by side, as a PNG: each store's append p99 (ticket change and
// transcript line) and its lines per second under 200 calls, one bar per build at the median of its runs with a
// whisker from the lowest to the highest run, and the bars of issue 15 as dashed lines.
//
//   npx tsx bench/records/compareChart.ts OUT.png LABEL=FILE [LABEL=FILE ...]
//
// Each FILE holds bench:records output (its per-run JSON lines; anything else is skipped), for example of an older
// commit checked out in a worktree and of this one, run in turns (BENCH_RECORDS_RUNS=1, several times each).
import { readFile } from 'node:fs/promises';
import { escapeXml, writePng } from '../network/chart.js';
import { launchChromium } from '../../tests/support/chromium.js';
import { median } from '../stats.js';

interface Panel {
  title: string;
  metric: string;
  field: 'p99' | 'value';
  unit: string;
  bar: { value: number; label: string };
}

const PANELS: Panel[] = [
  { title: 'ticket change, p99', metric: 'ticketEventAppendMs', field: 'p99', unit: 'ms', bar: { value: 5, label: '5 ms bar' } },
  { title: 'transcript line, p99', metric: 'transcriptAppendMs', field: 'p99', unit: 'ms', bar: { value: 5, label: '5 ms bar' } },
  { title: 'lines/s, 200 calls at once', metric: 'sustainedLinesPerSec', field: 'value', unit: 'lines/s', bar: { value: 2000, label: '2,000/s bar (PostgreSQL)' } },
];
const STORES = ['pglite', 'postgres'] as const;
const COLOURS = ['#9aa5b1', '#1f6fd1', '#e0701c', '#2a9d55'];
const PANEL_WIDTH = 330;
const PANEL_HEIGHT = 260;
const TOP = 70;
const LEFT = 60;

type Runs = Map<string, number[]>;

async function readRuns(file: string): Promise<Runs> {
  const runs: Runs = new Map();
  for (const text of (await readFile(file, 'utf8')).split('\n')) {
    const start = text.indexOf('{');
    if (start < 0) continue;
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text.slice(start)) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (line.bench !== 'records' || typeof line.run !== 'number' || line.error) continue;
    for (const panel of PANELS) {
      const value = line[panel.field];
      if (line.metric !== panel.metric || typeof value !== 'number') continue;
      const key = `${panel.metric}/${String(line.store)}`;
      runs.set(key, [...(runs.get(key) ?? []), value]);
    }
  }
  return runs;
}

function panelSvg(panel: Panel, index: number, builds: { label: string; runs: Runs }[]): string {
  const x0 = LEFT + index * (PANEL_WIDTH + LEFT);
  const all = builds.flatMap((b) => STORES.flatMap((s) => b.runs.get(`${panel.metric}/${s}`) ?? []));
  const max = Math.max(panel.bar.value, ...all) * 1.15;
  const y = (v: number) => TOP + PANEL_HEIGHT - (v / max) * PANEL_HEIGHT;
  const parts = [
    `<text x="${x0}" y="${TOP - 14}" font-size="14" font-weight="bold">${panel.title}</text>`,
    `<line x1="${x0}" y1="${TOP + PANEL_HEIGHT}" x2="${x0 + PANEL_WIDTH}" y2="${TOP + PANEL_HEIGHT}" stroke="#333"/>`,
    `<line x1="${x0}" y1="${TOP}" x2="${x0}" y2="${TOP + PANEL_HEIGHT}" stroke="#333"/>`,
  ];
  for (let t = 0; t <= 4; t++) {
    const v = (max / 4) * t;
    parts.push(`<text x="${x0 - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${max >= 100 ? Math.round(v) : v.toFixed(1)}</text>`);
  }
  parts.push(`<text x="${x0 - 44}" y="${TOP + PANEL_HEIGHT / 2}" font-size="11" transform="rotate(-90 ${x0 - 44} ${TOP + PANEL_HEIGHT / 2})" text-anchor="middle">${panel.unit}</text>`);
  const groupWidth = PANEL_WIDTH / STORES.length;
  const barWidth = (groupWidth - 30) / builds.length;
  STORES.forEach((store, s) => {
    const gx = x0 + s * groupWidth + 15;
    builds.forEach((build, b) => {
      const values = build.runs.get(`${panel.metric}/${store}`) ?? [];
      if (!values.length) return;
      const mid = median(values);
      const bx = gx + b * barWidth;
      const cx = bx + barWidth / 2;
      parts.push(
        `<rect x="${bx + 2}" y="${y(mid)}" width="${barWidth - 4}" height="${TOP + PANEL_HEIGHT - y(mid)}" fill="${COLOURS[b % COLOURS.length]}"/>`,
        `<line x1="${cx}" y1="${y(Math.min(...values))}" x2="${cx}" y2="${y(Math.max(...values))}" stroke="#000" stroke-width="1.5"/>`,
        `<text x="${cx}" y="${y(Math.max(...values)) - 5}" font-size="11" text-anchor="middle">${mid >= 100 ? Math.round(mid) : mid.toFixed(1)}</text>`,
      );
    });
    parts.push(`<text x="${gx + (groupWidth - 30) / 2}" y="${TOP + PANEL_HEIGHT + 16}" font-size="12" text-anchor="middle">${store === 'pglite' ? 'PGlite' : 'PostgreSQL'}</text>`);
  });
  parts.push(
    `<line x1="${x0}" y1="${y(panel.bar.value)}" x2="${x0 + PANEL_WIDTH}" y2="${y(panel.bar.value)}" stroke="#c0392b" stroke-dasharray="6 4"/>`,
    `<text x="${x0 + PANEL_WIDTH}" y="${y(panel.bar.value) - 4}" font-size="11" fill="#c0392b" text-anchor="end">${panel.bar.label}</text>`,
  );
  return parts.join('');
}

async function main(): Promise<void> {
  const [out, ...pairs] = process.argv.slice(2);
  if (!out?.endsWith('.png') || pairs.length === 0 || pairs.some((p) => !p.includes('='))) {
    console.error('usage: npx tsx bench/records/compareChart.ts OUT.png LABEL=FILE [LABEL=FILE ...]');
    process.exit(2);
  }
  const builds = await Promise.all(
    pairs.map(async (pair) => {
      const [label, file] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      return { label, runs: await readRuns(file) };
    }),
  );
  const width = LEFT + PANELS.length * (PANEL_WIDTH + LEFT);
  const height = TOP + PANEL_HEIGHT + 60;
  // Legend entries one after another, each as wide as its text (about 7 px a character at 12 px).
  let legendX = LEFT;
  const legend = builds
    .map((b, i) => {
      const n = Math.max(0, ...[...b.runs.values()].map((v) => v.length));
      const text = `${escapeXml(b.label)} (${n} runs)`;
      const entry = `<rect x="${legendX}" y="${height - 22}" width="14" height="14" fill="${COLOURS[i % COLOURS.length]}"/><text x="${legendX + 20}" y="${height - 10}" font-size="12">${text}</text>`;
      legendX += 20 + text.length * 7 + 30;
      return entry;
    })
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif"><rect width="100%" height="100%" fill="#fff"/><text x="${LEFT}" y="24" font-size="16" font-weight="bold">bench:records, interleaved builds</text>${PANELS.map((p, i) => panelSvg(p, i, builds)).join('')}<text x="${width - 10}" y="24" font-size="11" text-anchor="end">bar: median of runs; whisker: lowest to highest run</text>${legend}</svg>`;
  const browser = await launchChromium();
  try {
    await writePng(browser, svg, out);
  } finally {
    await browser.close();
  }
  console.error(`chart: ${out}`);
}

await main();
