import { describe, expect, it } from 'vitest';
import { chooseStage, type StageCandidate } from '../../../client/src/ui/stageChoice.js';

const quiet = (role: StageCandidate['role']): StageCandidate => ({ role, signing: false, signingSince: 0 });
const signing = (role: StageCandidate['role'], since: number): StageCandidate => ({ role, signing: true, signingSince: since });

describe('who gets the large tile', () => {
  it('gives it to the first fallback present while nobody has signed', () => {
    expect(chooseStage(null, [quiet('customer'), quiet('agent')], ['agent', 'customer'])).toBe('agent');
  });

  it('gives it to the participant who signs, over the fallback', () => {
    expect(chooseStage('agent', [quiet('agent'), signing('customer', 5)], ['agent'])).toBe('customer');
  });

  it('keeps it with the signer when a second participant starts signing too', () => {
    expect(chooseStage('customer', [signing('customer', 5), signing('technician', 9)], ['agent'])).toBe('customer');
  });

  it('passes it to the one who started signing last when the one on stage stops', () => {
    expect(chooseStage('customer', [quiet('customer'), signing('agent', 3), signing('technician', 9)], ['agent'])).toBe('technician');
  });

  it('leaves it with the last signer when they stop and nobody else signs', () => {
    expect(chooseStage('customer', [{ role: 'customer', signing: false, signingSince: 5 }, quiet('agent')], ['agent'])).toBe('customer');
  });

  it('moves it to an earlier fallback who arrives while nobody has signed yet', () => {
    expect(chooseStage('customer', [quiet('customer'), quiet('agent')], ['agent', 'customer'])).toBe('agent');
  });

  it('moves it on when the participant on stage leaves', () => {
    expect(chooseStage('technician', [quiet('customer'), quiet('agent')], ['agent'])).toBe('agent');
  });

  it('is empty with nobody there', () => {
    expect(chooseStage('agent', [], ['agent'])).toBeNull();
  });
});
