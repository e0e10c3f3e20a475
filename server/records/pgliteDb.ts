import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { RecordsDb, SqlRunner } from './RecordsDb.js';

/**
 * Opens embedded Postgres (PGlite, compiled to WebAssembly: no server, no native addon) on a data folder, created on
 * first use, or in memory when `dataDir` is undefined. PGlite does not stop a second process from opening the same
 * folder (which would corrupt it), so the folder is locked for as long as it is open.
 */
export async function openPglite(dataDir: string | undefined): Promise<RecordsDb> {
  const unlock = dataDir ? lockFolder(dataDir) : () => undefined;
  let db: PGlite;
  try {
    db = await PGlite.create(dataDir);
  } catch (error) {
    unlock();
    throw error;
  }
  const runner = (target: Pick<PGlite, 'query' | 'exec'>): SqlRunner => ({
    query: async <Row extends object>(sql: string, params: unknown[] = []) => (await target.query<Row>(sql, params)).rows,
    exec: async (sql: string) => void (await target.exec(sql)),
  });
  return {
    kind: 'pglite',
    where: dataDir ?? 'memory',
    ...runner(db),
    transaction: (work) => db.transaction((tx) => work(runner(tx))),
    close: () => db.close().finally(unlock),
  };
}

/**
 * Takes `<dir>.lock` (beside the folder, which PGlite creates) for this process; a lock left by a process that no longer
 * runs is taken over. Returns the release.
 */
function lockFolder(dir: string): () => void {
  const lock = `${path.resolve(dir)}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          unlinkSync(lock);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lock, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && running(holder)) {
        const who = holder === process.pid ? 'this process already' : `process ${holder}`;
        throw new Error(`the records folder ${dir} is open in ${who} (one process at a time; stop it first)`);
      }
      unlinkSync(lock);
    }
  }
  throw new Error(`cannot lock the records folder ${dir}`);
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
