import { AppError } from '../errors.js';
import type { Priority, RoutingAgent, RoutingEntry, SkillMap, SkillName, SkillRequirement, SlaClass } from './model.js';
import { compareArrival, type SkillPolicy } from './SkillPolicy.js';

/** Entries that share one canonical list of required skills, with their non-empty buckets. */
interface Signature {
  key: string;
  required: readonly SkillRequirement[];
  buckets: Bucket[];
}

/** Entries alike in everything that orders and qualifies them but age, oldest first from `head`. */
interface Bucket {
  key: string;
  signature: Signature;
  items: RoutingEntry[];
  head: number;
}

/**
 * The waiting entries of one queue, indexed so that a routing decision costs one look at each
 * bucket head instead of a sort, and so that it agrees exactly with `SkillPolicy.order` and
 * `SkillPolicy.qualifies`.
 *
 * Entries are bucketed by (priority, transferred, SLA class, required-skill signature) and kept in
 * arrival order inside a bucket. Within a bucket, policy order is arrival order at every `now`:
 * priority and transfer are equal, and the share of one SLA target waited only grows with age.
 * Qualification is settled by the head: an agent qualifies for an entry exactly when the entry's
 * reached level lowering is at least what the agent lacks on the shared requirements (`lacking`),
 * and `SkillPolicy` folds steps so that lowering never decreases with waiting time. The head is the
 * oldest, so it is the most relaxed: if the agent does not qualify for it, it qualifies for no
 * younger entry of the bucket; if it does, the head is the bucket's first entry it qualifies for.
 * The best entry for an agent is therefore the first, in policy order, of the heads it qualifies for.
 *
 * Costs: a decision is O(signatures + buckets), whatever the queue length; add and remove find
 * their slot by binary search and move at most the entries of one bucket (none at either end).
 *
 * Entries are stored as given and must not be changed while queued; use `update` to change one.
 */
export class RoutingQueue {
  readonly #policy: SkillPolicy;
  readonly #signatures = new Map<string, Signature>();
  readonly #buckets = new Map<string, Bucket>();
  readonly #located = new Map<string, { bucket: Bucket; entry: RoutingEntry }>();

  constructor(policy: SkillPolicy) {
    this.#policy = policy;
  }

  /** Number of waiting entries. */
  get size(): number {
    return this.#located.size;
  }

  /** Whether the ticket is waiting here. */
  has(ticketId: string): boolean {
    return this.#located.has(ticketId);
  }

  /** The waiting entry of the ticket, if any. */
  get(ticketId: string): RoutingEntry | undefined {
    return this.#located.get(ticketId)?.entry;
  }

