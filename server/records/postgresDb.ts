import pg from 'pg';
import type { RecordsDb, SqlRunner } from './RecordsDb.js';

/** Connects to PostgreSQL (`DATABASE_URL`) with a small pool; fails with a clear message when it cannot connect. */
export async function openPostgres(url: string, options: { max?: number } = {}): Promise<RecordsDb> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
  // An idle client that loses its server (a restart) is dropped by the pool; without a listener the error would be thrown.
  pool.on('error', () => undefined);
  const where = redacted(url);
  try {
    (await pool.connect()).release();
  } catch (error) {
    await pool.end();
    throw new Error(`cannot connect to the records database at ${where}: ${(error as Error).message}`);
  }
  const query = async <Row extends object>(runner: pg.Pool | pg.PoolClient, sql: string, params: unknown[] = []) =>
    (await runner.query<Row & pg.QueryResultRow>(sql, params)).rows;
  return {
    kind: 'postgres',
    where,
    query: (sql, params) => query(pool, sql, params),
    exec: async (sql) => void (await pool.query(sql)),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx: SqlRunner = { query: (sql, params) => query(client, sql, params), exec: async (sql) => void (await client.query(sql)) };
        const result = await work(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** The URL without its password, fit for a log line. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured DATABASE_URL';
  }
}
