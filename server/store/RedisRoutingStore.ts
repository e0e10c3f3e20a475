import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import type { QueueName } from '../../signaling/index.js';
import type { SkillMap } from '../routing/model.js';
import type {
  AgentRecord,
  ClaimRefusal,
  OfferOutcome,
  QueuedEntry,
  RoutingStore,
  ServiceCounters,
  SettledOffer,
  StoredAgentStatus,
  StoredOffer,
} from './RoutingStore.js';
import {
  ADD_ENTRY,
  CLAIM_OFFER,
  END_WRAP_UP,
  FINISH_CALL,
  HOLD_ENTRY,
  PUT_AGENT,
  REMOVE_AGENT,
  REMOVE_ENTRY,
  SET_AVAILABILITY,
  SETTLE_OFFER,
  TAKE_CALL,
} from './routingScripts.js';

type Client = ReturnType<typeof createClient>;
type Reply = string | number | null | Reply[];

/**
 * Routing state in Redis, shared by every server node; each mutation is one Lua script, announced on
 * a pub/sub channel so the other nodes re-read the state and route what they can.
 */
export class RedisRoutingStore implements RoutingStore {
  readonly #client: Client;
  readonly #keys: string[];
  readonly #stats: string;
  readonly #channel: string;
  /** Tells this node's own announcements from the others'. */
  readonly #nodeId = randomUUID();
  #subscriber: Client | undefined;
  #closed = false;

  private constructor(client: Client, namespace: string) {
    this.#client = client;
    // One hash tag for every key, so the scripts' keys share a slot on Redis Cluster too.
    const names = ['entries', 'entry-seq', 'entry-offer', 'agents', 'agent-status', 'agent-idle', 'agent-offer', 'offers', 'deadlines', 'seq', 'holds', 'wrap-ups'];
    this.#keys = names.map((name) => `${namespace}{routing}:${name}`);
    this.#stats = `${namespace}{routing}:service-counters`;
    this.#channel = `${namespace}{routing}:changed`;
  }

  /** Connects to Redis; `namespace` separates deployments (and tests) sharing one Redis. */
  static async connect(url: string, namespace = 'signline'): Promise<RedisRoutingStore> {
    const client = createClient({ url });
    client.on('error', (error: Error) => console.error(`[redis] ${error.message}`));
    await client.connect();
    return new RedisRoutingStore(client, namespace);
  }

  async addEntry(entry: Omit<QueuedEntry, 'seq' | 'offerId'>): Promise<QueuedEntry | null> {
    const seq = await this.#run(ADD_ENTRY, [entry.ticketId, JSON.stringify(entry)]);
    return seq === null ? null : { ...entry, seq: Number(seq) };
  }

  async removeEntry(ticketId: string): Promise<{ entry: QueuedEntry; withdrawn?: StoredOffer } | null> {
    const reply = await this.#run(REMOVE_ENTRY, [ticketId]);
    if (!Array.isArray(reply)) return null;
    const [entry, seq, offer] = reply as [string, string, string];
    return { entry: { ...(JSON.parse(entry) as QueuedEntry), seq: Number(seq) }, ...(offer ? { withdrawn: JSON.parse(offer) as StoredOffer } : {}) };
  }

  async holdEntry(ticketId: string, until: number | null): Promise<{ entry: QueuedEntry; withdrawn?: StoredOffer } | null> {
    const reply = await this.#run(HOLD_ENTRY, [ticketId, until === null ? '' : String(until)]);
    if (!Array.isArray(reply)) return null;
    const [entry, seq, offer] = reply as [string, string, string];
    const heldUntil = until ?? undefined;
    return { entry: { ...(JSON.parse(entry) as QueuedEntry), seq: Number(seq), heldUntil }, ...(offer ? { withdrawn: JSON.parse(offer) as StoredOffer } : {}) };
  }

  async dueHolds(now: number): Promise<string[]> {
    return this.#client.zRangeByScore(this.#keys[10]!, '-inf', now);
  }

