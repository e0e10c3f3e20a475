// Draws a bench:capacity run as a PNG: each engine's SFU CPU (% of one core) over the number of calls, every run's
// measure as a dot, the median of each count joined by a line, and the summary figures beside it.
//
//   npx tsx bench/capacity/chart.ts OUT.png FILE
//
// FILE holds bench:capacity output (its JSON lines; anything else is skipped).
import { readFile } from 'node:fs/promises';
import { launchChromium } from '../../tests/support/chromium.js';
import { writePng } from '../network/chart.js';
import { median } from '../stats.js';

const COLOURS: Record<string, string> = { mediasoup: '#1f6fd1', livekit: '#e0701c' };
const [WIDTH, HEIGHT, LEFT, TOP, PLOT_W, PLOT_H] = [760, 420, 70, 60, 560, 290];

type Line = Record<string, unknown>;

async function main(): Promise<void> {
  const [out, file] = process.argv.slice(2);
  if (!out?.endsWith('.png') || !file) {
    console.error('usage: npx tsx bench/capacity/chart.ts OUT.png FILE');
    process.exit(2);
  }
  const lines: Line[] = (await readFile(file, 'utf8'))
    .split('\n')
    .filter((text) => text.startsWith('{"bench":"capacity"'))
    .map((text) => JSON.parse(text) as Line);
  const points = lines.filter((line) => typeof line.sfu_cpu_pct === 'number' && typeof line.calls === 'number') as { engine: string; calls: number; sfu_cpu_pct: number }[];
  const summary = (engine: string, metric: string) => lines.find((line) => line.engine === engine && line.metric === metric) as { value: number; min: number; max: number } | undefined;
  const maxCalls = Math.max(...points.map((p) => p.calls));
  const maxCpu = Math.max(10, ...points.map((p) => p.sfu_cpu_pct)) * 1.15;
  const x = (calls: number) => LEFT + (calls / maxCalls) * PLOT_W;
  const y = (cpu: number) => TOP + PLOT_H - (cpu / maxCpu) * PLOT_H;
  const parts = [
    `<line x1="${LEFT}" y1="${TOP + PLOT_H}" x2="${LEFT + PLOT_W}" y2="${TOP + PLOT_H}" stroke="#333"/>`,
    `<line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${TOP + PLOT_H}" stroke="#333"/>`,
    `<text x="${LEFT + PLOT_W / 2}" y="${TOP + PLOT_H + 36}" font-size="12" text-anchor="middle">1:1 sign calls (30 fps VP8 simulcast + Opus each way)</text>`,
    `<text x="${LEFT - 48}" y="${TOP + PLOT_H / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 ${LEFT - 48} ${TOP + PLOT_H / 2})">SFU process CPU, % of one core</text>`,
  ];
  for (let t = 0; t <= 4; t++) {
    parts.push(`<text x="${LEFT - 6}" y="${y((maxCpu / 4) * t) + 4}" font-size="11" text-anchor="end">${Math.round((maxCpu / 4) * t)}</text>`);
  }
  for (const calls of [...new Set(points.map((p) => p.calls))]) parts.push(`<text x="${x(calls)}" y="${TOP + PLOT_H + 16}" font-size="11" text-anchor="middle">${calls}</text>`);
  let legendY = TOP + 10;
  for (const engine of Object.keys(COLOURS)) {
    const mine = points.filter((p) => p.engine === engine);
    if (mine.length === 0) continue;
    const colour = COLOURS[engine]!;
    const counts = [...new Set(mine.map((p) => p.calls))].sort((a, b) => a - b);
    const path = counts.map((calls, index) => `${index === 0 ? 'M' : 'L'}${x(calls)},${y(median(mine.filter((p) => p.calls === calls).map((p) => p.sfu_cpu_pct)))}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const p of mine) parts.push(`<circle cx="${x(p.calls)}" cy="${y(p.sfu_cpu_pct)}" r="3.5" fill="${colour}" fill-opacity="0.6"/>`);
    const perCall = summary(engine, 'cpu_per_call_pct');
    const perCore = summary(engine, 'calls_per_core');
    const fps = summary(engine, 'receiver_fps_min');
    parts.push(
      `<rect x="${LEFT + 20}" y="${legendY - 11}" width="14" height="14" fill="${colour}"/>`,
      `<text x="${LEFT + 40}" y="${legendY}" font-size="12">${engine}: ${perCall ? `${perCall.value} % per call [${perCall.min}-${perCall.max}]` : ''}${perCore ? `, ~${perCore.value} calls per core (extrapolated)` : ''}${fps ? `, slowest receiver ${fps.value} fps` : ''}</text>`,
    );
    legendY += 20;
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif"><rect width="100%" height="100%" fill="#fff"/><text x="${LEFT}" y="28" font-size="16" font-weight="bold">bench:capacity: what each call costs the SFU</text><text x="${WIDTH - 10}" y="28" font-size="11" text-anchor="end">dots: runs; line: median per count</text>${parts.join('')}</svg>`;
  const browser = await launchChromium();
  try {
    await writePng(browser, svg, out);
  } finally {
    await browser.close();
  }
  console.error(`chart: ${out}`);
}

await main();
