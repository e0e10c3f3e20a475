import { PGlite } from '@electric-sql/pglite';
import type { RecordsDb, SqlRunner } from './RecordsDb.js';

/**
 * Opens embedded Postgres (PGlite, compiled to WebAssembly: no server, no native addon) on a data folder, created on
 * first use, or in memory when `dataDir` is undefined. One process at a time may open a folder.
 */
export async function openPglite(dataDir: string | undefined): Promise<RecordsDb> {
  const db = await PGlite.create(dataDir);
  const runner = (target: Pick<PGlite, 'query' | 'exec'>): SqlRunner => ({
    query: async <Row extends object>(sql: string, params: unknown[] = []) => (await target.query<Row>(sql, params)).rows,
    exec: async (sql: string) => void (await target.exec(sql)),
  });
  return {
    kind: 'pglite',
    where: dataDir ?? 'memory',
    ...runner(db),
    transaction: (work) => db.transaction((tx) => work(runner(tx))),
    close: () => db.close(),
  };
}
