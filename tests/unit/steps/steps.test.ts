import { describe, expect, it } from 'vitest';
import {
  callGuideSchema,
  callStepReplySchema,
  callStepSchema,
  cardsOf,
  guideSchema,
  MAX_GUIDE_CARDS,
  MAX_GUIDE_STEPS,
  MAX_STEP_IMAGE_CHARS,
  MAX_STEP_TEXT,
  splitSentences,
  stepImageSchema,
  type Guide,
} from '../../../signaling/index.js';

const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('cutting a step into sentences for slow mode', () => {
  it('cuts English after . ! ? followed by a space, keeping the punctuation', () => {
    expect(splitSentences('Unplug the cable. Wait 30 seconds! Is it off? Plug it in.')).toEqual(['Unplug the cable.', 'Wait 30 seconds!', 'Is it off?', 'Plug it in.']);
  });

  it('cuts Chinese after 。！？ with no space needed, and keeps closing quotes on their sentence', () => {
    expect(splitSentences('点按“忽略此设备”。出现提示时请确认！好了吗？')).toEqual(['点按“忽略此设备”。', '出现提示时请确认！', '好了吗？']);
    expect(splitSentences('He said "Tap Pair." Then wait.')).toEqual(['He said "Tap Pair."', 'Then wait.']);
  });

  it('keeps decimals, addresses and common abbreviations whole', () => {
    expect(splitSentences('Set it to 1.5 GHz on example.com, e.g. the second box. Then save.')).toEqual(['Set it to 1.5 GHz on example.com, e.g. the second box.', 'Then save.']);
  });

  it('returns a text without an ending as one sentence, and nothing for blank text', () => {
    expect(splitSentences('Press the button')).toEqual(['Press the button']);
    expect(splitSentences('   ')).toEqual([]);
  });
});

describe('the cards of a guide', () => {
  const guide: Guide = {
    id: 'router',
    title: 'Restart the router',
    steps: [{ text: 'Find the router. It has lights.', image: '/assets/guides/router-unplug.svg' }, { text: '拔下电源线。等待 30 秒。' }],
  };

  it('makes one card per step normally', () => {
    expect(cardsOf(guide, false)).toEqual([
      { text: 'Find the router. It has lights.', image: '/assets/guides/router-unplug.svg', step: 1 },
      { text: '拔下电源线。等待 30 秒。', step: 2 },
    ]);
  });

  it('makes one card per sentence in slow mode, the step’s picture on its first sentence only', () => {
    expect(cardsOf(guide, true)).toEqual([
      { text: 'Find the router.', image: '/assets/guides/router-unplug.svg', step: 1 },
      { text: 'It has lights.', step: 1 },
      { text: '拔下电源线。', step: 2 },
      { text: '等待 30 秒。', step: 2 },
    ]);
  });

  it('refuses (null) a slow guide that would make more cards than a guide may have', () => {
    const wordy: Guide = { id: 'wordy', title: 'Wordy', steps: Array.from({ length: MAX_GUIDE_STEPS }, () => ({ text: 'One. Two. Three. Four.' })) };
    expect(MAX_GUIDE_STEPS * 4).toBeGreaterThan(MAX_GUIDE_CARDS);
    expect(cardsOf(wordy, true)).toBeNull();
    expect(cardsOf(wordy, false)).toHaveLength(MAX_GUIDE_STEPS);
  });
});

describe('the step schemas refuse bad input', () => {
  it('takes PNG and JPEG data URLs and shipped guide pictures, and nothing else', () => {
    expect(stepImageSchema.safeParse(PNG).success).toBe(true);
    expect(stepImageSchema.safeParse('data:image/jpeg;base64,/9j/4AAQSkZJRg==').success).toBe(true);
    expect(stepImageSchema.safeParse('/assets/guides/router-unplug.svg').success).toBe(true);
    for (const image of [
      'data:image/svg+xml;base64,PHN2Zz4=',
      'data:image/gif;base64,R0lGODlh',
      'data:text/html;base64,PGI+',
      'javascript:alert(1)',
      'https://example.com/a.png',
      '/assets/guides/../../agent.html',
      '/assets/guides/a.png?x=1',
      '/assets/styles.css',
      `data:image/png;base64,${'A'.repeat(MAX_STEP_IMAGE_CHARS)}`,
    ]) {
      expect(stepImageSchema.safeParse(image).success, image).toBe(false);
    }
  });

  it('refuses an empty guide, too many steps, a step too long or with control characters, and unknown fields', () => {
    const ok = { id: 'g', title: 'T', steps: [{ text: 'Do this.' }] };
    expect(guideSchema.safeParse(ok).success).toBe(true);
    const bad = [
      { ...ok, steps: [] },
      { ...ok, steps: Array.from({ length: MAX_GUIDE_STEPS + 1 }, () => ({ text: 'x' })) },
      { ...ok, steps: [{ text: 'x'.repeat(MAX_STEP_TEXT + 1) }] },
      { ...ok, steps: [{ text: 'two\nlines' }] },
      { ...ok, steps: [{ text: '   ' }] },
      { ...ok, title: '' },
      { ...ok, steps: [{ text: 'x', html: '<b>' }] },
    ];
    for (const guide of bad) expect(guideSchema.safeParse(guide).success, JSON.stringify(guide).slice(0, 80)).toBe(false);
  });

  it('refuses a step reply other than done, again or stuck, and a negative or fractional index', () => {
    const reply = { sessionId: 's', guideNo: 1, index: 0, reply: 'done' };
    expect(callStepReplySchema.safeParse(reply).success).toBe(true);
    for (const bad of [{ ...reply, reply: 'skip' }, { ...reply, index: -1 }, { ...reply, index: 0.5 }, { ...reply, guideNo: 0 }, { ...reply, extra: 1 }]) {
      expect(callStepReplySchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(callStepSchema.safeParse({ sessionId: 's', guideNo: 1, index: 0, image: 'javascript:1' }).success).toBe(false);
    expect(callGuideSchema.safeParse({ sessionId: 's', guide: { id: 'g', title: 'T', steps: [{ text: 'x' }] } }).success).toBe(false);
  });
});
