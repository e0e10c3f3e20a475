import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'puppeteer-core';
import { launchChromium } from '../../tests/support/chromium.js';
import { SENDER_SHORT_FPS } from './samples.js';

/** One variant's lines on the chart, one per run: samples over time since that run's first step began. */
export interface ChartSeries {
  variant: string;
  runs: {
    /** `marked`: the sender fell short or was CPU-limited (drawn hollow); a null height: no frame decoded (a gap). */
    samples: { sec: number; fps: number; sentFps: number | null; height: number | null; marked: boolean }[];
    delays: { sec: number; delayMs: number }[];
  }[];
}

/** A shaping step: its name and when it began, seconds. */
export interface ChartStep {
  name: string;
  startSec: number;
}

const WIDTH = 1100;
const PANEL_HEIGHT = 190;
const LEFT = 70;
const RIGHT = 20;
const TOP = 76;
const GAP = 44;
const COLOURS = ['#1f6fd1', '#e0701c', '#2a9d55', '#b0358f'];

type ChartRun = ChartSeries['runs'][number];

interface Panel {
  title: string;
  unit: string;
  max: number;
  ticks: number[];
  /** Points of one run; a null value breaks the line. */
  points: (run: ChartRun) => { sec: number; value: number | null; marked?: boolean }[];
  /** Dots rather than a line: per-frame figures are too dense and too jumpy to join. */
  dots?: boolean;
  guide?: { value: number; label: string };
}

/**
 * An SVG chart: received fps, the agent's sent fps, received height and glass-to-glass delay over time, one line per
 * variant and run, steps marked; samples where the sender fell short or was CPU-limited are hollow circles.
 */
