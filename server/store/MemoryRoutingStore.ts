import type {
  AgentRecord,
  ClaimRefusal,
  OfferOutcome,
  QueuedEntry,
  RoutingStore,
  ServiceCounters,
  SettledOffer,
  StoredOffer,
} from './RoutingStore.js';
import type { QueueName } from '../../signaling/index.js';
import { StoredAgentStatus } from './RoutingStore.js';

/** Routing state in this process: each method runs to completion in one event-loop turn, which makes it atomic. */
export class MemoryRoutingStore implements RoutingStore {
  readonly #entries = new Map<string, QueuedEntry>();
  readonly #agents = new Map<string, AgentRecord>();
  readonly #offers = new Map<string, StoredOffer>();
  readonly #counters = new Map<QueueName, ServiceCounters>();
  #seq = 0;

  async addEntry(entry: Omit<QueuedEntry, 'seq' | 'offerId' | 'heldUntil'>): Promise<QueuedEntry | null> {
    if (this.#entries.has(entry.ticketId)) return null;
    const stored: QueuedEntry = { ...entry, seq: ++this.#seq };
    this.#entries.set(entry.ticketId, stored);
    return { ...stored };
  }

  async removeEntry(ticketId: string): Promise<{ entry: QueuedEntry; withdrawn?: StoredOffer } | null> {
    const entry = this.#entries.get(ticketId);
    if (!entry) return null;
    const withdrawn = this.#withdrawOfferFor(entry);
    this.#entries.delete(ticketId);
    return { entry: { ...entry }, ...(withdrawn ? { withdrawn } : {}) };
  }

  async holdEntry(ticketId: string, until: number | null): Promise<{ entry: QueuedEntry; withdrawn?: StoredOffer } | null> {
    const entry = this.#entries.get(ticketId);
    if (!entry) return null;
    entry.heldUntil = until ?? undefined;
    const withdrawn = until === null ? undefined : this.#withdrawOfferFor(entry);
    return { entry: { ...entry }, ...(withdrawn ? { withdrawn } : {}) };
  }

  async dueHolds(now: number): Promise<string[]> {
    return [...this.#entries.values()].filter((entry) => entry.heldUntil !== undefined && entry.heldUntil <= now).map((entry) => entry.ticketId);
  }

  async getEntry(ticketId: string): Promise<QueuedEntry | null> {
    const entry = this.#entries.get(ticketId);
    return entry ? { ...entry } : null;
  }

  async putAgent(agent: { agentId: string; name: string; skills: AgentRecord['skills'] }, now: number): Promise<AgentRecord> {
    const current = this.#agents.get(agent.agentId);
    const record: AgentRecord = current
      ? { ...current, name: agent.name, skills: agent.skills }
      : { ...agent, status: StoredAgentStatus.Away, idleSince: now };
    this.#agents.set(agent.agentId, record);
    return { ...record };
  }

  async removeAgent(agentId: string): Promise<{ agent: AgentRecord; withdrawn?: StoredOffer } | null> {
    const agent = this.#agents.get(agentId);
    if (!agent) return null;
    const withdrawn = agent.offerId ? this.#dropOffer(agent.offerId) : undefined;
    if (withdrawn) {
      const entry = this.#entries.get(withdrawn.ticketId);
      if (entry) entry.offerId = undefined;
    }
    this.#agents.delete(agentId);
    return { agent: { ...agent }, ...(withdrawn ? { withdrawn } : {}) };
  }

  async setAvailability(agentId: string, status: 'available' | 'away', now: number): Promise<AgentRecord | 'busy' | 'missing'> {
    const agent = this.#agents.get(agentId);
    if (!agent) return 'missing';
    if (agent.status === StoredAgentStatus.Offered || agent.status === StoredAgentStatus.InCall || agent.status === StoredAgentStatus.WrapUp) return 'busy';
    if (status === StoredAgentStatus.Available && agent.status !== StoredAgentStatus.Available) agent.idleSince = now;
    agent.status = status;
    return { ...agent };
  }

  async claimOffer(offer: StoredOffer): Promise<true | ClaimRefusal> {
    const entry = this.#entries.get(offer.ticketId);
    if (!entry) return 'no-entry';
    if (entry.offerId || entry.heldUntil !== undefined) return 'entry-busy';
    const agent = this.#agents.get(offer.agentId);
    if (!agent) return 'no-agent';
    if (agent.status !== StoredAgentStatus.Available) return 'agent-busy';
    entry.offerId = offer.offerId;
    Object.assign(agent, { status: StoredAgentStatus.Offered, offerId: offer.offerId });
    this.#offers.set(offer.offerId, { ...offer });
    return true;
  }

  async settleOffer(offerId: string, outcome: OfferOutcome, now: number, agentId?: string): Promise<SettledOffer | null> {
    if (agentId !== undefined && this.#offers.get(offerId)?.agentId !== agentId) return null;
    const offer = this.#dropOffer(offerId);
    if (!offer) return null;
    const entry = this.#entries.get(offer.ticketId)!;
    const agent = this.#agents.get(offer.agentId);
    entry.offerId = undefined;
    if (outcome === 'accepted') {
      this.#entries.delete(offer.ticketId);
      if (agent) Object.assign(agent, { status: StoredAgentStatus.InCall, offerId: undefined });
    } else if (agent && outcome === 'withdrawn') {
      Object.assign(agent, { status: StoredAgentStatus.Available, offerId: undefined });
    } else if (agent) {
      Object.assign(agent, { status: StoredAgentStatus.Missed, offerId: undefined, idleSince: now });
    }
    return { offer, entry: { ...entry } };
  }

  async finishCall(agentId: string, now: number, wrapUpUntil?: number): Promise<boolean> {
    const agent = this.#agents.get(agentId);
    if (agent?.status !== StoredAgentStatus.InCall) return false;
    if (wrapUpUntil !== undefined && wrapUpUntil > now) Object.assign(agent, { status: StoredAgentStatus.WrapUp, wrapUpUntil });
    else Object.assign(agent, { status: StoredAgentStatus.Available, idleSince: now });
    return true;
  }

  async takeCall(agentId: string): Promise<boolean> {
    const agent = this.#agents.get(agentId);
    const free: string[] = [StoredAgentStatus.Available, StoredAgentStatus.Away, StoredAgentStatus.Missed];
    if (!agent || !free.includes(agent.status)) return false;
    agent.status = StoredAgentStatus.InCall;
    return true;
  }

  async endWrapUp(agentId: string, now: number): Promise<AgentRecord | null> {
    const agent = this.#agents.get(agentId);
    if (agent?.status !== StoredAgentStatus.WrapUp) return null;
    Object.assign(agent, { status: StoredAgentStatus.Available, idleSince: now, wrapUpUntil: undefined });
    return { ...agent };
  }

  async dueWrapUps(now: number): Promise<string[]> {
    return [...this.#agents.values()].filter((agent) => agent.wrapUpUntil !== undefined && agent.wrapUpUntil <= now).map((agent) => agent.agentId);
  }

  async getOffer(offerId: string): Promise<StoredOffer | null> {
    const offer = this.#offers.get(offerId);
    return offer ? { ...offer } : null;
  }

  async dueOffers(now: number): Promise<string[]> {
    return [...this.#offers.values()].filter((offer) => offer.deadline <= now).map((offer) => offer.offerId);
  }

  async countService(queue: QueueName, delta: Partial<ServiceCounters>): Promise<void> {
    const counters = this.#counters.get(queue) ?? { answered: 0, answeredWithinTarget: 0, abandoned: 0, handled: 0, handleMsTotal: 0 };
    for (const [field, value] of Object.entries(delta) as [keyof ServiceCounters, number][]) counters[field] += value;
    this.#counters.set(queue, counters);
  }

  async serviceCounters(): Promise<Partial<Record<QueueName, ServiceCounters>>> {
    return Object.fromEntries([...this.#counters].map(([queue, counters]) => [queue, { ...counters }]));
  }

  async onRemoteChange(): Promise<void> {}

  async snapshot(): Promise<{ entries: QueuedEntry[]; agents: AgentRecord[] }> {
    return { entries: [...this.#entries.values()].map((e) => ({ ...e })), agents: [...this.#agents.values()].map((a) => ({ ...a })) };
  }

  async close(): Promise<void> {}

  /** Drops the entry's open offer, if any, and frees its agent (nobody's fault). */
  #withdrawOfferFor(entry: QueuedEntry): StoredOffer | undefined {
    const withdrawn = entry.offerId ? this.#dropOffer(entry.offerId) : undefined;
    entry.offerId = undefined;
    const agent = withdrawn && this.#agents.get(withdrawn.agentId);
    if (agent) Object.assign(agent, { status: StoredAgentStatus.Available, offerId: undefined });
    return withdrawn;
  }

  #dropOffer(offerId: string): StoredOffer | undefined {
    const offer = this.#offers.get(offerId);
    this.#offers.delete(offerId);
    return offer;
  }
}
