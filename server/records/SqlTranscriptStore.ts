import type { CallEventName, Speaker, TranscriptLine } from '../../signaling/index.js';
import type { NewTranscriptLine, TranscriptStore } from '../transcripts/TranscriptStore.js';
import type { RecordsDb } from './RecordsDb.js';

interface LineRow {
  seq: number;
  at_ms: string | number | bigint;
  kind: TranscriptLine['kind'];
  speaker: Speaker;
  body: string;
  event: CallEventName | null;
}

/**
 * Transcripts in the records database, one row per line. A line's `seq` is the next of its ticket, taken under a
 * per-ticket lock, so lines keep the order they were recorded in even when several nodes write to one ticket.
 */
export class SqlTranscriptStore implements TranscriptStore {
  readonly #db: RecordsDb;
  /** This node's last pending append per ticket: appends to one ticket are written one after another, in call order. */
  readonly #tails = new Map<string, Promise<unknown>>();

  constructor(db: RecordsDb) {
    this.#db = db;
  }

  append(ticketId: string, line: NewTranscriptLine): Promise<TranscriptLine> {
    const previous = this.#tails.get(ticketId) ?? Promise.resolve();
    const appended = previous.catch(() => undefined).then(() => this.#insert(ticketId, line));
    this.#tails.set(ticketId, appended);
    void appended.finally(() => {
      if (this.#tails.get(ticketId) === appended) this.#tails.delete(ticketId);
    }).catch(() => undefined);
    return appended;
  }

  async lines(ticketId: string): Promise<TranscriptLine[]> {
    const rows = await this.#db.query<LineRow>('SELECT seq, at_ms, kind, speaker, body, event FROM transcript_lines WHERE ticket_id = $1 ORDER BY seq', [ticketId]);
    return rows.map(toLine);
  }

  #insert(ticketId: string, line: NewTranscriptLine): Promise<TranscriptLine> {
    return this.#db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [ticketId]);
      const [row] = await tx.query<LineRow>(
        `INSERT INTO transcript_lines (ticket_id, seq, at_ms, kind, speaker, body, event)
         SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5, $6 FROM transcript_lines WHERE ticket_id = $1
         RETURNING seq, at_ms, kind, speaker, body, event`,
        [ticketId, Math.round(line.at), line.kind, JSON.stringify(line.speaker), line.text, line.event ?? null],
      );
      return toLine(row!);
    });
  }
}

function toLine(row: LineRow): TranscriptLine {
  return {
    seq: row.seq,
    at: Number(row.at_ms),
    kind: row.kind,
    speaker: row.speaker,
    text: row.body,
    ...(row.event ? { event: row.event } : {}),
  };
}
