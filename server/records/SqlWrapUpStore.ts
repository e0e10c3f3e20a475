import { AppError, type AgentWrapUp, type Disposition, type WrapUpRecord } from '../../signaling/index.js';
import type { DataKeys } from './DataKeys.js';
import type { RecordsDb } from './RecordsDb.js';
import { seal, unseal } from './sealing.js';

/** The call a wrap-up is about, when it opens. */
export interface OpenedWrapUp {
  ticketId: string;
  agentId: string;
  sessionId: string;
  openedAt: number;
  /** Epoch ms the agent's wrap-up time ends (they may still file it later). */
  dueAt: number;
}

interface WrapUpRow {
  agent_id: string;
  opened_at_ms: string | number;
  disposition: Disposition | null;
  summary_sealed: Uint8Array | null;
  follow_up: boolean | null;
  submitted_at_ms: string | number | null;
}

/**
 * Wrap-ups in the records, one per ticket (its primary key): opened when the call that ends the ticket ends, filled in
 * once by that call's agent. The summary is sealed under the ticket's data key, bound to its row, like the ticket's
 * transcript lines and survey comment; disposition and follow-up stay plain for reports.
 */
export class SqlWrapUpStore {
  readonly #db: RecordsDb;
  readonly #keys: DataKeys;

  constructor(db: RecordsDb, keys: DataKeys) {
    this.#db = db;
    this.#keys = keys;
  }

  /** Opens the ticket's wrap-up for its agent; a ticket that has one already keeps it. */
  async open(opened: OpenedWrapUp): Promise<void> {
    await this.#db.query(
      `INSERT INTO wrap_ups (ticket_id, agent_id, session_id, opened_at_ms, due_at_ms) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (ticket_id) DO NOTHING`,
      [opened.ticketId, opened.agentId, opened.sessionId, Math.round(opened.openedAt), Math.round(opened.dueAt)],
    );
  }

  /**
   * Files the agent's wrap-up of the ticket. NOT_FOUND when the ticket has no wrap-up open for this agent (none, or
   * another agent's: told apart from nothing), CONFLICT when it was filed already; either way nothing changes.
   */
  submit(agentId: string, wrapUp: AgentWrapUp, at = Date.now()): Promise<WrapUpRecord> {
    const { ticketId } = wrapUp;
    return this.#db.transaction(async (tx) => {
      // The transcript and survey stores take the same lock to make the ticket's data key: only one of them makes it.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [ticketId]);
      const [row] = await tx.query<WrapUpRow>('SELECT agent_id, opened_at_ms, submitted_at_ms FROM wrap_ups WHERE ticket_id = $1', [ticketId]);
      if (row?.agent_id !== agentId) throw AppError.notFound('wrap-up of ticket', ticketId);
      if (row.submitted_at_ms !== null) throw AppError.conflict(`the wrap-up of ticket ${ticketId} was filed already`);
      const sealed = seal(await this.#keys.forWriting(tx, ticketId), Buffer.from(wrapUp.summary), summaryContext(ticketId));
      const submittedAt = Math.round(at);
      await tx.query('UPDATE wrap_ups SET disposition = $2, summary_sealed = $3, follow_up = $4, submitted_at_ms = $5 WHERE ticket_id = $1', [
        ticketId,
        wrapUp.disposition,
        sealed,
        wrapUp.followUp,
        submittedAt,
      ]);
      return { ...wrapUp, agentId, openedAt: Number(row.opened_at_ms), submittedAt };
    });
  }

  /**
   * The ticket's filed wrap-up, or undefined (none, or not filed yet); a summary that does not open is a RECORD_TAMPERED
   * error. A summary whose data key retention deleted reads as empty: it is gone, as the transcript is.
   */
  async find(ticketId: string): Promise<WrapUpRecord | undefined> {
    const [row] = await this.#db.query<WrapUpRow>(
      'SELECT agent_id, opened_at_ms, disposition, summary_sealed, follow_up, submitted_at_ms FROM wrap_ups WHERE ticket_id = $1',
      [ticketId],
    );
    if (!row || row.submitted_at_ms === null || row.disposition === null) return undefined;
    const key = row.summary_sealed ? await this.#keys.forReading(this.#db, ticketId) : undefined;
    const summary = key && row.summary_sealed ? unseal(key, Buffer.from(row.summary_sealed), summaryContext(ticketId)).toString('utf8') : '';
    return {
      ticketId,
      agentId: row.agent_id,
      disposition: row.disposition,
      summary,
      followUp: row.follow_up ?? false,
      openedAt: Number(row.opened_at_ms),
      submittedAt: Number(row.submitted_at_ms),
    };
  }
}

/** What binds a sealed summary to its ticket: copied to another ticket's row, it no longer opens. */
function summaryContext(ticketId: string): string {
  return `wrap-up:${ticketId}`;
}