  async getEntry(ticketId: string): Promise<QueuedEntry | null> {
    const [entry, seq, offerId, held] = await this.#client
      .multi()
      .hGet(this.#keys[0]!, ticketId)
      .hGet(this.#keys[1]!, ticketId)
      .hGet(this.#keys[2]!, ticketId)
      .zScore(this.#keys[10]!, ticketId)
      .exec();
    if (!entry) return null;
    return { ...(JSON.parse(String(entry)) as QueuedEntry), seq: Number(seq), offerId: offerId ? String(offerId) : undefined, heldUntil: heldUntilOf(held) };
  }

  async putAgent(agent: { agentId: string; name: string; skills: SkillMap }, now: number): Promise<AgentRecord> {
    const [status, idle, offerId, wrapUpUntil] = (await this.#run(PUT_AGENT, [agent.agentId, JSON.stringify(agent), String(now)])) as [string, string, string, string];
    return { ...agent, status: status as StoredAgentStatus, idleSince: Number(idle), offerId: offerId || undefined, wrapUpUntil: wrapUpUntil ? Number(wrapUpUntil) : undefined };
  }

  async removeAgent(agentId: string): Promise<{ agent: AgentRecord; withdrawn?: StoredOffer } | null> {
    const reply = await this.#run(REMOVE_AGENT, [agentId]);
    if (!Array.isArray(reply)) return null;
    const [agent, status, idle, offer] = reply as [string, string, string, string];
    const record: AgentRecord = { ...(JSON.parse(agent) as AgentRecord), status: status as StoredAgentStatus, idleSince: Number(idle) };
    return { agent: record, ...(offer ? { withdrawn: JSON.parse(offer) as StoredOffer } : {}) };
  }

  async setAvailability(agentId: string, status: 'available' | 'away', now: number): Promise<AgentRecord | 'busy' | 'missing'> {
    const reply = await this.#run(SET_AVAILABILITY, [agentId, status, String(now)]);
    if (reply === 'busy' || reply === 'missing') return reply;
    const agent = await this.#client.hGet(this.#keys[3]!, agentId);
    const [current, idle] = reply as [string, string];
    return { ...(JSON.parse(String(agent)) as AgentRecord), status: current as StoredAgentStatus, idleSince: Number(idle) };
  }

  async claimOffer(offer: StoredOffer): Promise<true | ClaimRefusal> {
    const reply = await this.#run(CLAIM_OFFER, [offer.ticketId, offer.agentId, offer.offerId, String(offer.deadline), JSON.stringify(offer)]);
    return reply === 'OK' ? true : (reply as ClaimRefusal);
  }

  async settleOffer(offerId: string, outcome: OfferOutcome, now: number, agentId?: string): Promise<SettledOffer | null> {
    const reply = await this.#run(SETTLE_OFFER, [offerId, outcome, String(now), agentId ?? '']);
    if (!Array.isArray(reply)) return null;
    const [offer, entry, seq] = reply as [string, string, string];
    return { offer: JSON.parse(offer) as StoredOffer, entry: { ...(JSON.parse(entry) as QueuedEntry), seq: Number(seq) } };
  }

  async finishCall(agentId: string, now: number, wrapUpUntil?: number): Promise<boolean> {
    return (await this.#run(FINISH_CALL, [agentId, String(now), wrapUpUntil === undefined ? '' : String(wrapUpUntil)])) === 1;
  }

  async takeCall(agentId: string): Promise<boolean> {
    return (await this.#run(TAKE_CALL, [agentId])) === 1;
  }

  async endWrapUp(agentId: string, now: number): Promise<AgentRecord | null> {
    const reply = await this.#run(END_WRAP_UP, [agentId, String(now)]);
    if (!Array.isArray(reply)) return null;
    const [agent, idle] = reply as [string, string];
    return { ...(JSON.parse(agent) as AgentRecord), status: 'available', idleSince: Number(idle) };
  }

  async dueWrapUps(now: number): Promise<string[]> {
    return this.#client.zRangeByScore(this.#keys[11]!, '-inf', now);
  }

  async getOffer(offerId: string): Promise<StoredOffer | null> {
    const offer = await this.#client.hGet(this.#keys[7]!, offerId);
    return offer ? (JSON.parse(offer) as StoredOffer) : null;
  }

  async dueOffers(now: number): Promise<string[]> {
    return this.#client.zRangeByScore(this.#keys[8]!, '-inf', now);
  }

  async countService(queue: QueueName, delta: Partial<ServiceCounters>): Promise<void> {
    const multi = this.#client.multi();
    for (const [field, value] of Object.entries(delta) as [keyof ServiceCounters, number][]) multi.hIncrBy(this.#stats, `${queue}|${field}`, value);
    await multi.exec();
  }

  async serviceCounters(): Promise<Partial<Record<QueueName, ServiceCounters>>> {
    const counters: Partial<Record<QueueName, ServiceCounters>> = {};
    for (const [key, value] of Object.entries(await this.#client.hGetAll(this.#stats))) {
      const [queue, field] = key.split('|') as [QueueName, keyof ServiceCounters];
      counters[queue] ??= { answered: 0, answeredWithinTarget: 0, abandoned: 0, handled: 0, handleMsTotal: 0 };
      counters[queue][field] = Number(value);
    }
    return counters;
  }

  async onRemoteChange(listener: () => void): Promise<void> {
    if (!this.#subscriber) {
      this.#subscriber = this.#client.duplicate();
      this.#subscriber.on('error', (error: Error) => console.error(`[redis] ${error.message}`));
      await this.#subscriber.connect();
    }
    await this.#subscriber.subscribe(this.#channel, (message) => {
      if (message !== this.#nodeId) listener();
    });
  }

  async snapshot(): Promise<{ entries: QueuedEntry[]; agents: AgentRecord[] }> {
    const multi = this.#client.multi();
    for (const key of this.#keys.slice(0, 7)) multi.hGetAll(key);
    multi.zRangeWithScores(this.#keys[10]!, 0, -1);
    multi.zRangeWithScores(this.#keys[11]!, 0, -1);
    const replies = (await multi.exec()) as unknown[];
    const [entries, seqs, entryOffers, agents, statuses, idles, agentOffers] = replies.slice(0, 7) as Record<string, string>[];
    const scores = (reply: unknown) => new Map((reply as { value: string; score: number }[]).map(({ value, score }) => [value, score]));
    const holds = scores(replies[7]);
    const wrapUps = scores(replies[8]);
    return {
      entries: Object.entries(entries!).map(([ticketId, json]) => ({
        ...(JSON.parse(json) as QueuedEntry),
        seq: Number(seqs![ticketId]),
        offerId: entryOffers![ticketId],
        heldUntil: holds.get(ticketId),
      })),
      agents: Object.entries(agents!).map(([agentId, json]) => ({
        ...(JSON.parse(json) as AgentRecord),
        status: statuses![agentId] as StoredAgentStatus,
        idleSince: Number(idles![agentId]),
        offerId: agentOffers![agentId],
        wrapUpUntil: wrapUps.get(agentId),
      })),
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#subscriber?.close();
    await this.#client.close();
  }

  async #run(script: string, args: string[]): Promise<Reply> {
    const reply = (await this.#client.eval(script, { keys: this.#keys, arguments: args })) as Reply;
    // A refused or empty step changed nothing, so the other nodes need not hear of it.
    if ((reply !== null && reply !== 0 && typeof reply !== 'string') || reply === 'OK') void this.#client.publish(this.#channel, this.#nodeId).catch(() => undefined);
    return reply;
  }
}

function heldUntilOf(score: unknown): number | undefined {
  return score === null || score === undefined ? undefined : Number(score);
}
