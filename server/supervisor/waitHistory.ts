import type { HistoryPoint, SlaClassLevel } from '../../signaling/index.js';
import type { SlaClass } from '../routing/model.js';

/** One ticket's wait as the records tell it: when it opened, and when an agent first answered or the customer gave up. */
export interface TicketWait {
  slaClass: SlaClass;
  openedAt: number;
  /** The first answer; a transfer's second wait is the call's, not the customer's first wait, so it is not counted. */
  answeredAt: number | null;
  abandonedAt: number | null;
}

const SLA_CLASSES: readonly SlaClass[] = ['consultation', 'software', 'hardware'];

/** Whether a ticket was answered within its class's target. The same rule as routing's count (waited ≤ target). */
function withinTarget(wait: TicketWait & { answeredAt: number }, targetsSec: Record<SlaClass, number>): boolean {
  return wait.answeredAt - wait.openedAt <= targetsSec[wait.slaClass] * 1000;
}

function answeredIn(wait: TicketWait, fromMs: number, toMs: number): wait is TicketWait & { answeredAt: number } {
  return wait.answeredAt !== null && wait.answeredAt >= fromMs && wait.answeredAt < toMs;
}

/** Answers, answers within target and abandons per SLA class among the waits that ended in `[fromMs, toMs)`. Pure. */
export function slaClassLevels(waits: readonly TicketWait[], targetsSec: Record<SlaClass, number>, fromMs: number, toMs: number): SlaClassLevel[] {
  return SLA_CLASSES.map((slaClass) => {
    const mine = waits.filter((wait) => wait.slaClass === slaClass);
    const answered = mine.filter((wait) => answeredIn(wait, fromMs, toMs));
    const within = answered.filter((wait) => withinTarget(wait, targetsSec)).length;
    const abandoned = mine.filter((wait) => wait.answeredAt === null && wait.abandonedAt !== null && wait.abandonedAt >= fromMs && wait.abandonedAt < toMs).length;
    const closed = answered.length + abandoned;
    return {
      slaClass,
      targetSec: targetsSec[slaClass],
      answered: answered.length,
      answeredWithinTarget: answered.length > 0 ? within / answered.length : null,
      abandoned,
      abandonmentRate: closed > 0 ? abandoned / closed : null,
    };
  });
}

/**
 * The charts' points: `[fromMs, toMs)` cut into intervals of `bucketMs` (the last one may be short), each with the
 * customers answered in it, their mean and longest wait, and the share answered within target. Pure.
 */
export function waitHistory(waits: readonly TicketWait[], targetsSec: Record<SlaClass, number>, fromMs: number, toMs: number, bucketMs: number): HistoryPoint[] {
  const points: HistoryPoint[] = [];
  for (let at = fromMs; at < toMs; at += bucketMs) {
    const answered = waits.filter((wait) => answeredIn(wait, at, Math.min(at + bucketMs, toMs)));
    const waitsSec = answered.map((wait) => (wait.answeredAt - wait.openedAt) / 1000);
    const within = answered.filter((wait) => withinTarget(wait, targetsSec)).length;
    points.push({
      at,
      answered: answered.length,
      meanWaitSec: answered.length > 0 ? waitsSec.reduce((sum, sec) => sum + sec, 0) / answered.length : null,
      maxWaitSec: answered.length > 0 ? Math.max(...waitsSec) : null,
      serviceLevel: answered.length > 0 ? within / answered.length : null,
    });
  }
  return points;
}
