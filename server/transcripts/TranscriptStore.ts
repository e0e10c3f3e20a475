import type { TranscriptLine } from '../../signaling/index.js';

/** A line as a call records it; the store gives it its place (`seq`). */
export type NewTranscriptLine = Omit<TranscriptLine, 'seq'>;

/**
 * Where each ticket's transcript lives: caption finals, RTT lines, chat and call events, in the order they were
 * recorded. In memory for now; the records issue moves it to the durable, encrypted records store.
 */
export interface TranscriptStore {
  /** Adds a line at the end of the ticket's transcript; returns it with its `seq` (1, 2, … per ticket). */
  append(ticketId: string, line: NewTranscriptLine): Promise<TranscriptLine>;
  /** The ticket's transcript so far, in order; empty for an unknown ticket. */
  lines(ticketId: string): Promise<TranscriptLine[]>;
}

/** Transcripts in this process; the oldest ticket's is dropped once `maxTickets` are kept. */
export class MemoryTranscriptStore implements TranscriptStore {
  readonly #maxTickets: number;
  readonly #transcripts = new Map<string, TranscriptLine[]>();

  constructor(options: { maxTickets?: number } = {}) {
    this.#maxTickets = options.maxTickets ?? 10_000;
  }

  async append(ticketId: string, line: NewTranscriptLine): Promise<TranscriptLine> {
    let lines = this.#transcripts.get(ticketId);
    if (!lines) {
      lines = [];
      this.#transcripts.set(ticketId, lines);
      if (this.#transcripts.size > this.#maxTickets) this.#transcripts.delete(this.#transcripts.keys().next().value!);
    }
    const stored = { ...line, seq: lines.length + 1 };
    lines.push(stored);
    return stored;
  }

  async lines(ticketId: string): Promise<TranscriptLine[]> {
    return [...(this.#transcripts.get(ticketId) ?? [])];
  }
}
