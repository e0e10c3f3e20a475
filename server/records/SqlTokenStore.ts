import type { Principal, StoredToken, TokenStore } from '../auth/TokenRegistry.js';
import type { Logger } from '../logger.js';
import { KeyedChain } from './KeyedChain.js';
import type { RecordsDb } from './RecordsDb.js';

/**
 * Bearer tokens in the records, by hash. Writes go one after another in the order they were made (a revocation never
 * overtakes the save it revokes) and are not waited for; a failed write is logged.
 */
export class SqlTokenStore implements TokenStore {
  readonly #db: RecordsDb;
  readonly #log: Logger;
  /** Every token write of this node, one after another (one key: a revocation never overtakes its save). */
  readonly #writes = new KeyedChain();

  constructor(db: RecordsDb, log: Logger) {
    this.#db = db;
    this.#log = log;
  }

  save(hash: Buffer, principal: Principal, expiresAt: number): void {
    const ticketId = principal.role === 'customer' ? principal.ticketId : null;
    this.#write('save', () =>
      this.#db.query('INSERT INTO tokens (hash, principal, ticket_id, expires_at_ms) VALUES ($1, $2, $3, $4) ON CONFLICT (hash) DO NOTHING', [hash, JSON.stringify(principal), ticketId, expiresAt]),
    );
  }

  revoke(hash: Buffer): void {
    this.#write('revocation', () => this.#db.query('UPDATE tokens SET revoked = true WHERE hash = $1', [hash]));
  }

  revokeTicket(ticketId: string): void {
    this.#write('revocation', () => this.#db.query('UPDATE tokens SET revoked = true WHERE ticket_id = $1', [ticketId]));
  }

  async find(hash: Buffer): Promise<StoredToken | undefined> {
    // After this node's pending writes, so a token it just issued or revoked reads as it should.
    await this.#writes.settled();
    const [row] = await this.#db.query<{ principal: Principal; expires_at_ms: string | number; revoked: boolean }>('SELECT principal, expires_at_ms, revoked FROM tokens WHERE hash = $1', [hash]);
    return row ? { principal: row.principal, expiresAt: Number(row.expires_at_ms), revoked: row.revoked } : undefined;
  }

  /** Resolves once every write handed over so far is done (or its failure logged). */
  settled(): Promise<void> {
    return this.#writes.settled();
  }

  /** Deletes tokens that expired before `beforeMs`: they can never be valid again. */
  async deleteExpired(beforeMs: number): Promise<number> {
    return (await this.#db.query('DELETE FROM tokens WHERE expires_at_ms < $1 RETURNING 1', [beforeMs])).length;
  }

  #write(what: string, write: () => Promise<unknown>): void {
    this.#writes.run('tokens', write).catch((error: unknown) => this.#log.error(`a token ${what} was not stored`, error));
  }
}
