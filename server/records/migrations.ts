import type { RecordsDb } from './RecordsDb.js';

/** One step of the records schema. Steps are applied in order, once each, and never edited after they ship. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The records schema, oldest first. Add a step at the end to change it. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'sealed transcripts',
    // Each ticket's records are sealed with a data key of its own (AES-256-GCM), stored wrapped by a master key whose
    // id is kept beside it; deleting a ticket's key row deletes its lines and leaves nothing readable anywhere.
    sql: `
      CREATE TABLE record_keys (
        ticket_id text PRIMARY KEY,
        master_key_id text NOT NULL,
        wrapped bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX record_keys_master ON record_keys (master_key_id);
      CREATE TABLE transcript_lines (
        ticket_id text NOT NULL REFERENCES record_keys (ticket_id) ON DELETE CASCADE,
        seq integer NOT NULL CHECK (seq > 0),
        at_ms bigint NOT NULL,
        kind text NOT NULL,
        event text,
        sealed bytea NOT NULL,
        PRIMARY KEY (ticket_id, seq)
      );`,
  },
  {
    version: 2,
    name: 'ticket history',
    // A ticket's state now and every change that led to it, with time and actor. Nothing the customer wrote is here
    // (their words are in the sealed transcript).
    sql: `
      CREATE TABLE tickets (
        id text PRIMARY KEY,
        status text NOT NULL,
        queue text NOT NULL,
        mode text NOT NULL,
        device text NOT NULL,
        created_at_ms bigint NOT NULL,
        updated_at_ms bigint NOT NULL,
        session_id text,
        agent_id text
      );
      CREATE INDEX tickets_status ON tickets (status, updated_at_ms);
      CREATE TABLE ticket_events (
        ticket_id text NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
        seq integer NOT NULL CHECK (seq > 0),
        at_ms bigint NOT NULL,
        actor text NOT NULL,
        kind text NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (ticket_id, seq)
      );`,
  },
  {
    version: 3,
    name: 'tokens',
    // Bearer tokens by the SHA-256 of the token (the token itself is never stored), so sign-ins and customers' tokens
    // outlive a restart of the node, and a revocation holds on every node.
    sql: `
      CREATE TABLE tokens (
        hash bytea PRIMARY KEY,
        principal jsonb NOT NULL,
        ticket_id text,
        expires_at_ms bigint NOT NULL,
        revoked boolean NOT NULL DEFAULT false
      );
      CREATE INDEX tokens_ticket ON tokens (ticket_id) WHERE ticket_id IS NOT NULL;
      CREATE INDEX tokens_expiry ON tokens (expires_at_ms);`,
  },
  {
    version: 4,
    name: 'ticket requests',
    // What the customer asked for (topic, device, mode, needs), sealed under the ticket's data key: a node that
    // restarts puts the tickets it was serving back in line with it. The key's row owns it, so retention removes it.
    sql: `
      CREATE TABLE ticket_requests (
        ticket_id text PRIMARY KEY REFERENCES record_keys (ticket_id) ON DELETE CASCADE,
        sealed bytea NOT NULL
      );`,
  },
  {
    version: 5,
    name: 'ticket progress and surveys',
    // A ticket's secret (the key to its progress page and survey) only as its SHA-256, like tokens. One survey per
    // ticket by its key; the rating and "solved" stay plain for CSAT, the customer's comment is sealed under the
    // ticket's data key (record_keys) like its transcript. Queue and agent are copied in so CSAT needs no join.
    sql: `
      CREATE TABLE ticket_access (
        ticket_id text PRIMARY KEY,
        secret_hash bytea NOT NULL,
        created_at_ms bigint NOT NULL
      );
      CREATE TABLE surveys (
        ticket_id text PRIMARY KEY,
        queue text NOT NULL,
        agent_id text,
        rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
        solved boolean NOT NULL,
        comment_sealed bytea,
        at_ms bigint NOT NULL
      );
      CREATE INDEX surveys_agent ON surveys (agent_id) WHERE agent_id IS NOT NULL;`,
  },
  {
    version: 6,
    name: 'wrap-ups',
    // One wrap-up per ticket, opened when the call that ends the ticket ends and filled in once by its agent. The
    // disposition and follow-up stay plain for reports; the agent's summary is sealed under the ticket's data key
    // (record_keys) like its transcript, since it retells what the customer said.
    sql: `
      CREATE TABLE wrap_ups (
        ticket_id text PRIMARY KEY,
        agent_id text NOT NULL,
        session_id text NOT NULL,
        opened_at_ms bigint NOT NULL,
        due_at_ms bigint NOT NULL,
        disposition text CHECK (disposition IN ('resolved', 'workaround', 'escalated', 'follow-up', 'not-resolved', 'no-contact')),
        summary_sealed bytea,
        follow_up boolean,
        submitted_at_ms bigint
      );
      CREATE INDEX wrap_ups_follow_up ON wrap_ups (submitted_at_ms) WHERE follow_up;`,
  },
];

/** Any fixed number: nodes starting at once take this lock so only one of them migrates. */
const MIGRATION_LOCK = 7_301_946;

/**
 * Brings the database's schema up to date, each step in its own transaction with its record in `schema_migrations`;
 * returns the versions it applied. Refuses a database whose schema is newer than this code.
 */
export async function migrate(db: RecordsDb, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied: number[] = [];
  for (const migration of migrations) {
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      if ((await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version])).length > 0) return false;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  const [newest] = await db.query<{ version: number }>('SELECT max(version) AS version FROM schema_migrations');
  const known = migrations.at(-1)?.version ?? 0;
  if (newest && newest.version > known) {
    throw new Error(`the records database has schema version ${newest.version}, newer than this server's ${known}: upgrade the server`);
  }
  return applied;
}