  /** Queues an entry at its place by its original arrival (a re-offered entry goes back where it was); throws if the ticket is already queued. */
  add(entry: RoutingEntry): void {
    if (this.#located.has(entry.ticketId)) throw AppError.invalidState(`ticket "${entry.ticketId}" is already queued`);
    const bucket = this.#bucketFor(entry);
    const { items } = bucket;
    const last = items[items.length - 1];
    if (last === undefined || compareArrival(last, entry) < 0) items.push(entry);
    else items.splice(this.#lowerBound(bucket, (item) => compareArrival(item, entry) < 0), 0, entry);
    this.#located.set(entry.ticketId, { bucket, entry });
  }

  /** Takes the ticket out and returns its entry, or undefined when it was not queued. */
  remove(ticketId: string): RoutingEntry | undefined {
    const located = this.#located.get(ticketId);
    if (located === undefined) return undefined;
    const { bucket, entry } = located;
    const index = this.#lowerBound(bucket, (item) => compareArrival(item, entry) < 0);
    if (index === bucket.head) bucket.head += 1;
    else bucket.items.splice(index, 1);
    this.#located.delete(ticketId);
    this.#compact(bucket);
    return entry;
  }

  /** Replaces the queued entry of the same ticket (changed requirements, a transfer), or queues it if absent. */
  update(entry: RoutingEntry): void {
    this.remove(entry.ticketId);
    this.add(entry);
  }

  /** The first entry, in policy order at `now`, that the agent qualifies for; undefined when none. */
  bestEntryFor(agent: RoutingAgent, now: number): RoutingEntry | undefined {
    let best: RoutingEntry | undefined;
    for (const signature of this.#signatures.values()) {
      const needed = lacking(agent.skills, signature.required);
      if (needed === Infinity) continue;
      for (const bucket of signature.buckets) {
        const head = bucket.items[bucket.head]!;
        if (best !== undefined && this.#policy.compareEntries(head, best, now) >= 0) continue;
        if (this.#policy.relaxation(head, now).lowerMinLevelBy < needed) continue;
        best = head;
      }
    }
    return best;
  }

  /**
   * The ticket's 1-based place among the entries it competes with at `now`, or undefined when not queued.
   * Without `agents`: 1 + entries ahead of it in policy order with the same required skills (levels included).
   * With `agents` (those logged in): 1 + entries ahead of it that at least one of these agents
   * qualifying for this ticket also qualifies for; when none qualifies, as without `agents`.
   */
  position(ticketId: string, now: number, agents?: readonly RoutingAgent[]): number | undefined {
    const located = this.#located.get(ticketId);
    if (located === undefined) return undefined;
    const { bucket, entry } = located;
    const lowered = this.#policy.relaxation(entry, now).lowerMinLevelBy;
    const serving = agents?.filter((agent) => lacking(agent.skills, entry.required) <= lowered) ?? [];
    let ahead = 0;
    if (serving.length === 0) {
      for (const other of bucket.signature.buckets) ahead += this.#countAhead(other, entry, now);
      return ahead + 1;
    }
    const topLevel: SkillMap = {};
    for (const agent of serving) {
      for (const [skill, level] of Object.entries(agent.skills) as [SkillName, number][]) if (level > (topLevel[skill] ?? 0)) topLevel[skill] = level;
    }
    for (const signature of this.#signatures.values()) {
      // One pass over the serving agents' best levels settles a single requirement, and rules out any signature with a skill none of them has.
      let needed = lacking(topLevel, signature.required);
      if (needed === Infinity) continue;
      if (signature.required.length > 1) {
        needed = Infinity;
        for (let i = 0; i < serving.length && needed > 0; i++) needed = Math.min(needed, lacking(serving[i]!.skills, signature.required));
      }
      for (const other of signature.buckets) {
        const before = this.#countAhead(other, entry, now);
        if (before === 0) continue;
        // Both are prefixes of the bucket (older entries are ahead and more relaxed), so their overlap is the shorter.
        const reachable = this.#lowerBound(other, (item) => this.#policy.relaxation(item, now).lowerMinLevelBy >= needed) - other.head;
        ahead += Math.min(before, reachable);
      }
    }
    return ahead + 1;
  }

  /** Every waiting entry in policy order at `now` (a full sort: for tests and inspection, not for decisions). */
  entries(now: number): RoutingEntry[] {
    const all: RoutingEntry[] = [];
    for (const bucket of this.#buckets.values()) for (let i = bucket.head; i < bucket.items.length; i++) all.push(bucket.items[i]!);
    return this.#policy.order(all, now);
  }

  #bucketFor(entry: RoutingEntry): Bucket {
    const signatureKey = signatureOf(entry.required);
    const key = bucketKey(entry.priority, entry.transferred, entry.slaClass, signatureKey);
    const existing = this.#buckets.get(key);
    if (existing !== undefined) return existing;
    let signature = this.#signatures.get(signatureKey);
    if (signature === undefined) {
      signature = { key: signatureKey, required: entry.required.map((r) => ({ skill: r.skill, minLevel: r.minLevel })), buckets: [] };
      this.#signatures.set(signatureKey, signature);
    }
    const bucket: Bucket = { key, signature, items: [], head: 0 };
    signature.buckets.push(bucket);
    this.#buckets.set(key, bucket);
    return bucket;
  }

  /** Drops a bucket once empty, and the consumed slots before its head once they are half of it. */
  #compact(bucket: Bucket): void {
    if (bucket.head === bucket.items.length) {
      this.#buckets.delete(bucket.key);
      const { signature } = bucket;
      signature.buckets.splice(signature.buckets.indexOf(bucket), 1);
      if (signature.buckets.length === 0) this.#signatures.delete(signature.key);
      return;
    }
    if (bucket.head > 32 && bucket.head * 2 > bucket.items.length) {
      bucket.items.splice(0, bucket.head);
      bucket.head = 0;
    }
  }

  /** Index of the first live item for which `isBefore` is false; `isBefore` must hold on a prefix of the live items. */
  #lowerBound(bucket: Bucket, isBefore: (item: RoutingEntry) => boolean): number {
    let low = bucket.head;
    let high = bucket.items.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (isBefore(bucket.items[middle]!)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  #countAhead(bucket: Bucket, entry: RoutingEntry, now: number): number {
    return this.#lowerBound(bucket, (item) => this.#policy.compareEntries(item, entry, now) < 0) - bucket.head;
  }
}

/**
 * How many levels the required minimums must be lowered for these skills to meet them all;
 * Infinity when a skill is missing. Relaxed levels never go below 1 and held levels are at least 1,
 * so lowering by L is enough exactly when L >= minLevel - level for every requirement.
 */
function lacking(skills: SkillMap, required: readonly SkillRequirement[]): number {
  let needed = 0;
  for (const requirement of required) {
    const level = skills[requirement.skill];
    if (level === undefined || level < 1) return Infinity;
    if (requirement.minLevel - level > needed) needed = requirement.minLevel - level;
  }
  return needed;
}

/** Canonical key of a list of required skills: sorted, so the order they were given in does not matter. */
function signatureOf(required: readonly SkillRequirement[]): string {
  return required
    .map((r) => `${r.skill}:${r.minLevel}`)
    .sort()
    .join(',');
}

function bucketKey(priority: Priority, transferred: boolean, slaClass: SlaClass, signatureKey: string): string {
  return `${priority}|${transferred ? 't' : 'n'}|${slaClass}|${signatureKey}`;
}
