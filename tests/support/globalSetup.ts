import { existsSync } from 'node:fs';
import { loadConfig } from '../../server/config.js';
import { migrate } from '../../server/records/migrations.js';
import { openPostgres } from '../../server/records/postgresDb.js';
import { startPostgres } from './postgresServer.js';
import { databaseUrl, TEMPLATE_DATABASE, TEST_POSTGRES_ENV } from './testRecords.js';

/**
 * Fails the run early, with the fix, when setup has not been run; then starts the run's PostgreSQL with a migrated
 * template database that every test server copies (`freshRecords`), and stops it after the run.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const config = loadConfig({});
  const missing = [config.MEDIASOUP_WORKER_BIN, `${config.CLIENT_DIR}/support.html`].filter((file) => !existsSync(file));
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}: run "npm run setup" first`);

  const postgres = await startPostgres();
  try {
    await postgres.createDatabase(TEMPLATE_DATABASE);
    const template = await openPostgres(databaseUrl(postgres.url, TEMPLATE_DATABASE), { max: 1 });
    await migrate(template).finally(() => template.close());
  } catch (error) {
    await postgres.stop();
    throw error;
  }
  // Test files run in child processes started after this, which inherit the environment.
  process.env[TEST_POSTGRES_ENV] = postgres.url;
  return () => postgres.stop();
}
