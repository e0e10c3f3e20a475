import type { SqlRunner } from './RecordsDb.js';
import type { Keyring } from './sealing.js';

/** Unwrapped data keys kept in memory, so a busy call does not unwrap its ticket's key on every line. */
const KEY_CACHE_SIZE = 1_000;

/**
 * Each ticket's data key (AES-256), stored in `record_keys` wrapped by the keyring's master key: every sealed record of
 * a ticket (transcript lines, the request, notes, survey comments) uses it, and deleting the key row makes them all
 * unreadable at once.
 */
export class DataKeys {
  readonly #keyring: Keyring;
  readonly #keys = new Map<string, Buffer>();

  constructor(keyring: Keyring) {
    this.#keyring = keyring;
  }

  /** The ticket's key for reading: from memory or unwrapped from its row; undefined when the ticket has none. */
  async forReading(runner: SqlRunner, ticketId: string): Promise<Buffer | undefined> {
    return this.#keys.get(ticketId) ?? (await this.#fromRow(runner, ticketId));
  }

  /**
   * The ticket's key for writing inside `runner`'s transaction, made and stored when it has none. A writer always
   * checks that the row is there (retention may have deleted it); a new key is cached only once read back after its
   * transaction committed.
   */
  async forWriting(runner: SqlRunner, ticketId: string): Promise<Buffer> {
    const key = await this.#fromRow(runner, ticketId);
    if (key) return key;
    // The row is gone (retention): a key still in memory belongs to records that no longer exist.
    this.#keys.delete(ticketId);
    const made = this.#keyring.newDataKey(ticketId);
    await runner.query('INSERT INTO record_keys (ticket_id, master_key_id, wrapped) VALUES ($1, $2, $3)', [ticketId, made.masterKeyId, made.wrapped]);
    return made.key;
  }

  /**
   * The ticket's key if this node holds it in memory, without asking the database: for a writer whose statement fails
   * by itself when the key's row is gone (a foreign key to `record_keys`) and then writes through `forWriting`, which
   * drops the stale key.
   */
  cached(ticketId: string): Buffer | undefined {
    return this.#keys.get(ticketId);
  }

  async #fromRow(runner: SqlRunner, ticketId: string): Promise<Buffer | undefined> {
    const [row] = await runner.query<{ master_key_id: string; wrapped: Uint8Array }>('SELECT master_key_id, wrapped FROM record_keys WHERE ticket_id = $1', [ticketId]);
    if (!row) return undefined;
    const cached = this.#keys.get(ticketId);
    if (cached) return cached;
    const key = this.#keyring.unwrap(Buffer.from(row.wrapped), row.master_key_id, ticketId);
    if (this.#keys.size >= KEY_CACHE_SIZE) this.#keys.delete(this.#keys.keys().next().value!);
    this.#keys.set(ticketId, key);
    return key;
  }
}
