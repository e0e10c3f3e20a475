import { describe, expect, it } from 'vitest';
import type { TranscriptLine } from '../../../signaling/index.js';
import { mergeLine, transcriptText } from '../../../client/src/text/transcriptText.js';

const at = Date.UTC(2026, 11, 5, 8, 0, 0);
const line = (seq: number, kind: TranscriptLine['kind'], text: string, extra: Partial<TranscriptLine> = {}): TranscriptLine => ({
  seq,
  at: at + seq * 1000,
  kind,
  speaker: { role: 'customer', name: 'SL-ABC-123' },
  text,
  ...extra,
});

describe('the transcript a page keeps and saves', () => {
  it('merges fetched lines and live pushes in seq order, once each', () => {
    const lines: TranscriptLine[] = [];
    expect(mergeLine(lines, line(2, 'chat', 'b'))).toBe(true);
    expect(mergeLine(lines, line(1, 'chat', 'a'))).toBe(true);
    expect(mergeLine(lines, line(3, 'chat', 'c'))).toBe(true);
    expect(mergeLine(lines, line(2, 'chat', 'b'))).toBe(false);
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3]);
  });

  it('writes one line per entry with time, kind and speaker; events in words, without a speaker prefix', () => {
    const text = transcriptText('SL-ABC-123', [
      line(1, 'event', 'SL-ABC-123 joined', { event: 'joined' }),
      line(2, 'rtt', 'my watch is late'),
      line(3, 'chat', 'Which model?', { speaker: { role: 'agent', name: 'Li Wei' } }),
      line(4, 'caption', 'it shows the wrong time'),
    ]);
    const rows = text.split('\n');
    expect(rows[0]).toBe('Transcript of support ticket SL-ABC-123');
    expect(rows.slice(2, 6).map((row) => row.replace(/^\[[\d:]+\] /, ''))).toEqual([
      '(event) SL-ABC-123 joined the call',
      '(text) SL-ABC-123: my watch is late',
      '(chat) Li Wei: Which model?',
      '(caption) SL-ABC-123: it shows the wrong time',
    ]);
    expect(rows[2]).toMatch(/^\[\d\d:\d\d:\d\d\] /);
  });
});
