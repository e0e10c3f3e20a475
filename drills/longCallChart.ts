// The long call minute by minute, as a picture: the customer's frame rate, how often the agent's camera fell short, and
// each minute's freezes by cause (drills/freezes.ts), so that one look shows whether the freezes follow the sender.
import { escapeXml, panelFrame } from '../bench/network/chart.js';
import { SENDER_SHORT_FPS } from '../bench/network/samples.js';
import type { FreezeCauses } from './freezes.js';

export interface LongCallMinute {
  minute: number;
  /** The customer's decoded frames per second, p50 of the minute's samples. */
  fps: number;
  /** Share of the minute's samples in which the agent's camera delivered under SENDER_SHORT_FPS, 0-1. */
  cameraShortShare: number;
  causes: FreezeCauses;
}

const WIDTH = 1100;
const LEFT = 70;
const RIGHT = 20;
const TOP = 80;
const PANEL_HEIGHT = 170;
const GAP = 50;
const CAUSES: { key: Exclude<keyof FreezeCauses, 'total'>; label: string; colour: string }[] = [
  { key: 'cameraShort', label: `agent's camera under ${SENDER_SHORT_FPS} fps`, colour: '#e0701c' },
  { key: 'encoderShort', label: 'agent encoded under its camera', colour: '#d9b300' },
  { key: 'afterAudioRestart', label: 'within 3 s after an audio restart', colour: '#b0358f' },
  { key: 'other', label: 'none of these', colour: '#1f6fd1' },
];

export function longCallChartSvg(title: string, minutes: readonly LongCallMinute[]): string {
  const plotWidth = WIDTH - LEFT - RIGHT;
  const slot = plotWidth / Math.max(1, minutes.length);
  const freezeMax = Math.max(4, Math.ceil(Math.max(...minutes.map((m) => m.causes.total)) / 4) * 4);
  // Each panel draws one bar a minute, made of stacked parts.
  const panels: { title: string; max: number; ticks: number[]; guide?: { value: number; label: string }; parts: (m: LongCallMinute) => { value: number; colour: string }[] }[] = [
    { title: "customer's received frame rate, p50 of each minute (fps)", max: 35, ticks: [0, 10, 20, 30], guide: { value: 25, label: '25 fps' }, parts: (m) => [{ value: m.fps, colour: '#2a9d55' }] },
    { title: `samples in which the agent's camera delivered under ${SENDER_SHORT_FPS} fps (%)`, max: 100, ticks: [0, 25, 50, 75, 100], parts: (m) => [{ value: m.cameraShortShare * 100, colour: '#e0701c' }] },
    { title: 'freezes counted by the customer, by what the samples around each show', max: freezeMax, ticks: [0, 1, 2, 3, 4].map((i) => (freezeMax * i) / 4), parts: (m) => CAUSES.map((cause) => ({ value: m.causes[cause.key], colour: cause.colour })) },
  ];
  const height = TOP + panels.length * (PANEL_HEIGHT + GAP);
  const svg = [`<rect width="${WIDTH}" height="${height}" fill="white"/>`, `<text x="${LEFT}" y="24" font-size="17" font-weight="bold">${escapeXml(title)}</text>`];
  CAUSES.forEach((cause, i) => {
    const lx = LEFT + i * 255;
    svg.push(`<rect x="${lx}" y="44" width="14" height="10" fill="${cause.colour}"/><text x="${lx + 20}" y="53" font-size="12">${escapeXml(cause.label)}</text>`);
  });
  panels.forEach((panel, p) => {
    const top = TOP + p * (PANEL_HEIGHT + GAP);
    const y = (value: number) => top + PANEL_HEIGHT - (Math.min(Math.max(value, 0), panel.max) / panel.max) * PANEL_HEIGHT;
    svg.push(...panelFrame({ left: LEFT, top, width: plotWidth, height: PANEL_HEIGHT }, panel.title, panel.ticks, y, panel.guide));
    minutes.forEach((m, i) => {
      const x = LEFT + i * slot;
      let below = 0;
      for (const part of panel.parts(m)) {
        if (part.value === 0) continue;
        svg.push(`<rect x="${(x + slot * 0.15).toFixed(1)}" y="${y(below + part.value).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${(y(below) - y(below + part.value)).toFixed(1)}" fill="${part.colour}"/>`);
        below += part.value;
      }
      if (m.minute % 5 === 0 || m.minute === 1) svg.push(`<text x="${(x + slot / 2).toFixed(1)}" y="${top + PANEL_HEIGHT + 15}" font-size="11" text-anchor="middle">${m.minute}</text>`);
    });
  });
  svg.push(`<text x="${LEFT + plotWidth}" y="${height - 12}" font-size="11" text-anchor="end">minute of the call</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif">${svg.join('')}</svg>`;
}
