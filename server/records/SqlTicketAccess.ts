import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { TICKET_SECRET_BYTES } from '../../signaling/index.js';
import type { RecordsDb } from './RecordsDb.js';

/** Compared against when a ticket has no secret, so that an unknown ticket costs the same comparison as a wrong secret. */
const NO_HASH = Buffer.alloc(32);

/**
 * Each ticket's secret, the key to its progress page and survey: made when the ticket opens, given to its customer
 * once, kept only as its SHA-256 (a copy of the database opens no ticket) and compared in constant time.
 */
export class SqlTicketAccess {
  readonly #db: RecordsDb;

  constructor(db: RecordsDb) {
    this.#db = db;
  }

  /** Makes and stores the ticket's secret; resolves with it once stored, so the link works as soon as it is shown. */
  async issue(ticketId: string, at = Date.now()): Promise<string> {
    const secret = randomBytes(TICKET_SECRET_BYTES).toString('base64url');
    await this.#db.query('INSERT INTO ticket_access (ticket_id, secret_hash, created_at_ms) VALUES ($1, $2, $3)', [ticketId, hashOf(secret), at]);
    return secret;
  }

  /** Whether `secret` is the ticket's; false for an unknown ticket, after the same comparison. */
  async verify(ticketId: string, secret: string): Promise<boolean> {
    const [row] = await this.#db.query<{ secret_hash: Uint8Array }>('SELECT secret_hash FROM ticket_access WHERE ticket_id = $1', [ticketId]);
    const stored = row ? Buffer.from(row.secret_hash) : NO_HASH;
    return timingSafeEqual(stored, hashOf(secret)) && row !== undefined;
  }
}

function hashOf(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}
