import type { Logger } from '../logger.js';
import type { RecordsDb } from './RecordsDb.js';
import type { Keyring } from './sealing.js';

/** Data keys rewrapped per transaction. */
const BATCH = 200;

/**
 * Rewraps every data key that is not under the keyring's current master key, batch by batch while the service runs
 * (a row changed meanwhile is left for the next pass). Resolves with how many were rewrapped; afterwards no record
 * needs an older key.
 */
export async function rewrapAll(db: RecordsDb, keyring: Keyring, progress: (done: number) => void = () => undefined): Promise<number> {
  const current = keyring.current.id;
  let done = 0;
  for (;;) {
    const rows = await db.query<{ ticket_id: string; master_key_id: string; wrapped: Uint8Array }>(
      'SELECT ticket_id, master_key_id, wrapped FROM record_keys WHERE master_key_id <> $1 ORDER BY ticket_id LIMIT $2',
      [current, BATCH],
    );
    if (rows.length === 0) return done;
    await db.transaction(async (tx) => {
      for (const row of rows) {
        const rewrapped = keyring.rewrap(Buffer.from(row.wrapped), row.master_key_id, row.ticket_id);
        await tx.query('UPDATE record_keys SET master_key_id = $1, wrapped = $2 WHERE ticket_id = $3 AND master_key_id = $4', [rewrapped.masterKeyId, rewrapped.wrapped, row.ticket_id, row.master_key_id]);
      }
    });
    done += rows.length;
    progress(done);
  }
}

/** The master key ids the records use, with how many tickets each wraps. */
export async function masterKeysInUse(db: RecordsDb): Promise<Map<string, number>> {
  const rows = await db.query<{ master_key_id: string; tickets: string | number }>('SELECT master_key_id, count(*) AS tickets FROM record_keys GROUP BY master_key_id');
  return new Map(rows.map((row) => [row.master_key_id, Number(row.tickets)]));
}

/**
 * Deletes the records of every ticket with nothing newer than `beforeMs` (its key row, and with it its lines):
 * `RETENTION_DAYS`. Resolves with how many tickets went.
 */
export async function deleteExpired(db: RecordsDb, beforeMs: number): Promise<number> {
  const rows = await db.query<{ ticket_id: string }>(
    `DELETE FROM record_keys k
     WHERE k.created_at < to_timestamp($1::float8 / 1000)
       AND NOT EXISTS (SELECT 1 FROM transcript_lines l WHERE l.ticket_id = k.ticket_id AND l.at_ms >= $1)
     RETURNING ticket_id`,
    [beforeMs],
  );
  return rows.length;
}

/** How often expired records are looked for. */
const RETENTION_SWEEP_MS = 3_600_000;

/** Deletes expired records now and every hour after; a failed sweep is logged and tried again at the next. */
export function scheduleRetention(db: RecordsDb, days: number, log: Logger): { stop(): void } {
  const sweep = () =>
    deleteExpired(db, Date.now() - days * 86_400_000).then(
      (deleted) => deleted > 0 && log.info(`records: deleted the records of ${deleted} tickets older than ${days} days`),
      (error: unknown) => log.error('records: the retention sweep failed', error),
    );
  void sweep();
  const timer = setInterval(() => void sweep(), RETENTION_SWEEP_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
