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

/** SQLSTATEs the writers recover from: another writer took the row's key, or the row a foreign key needs is gone. */
export const SqlState = { UniqueViolation: '23505', ForeignKeyViolation: '23503' } as const;

/** The SQLSTATE of a database error (both backends carry it as `code`), or undefined for any other error. */
export function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
