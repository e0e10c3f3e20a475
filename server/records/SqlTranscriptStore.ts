import type { CallEventName, Speaker, TranscriptLine } from '../../signaling/index.js';
import type { NewTranscriptLine, TranscriptStore } from '../transcripts/TranscriptStore.js';
import { KeyedChain } from './KeyedChain.js';
import type { RecordsDb } from './RecordsDb.js';
import { RecordKeys } from './RecordKeys.js';
import { type Keyring, seal, unseal } from './sealing.js';

interface LineRow {
  seq: number;
  at_ms: string | number | bigint;
  kind: TranscriptLine['kind'];
  event: CallEventName | null;
  sealed: Uint8Array;
}

/** What a line's sealed part holds: who said or wrote it, and the words. */
interface SealedPart {
  speaker: Speaker;
  text: string;
}

/**
 * Transcripts in the records database, one row per line, the speaker and the words sealed with the ticket's own data
 * key (see `sealing.ts`); the line's number, time and kind stay plain for ordering and retention. A line's `seq` is the
 * next of its ticket, taken under a per-ticket lock, so lines keep the order they were recorded in even when several
 * nodes write to one ticket.
 */
export class SqlTranscriptStore implements TranscriptStore {
  readonly #db: RecordsDb;
  readonly #keys: RecordKeys;
  /** Appends to one ticket are written one after another, in call order. */
  readonly #appends = new KeyedChain();

  constructor(db: RecordsDb, keyring: Keyring) {
    this.#db = db;
    this.#keys = new RecordKeys(keyring);
  }

  append(ticketId: string, line: NewTranscriptLine): Promise<TranscriptLine> {
    return this.#appends.run(ticketId, () => this.#insert(ticketId, line));
  }

  /** The ticket's lines in order; a line that does not open is a RECORD_TAMPERED error, never a silent gap. */
  async lines(ticketId: string): Promise<TranscriptLine[]> {
    const key = await this.#keys.dataKey(this.#db, ticketId, false);
    if (!key) return [];
    const rows = await this.#db.query<LineRow>('SELECT seq, at_ms, kind, event, sealed FROM transcript_lines WHERE ticket_id = $1 ORDER BY seq', [ticketId]);
    return rows.map((row) => toLine(ticketId, row, key));
  }

  #insert(ticketId: string, line: NewTranscriptLine): Promise<TranscriptLine> {
    return this.#db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [ticketId]);
      const key = (await this.#keys.dataKey(tx, ticketId, true))!;
      const [next] = await tx.query<{ seq: number }>('SELECT coalesce(max(seq), 0) + 1 AS seq FROM transcript_lines WHERE ticket_id = $1', [ticketId]);
      const seq = next!.seq;
      const part: SealedPart = { speaker: line.speaker, text: line.text };
      const sealed = seal(key, Buffer.from(JSON.stringify(part)), lineContext(ticketId, seq));
      const [row] = await tx.query<LineRow>(
        'INSERT INTO transcript_lines (ticket_id, seq, at_ms, kind, event, sealed) VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq, at_ms, kind, event, sealed',
        [ticketId, seq, Math.round(line.at), line.kind, line.event ?? null, sealed],
      );
      return toLine(ticketId, row!, key);
    });
  }
}

/** What binds a sealed line to its row: moved to another ticket or place, it no longer opens. */
function lineContext(ticketId: string, seq: number): string {
  return `transcript:${ticketId}:${seq}`;
}

function toLine(ticketId: string, row: LineRow, key: Buffer): TranscriptLine {
  const part = JSON.parse(unseal(key, Buffer.from(row.sealed), lineContext(ticketId, row.seq)).toString('utf8')) as SealedPart;
  return {
    seq: row.seq,
    at: Number(row.at_ms),
    kind: row.kind,
    speaker: part.speaker,
    text: part.text,
    ...(row.event ? { event: row.event } : {}),
  };
}
