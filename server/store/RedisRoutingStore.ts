import { createClient } from 'redis';
import type { SkillMap } from '../routing/model.js';
import type {
  AgentRecord,
  ClaimRefusal,
  OfferOutcome,
  QueuedEntry,
  RoutingStore,
  SettledOffer,
  StoredAgentStatus,
  StoredOffer,
} from './RoutingStore.js';
import {
  ADD_ENTRY,
  CLAIM_OFFER,
  FINISH_CALL,
  PUT_AGENT,
  REMOVE_AGENT,
  REMOVE_ENTRY,
  SET_AVAILABILITY,
  SETTLE_OFFER,
} from './routingScripts.js';

type Client = ReturnType<typeof createClient>;
type Reply = string | number | null | Reply[];

/** Routing state in Redis, shared by every server node; each mutation is one Lua script. */
export class RedisRoutingStore implements RoutingStore {
  readonly #client: Client;
  readonly #keys: string[];
  #closed = false;

  private constructor(client: Client, namespace: string) {
    this.#client = client;
    // One hash tag for every key, so the scripts' keys share a slot on Redis Cluster too.
    const names = ['entries', 'entry-seq', 'entry-offer', 'agents', 'agent-status', 'agent-idle', 'agent-offer', 'offers', 'deadlines', 'seq'];
    this.#keys = names.map((name) => `${namespace}{routing}:${name}`);
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

  async getEntry(ticketId: string): Promise<QueuedEntry | null> {
    const [entry, seq, offerId] = await this.#client
      .multi()
      .hGet(this.#keys[0]!, ticketId)
      .hGet(this.#keys[1]!, ticketId)
      .hGet(this.#keys[2]!, ticketId)
      .exec();
    if (!entry) return null;
    return { ...(JSON.parse(String(entry)) as QueuedEntry), seq: Number(seq), offerId: offerId ? String(offerId) : undefined };
  }

  async putAgent(agent: { agentId: string; name: string; skills: SkillMap }, now: number): Promise<AgentRecord> {
    const [status, idle, offerId] = (await this.#run(PUT_AGENT, [agent.agentId, JSON.stringify(agent), String(now)])) as [string, string, string];
    return { ...agent, status: status as StoredAgentStatus, idleSince: Number(idle), offerId: offerId || undefined };
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

  async settleOffer(offerId: string, outcome: OfferOutcome, now: number): Promise<SettledOffer | null> {
    const reply = await this.#run(SETTLE_OFFER, [offerId, outcome, String(now)]);
    if (!Array.isArray(reply)) return null;
    const [offer, entry, seq] = reply as [string, string, string];
    return { offer: JSON.parse(offer) as StoredOffer, entry: { ...(JSON.parse(entry) as QueuedEntry), seq: Number(seq) } };
  }

  async finishCall(agentId: string, now: number): Promise<boolean> {
    return (await this.#run(FINISH_CALL, [agentId, String(now)])) === 1;
  }

  async dueOffers(now: number): Promise<string[]> {
    return this.#client.zRangeByScore(this.#keys[8]!, '-inf', now);
  }

  async snapshot(): Promise<{ entries: QueuedEntry[]; agents: AgentRecord[] }> {
    const multi = this.#client.multi();
    for (const key of this.#keys.slice(0, 7)) multi.hGetAll(key);
    const [entries, seqs, entryOffers, agents, statuses, idles, agentOffers] = (await multi.exec()) as unknown as Record<string, string>[];
    return {
      entries: Object.entries(entries!).map(([ticketId, json]) => ({
        ...(JSON.parse(json) as QueuedEntry),
        seq: Number(seqs![ticketId]),
        offerId: entryOffers![ticketId],
      })),
      agents: Object.entries(agents!).map(([agentId, json]) => ({
        ...(JSON.parse(json) as AgentRecord),
        status: statuses![agentId] as StoredAgentStatus,
        idleSince: Number(idles![agentId]),
        offerId: agentOffers![agentId],
      })),
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#client.close();
  }

  async #run(script: string, args: string[]): Promise<Reply> {
    return (await this.#client.eval(script, { keys: this.#keys, arguments: args })) as Reply;
  }
}
