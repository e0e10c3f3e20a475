/** Runs one SQL statement with `$1`-style parameters and returns its rows. */
export interface SqlRunner {
  query<Row extends object>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a script of several statements, without parameters (a migration). */
  exec(sql: string): Promise<void>;
}

/**
 * The records database: embedded PGlite or PostgreSQL, with one schema (`migrations.ts`). Everything durable about a
 * ticket goes through it.
 */
export interface RecordsDb extends SqlRunner {
  /** `pglite` (embedded, a data folder) or `postgres` (`DATABASE_URL`). */
  readonly kind: 'pglite' | 'postgres';
  /** Where the records live, for logs: the folder, or the URL without its password. */
  readonly where: string;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
