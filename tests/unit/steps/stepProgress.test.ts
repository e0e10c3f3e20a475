import { describe, expect, it } from 'vitest';
import { AppError, ErrorCode, type StepCard, type StepReplyKind, type StepStatus } from '../../../signaling/index.js';
import { StepProgress } from '../../../server/calls/StepProgress.js';
import { SeededRandom } from '../../support/random.js';

const cards = (count: number): StepCard[] => Array.from({ length: count }, (_, at) => ({ text: `Card ${at + 1}.`, step: at + 1 }));

/** What a progress shows, to compare before and after a refused move. */
const snapshot = (progress: StepProgress) => ({
  statuses: [...progress.statuses],
  current: progress.current,
  shown: progress.shown,
  lastReply: progress.lastReply,
  cards: progress.cards.map((card) => ({ ...card })),
});

function invalidState(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(ErrorCode.InvalidState);
    return;
  }
  throw new Error('expected INVALID_STATE');
}

describe('the progress of a guide', () => {
  it('starts on the first card and moves on only when the customer says done', () => {
    const progress = new StepProgress(1, cards(3));
    expect(progress.statuses).toEqual(['current', 'pending', 'pending']);
    expect(progress.answer(1, 0, 'again', 10)).toBeNull();
    expect(progress.shown).toBe(2);
    expect(progress.current).toBe(0);
    expect(progress.answer(1, 0, 'done', 11)).toBe(1);
    expect(progress.statuses).toEqual(['done', 'current', 'pending']);
    expect(progress.shown).toBe(1);
    expect(progress.lastReply).toEqual({ index: 0, reply: 'done', at: 11 });
  });

  it('marks the card stuck, and a resend puts it back in front of the customer', () => {
    const progress = new StepProgress(1, cards(2));
    progress.answer(1, 0, 'stuck', 5);
    expect(progress.statuses).toEqual(['stuck', 'pending']);
    progress.show(1, 0, 'data:image/jpeg;base64,AAAA');
    expect(progress.statuses).toEqual(['current', 'pending']);
    expect(progress.shown).toBe(2);
    expect(progress.cards[0]!.image).toBe('data:image/jpeg;base64,AAAA');
  });

  it('finishes after the last done, and a jump back reopens it', () => {
    const progress = new StepProgress(1, cards(2));
    progress.answer(1, 0, 'done', 1);
    expect(progress.answer(1, 1, 'done', 2)).toBeNull();
    expect(progress.finished).toBe(true);
    expect(progress.current).toBe(2);
    invalidState(() => progress.answer(1, 1, 'done', 3));
    progress.show(1, 0);
    expect(progress.statuses).toEqual(['current', 'done']);
    expect(progress.finished).toBe(false);
  });

  it('sends an undone card back to pending when the agent jumps elsewhere', () => {
    const progress = new StepProgress(1, cards(3));
    progress.answer(1, 0, 'stuck', 1);
    progress.show(1, 2);
    expect(progress.statuses).toEqual(['pending', 'pending', 'current']);
  });

  it('refuses a stale card, another guide’s card and a card it does not have, changing nothing', () => {
    const progress = new StepProgress(2, cards(3));
    progress.answer(2, 0, 'done', 1);
    const before = snapshot(progress);
    invalidState(() => progress.answer(2, 0, 'done', 2));
    invalidState(() => progress.answer(2, 2, 'stuck', 2));
    invalidState(() => progress.answer(1, 1, 'done', 2));
    invalidState(() => progress.show(1, 1));
    invalidState(() => progress.show(2, 3, 'data:image/png;base64,AAAA'));
    expect(snapshot(progress)).toEqual(before);
  });

  it('keeps its invariants over random answers and jumps: one card in front until all are done, refusals change nothing', () => {
    const random = new SeededRandom(14);
    const replies: StepReplyKind[] = ['done', 'again', 'stuck'];
    for (let scenario = 0; scenario < 200; scenario++) {
      const count = random.int(1, 6);
      const progress = new StepProgress(1, cards(count));
      // The simpler model: a list of statuses and an index.
      const model: StepStatus[] = cards(count).map((_, at) => (at === 0 ? 'current' : 'pending'));
      let current = 0;
      for (let move = 0; move < 30; move++) {
        const before = snapshot(progress);
        const index = random.int(0, count);
        if (random.chance(0.75)) {
          const reply = replies[random.int(0, 2)]!;
          const valid = current < count && index === current;
          if (!valid) {
            invalidState(() => progress.answer(1, index, reply, move));
            expect(snapshot(progress)).toEqual(before);
            continue;
          }
          progress.answer(1, index, reply, move);
          if (reply === 'done') {
            model[index] = 'done';
            current = index + 1;
            if (current < count) model[current] = 'current';
          } else if (reply === 'stuck') model[index] = 'stuck';
        } else {
          if (index >= count) {
            invalidState(() => progress.show(1, index));
            expect(snapshot(progress)).toEqual(before);
            continue;
          }
          progress.show(1, index);
          if (index !== current && current < count && model[current] !== 'done') model[current] = 'pending';
          current = index;
          model[index] = 'current';
        }
        expect(progress.statuses).toEqual(model);
        expect(progress.current).toBe(current);
        const inFront = progress.statuses.filter((status) => status === 'current' || status === 'stuck').length;
        expect(inFront).toBe(progress.finished ? 0 : 1);
      }
    }
  });
});
