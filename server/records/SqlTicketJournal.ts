import type { Logger } from '../logger.js';
import type { Ticket, TicketChange, TicketJournal } from '../tickets/TicketRegistry.js';
import { queueJoinSchema, type QueueName } from '../../signaling/index.js';
import { TicketState } from '../tickets/TicketRegistry.js';
import type { DataKeys } from './DataKeys.js';
import { KeyedChain } from './KeyedChain.js';
import { seal, unseal } from './sealing.js';
import type { RecordsDb, SqlRunner } from './RecordsDb.js';

/** One change of a ticket as the records keep it. */
export interface TicketEvent {
  seq: number;
  at: number;
  /** `customer`, `agent:<id>` or `system`. */
  actor: string;
  kind: TicketChange['kind'];
  detail: Record<string, unknown>;
}

/** A ticket as the records keep it: where it is now. */
export interface TicketRow {
  id: string;
  status: string;
  queue: string;
  mode: string;
  device: string;
  createdAt: number;
  updatedAt: number;
  sessionId: string | null;
  agentId: string | null;
}

/** Hears each change of a ticket once it is written: the ticket's status then, and the event with its number. */
export type RecordedListener = (ticketId: string, status: Ticket['state'], event: TicketEvent) => void;

/**
 * Writes every change of every ticket to the records: the ticket's row as it is now and an event with time and actor.
 * Writes for one ticket go one after another in the order of the changes; the registry does not wait for them (a
 * slow database never holds up a call), and a failed write is logged with what was lost.
 */
export class SqlTicketJournal implements TicketJournal {
  readonly #db: RecordsDb;
  readonly #log: Logger;
  readonly #writes = new KeyedChain();
  readonly #listeners: RecordedListener[] = [];

  /** With keys, each ticket's request is kept too (sealed), so that `live()` can give the tickets back after a restart. */
  readonly #keys: DataKeys | undefined;

  constructor(db: RecordsDb, log: Logger, keys?: DataKeys) {
    this.#db = db;
    this.#log = log;
    this.#keys = keys;
  }

