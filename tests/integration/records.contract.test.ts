import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TranscriptLine } from '../../signaling/index.js';
import { migrate, MIGRATIONS } from '../../server/records/migrations.js';
import { openPglite } from '../../server/records/pgliteDb.js';
import { openPostgres } from '../../server/records/postgresDb.js';
import type { RecordsDb } from '../../server/records/RecordsDb.js';
import { deleteExpired, masterKeysInUse, rewrapAll } from '../../server/records/maintenance.js';
import { Keyring, newMasterKeyText, parseMasterKey } from '../../server/records/sealing.js';
import { SqlTicketJournal } from '../../server/records/SqlTicketJournal.js';
import { SqlTokenStore } from '../../server/records/SqlTokenStore.js';
import { TokenRegistry as Tokens } from '../../server/auth/TokenRegistry.js';
import { DataKeys } from '../../server/records/DataKeys.js';
import { SqlTranscriptStore } from '../../server/records/SqlTranscriptStore.js';
import { createLogger } from '../../server/logger.js';
import { TicketRegistry, TicketState } from '../../server/tickets/TicketRegistry.js';
import { ErrorCode } from '../../signaling/index.js';
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
const masterKey = () => parseMasterKey(newMasterKeyText());
const firstKey = masterKey();
const keyring = new Keyring([firstKey]);
const storeOn = (db: RecordsDb, keys: Keyring = keyring) => new SqlTranscriptStore(db, new DataKeys(keys));

