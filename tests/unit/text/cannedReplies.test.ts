import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCannedReplies } from '../../../server/text/cannedReplies.js';

const folder = mkdtempSync(path.join(os.tmpdir(), 'signline-canned-'));
const file = (name: string, text: string): string => {
  const at = path.join(folder, name);
  writeFileSync(at, text);
  return at;
};

describe('the canned replies file', () => {
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('loads the shipped file, the same replies in both languages', () => {
    const replies = loadCannedReplies(path.resolve('config/canned-replies.json'));
    expect(replies.en.length).toBeGreaterThan(3);
    expect(replies['zh-CN'].map((reply) => reply.id)).toEqual(replies.en.map((reply) => reply.id));
  });

  it('stops start-up with the file and the problem: missing, not JSON, wrong shape, control characters, a repeated id', () => {
    const reply = { id: 'a', title: 'A', text: 'Hello' };
    const cases: [string, RegExp][] = [
      [path.join(folder, 'nope.json'), /cannot be read \(set CANNED_REPLIES_FILE\)/],
      [file('broken.json', '{ "en": ['), /is not JSON/],
      [file('shape.json', JSON.stringify({ en: [reply] })), /zh-CN/],
      [file('control.json', JSON.stringify({ en: [{ ...reply, text: 'bell\u0007' }], 'zh-CN': [] })), /en\.0\.text: control characters/],
      [file('twice.json', JSON.stringify({ en: [reply, reply], 'zh-CN': [] })), /id "a" appears twice in en/],
    ];
    for (const [at, message] of cases) expect(() => loadCannedReplies(at), at).toThrow(message);
  });
});
