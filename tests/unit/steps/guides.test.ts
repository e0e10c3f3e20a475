import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadGuides } from '../../../server/guides/guides.js';

const folder = mkdtempSync(path.join(os.tmpdir(), 'signline-guides-'));
const file = (name: string, text: string): string => {
  const at = path.join(folder, name);
  writeFileSync(at, text);
  return at;
};

describe('the guides file', () => {
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('loads the shipped file: the same guides with as many steps in both languages, each picture shipped with the client', () => {
    const guides = loadGuides(path.resolve('config/guides.json'));
    expect(guides.en.length).toBeGreaterThanOrEqual(3);
    expect(guides['zh-CN'].map((guide) => [guide.id, guide.steps.length])).toEqual(guides.en.map((guide) => [guide.id, guide.steps.length]));
    for (const guide of [...guides.en, ...guides['zh-CN']]) {
      for (const step of guide.steps) {
        if (step.image) expect(existsSync(path.resolve('client/guides', path.basename(step.image))), step.image).toBe(true);
      }
    }
  });

  it('stops start-up with the file and the problem: missing, not JSON, wrong shape, a bad picture, a repeated id', () => {
    const guide = { id: 'a', title: 'A', steps: [{ text: 'Do it.' }] };
    const cases: [string, RegExp][] = [
      [path.join(folder, 'nope.json'), /cannot be read \(set GUIDES_FILE\)/],
      [file('broken.json', '{ "en": ['), /is not JSON/],
      [file('shape.json', JSON.stringify({ en: [guide] })), /zh-CN/],
      [file('image.json', JSON.stringify({ en: [{ ...guide, steps: [{ text: 'x', image: 'https://example.com/a.png' }] }], 'zh-CN': [] })), /en\.0\.steps\.0\.image/],
      [file('empty.json', JSON.stringify({ en: [{ ...guide, steps: [] }], 'zh-CN': [] })), /en\.0\.steps/],
      [file('twice.json', JSON.stringify({ en: [guide, guide], 'zh-CN': [] })), /id "a" appears twice in en/],
    ];
    for (const [at, message] of cases) expect(() => loadGuides(at), at).toThrow(message);
  });
});
