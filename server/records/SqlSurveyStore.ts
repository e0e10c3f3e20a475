import { AppError, csatOf, type CsatReport, type QueueName, type SurveyAnswer, type SurveySubmit } from '../../signaling/index.js';
import type { RecordsDb } from './RecordsDb.js';
import type { DataKeys } from './DataKeys.js';
import { seal, unseal } from './sealing.js';

/** Whom a survey is about: the queue the ticket was in last and the agent who served it last. */
export interface SurveyContext {
  queue: QueueName;
  agentId: string | null;
}

interface SurveyRow {
  rating: number;
  solved: boolean;
  comment_sealed: Uint8Array | null;
  at_ms: string | number;
}

interface CountRow {
  key: string;
  responses: string | number;
  satisfied: string | number;
}

/**
 * Satisfaction surveys, one per ticket (its primary key: a second answer is a CONFLICT and changes nothing). The
 * rating and "solved" stay plain for CSAT; the comment is sealed under the ticket's data key, bound to its row, like
 * the ticket's transcript lines.
 */
export class SqlSurveyStore {
  readonly #db: RecordsDb;
  readonly #keys: DataKeys;

  constructor(db: RecordsDb, keys: DataKeys) {
    this.#db = db;
    this.#keys = keys;
  }

  /** Stores the ticket's answer; a ticket answered already is a CONFLICT error and keeps its first answer. */
  submit(ticketId: string, answer: SurveySubmit, context: SurveyContext, at = Date.now()): Promise<SurveyAnswer> {
    const comment = answer.comment ? answer.comment : null;
    return this.#db.transaction(async (tx) => {
      // The transcript store takes the same lock to make the ticket's data key: only one of them makes it.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [ticketId]);
      if ((await tx.query('SELECT 1 FROM surveys WHERE ticket_id = $1', [ticketId])).length > 0) throw alreadyAnswered(ticketId);
      const sealed = comment === null ? null : seal(await this.#keys.forWriting(tx, ticketId), Buffer.from(comment), commentContext(ticketId));
      const inserted = await tx.query(
        `INSERT INTO surveys (ticket_id, queue, agent_id, rating, solved, comment_sealed, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (ticket_id) DO NOTHING RETURNING ticket_id`,
        [ticketId, context.queue, context.agentId, answer.rating, answer.solved, sealed, Math.round(at)],
      );
      // Another node answered between the check and the insert.
      if (inserted.length === 0) throw alreadyAnswered(ticketId);
      return { rating: answer.rating, solved: answer.solved, comment, at: Math.round(at) };
    });
  }

  /**
   * The ticket's answer, or undefined; a comment that does not open is a RECORD_TAMPERED error. A comment whose data
   * key retention deleted reads as none: it is gone, as the transcript is.
   */
  async find(ticketId: string): Promise<SurveyAnswer | undefined> {
    const [row] = await this.#db.query<SurveyRow>('SELECT rating, solved, comment_sealed, at_ms FROM surveys WHERE ticket_id = $1', [ticketId]);
    if (!row) return undefined;
    let comment: string | null = null;
    if (row.comment_sealed) {
      const key = await this.#keys.forReading(this.#db, ticketId);
      if (key) comment = unseal(key, Buffer.from(row.comment_sealed), commentContext(ticketId)).toString('utf8');
    }
    return { rating: row.rating, solved: row.solved, comment, at: Number(row.at_ms) };
  }

  /** CSAT per queue and per agent over every survey, busiest first. */
  async csat(): Promise<CsatReport> {
    const counts = (column: 'queue' | 'agent_id') =>
      this.#db.query<CountRow>(
        `SELECT ${column} AS key, count(*) AS responses, count(*) FILTER (WHERE rating >= 4) AS satisfied
         FROM surveys WHERE ${column} IS NOT NULL GROUP BY ${column} ORDER BY count(*) DESC, ${column}`,
      );
    const [queues, agents] = await Promise.all([counts('queue'), counts('agent_id')]);
    const figure = (row: CountRow) => csatOf(Number(row.responses), Number(row.satisfied));
    return {
      queues: queues.map((row) => ({ queue: row.key as QueueName, ...figure(row) })),
      agents: agents.map((row) => ({ agentId: row.key, ...figure(row) })),
    };
  }

  /** CSAT overall and per agent over the surveys answered since `sinceMs` (the supervisor's window). */
  async since(sinceMs: number): Promise<{ overall: number | null; byAgent: ReadonlyMap<string, number> }> {
    const rows = await this.#db.query<CountRow>(
      `SELECT coalesce(agent_id, '') AS key, count(*) AS responses, count(*) FILTER (WHERE rating >= 4) AS satisfied
       FROM surveys WHERE at_ms >= $1 GROUP BY agent_id`,
      [Math.round(sinceMs)],
    );
    const byAgent = new Map<string, number>();
    let responses = 0;
    let satisfied = 0;
    for (const row of rows) {
      responses += Number(row.responses);
      satisfied += Number(row.satisfied);
      const share = csatOf(Number(row.responses), Number(row.satisfied)).csat;
      if (row.key && share !== null) byAgent.set(row.key, share);
    }
    return { overall: csatOf(responses, satisfied).csat, byAgent };
  }
}

/** What binds a sealed comment to its ticket: copied to another ticket's row, it no longer opens. */
function commentContext(ticketId: string): string {
  return `survey:${ticketId}`;
}

function alreadyAnswered(ticketId: string): AppError {
  return AppError.conflict(`the survey of ticket ${ticketId} was answered already`);
}
