import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';
import { migrate } from './migrations.js';
import { openPglite } from './pgliteDb.js';
import { openPostgres } from './postgresDb.js';
import type { RecordsDb } from './RecordsDb.js';

/** Where the records live: PostgreSQL when `databaseUrl` is set, else embedded PGlite in `dir` (`memory`: in memory). */
export interface RecordsLocation {
  databaseUrl?: string | undefined;
  dir: string;
}

/** Opens the records database the configuration names and brings its schema up to date. */
export async function openRecords(location: RecordsLocation, log: Logger): Promise<RecordsDb> {
  let db: RecordsDb;
  if (location.databaseUrl) {
    db = await openPostgres(location.databaseUrl);
  } else if (location.dir === 'memory') {
    log.warn('records: in memory (RECORDS_DIR=memory), lost when the server stops');
    db = await openPglite(undefined);
  } else {
    const dir = path.resolve(location.dir);
    const fresh = !existsSync(path.join(dir, 'PG_VERSION'));
    // Creating the embedded database runs initdb inside WebAssembly: seconds, once per folder.
    if (fresh) log.info(`records: creating the embedded database in ${dir} (once; this takes several seconds)...`);
    await mkdir(dir, { recursive: true });
    db = await openPglite(dir);
  }
  try {
    const applied = await migrate(db);
    log.info(`records: ${db.kind} at ${db.where}${applied.length ? `, schema migrated to version ${applied.at(-1)}` : ''}`);
    return db;
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}
