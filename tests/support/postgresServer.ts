import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './freePort.js';

/**
 * A real PostgreSQL (Debian's) in a temporary folder on a free loopback port: for tests fsync off, so it survives its own
 * crash (SIGKILL), not the machine's; `durable` keeps PostgreSQL's defaults (fsync, full-page writes), as benchmarks need.
 */
export interface PostgresProcess {
  /** URL of its `postgres` database, as user `signline` (trusted, no password). */
  url: string;
  /** The URL of another database on the same server. */
  urlOf(database: string): string;
  /** Creates a database, copied from `template` when given. */
  createDatabase(name: string, template?: string): Promise<void>;
  /** Kills the server at once (SIGKILL, as a crash) and starts it again on the same folder and port. */
  crashAndRestart(): Promise<void>;
  /** Stops the server and removes its folder. Idempotent. */
  stop(): Promise<void>;
}

/** Debian's newest PostgreSQL server binaries (`postgresql` package), or `PG_BIN` when set. */
function binDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin/postgres'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('PostgreSQL is not installed (apt-get install postgresql, or run "npm run setup")');
  return path.join(root, newest, 'bin');
}

/** PostgreSQL refuses to run as root: as root, the server runs as Debian's `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid === 0) throw new Error('running as root, PostgreSQL needs the "postgres" user (apt-get install postgresql)');
  return { uid, gid };
}

/** How the server is started. */
export interface PostgresOptions {
  /** PostgreSQL's own durability (fsync and full-page writes on) instead of the tests' fsync off; default false. */
  durable?: boolean;
  /** Ports tried before giving up; default 3. */
  attempts?: number;
}

/** Starts PostgreSQL and resolves once it accepts connections; retries when another process took the port first. */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresProcess> {
  const { durable = false, attempts = 3 } = options;
  const bin = binDir();
  const user = runAs();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'signline-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  const init = spawnSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'signline', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], { encoding: 'utf8', ...user });
  if (init.status !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr || init.error?.message}`);
  }
  let port = 0;
  let child: ChildProcess | undefined;
  const launch = async () => {
    const fast = durable ? [] : ['-c', 'fsync=off', '-c', 'full_page_writes=off'];
    const args = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', ...fast, '-c', 'max_connections=200'];
    // Its own process group, so that a crash can take the server's backends down with it, as a machine crash would.
    child = spawn(path.join(bin, 'postgres'), args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true, ...user });
    await ready(child);
  };
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await launch();
      break;
    } catch (error) {
      child?.kill('SIGKILL');
      if (attempt >= attempts) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  const urlOf = (database: string) => `postgres://signline@127.0.0.1:${port}/${database}`;
  const exited = (process: ChildProcess) => new Promise<void>((resolve) => (process.exitCode !== null || process.signalCode !== null ? resolve() : process.once('exit', () => resolve())));
  let stopping: Promise<void> | undefined;
  return {
    url: urlOf('postgres'),
    urlOf,
    async createDatabase(name, template) {
      const client = new pg.Client({ connectionString: urlOf('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}${template ? ` TEMPLATE ${pg.escapeIdentifier(template)}` : ''}`);
      } finally {
        await client.end();
      }
    },
    async crashAndRestart() {
      const group = child!.pid!;
      // SIGKILL to the postmaster alone leaves its backends holding the shared memory, and a new postmaster would
      // refuse to start beside them: kill the whole group and wait until none of it is left.
      process.kill(-group, 'SIGKILL');
      await exited(child!);
      for (let i = 0; i < 200 && groupAlive(group); i++) await new Promise((resolve) => setTimeout(resolve, 25));
      await launch();
    },
    stop: () =>
      (stopping ??= (async () => {
        if (child) {
          // SIGINT: PostgreSQL's fast shutdown (clients are disconnected, no waiting for them).
          child.kill('SIGINT');
          await exited(child);
        }
        await rm(dir, { recursive: true, force: true });
      })()),
  };
}

function groupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.once('error', (error) => reject(new Error(`cannot start postgres: ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`postgres exited with ${code}: ${output.slice(-500)}`)));
    child.stderr!.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-5000);
      if (output.includes('ready to accept connections')) resolve();
    });
  });
}