/** Every byte the database holds for these tables, as text: what someone with a copy of the database files would see. */
async function rawText(db: RecordsDb): Promise<string> {
  const rows = await db.query<Record<string, unknown>>(
    "SELECT k.*, l.* FROM record_keys k LEFT JOIN transcript_lines l USING (ticket_id)",
  );
  return rows
    .flatMap((row) => Object.values(row).map((value) => (value instanceof Uint8Array ? Buffer.from(value).toString('latin1') + Buffer.from(value).toString('utf8') : JSON.stringify(value))))
    .join('\n');
}

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
        await tx.query("INSERT INTO record_keys (ticket_id, master_key_id, wrapped) VALUES ($1, 'k', '\\x00')", [id]);
        throw new Error('half way');
      }),
    ).rejects.toThrow('half way');
    expect(await db.query('SELECT 1 FROM record_keys WHERE ticket_id = $1', [id])).toEqual([]);
  });

  it('keeps each ticket’s transcript in the order it was recorded, numbered from 1, text and speaker exactly as given', async () => {
    const store = storeOn(await backend.open());
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
    const [here, there] = [storeOn(db), storeOn(db)];
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
    const store = storeOn(db);
    for (let n = 1; n <= 5; n++) await store.append(id, line(n));
    const back = await backend.restart(db);
    expect((await storeOn(back).lines(id)).map((l) => l.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps every change of a ticket in order, with time and actor, and the ticket as it is now', async () => {
    const db = await backend.open();
    const journal = new SqlTicketJournal(db, createLogger('error'));
    let clock = 1_796_000_000_000;
    const tickets = new TicketRegistry({ journal, now: () => ++clock });
    const opened = tickets.open({ mode: 'csl', category: 'hardware', topic: 'my secret topic', device: 'phone', needs: { captions: false } } as never);
    tickets.inCall(opened.id, 'session-1', 'alice');
    tickets.escalated(opened.id, 'alice', 2, 'warm');
    tickets.handedOver(opened.id, 'alice', 'tess');
    tickets.escalated(opened.id, 'tess', 3, 'cold');
    tickets.requeued(opened.id, 'tess', 'csl');
    tickets.close(opened.id, TicketState.Abandoned, 'customer', { reason: 'left' });
    await journal.settled();

    const history = await journal.history(opened.id);
    expect(history.map((e) => [e.seq, e.kind, e.actor, e.detail])).toEqual([
      [1, 'opened', 'customer', { queue: 'csl', category: 'hardware' }],
      [2, 'in-call', 'agent:alice', { sessionId: 'session-1' }],
      [3, 'escalated', 'agent:alice', { tier: 2, how: 'warm' }],
      [4, 'handed-over', 'agent:alice', { to: 'tess' }],
      [5, 'escalated', 'agent:tess', { tier: 3, how: 'cold' }],
      [6, 'transferred', 'agent:tess', { queue: 'csl' }],
      [7, 'abandoned', 'customer', { reason: 'left' }],
    ]);
    expect(history.map((e) => e.at)).toEqual([...history.map((e) => e.at)].sort((a, b) => a - b));
    expect(await journal.find(opened.id)).toMatchObject({ id: opened.id, status: 'abandoned', queue: 'csl', mode: 'csl', device: 'phone', agentId: 'tess', sessionId: 'session-1', createdAt: opened.createdAt });
    // The customer's words are not among the ticket's plain columns or events.
    expect(JSON.stringify(await db.query('SELECT t.*, e.* FROM tickets t JOIN ticket_events e ON e.ticket_id = t.id WHERE t.id = $1', [opened.id]))).not.toContain('secret topic');
    expect(await journal.find('SL-NONE')).toBeUndefined();
  });

  it('gives back the tickets still being served, with their requests sealed, and refuses a tampered request', async () => {
    const db = await backend.open();
    const journal = new SqlTicketJournal(db, createLogger('error'), new DataKeys(keyring));
    const tickets = new TicketRegistry({ journal });
    const request = { mode: 'csl', category: 'hardware', topic: "my router'); DROP TABLE tickets; --", device: 'phone', needs: { captions: true }, locale: 'zh-CN' } as const;
    const waiting = tickets.open(request);
    const inCall = tickets.open({ ...request, topic: '手表无法配对' });
    tickets.inCall(inCall.id, 'session-1', 'alice');
    const done = tickets.open(request);
    tickets.close(done.id, TicketState.Ended);
    const called = tickets.open(request);
    tickets.callbackScheduled(called.id);
    await journal.settled();

    const reopened = await backend.restart(db);
    const live = await new SqlTicketJournal(reopened, createLogger('error'), new DataKeys(keyring)).live();
    const ours = live.filter((t) => [waiting.id, inCall.id, done.id, called.id].includes(t.id));
    expect(ours).toHaveLength(3);
    // Oldest first; the two opened within the same millisecond may come in either order.
    expect(ours).toEqual(expect.arrayContaining([
      { id: waiting.id, request, state: 'queued', queue: 'csl', createdAt: waiting.createdAt },
      { id: inCall.id, request: { ...request, topic: '手表无法配对' }, state: 'in-call', queue: 'csl', createdAt: inCall.createdAt, sessionId: 'session-1', agentId: 'alice' },
      { id: called.id, request, state: 'queued', queue: 'csl', createdAt: called.createdAt, callback: { attempts: 0 } },
    ]));
    const raw = JSON.stringify(await reopened.query('SELECT r.*, t.* FROM ticket_requests r JOIN tickets t ON t.id = r.ticket_id'));
    expect(raw).not.toContain('DROP TABLE');
    expect(raw).not.toContain('手表');
    await reopened.query("UPDATE ticket_requests SET sealed = set_byte(sealed, 20, get_byte(sealed, 20) # 1) WHERE ticket_id = $1", [waiting.id]);
    await expect(new SqlTicketJournal(reopened, createLogger('error'), new DataKeys(keyring)).live()).rejects.toMatchObject({ code: ErrorCode.RecordTampered });
  });

  it('keeps tokens across a restart by their hash only, refuses revoked and expired ones, and sweeps the expired', async () => {
    const db = await backend.open();
    let clock = Date.now();
    const node = () => {
      const store = new SqlTokenStore(db, createLogger('error'));
      return { store, tokens: new Tokens({ ttlMs: 60_000, now: () => clock, store }) };
    };
    const before = node();
    const agent = { role: 'agent' as const, agent: { id: 'alice', name: 'Alice', modes: ['csl' as const] }, skills: { csl: 4 } };
    const agentToken = before.tokens.issue(agent);
    const customerToken = before.tokens.issue({ role: 'customer', ticketId: 'SL-TOK-ENS' });
    await before.store.settled();
    expect(JSON.stringify(await db.query('SELECT * FROM tokens'))).not.toContain(agentToken);

    // A restarted node knows both.
    const after = node();
    expect(await after.tokens.resolve(agentToken)).toEqual(agent);
    expect(await after.tokens.resolve(customerToken)).toEqual({ role: 'customer', ticketId: 'SL-TOK-ENS' });
    expect(await after.tokens.resolve('not-a-token')).toBeUndefined();

    // The ticket ends: its token is refused by this node at once, and by any node started after.
    after.tokens.revokeTicket('SL-TOK-ENS');
    expect(await after.tokens.resolve(customerToken)).toBeUndefined();
    await after.store.settled();
    expect(await node().tokens.resolve(customerToken)).toBeUndefined();
    expect(await node().tokens.resolve(agentToken)).toEqual(agent);

    // Past its lifetime a token is refused everywhere, and the sweep deletes it.
    clock += 61_000;
    expect(await node().tokens.resolve(agentToken)).toBeUndefined();
    expect(await after.store.deleteExpired(clock)).toBeGreaterThanOrEqual(2);
    expect(await db.query('SELECT 1 FROM tokens WHERE expires_at_ms < $1', [clock])).toEqual([]);
  });

  it('holds no plaintext: the words and who said them are sealed, each ticket under its own data key', async () => {
    const db = await backend.open();
    const store = storeOn(db);
    const [first, second] = [ticket(), ticket()];
    await store.append(first, line(1, { text: 'my router password is hunter2-路由器', speaker: { role: 'customer', name: 'Wang Xiaoming' } }));
    await store.append(second, line(2, { text: 'second ticket words' }));
    const raw = await rawText(db);
    for (const secret of ['hunter2', '路由器', 'Wang Xiaoming', 'second ticket words']) expect(raw).not.toContain(secret);
    const wrapped = await db.query<{ wrapped: Uint8Array }>('SELECT wrapped FROM record_keys WHERE ticket_id = ANY($1)', [[first, second]]);
    expect(wrapped).toHaveLength(2);
    expect(Buffer.from(wrapped[0]!.wrapped).equals(Buffer.from(wrapped[1]!.wrapped))).toBe(false);
    expect((await store.lines(first))[0]!.text).toBe('my router password is hunter2-路由器');
  });

  it('refuses a tampered or moved line with a coded error, and changes nothing', async () => {
    const db = await backend.open();
    const id = ticket();
    await storeOn(db).append(id, line(1));
    await storeOn(db).append(id, line(2));
    // One bit flipped in storage.
    await db.query('UPDATE transcript_lines SET sealed = set_byte(sealed, 20, get_byte(sealed, 20) # 1) WHERE ticket_id = $1 AND seq = 1', [id]);
    await expect(storeOn(db).lines(id)).rejects.toMatchObject({ code: ErrorCode.RecordTampered });
    // A whole line copied over another: it opens only in its own place.
    const other = ticket();
    await storeOn(db).append(other, line(3));
    await db.query('UPDATE transcript_lines SET sealed = (SELECT sealed FROM transcript_lines WHERE ticket_id = $1 AND seq = 2) WHERE ticket_id = $2 AND seq = 1', [id, other]);
    await expect(storeOn(db).lines(other)).rejects.toThrow(`transcript:${other}:1 failed its integrity check`);
    expect(await db.query('SELECT seq FROM transcript_lines WHERE ticket_id = $1 ORDER BY seq', [id])).toEqual([{ seq: 1 }, { seq: 2 }]);
  });

  it('rewraps every data key under a new master key, after which the old one can go', async () => {
    const db = await backend.open();
    const ids = [ticket(), ticket(), ticket()];
    for (const id of ids) await storeOn(db).append(id, line(1, { text: `words of ${id}` }));
    const newer = masterKey();
    const rotating = new Keyring([newer, firstKey]);
    const rewrapped = await rewrapAll(db, rotating);
    expect(rewrapped).toBeGreaterThanOrEqual(3);
    expect([...(await masterKeysInUse(db)).keys()]).toEqual([newer.id]);
    const onlyNewer = new Keyring([newer]);
    for (const id of ids) expect((await storeOn(db, onlyNewer).lines(id))[0]!.text).toBe(`words of ${id}`);
    await expect(storeOn(db, new Keyring([firstKey])).lines(ids[0]!)).rejects.toThrow(`wrapped by master key ${newer.id}, which is not configured`);
    // Put back for the other tests, which share the database on PGlite.
    await rewrapAll(db, new Keyring([firstKey, newer]));
  });

  it('deletes the records of tickets with nothing newer than the retention limit, and keeps the rest', async () => {
    const db = await backend.open();
    const [old, mixed, recent] = [ticket(), ticket(), ticket()];
    const now = Date.now();
    const day = 86_400_000;
    await storeOn(db).append(old, line(1, { at: now - 40 * day }));
    await storeOn(db).append(mixed, line(1, { at: now - 40 * day }));
    await storeOn(db).append(mixed, line(2, { at: now - day }));
    await storeOn(db).append(recent, line(1, { at: now }));
    // Their key rows are new: age them as if made when the first line was.
    await db.query("UPDATE record_keys SET created_at = now() - interval '40 days' WHERE ticket_id = ANY($1)", [[old, mixed, recent]]);
    expect(await deleteExpired(db, now - 30 * day)).toBeGreaterThanOrEqual(1);
    expect(await storeOn(db).lines(old)).toEqual([]);
    expect(await db.query('SELECT 1 FROM transcript_lines WHERE ticket_id = $1', [old])).toEqual([]);
    expect(await storeOn(db).lines(mixed)).toHaveLength(2);
    expect(await storeOn(db).lines(recent)).toHaveLength(1);
  });

  it('starts a ticket’s transcript again under a new key when retention deleted it under a writer that still knew its key', async () => {
    const db = await backend.open();
    const store = storeOn(db);
    const id = ticket();
    const day = 86_400_000;
    // Three lines: the third is written the one-statement way, with the key and next number this store remembers.
    for (let n = 1; n <= 3; n++) await store.append(id, line(n, { at: Date.now() - 40 * day }));
    const [before] = await db.query<{ wrapped: Uint8Array }>('SELECT wrapped FROM record_keys WHERE ticket_id = $1', [id]);
    await db.query("UPDATE record_keys SET created_at = now() - interval '40 days' WHERE ticket_id = $1", [id]);
    expect(await deleteExpired(db, Date.now() - 30 * day)).toBeGreaterThanOrEqual(1);
    const again = await store.append(id, line(4));
    expect(again.seq).toBe(1);
    const [after] = await db.query<{ wrapped: Uint8Array }>('SELECT wrapped FROM record_keys WHERE ticket_id = $1', [id]);
    expect(Buffer.from(after!.wrapped).equals(Buffer.from(before!.wrapped))).toBe(false);
    // Another node, which never held the old key, reads the new line.
    expect(await storeOn(db).lines(id)).toEqual([{ ...line(4), seq: 1 }]);
  });
});

describe('the embedded records folder', () => {
  it('is open in one process at a time: a second open is refused with who holds it, a stale lock is taken over', async () => {
    const dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'signline-pglite-')), 'records');
    try {
      const db = await openPglite(dir);
      await expect(openPglite(dir)).rejects.toThrow(`the records folder ${dir} is open in this process already`);
      await db.close();
      // A process that died with the folder open leaves its lock behind; the next start takes it over.
      await writeFile(`${dir}.lock`, '2147483646');
      const again = await openPglite(dir);
      expect(await again.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      await again.close();
      await expect(readFile(`${dir}.lock`)).rejects.toThrow(/ENOENT/);
    } finally {
      await rm(path.dirname(dir), { recursive: true, force: true });
    }
  }, 60_000);
});
