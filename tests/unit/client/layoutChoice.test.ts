import { describe, expect, it } from 'vitest';
import { clampSplit, keepPin, largePerson, readSplit, samePin, SPLIT, splitAfterKey, splitAfterPin, splitAt, togglePin, type Pin } from '../../../client/src/ui/layoutChoice.js';

const person = (role: 'customer' | 'agent' | 'technician'): Pin => ({ kind: 'person', role });
const share = (producerId: string): Pin => ({ kind: 'share', producerId });

describe('who is large once a viewer can pin', () => {
  it('follows the active-signer rule while nothing is pinned', () => {
    expect(largePerson(null, 'customer', ['customer', 'technician'])).toBe('customer');
  });

  it('keeps the pinned person large over the active signer', () => {
    expect(largePerson(person('technician'), 'customer', ['customer', 'technician'])).toBe('technician');
  });

  it('falls back to the active signer while the pinned person is away, and returns to them when they are back', () => {
    expect(largePerson(person('technician'), 'customer', ['customer'])).toBe('customer');
    expect(largePerson(person('technician'), 'customer', ['customer', 'technician'])).toBe('technician');
  });

  it('leaves the stage to the rule when a shared view is pinned', () => {
    expect(largePerson(share('p1'), 'agent', ['agent', 'technician'])).toBe('agent');
  });

  it('is empty with nobody there and nothing chosen', () => {
    expect(largePerson(person('agent'), null, [])).toBeNull();
  });
});

describe('pin buttons', () => {
  it('pins a tile, and unpins it when pressed again', () => {
    expect(togglePin(null, person('agent'))).toEqual(person('agent'));
    expect(togglePin(person('agent'), person('agent'))).toBeNull();
  });

  it('moves the pin to another tile in one press', () => {
    expect(togglePin(person('agent'), share('p1'))).toEqual(share('p1'));
    expect(togglePin(share('p1'), share('p2'))).toEqual(share('p2'));
  });

  it('tells tiles apart by kind and name', () => {
    expect(samePin(person('agent'), person('agent'))).toBe(true);
    expect(samePin(person('agent'), person('customer'))).toBe(false);
    expect(samePin(share('agent'), person('agent'))).toBe(false);
    expect(samePin(null, null)).toBe(true);
    expect(samePin(null, share('p1'))).toBe(false);
  });

  it('drops the pin of a share that stopped, and keeps every other pin', () => {
    expect(keepPin(share('p1'), ['p2'])).toBeNull();
    expect(keepPin(share('p1'), ['p1', 'p2'])).toEqual(share('p1'));
    expect(keepPin(person('customer'), [])).toEqual(person('customer'));
    expect(keepPin(null, ['p1'])).toBeNull();
  });
});

describe('the split between the signer and the shared view', () => {
  it('stays within a fifth and four fifths, so neither pane disappears', () => {
    expect(clampSplit(0.05, 0.4)).toBe(SPLIT.min);
    expect(clampSplit(0.97, 0.4)).toBe(SPLIT.max);
    expect(clampSplit(0.55, 0.4)).toBe(0.55);
  });

  it('falls back to the default for a missing or corrupt saved value', () => {
    expect(readSplit(null, 0.4)).toBe(0.4);
    expect(readSplit('', 0.4)).toBe(0.4);
    expect(readSplit('wide', 0.4)).toBe(0.4);
    expect(readSplit('0.65', 0.4)).toBe(0.65);
    expect(readSplit('3', 0.4)).toBe(SPLIT.max);
  });

  it('moves a step per arrow key, left and up shrinking the first pane', () => {
    expect(splitAfterKey(0.4, 'ArrowRight')).toBe(0.45);
    expect(splitAfterKey(0.4, 'ArrowDown')).toBe(0.45);
    expect(splitAfterKey(0.4, 'ArrowLeft')).toBe(0.35);
    expect(splitAfterKey(0.4, 'ArrowUp')).toBe(0.35);
  });

  it('lands on the same values however many presses it takes', () => {
    let ratio = 0.4;
    for (let i = 0; i < 4; i++) ratio = splitAfterKey(ratio, 'ArrowRight')!;
    expect(ratio).toBe(0.6);
  });

  it('jumps with Page Up and Page Down, and to the bounds with Home and End', () => {
    expect(splitAfterKey(0.5, 'PageDown')).toBe(0.7);
    expect(splitAfterKey(0.5, 'PageUp')).toBe(0.3);
    expect(splitAfterKey(0.5, 'Home')).toBe(SPLIT.min);
    expect(splitAfterKey(0.5, 'End')).toBe(SPLIT.max);
  });

  it('stops at the bounds when a key would go past them', () => {
    expect(splitAfterKey(SPLIT.max, 'ArrowRight')).toBe(SPLIT.max);
    expect(splitAfterKey(0.25, 'PageUp')).toBe(SPLIT.min);
  });

  it('ignores keys that do not move a separator', () => {
    expect(splitAfterKey(0.4, 'Enter')).toBeNull();
    expect(splitAfterKey(0.4, 'a')).toBeNull();
  });

  it('follows a drag, within the bounds', () => {
    expect(splitAt(600, 100, 1000, 0.4)).toBe(0.5);
    expect(splitAt(50, 100, 1000, 0.4)).toBe(SPLIT.min);
    expect(splitAt(600, 100, 0, 0.4)).toBe(0.4);
  });

  it('gives the pane of a pinned tile the larger part, mirroring the split if needed', () => {
    expect(splitAfterPin(0.4, 'stage', 'stage')).toBe(0.6);
    expect(splitAfterPin(0.7, 'stage', 'stage')).toBe(0.7);
    expect(splitAfterPin(0.7, 'shares', 'stage')).toBe(0.3);
    expect(splitAfterPin(0.3, 'shares', 'stage')).toBe(0.3);
    // On the technician's console the shared view comes first.
    expect(splitAfterPin(0.7, 'stage', 'shares')).toBe(0.3);
    expect(splitAfterPin(0.3, 'shares', 'shares')).toBe(0.7);
  });
});
