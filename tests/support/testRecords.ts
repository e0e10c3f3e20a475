import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../server/records/migrations.js';
import { openPglite } from '../../server/records/pgliteDb.js';
import { openPostgres } from '../../server/records/postgresDb.js';
import type { RecordsDb } from '../../server/records/RecordsDb.js';

/** Set by the tests' global setup: the URL of the run's PostgreSQL, which holds a migrated template database. */
export const TEST_POSTGRES_ENV = 'SIGNLINE_TEST_POSTGRES';
/** The migrated, empty database each test database is copied from. */
export const TEMPLATE_DATABASE = 'signline_template';

/** The URL of another database on the server of `url`. */
export function databaseUrl(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * A new, empty, migrated records database of its own for one test server: a copy of the template on the run's
 * PostgreSQL (milliseconds), or, outside a test run (benchmarks), embedded PGlite in memory (seconds: initdb in
 * WebAssembly).
 */
export async function freshRecords(): Promise<RecordsDb> {
  if (!process.env[TEST_POSTGRES_ENV]) {
    const db = await openPglite(undefined);
    await migrate(db);
    return db;
  }
  return openPostgres(await freshDatabaseUrl(), { max: 4 });
}

/** The URL of a new, empty, migrated database on the run's PostgreSQL, for server nodes started as processes. */
export async function freshDatabaseUrl(): Promise<string> {
  const server = process.env[TEST_POSTGRES_ENV];
  if (!server) throw new Error(`${TEST_POSTGRES_ENV} is not set: run the tests with vitest (its global setup starts PostgreSQL)`);
  const name = `t_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  return databaseUrl(server, name);
}
