/**
 * T.140 real-time text (ITU-T T.140, carried as RFC 8865 describes): text leaves as it is typed, an erasure is a
 * BACKSPACE (U+0008) and a new line is a LINE SEPARATOR (U+2028). Pure, shared by the pages and the server.
 * A "character" here is one Unicode code point, on both sides: the sender erases code points, so the receiver does.
 */

export const T140 = {
  backspace: '\u0008',
  lineSeparator: '\u2028',
  /** Byte order mark: allowed anywhere, means nothing. */
  bom: '\ufeff',
  /** Alert: allowed, shown as nothing. */
  bell: '\u0007',
} as const;

/**
 * How long typed text may wait before it leaves. T.140 allows up to 300 ms (RFC 8865 keeps its buffering); 50 ms
 * keeps keystroke-to-display well under 100 ms and still joins the keys of a fast typist into one message.
 */
export const T140_SEND_INTERVAL_MS = 50;
/** The most one message may carry; a paste is split into messages of this size. */
export const T140_MAX_CHUNK = 1024;

// C0 and C1 controls and DEL, except the ones T.140 gives a meaning (checked separately), and lone surrogates.
const FORBIDDEN = /[\u0000-\u0006\u0009-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/u;
// The same check in non-unicode mode (lone surrogates are only visible there).
const FORBIDDEN_UNITS = /[\u0000-\u0006\u0009-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a chunk is not T.140 text, or undefined when it is. */
export function t140Problem(chunk: string): string | undefined {
  const found = FORBIDDEN_UNITS.exec(chunk) ?? FORBIDDEN.exec(chunk);
  if (!found) return undefined;
  const unit = found[0].charCodeAt(0);
  if (unit >= 0xd800 && unit <= 0xdfff) return 'a lone surrogate is not text';
  return `control character U+${unit.toString(16).toUpperCase().padStart(4, '0')} is not allowed in real-time text (only backspace U+0008 and line separator U+2028)`;
}

/** Code points of a string (a surrogate pair is one). */
function codePoints(text: string): string[] {
  return Array.from(text);
}

/**
 * What to send so that a receiver showing `before` shows `after`: one backspace per code point that changed at
 * the end, then the new tail. Edits in the middle resend the tail, as T.140 can only erase backwards.
 * Newlines become line separators.
 */
export function t140Edit(before: string, after: string): string {
  const old = codePoints(before);
  const next = codePoints(after.replace(/\r\n|\r|\n/g, T140.lineSeparator));
  let common = 0;
  while (common < old.length && common < next.length && old[common] === next[common]) common++;
  return T140.backspace.repeat(old.length - common) + next.slice(common).join('');
}

/** What applying a chunk did: the lines it closed (in order) and the line being typed now. */
export interface T140Applied {
  closed: string[];
  current: string;
}

/**
 * The text one participant is typing, as it arrives: the open line and how chunks change it. A backspace erases the
 * last code point of the open line and never reaches into a closed one (so a closed line is final, as in the
 * transcript). Chunks may split anywhere between code points.
 */
export class T140Line {
  #current: string[] = [];

  /** The line being typed. */
  get current(): string {
    return this.#current.join('');
  }

  /** Applies a chunk; returns the lines it closed and the open line after it. */
  apply(chunk: string): T140Applied {
    const closed: string[] = [];
    for (const char of codePoints(chunk)) {
      if (char === T140.backspace) this.#current.pop();
      else if (char === T140.lineSeparator) {
        closed.push(this.#current.join(''));
        this.#current = [];
      } else if (char !== T140.bom && char !== T140.bell) this.#current.push(char);
    }
    return { closed, current: this.current };
  }

  /** Closes the open line (a pause, or the call ended); returns it, or undefined when nothing was typed. */
  close(): string | undefined {
    if (this.#current.length === 0) return undefined;
    const line = this.current;
    this.#current = [];
    return line;
  }
}

/** Options of a sender's buffer. */
export interface T140BufferOptions {
  /** Sends one chunk; chunks are never empty and at most `T140_MAX_CHUNK` code points. */
  send: (chunk: string) => void;
  /** Least time between two sends (at most 300 ms, as T.140 allows). */
  intervalMs?: number;
  now?: () => number;
}

/**
 * The sender's side: typed text leaves at once when nothing left in the last interval, and otherwise with the next
 * send, at most `intervalMs` later; text typed meanwhile travels together.
 */
export class T140Buffer {
  readonly #send: (chunk: string) => void;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #pending = '';
  #lastSentAt = Number.NEGATIVE_INFINITY;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: T140BufferOptions) {
    this.#send = options.send;
    this.#intervalMs = Math.min(300, options.intervalMs ?? T140_SEND_INTERVAL_MS);
    this.#now = options.now ?? Date.now;
  }

  /** Queues T.140 text (from `t140Edit`). */
  add(text: string): void {
    if (text === '') return;
    this.#pending += text;
    if (this.#timer !== undefined) return;
    const waitMs = this.#lastSentAt + this.#intervalMs - this.#now();
    if (waitMs <= 0) this.flush();
    else this.#timer = setTimeout(() => this.flush(), waitMs);
  }

  /** Sends whatever waits now. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending === '') return;
    const points = codePoints(this.#pending);
    this.#pending = '';
    this.#lastSentAt = this.#now();
    for (let i = 0; i < points.length; i += T140_MAX_CHUNK) this.#send(points.slice(i, i + T140_MAX_CHUNK).join(''));
  }

  /** Drops what waits and stops the timer. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = '';
  }
}