  record(ticket: Ticket, change: TicketChange, at: number): void {
    const snapshot = { ...ticket };
    this.#writes
      .run(ticket.id, () => this.#write(snapshot, change, at))
      .then((event) => {
        for (const listener of this.#listeners) listener(snapshot.id, snapshot.state, event);
      })
      .catch((error: unknown) => this.#log.error(`ticket ${ticket.id}: its ${change.kind} change was not recorded`, error));
  }

  /** Calls `listener` after each change is written (so a reader of the records finds it there), in order per ticket. */
  onRecorded(listener: RecordedListener): void {
    this.#listeners.push(listener);
  }

  /** Resolves once every change recorded so far is written (or has failed, which is logged). */
  settled(): Promise<void> {
    return this.#writes.settled();
  }

  async find(id: string): Promise<TicketRow | undefined> {
    const [row] = await this.#db.query<Record<string, unknown>>('SELECT * FROM tickets WHERE id = $1', [id]);
    if (!row) return undefined;
    return {
      id: row.id as string,
      status: row.status as string,
      queue: row.queue as string,
      mode: row.mode as string,
      device: row.device as string,
      createdAt: Number(row.created_at_ms),
      updatedAt: Number(row.updated_at_ms),
      sessionId: (row.session_id as string | null) ?? null,
      agentId: (row.agent_id as string | null) ?? null,
    };
  }

  /**
   * The tickets that were still being served (waiting or in a call) when the records were last written, oldest first,
   * with their requests: what a restarted node puts back. A ticket whose request was not kept (no keys, or retention)
   * is left out; one whose request does not open is a RECORD_TAMPERED error. With `onlyIds`, only those of them
   * (another node's tickets that this one serves now).
   */
  async live(onlyIds?: readonly string[]): Promise<Ticket[]> {
    if (!this.#keys) return [];
    const rows = await this.#db.query<{
      id: string;
      status: Ticket['state'];
      queue: QueueName;
      created_at_ms: string | number;
      session_id: string | null;
      agent_id: string | null;
      sealed: Uint8Array;
      callback: boolean;
      missed: string | number;
    }>(
      `SELECT t.id, t.status, t.queue, t.created_at_ms, t.session_id, t.agent_id, r.sealed,
         EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'callback-scheduled') AS callback,
         (SELECT count(*) FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'callback-missed') AS missed
       FROM tickets t JOIN ticket_requests r ON r.ticket_id = t.id
       WHERE t.status IN ($1, $2) AND ($3::text[] IS NULL OR t.id = ANY($3::text[])) ORDER BY t.created_at_ms, t.id`,
      [TicketState.Queued, TicketState.InCall, onlyIds ? [...onlyIds] : null],
    );
    const tickets: Ticket[] = [];
    for (const row of rows) {
      const key = await this.#keys.forReading(this.#db, row.id);
      if (!key) continue;
      const request = queueJoinSchema.parse(JSON.parse(unseal(key, Buffer.from(row.sealed), requestContext(row.id)).toString('utf8')));
      tickets.push({
        id: row.id,
        request,
        state: row.status,
        queue: row.queue,
        createdAt: Number(row.created_at_ms),
        ...(row.session_id ? { sessionId: row.session_id } : {}),
        ...(row.agent_id ? { agentId: row.agent_id } : {}),
        ...(row.callback ? { callback: { attempts: Number(row.missed) } } : {}),
      });
    }
    return tickets;
  }

  async history(id: string): Promise<TicketEvent[]> {
    const rows = await this.#db.query<{ seq: number; at_ms: string | number; actor: string; kind: TicketChange['kind']; detail: Record<string, unknown> }>(
      'SELECT seq, at_ms, actor, kind, detail FROM ticket_events WHERE ticket_id = $1 ORDER BY seq',
      [id],
    );
    return rows.map((row) => ({ seq: row.seq, at: Number(row.at_ms), actor: row.actor, kind: row.kind, detail: row.detail }));
  }

  /**
   * A change is one statement (the ticket's row and its event together, one round trip and one commit); a ticket's
   * opening with keys is a transaction that also makes its data key and keeps its sealed request.
   */
  async #write(ticket: Ticket, change: TicketChange, at: number): Promise<TicketEvent> {
    const keys = this.#keys;
    const seq = change.kind === 'opened' && keys
      ? await this.#db.transaction(async (tx) => {
        // The transcript and survey writers take the same lock to make the ticket's data key: only one of them makes it.
        await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [ticket.id]);
        const key = await keys.forWriting(tx, ticket.id);
        const seq = await writeChange(tx, ticket, change, at);
        const sealed = seal(key, Buffer.from(JSON.stringify(ticket.request)), requestContext(ticket.id));
        await tx.query('INSERT INTO ticket_requests (ticket_id, sealed) VALUES ($1, $2) ON CONFLICT (ticket_id) DO NOTHING', [ticket.id, sealed]);
        return seq;
      })
      : await writeChange(this.#db, ticket, change, at);
    return { seq, at, actor: change.actor, kind: change.kind, detail: change.detail ?? {} };
  }
}

/** Writes the ticket's row as it is now and the change as its next event, in one statement; resolves to the event's number. */
async function writeChange(runner: SqlRunner, ticket: Ticket, change: TicketChange, at: number): Promise<number> {
  const [row] = await runner.query<{ seq: number }>(
    `WITH ticket AS (
       INSERT INTO tickets (id, status, queue, mode, device, created_at_ms, updated_at_ms, session_id, agent_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO UPDATE SET status = $2, updated_at_ms = $7, session_id = $8, agent_id = $9
       RETURNING id
     )
     INSERT INTO ticket_events (ticket_id, seq, at_ms, actor, kind, detail)
     SELECT ticket.id, (SELECT coalesce(max(seq), 0) + 1 FROM ticket_events WHERE ticket_id = $1), $7, $10, $11, $12 FROM ticket
     RETURNING seq`,
    [ticket.id, ticket.state, ticket.queue, ticket.request.mode, ticket.request.device, ticket.createdAt, at, ticket.sessionId ?? null, ticket.agentId ?? null, change.actor, change.kind, JSON.stringify(change.detail ?? {})],
  );
  return row!.seq;
}

/** What binds a sealed request to its ticket: copied to another ticket's row, it no longer opens. */
function requestContext(ticketId: string): string {
  return `request:${ticketId}`;
}
