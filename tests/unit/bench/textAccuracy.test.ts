import { describe, expect, it } from 'vitest';
import { editDistance, textAccuracy } from '../../../bench/share/textAccuracy.js';

describe('bench:share’s text accuracy (characters right / characters)', () => {
  it('counts the edits between two strings', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('scores a perfect reading 100 % whatever its line breaks and spacing, and each wrong character against the source', () => {
    expect(textAccuracy('Step 1.  Open\nSettings', 'Step 1. Open Settings')).toBe(100);
    // One character of 21 read wrong (l for 1).
    expect(textAccuracy('Step l. Open Settings', 'Step 1. Open Settings')).toBeCloseTo((20 / 21) * 100);
    expect(textAccuracy('', 'Step 1. Open Settings')).toBe(0);
    expect(textAccuracy('x'.repeat(100), 'abc')).toBe(0);
  });
});
