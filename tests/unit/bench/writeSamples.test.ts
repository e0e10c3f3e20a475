import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeSamples } from '../../../bench/network/chart.js';

describe('the samples files beside the charts in bench/out', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'samples-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the newest five of each kind and leaves other kinds and the charts alone', async () => {
    const at = (minute: number) => `2026-12-07T12-${String(minute).padStart(2, '0')}-00-000Z`;
    await writeFile(path.join(dir, `network-livekit-${at(0)}.samples.json`), '[]');
    await writeFile(path.join(dir, `network-mediasoup-${at(0)}.png`), '');
    for (let minute = 1; minute <= 7; minute++) await writeSamples(path.join(dir, `network-mediasoup-${at(minute)}.png`), { minute });
    const left = (await readdir(dir)).sort();
    expect(left).toEqual([
      `network-livekit-${at(0)}.samples.json`,
      `network-mediasoup-${at(0)}.png`,
      ...[3, 4, 5, 6, 7].map((minute) => `network-mediasoup-${at(minute)}.samples.json`),
    ]);
  });
});
