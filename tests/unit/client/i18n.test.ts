import { describe, expect, it } from 'vitest';
import { phrases, t, valueText } from '../../../client/src/i18n.js';

describe('phrases with placeholders', () => {
  it('fills a placeholder with text as given and with a phrase key in the current language', () => {
    expect(t('call.peerSigning', { name: 'Agent Li' })).toBe('Agent Li is signing…');
    expect(t('call.peerSigning', { name: { key: 'role.technician' } })).toBe('The technician is signing…');
    expect(t('layout.pinPerson', { name: 7 })).toBe('Pin: keep 7 large');
    expect(valueText({ key: 'role.agent' })).toBe('The agent');
  });

  it('leaves a placeholder without a value visible rather than empty', () => {
    expect(t('call.peerSigning')).toBe('{name} is signing…');
  });

  it('has every phrase in both languages, with the same placeholders', () => {
    const [en, zh] = [phrases('en'), phrases('zh-CN')];
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    const placeholders = (phrase: string) => [...phrase.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
    const differing = Object.keys(en).filter((key) => placeholders(en[key as keyof typeof en]).join() !== placeholders(zh[key as keyof typeof zh]).join());
    expect(differing).toEqual([]);
  });
});
