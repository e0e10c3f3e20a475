import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TranscriptLine } from '../../signaling/index.js';
import { migrate, MIGRATIONS } from '../../server/records/migrations.js';
import { openPglite } from '../../server/records/pgliteDb.js';
import { openPostgres } from '../../server/records/postgresDb.js';
import type { RecordsDb } from '../../server/records/RecordsDb.js';
import { SqlTranscriptStore } from '../../server/records/SqlTranscriptStore.js';
import type { NewTranscriptLine } from '../../server/transcripts/TranscriptStore.js';
import { startPostgres, type PostgresProcess } from '../support/postgresServer.js';

/**
 * One backend of the records store as the contract sees it: a migrated database, and what a crash or restart of its
 * server does (the embedded one is closed and opened again on its folder; PostgreSQL is killed with SIGKILL).
 */
interface Backend {
  open(): Promise<RecordsDb>;
  restart(db: RecordsDb): Promise<RecordsDb>;
  stop(): Promise<void>;
}

async function pgliteBackend(): Promise<Backend> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'signline-pglite-'));
  // One folder for the whole file: creating one runs initdb in WebAssembly, seconds each. Tests use their own tickets.
  let db = await openPglite(dir);
  await migrate(db);
  return {
    open: async () => db,
    restart: async (old) => {
      await old.close();
      db = await openPglite(dir);
      await migrate(db);
      return db;
    },
    stop: async () => {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function postgresBackend(): Promise<Backend> {
  const server: PostgresProcess = await startPostgres();
  const opened: RecordsDb[] = [];
  const connect = async (url: string) => {
    const db = await openPostgres(url);
    opened.push(db);
    return db;
  };
  return {
    async open() {
      const name = `c_${randomUUID().replaceAll('-', '')}`;
      await server.createDatabase(name);
      const db = await connect(server.urlOf(name));
      await migrate(db);
      return db;
    },
    async restart(old) {
      const url = (old.where.match(/\/([^/]+)$/) ?? [])[1]!;
      await server.crashAndRestart();
      await old.close().catch(() => undefined);
      return connect(server.urlOf(url));
    },
    async stop() {
      for (const db of opened) await db.close().catch(() => undefined);
      await server.stop();
    },
  };
}

const line = (n: number, overrides: Partial<NewTranscriptLine> = {}): NewTranscriptLine => ({
  at: 1_796_000_000_000 + n,
  kind: 'chat',
  speaker: { role: n % 2 ? 'customer' : 'agent', name: n % 2 ? 'SL-4K7-Q2M' : 'Agent 王' },
  text: `line ${n}: 路由器 "quoted" ' ; DROP TABLE transcript_lines; --`,
  ...overrides,
});
const ticket = () => `SL-${randomUUID().slice(0, 8)}`;

describe.each([
  ['pglite', pgliteBackend],
  ['postgres', postgresBackend],
] as const)('the records store on %s', (_name, makeBackend) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await makeBackend();
  }, 120_000);
  afterAll(async () => {
    await backend?.stop();
  });

  it('migrates once: a second run applies nothing, and a schema newer than the code is refused', async () => {
    const db = await backend.open();
    expect(await migrate(db)).toEqual([]);
    const versions = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(versions.map((v) => v.version)).toEqual(MIGRATIONS.map((m) => m.version));
    await db.query("INSERT INTO schema_migrations (version, name) VALUES (9999, 'from the future')");
    try {
      await expect(migrate(db)).rejects.toThrow(/schema version 9999, newer than this server's/);
    } finally {
      await db.query('DELETE FROM schema_migrations WHERE version = 9999');
    }
  });

  it('rolls a failed transaction back whole', async () => {
    const db = await backend.open();
    const id = ticket();
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO transcript_lines (ticket_id, seq, at_ms, kind, speaker, body) VALUES ($1, 1, 0, 'chat', '{}', 'x')", [id]);
        throw new Error('half way');
      }),
    ).rejects.toThrow('half way');
    expect(await new SqlTranscriptStore(db).lines(id)).toEqual([]);
  });

  it('keeps each ticket’s transcript in the order it was recorded, numbered from 1, text and speaker exactly as given', async () => {
    const store = new SqlTranscriptStore(await backend.open());
    const [first, second] = [ticket(), ticket()];
    const event = line(3, { kind: 'event', text: 'Agent 王 joined', event: 'joined' });
    const stored: TranscriptLine[] = [];
    stored.push(await store.append(first, line(1)));
    stored.push(await store.append(second, line(2)));
    stored.push(await store.append(first, event));
    expect(stored.map((l) => l.seq)).toEqual([1, 1, 2]);
    expect(await store.lines(first)).toEqual([
      { ...line(1), seq: 1 },
      { ...event, seq: 2 },
    ]);
    expect(await store.lines(second)).toEqual([{ ...line(2), seq: 1 }]);
    expect(await store.lines('SL-NOPE')).toEqual([]);
  });

  it('numbers lines appended at once, from this node and from another, without gaps or clashes, this node’s in call order', async () => {
    const db = await backend.open();
    const [here, there] = [new SqlTranscriptStore(db), new SqlTranscriptStore(db)];
    const id = ticket();
    const mine = Array.from({ length: 40 }, (_, i) => here.append(id, line(i, { text: `here ${i}` })));
    const theirs = Array.from({ length: 20 }, (_, i) => there.append(id, line(i, { text: `there ${i}` })));
    await Promise.all([...mine, ...theirs]);
    const lines = await here.lines(id);
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const hereInOrder = lines.filter((l) => l.text.startsWith('here')).map((l) => l.text);
    expect(hereInOrder).toEqual(Array.from({ length: 40 }, (_, i) => `here ${i}`));
  });

  it('keeps every line it acknowledged when its server stops at once and comes back', async () => {
    const db = await backend.open();
    const id = ticket();
    const store = new SqlTranscriptStore(db);
    for (let n = 1; n <= 5; n++) await store.append(id, line(n));
    const back = await backend.restart(db);
    expect((await new SqlTranscriptStore(back).lines(id)).map((l) => l.seq)).toEqual([1, 2, 3, 4, 5]);
  });
});