export function chartSvg(title: string, series: readonly ChartSeries[], steps: readonly ChartStep[], endSec: number): string {
  const delayMax = Math.ceil(Math.max(400, ...series.flatMap((s) => s.runs.flatMap((r) => r.delays.map((d) => d.delayMs)))) / 500) * 500;
  const fpsTicks = [0, 10, 20, 30];
  const panels: Panel[] = [
    { title: 'received frame rate', unit: 'fps', max: 35, ticks: fpsTicks, points: (r) => r.samples.map((p) => ({ sec: p.sec, value: p.fps, marked: p.marked })), guide: { value: 20, label: '20 fps (EN 301 549)' } },
    { title: "agent's sent frame rate, on the layer the customer gets", unit: 'fps', max: 35, ticks: fpsTicks, points: (r) => r.samples.map((p) => ({ sec: p.sec, value: p.sentFps, marked: p.marked })), guide: { value: SENDER_SHORT_FPS, label: `${SENDER_SHORT_FPS} fps: under it the sender fell short` } },
    { title: 'received height, samples that decoded frames', unit: 'px', max: 540, ticks: [0, 120, 240, 360, 480], points: (r) => r.samples.map((p) => ({ sec: p.sec, value: p.height, marked: p.marked })), guide: { value: 240, label: '240 lines' } },
    { title: 'glass-to-glass delay, per frame', unit: 'ms', max: delayMax, ticks: [0, 1, 2, 3, 4].map((i) => (delayMax * i) / 4), points: (r) => r.delays.map((d) => ({ sec: d.sec, value: d.delayMs })), dots: true, guide: { value: 400, label: '400 ms' } },
  ];
  const plotWidth = WIDTH - LEFT - RIGHT;
  const height = TOP + panels.length * (PANEL_HEIGHT + GAP) + 10;
  const x = (sec: number) => LEFT + (Math.min(Math.max(sec, 0), endSec) / endSec) * plotWidth;
  const parts: string[] = [`<rect width="${WIDTH}" height="${height}" fill="white"/>`, `<text x="${LEFT}" y="22" font-size="17" font-weight="bold">${escapeXml(title)}</text>`];
  series.forEach((s, i) => {
    const lx = LEFT + plotWidth - (series.length - i) * 150;
    const label = `${s.variant} (${s.runs.length} run${s.runs.length === 1 ? '' : 's'})`;
    parts.push(`<rect x="${lx}" y="13" width="22" height="5" fill="${COLOURS[i % COLOURS.length]}"/><text x="${lx + 28}" y="21" font-size="14">${escapeXml(label)}</text>`);
  });
  parts.push(`<circle cx="${LEFT + 6}" cy="42" r="3" fill="white" stroke="#333" stroke-width="1.3"/>`);
  parts.push(`<text x="${LEFT + 16}" y="46" font-size="12">a sample where the agent's Chromium sent under ${SENDER_SHORT_FPS} fps or was CPU-limited: the machine, not the network, may have set its figures</text>`);
  panels.forEach((panel, p) => {
    const top = TOP + p * (PANEL_HEIGHT + GAP);
    const y = (value: number) => top + PANEL_HEIGHT - (Math.min(Math.max(value, 0), panel.max) / panel.max) * PANEL_HEIGHT;
    parts.push(...panelFrame({ left: LEFT, top, width: plotWidth, height: PANEL_HEIGHT }, `${panel.title} (${panel.unit})`, panel.ticks, y, panel.guide));
    for (const step of steps) {
      parts.push(`<line x1="${x(step.startSec)}" x2="${x(step.startSec)}" y1="${top}" y2="${top + PANEL_HEIGHT}" stroke="#555" stroke-dasharray="5 4"/>`);
      if (p === 0) parts.push(`<text x="${x(step.startSec) + 5}" y="${top + 14}" font-size="12" fill="#333">${escapeXml(step.name)}</text>`);
    }
    series.forEach((s, i) => {
      const colour = COLOURS[i % COLOURS.length];
      for (const run of s.runs) {
        const points = panel.points(run);
        if (panel.dots) {
          for (const point of points) if (point.value !== null) parts.push(`<circle cx="${x(point.sec).toFixed(1)}" cy="${y(point.value).toFixed(1)}" r="1.3" fill="${colour}" fill-opacity="0.5"/>`);
          continue;
        }
        const path = points.map((point, j) => (point.value === null ? '' : `${j === 0 || points[j - 1]!.value === null ? 'M' : 'L'}${x(point.sec).toFixed(1)},${y(point.value).toFixed(1)}`)).join(' ');
        if (path.trim()) parts.push(`<path d="${path}" fill="none" stroke="${colour}" stroke-width="1.5" stroke-opacity="0.75"/>`);
        for (const point of points) {
          if (point.marked && point.value !== null) parts.push(`<circle cx="${x(point.sec).toFixed(1)}" cy="${y(point.value).toFixed(1)}" r="2.6" fill="white" stroke="${colour}" stroke-width="1.2"/>`);
        }
      }
    });
    const axisY = top + PANEL_HEIGHT + 16;
    for (let sec = 0; sec <= endSec; sec += 5) parts.push(`<text x="${x(sec)}" y="${axisY}" font-size="11" text-anchor="middle">${sec}</text>`);
  });
  parts.push(`<text x="${LEFT + plotWidth}" y="${height - 4}" font-size="11" text-anchor="end">seconds since the first step</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif">${parts.join('')}</svg>`;
}

/** A panel's title, border, value ticks and, when given, a dashed guide line with its label; `y` maps a value to its height. */
export function panelFrame(area: { left: number; top: number; width: number; height: number }, title: string, ticks: readonly number[], y: (value: number) => number, guide?: { value: number; label: string }): string[] {
  const { left, top, width, height } = area;
  const parts = [`<text x="${left}" y="${top - 8}" font-size="14" font-weight="bold">${escapeXml(title)}</text>`, `<rect x="${left}" y="${top}" width="${width}" height="${height}" fill="none" stroke="#999"/>`];
  for (const value of ticks) {
    parts.push(`<line x1="${left}" x2="${left + width}" y1="${y(value)}" y2="${y(value)}" stroke="#eee"/>`);
    parts.push(`<text x="${left - 6}" y="${y(value) + 4}" font-size="11" text-anchor="end">${value}</text>`);
  }
  if (guide) {
    parts.push(`<line x1="${left}" x2="${left + width}" y1="${y(guide.value)}" y2="${y(guide.value)}" stroke="#c33" stroke-dasharray="2 3"/>`);
    parts.push(`<text x="${left + width - 4}" y="${y(guide.value) - 4}" font-size="11" fill="#c33" text-anchor="end">${escapeXml(guide.label)}</text>`);
  }
  return parts;
}

/** Sample files kept per kind of chart (`network-mediasoup`, `drill-long-call`, …): a 40-minute call's is 5-8 MB. */
const SAMPLES_KEPT = 5;

/**
 * Writes the samples behind a chart beside it (`<chart>.samples.json`), for whoever wants to look closer, and removes
 * all but the newest SAMPLES_KEPT of the same kind (the names end in the run's ISO time, so they sort by age).
 */
export async function writeSamples(chartFile: string, data: unknown): Promise<void> {
  const file = chartFile.replace(/\.png$/, '.samples.json');
  await writeFile(file, JSON.stringify(data));
  const stamped = /-\d{4}-\d{2}-\d{2}T[\d-]+Z\.samples\.json$/;
  const kind = path.basename(file).replace(stamped, '');
  const dir = path.dirname(file);
  const same = (await readdir(dir)).filter((name) => stamped.test(name) && name.replace(stamped, '') === kind).sort();
  for (const old of same.slice(0, -SAMPLES_KEPT)) await rm(path.join(dir, old));
}

/**
 * A chart of a run and the samples behind it, into `dir`: `<kind>-<ISO time>.png` and its samples file beside it
 * (`writeSamples`); resolves with the PNG's path.
 */
export async function writeChartAndSamples(dir: string, kind: string, svg: string, samples: unknown): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${kind}-${new Date().toISOString().replace(/[:.]/g, '-')}.png`);
  await writeSamples(file, samples);
  const browser = await launchChromium();
  try {
    await writePng(browser, svg, file);
  } finally {
    await browser.close();
  }
  return file;
}

/** Renders an SVG to a PNG file with the browser already running. */
export async function writePng(browser: Browser, svg: string, file: string): Promise<void> {
  const page = await browser.newPage();
  try {
    await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
    const element = await page.$('svg');
    await element!.screenshot({ path: file as `${string}.png` });
  } finally {
    await page.close();
  }
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
