import { supportCategorySchema } from '../../signaling/index.js';
import type { TicketWait } from '../supervisor/waitHistory.js';
import type { RecordsDb } from './RecordsDb.js';

/**
 * Customers' waits read back from the ticket history (`opened`, the first `in-call`, `abandoned`), so the supervisor's
 * charts cover hours before a restart and every node's tickets alike. No schema change: the SLA class is the category
 * the `opened` event already keeps.
 */
export class SqlTicketWaits {
  readonly #db: RecordsDb;

  constructor(db: RecordsDb) {
    this.#db = db;
  }

  /** The waits of every ticket changed at or after `sinceMs` (older ones cannot have answered or abandoned since). */
  async since(sinceMs: number): Promise<TicketWait[]> {
    // A scan of the tickets changed in the window; callers cache the answer (see SupervisorView), so it runs rarely.
    const rows = await this.#db.query<{ ticket_id: string; kind: string; at_ms: string | number; category: string | null }>(
      `SELECT e.ticket_id, e.kind, e.at_ms, e.detail->>'category' AS category
       FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
       WHERE t.updated_at_ms >= $1 AND e.kind IN ('opened', 'in-call', 'abandoned')
       ORDER BY e.ticket_id, e.seq`,
      [sinceMs],
    );
    const waits = new Map<string, TicketWait>();
    for (const row of rows) {
      const at = Number(row.at_ms);
      if (row.kind === 'opened') {
        const slaClass = supportCategorySchema.safeParse(row.category);
        if (slaClass.success) waits.set(row.ticket_id, { slaClass: slaClass.data, openedAt: at, answeredAt: null, abandonedAt: null });
        continue;
      }
      const wait = waits.get(row.ticket_id);
      if (!wait) continue;
      if (row.kind === 'in-call') wait.answeredAt ??= at;
      else wait.abandonedAt ??= at;
    }
    return [...waits.values()];
  }
}
