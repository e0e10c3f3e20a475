import type { SqlRunner } from './RecordsDb.js';
import type { Keyring } from './sealing.js';

/** Unwrapped data keys kept in memory, so a busy call does not unwrap its ticket's key on every line. */
const KEY_CACHE_SIZE = 1_000;

/**
 * Each ticket's own data key (`record_keys`, wrapped by a master key): everything sealed of one ticket (transcript
 * lines, a survey comment) is sealed under it, so deleting its row leaves nothing of the ticket readable.
 */
export class RecordKeys {
  readonly #keyring: Keyring;
  readonly #keys = new Map<string, Buffer>();

  constructor(keyring: Keyring) {
    this.#keyring = keyring;
  }

  /**
   * The ticket's data key: from memory, unwrapped from its row, or (when `create`) made and stored. A new key is not
   * kept in memory: its row exists only once the transaction commits, and the next use reads it from there. A writer
   * always checks that the row is there (retention may have deleted it), a reader trusts memory.
   */
  async dataKey(runner: SqlRunner, ticketId: string, create: boolean): Promise<Buffer | undefined> {
    const cached = this.#keys.get(ticketId);
    if (cached && !create) return cached;
    const [row] = await runner.query<{ master_key_id: string; wrapped: Uint8Array }>('SELECT master_key_id, wrapped FROM record_keys WHERE ticket_id = $1', [ticketId]);
    if (!row) {
      if (!create) return undefined;
      const made = this.#keyring.newDataKey(ticketId);
      await runner.query('INSERT INTO record_keys (ticket_id, master_key_id, wrapped) VALUES ($1, $2, $3)', [ticketId, made.masterKeyId, made.wrapped]);
      return made.key;
    }
    if (cached) return cached;
    const key = this.#keyring.unwrap(Buffer.from(row.wrapped), row.master_key_id, ticketId);
    if (this.#keys.size >= KEY_CACHE_SIZE) this.#keys.delete(this.#keys.keys().next().value!);
    this.#keys.set(ticketId, key);
    return key;
  }
}
