import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { T140, T140Buffer, T140Line, t140ChunkSchema, t140Edit, t140Problem, T140_MAX_CHUNK } from '../../../signaling/index.js';

const BS = T140.backspace;
const LS = T140.lineSeparator;

describe('T.140 text as it arrives', () => {
  it('erases with backspaces that arrive in a later chunk than the text they erase', () => {
    const line = new T140Line();
    line.apply('helo');
    line.apply(BS);
    expect(line.apply('lo').current).toBe('hello');
    expect(line.apply(`${BS}${BS}p`).current).toBe('help');
  });

  it('erases a surrogate pair (one emoji) with one backspace', () => {
    const line = new T140Line();
    expect(line.apply('ok 👍').current).toBe('ok 👍');
    expect(line.apply(BS).current).toBe('ok ');
    expect(line.apply('𠀋').current).toBe('ok 𠀋');
    expect(line.apply(BS).current).toBe('ok ');
  });

  it('closes a line at the line separator, and a backspace never reaches into a closed line', () => {
    const line = new T140Line();
    expect(line.apply(`my phone${LS}it`)).toEqual({ closed: ['my phone'], current: 'it' });
    expect(line.apply(`${BS}${BS}${BS}${BS}`)).toEqual({ closed: [], current: '' });
    expect(line.apply(`is off${LS}${LS}`)).toEqual({ closed: ['is off', ''], current: '' });
  });

  it('ignores a byte order mark and a bell', () => {
    expect(new T140Line().apply(`${T140.bom}a${T140.bell}b`).current).toBe('ab');
  });

  it('closes the open line on demand, once', () => {
    const line = new T140Line();
    line.apply('still typing');
    expect(line.close()).toBe('still typing');
    expect(line.close()).toBeUndefined();
  });
});

describe('T.140 text as it is typed', () => {
  it('sends the new tail, or backspaces for what was erased at the end', () => {
    expect(t140Edit('', 'h')).toBe('h');
    expect(t140Edit('hel', 'help')).toBe('p');
    expect(t140Edit('help', 'hel')).toBe(BS);
    expect(t140Edit('ok 👍', 'ok ')).toBe(BS);
  });

  it('resends the tail after an edit in the middle, and turns new lines into line separators', () => {
    expect(t140Edit('the cat', 'the bat')).toBe(`${BS.repeat(3)}bat`);
    expect(t140Edit('a', 'a\r\nb\nc')).toBe(`${LS}b${LS}c`);
  });

  it('round-trips any edit: applying the encoding of before→after to before gives after', () => {
    const pairs: [string, string][] = [
      ['', 'hello'],
      ['hello', 'help me'],
      ['手机没有声音', '手机没有信号'],
      ['👍👍', '👍'],
      ['abc', ''],
    ];
    for (const [before, after] of pairs) {
      const line = new T140Line();
      line.apply(before);
      expect(line.apply(t140Edit(before, after)).current).toBe(after);
    }
  });
});

describe('the checks on a T.140 chunk', () => {
  it('accepts text, backspace and line separator', () => {
    expect(t140ChunkSchema.safeParse(`abc${BS}${LS}中文 👍`).success).toBe(true);
  });

  it('refuses other control characters and lone surrogates, naming the problem', () => {
    expect(t140Problem('a\u0000b')).toMatch(/U\+0000/);
    expect(t140Problem('line\nbreak')).toMatch(/U\+000A/);
    expect(t140Problem('\u001b[31m')).toMatch(/U\+001B/);
    expect(t140Problem('\u0085')).toMatch(/U\+0085/);
    expect(t140Problem('\ud83d')).toMatch(/surrogate/);
    expect(t140Problem('x\udc4d')).toMatch(/surrogate/);
    expect(t140ChunkSchema.safeParse('').success).toBe(false);
    expect(t140ChunkSchema.safeParse('a'.repeat(T140_MAX_CHUNK + 1)).success).toBe(false);
    expect(t140ChunkSchema.safeParse('👍'.repeat(T140_MAX_CHUNK)).success).toBe(true);
  });
});

describe('the sender buffer', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('sends the first key at once and joins keys typed within the interval into the next send, never later than the interval', () => {
    const sent: [number, string][] = [];
    const buffer = new T140Buffer({ send: (chunk) => sent.push([Date.now(), chunk]), intervalMs: 100 });
    buffer.add('h');
    vi.advanceTimersByTime(30);
    buffer.add('e');
    vi.advanceTimersByTime(30);
    buffer.add('l');
    expect(sent).toEqual([[1_000_000, 'h']]);
    vi.advanceTimersByTime(40);
    expect(sent).toEqual([
      [1_000_000, 'h'],
      [1_000_100, 'el'],
    ]);
    vi.advanceTimersByTime(500);
    buffer.add('p');
    expect(sent.at(-1)).toEqual([1_000_600, 'p']);
  });

  it('holds no character longer than 300 ms, whatever interval is asked for', () => {
    const sent: number[] = [];
    const buffer = new T140Buffer({ send: () => sent.push(Date.now()), intervalMs: 5_000 });
    buffer.add('a');
    buffer.add('b');
    vi.advanceTimersByTime(300);
    expect(sent).toEqual([1_000_000, 1_000_300]);
  });

  it('splits a long paste into messages the receiver accepts, without cutting a surrogate pair', () => {
    const sent: string[] = [];
    const buffer = new T140Buffer({ send: (chunk) => sent.push(chunk) });
    buffer.add('👍'.repeat(T140_MAX_CHUNK + 10));
    expect(sent.map((chunk) => Array.from(chunk).length)).toEqual([T140_MAX_CHUNK, 10]);
    for (const chunk of sent) expect(t140ChunkSchema.safeParse(chunk).success).toBe(true);
  });
});
