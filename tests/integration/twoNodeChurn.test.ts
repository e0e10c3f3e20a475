import { randomUUID } from 'node:crypto';
import { setTimeout as pause } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, AgentState, CallStarted, ClientEventName, ClientEventReplies, ClientToServerEvents, Offer, OfferCancelReason } from '../../signaling/index.js';
import { ErrorCode } from '../../signaling/index.js';
import { RedisRoutingStore } from '../../server/store/RedisRoutingStore.js';
import { OfferLedger } from '../support/OfferLedger.js';
import { startRedis, type RedisProcess } from '../support/redisServer.js';
import { SeededRandom } from '../support/random.js';
import { startServerProcess, type ServerProcess } from '../support/serverProcess.js';
import { connect, joinRequest, loginAgent, once, request, SocketPool, type ClientSocket } from '../support/sockets.js';
import { testAgent } from '../support/testServer.js';
import { freshDatabaseUrl } from '../support/testRecords.js';
import { newMasterKeyText } from '../../server/records/sealing.js';

const OFFER_TIMEOUT_MS = 1000;
const GRACE_MS = 1500;
const AGENT_IDS = Array.from({ length: 8 }, (_, i) => `agent${i + 1}`);
const MIN_EVENTS = 2000;
/** The churn stops at MIN_EVENTS or after this long, whichever comes first. */
const CHURN_CAP_MS = 100_000;
const DRAIN_TIMEOUT_MS = 30_000;
/**
 * How long a connection and its first push may take. The whole suite on 2 cores has once kept an agent's reconnect
 * waiting over 5 s for its state; the churn checks routing, not speed, and a push that never comes still fails. The
 * slowest one is printed.
 */
const ANSWER_TIMEOUT_MS = 15_000;
/** Customers connected at once during the churn, at most. */
const CUSTOMERS_AT_ONCE = 14;
/** Seeds the random choices; CHURN_SEED=n replays a run's choices (not its timing). */
const SEED = Number(process.env.CHURN_SEED ?? Math.floor(Math.random() * 1_000_000));

/** Routing events the clients observe; the churn runs until they add up to MIN_EVENTS. */
type EventKind = 'joins' | 'leaves' | 'offers' | 'accepts' | 'declines' | 'timeouts' | 'withdrawals' | 'disconnects' | 'reconnects' | 'statusChanges';

/** A server node as the clients see it. */
interface NodeHandle {
  index: number;
  url: string;
  pool: SocketPool;
}

/** One ticket from its join to its end, as the customer and the agents saw it. */
interface TicketRecord {
  node: number;
  abandoned?: 'left' | 'hold-expired';
  trace: string[];
}

/** A customer or an agent; `inFlight` counts its requests still waiting for their ack. */
interface Actor {
  inFlight: number;
}

/** The shared bookkeeping of one churn run: counts, tickets, offers, timers and unexpected failures. */
class ChurnRun {
  readonly random = new SeededRandom(SEED);
  readonly ledger = new OfferLedger(OFFER_TIMEOUT_MS);
  readonly events: Record<EventKind, number> = {
    joins: 0, leaves: 0, offers: 0, accepts: 0, declines: 0, timeouts: 0, withdrawals: 0, disconnects: 0, reconnects: 0, statusChanges: 0,
  };
  /** Expected refusals where two actions raced; reported, not failures. */
  readonly races = { offerExpired: 0, leaveRefused: 0, holdExpired: 0, joinFailed: 0 };
  readonly tickets = new Map<string, TicketRecord>();
  readonly served = new Set<string>();
  readonly customers = new Set<ChurnCustomer>();
  readonly agents: ChurnAgent[] = [];
  readonly problems: string[] = [];
  readonly started = Date.now();
  callsAcrossNodes = 0;
  /** The longest an agent's (re)connection waited for its first state, in ms. */
  slowestStateMs = 0;
  draining = false;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #pending = new Set<Promise<void>>();
  #onChange: (() => void) | undefined;
  #stopped = false;

  total(): number {
    return Object.values(this.events).reduce((sum, n) => sum + n, 0);
  }

  count(kind: EventKind): void {
    this.events[kind]++;
  }

  trace(ticketId: string | undefined, text: string): void {
    if (ticketId) this.tickets.get(ticketId)?.trace.push(`+${Date.now() - this.started}ms ${text}`);
  }

  problem(text: string): void {
    this.problems.push(`+${Date.now() - this.started}ms ${text}`);
  }

  /** A call started for the ticket; `agentNode` is given when its customer heard of it, to count calls across nodes. */
  markServed(call: CallStarted, side: string, agentNode?: number): void {
    const ticket = this.tickets.get(call.ticketId);
    if (agentNode !== undefined && ticket && ticket.node !== agentNode) this.callsAcrossNodes++;
    this.served.add(call.ticketId);
    this.trace(call.ticketId, `call started (${side})`);
    this.changed();
  }

  /** Runs `action` after `ms`, keeping its promise so the drain can wait for it. */
  later(ms: number, action: () => void | Promise<void>): void {
    if (this.#stopped) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.track(action());
    }, ms);
    this.#timers.add(timer);
  }

  track(result: void | Promise<void>): void {
    if (!result) return;
    const tracked = result.catch((error: unknown) => this.problem(`unexpected: ${error instanceof Error ? error.message : String(error)}`));
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }

  /** Sends a client event; a refusal not in `expected`, or no ack at all, is a problem. */
  async ask<E extends ClientEventName>(
    actor: Actor,
    socket: ClientSocket,
    event: E,
    payload: Parameters<ClientToServerEvents[E]>[0],
    expected: readonly string[] = [],
  ): Promise<Ack<ClientEventReplies[E]> | undefined> {
    actor.inFlight++;
    try {
      const ack = await request(socket, event, payload);
      if (!ack.ok && !expected.includes(ack.error.code)) this.problem(`${event} refused: ${ack.error.code} ${ack.error.message}`);
      return ack;
    } catch (error) {
      this.problem(`${event}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    } finally {
      actor.inFlight--;
    }
  }

  changed(): void {
    this.#onChange?.();
  }

  /** Resolves true once `done()` holds, checked on every change, or false after `timeoutMs`. */
  waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (ok: boolean): void => {
        clearTimeout(timer);
        this.#onChange = undefined;
        resolve(ok);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.#onChange = () => {
        if (done()) finish(true);
      };
      this.changed();
    });
  }

  /** Waits for every action in flight, including ones they start. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Cancels every scheduled action. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  /** Tickets that ended neither served nor abandoned. */
  unresolved(): string[] {
    return [...this.tickets].filter(([ticketId, ticket]) => !this.served.has(ticketId) && !ticket.abandoned).map(([ticketId]) => ticketId);
  }

  /** Every ticket ended, and no customer is still joining or away. */
  drained(): boolean {
    return this.unresolved().length === 0 && ![...this.customers].some((c) => c.state === 'joining' || c.state === 'away');
  }
}

/** A customer on one node: joins, waits, leaves, drops and comes back with the ticket's token. */
class ChurnCustomer implements Actor {
  readonly node: NodeHandle;
  state: 'joining' | 'waiting' | 'away' | 'done' = 'joining';
  inFlight = 0;
  /** A leave was refused: the ticket is being served, so the driver leaves it alone. */
  leaveRefused = false;
  ticketId: string | undefined;
  readonly #run: ChurnRun;
  #token: string | undefined;
  #socket: ClientSocket | undefined;

  constructor(run: ChurnRun, node: NodeHandle) {
    this.#run = run;
    this.node = node;
    run.customers.add(this);
  }

  async join(): Promise<void> {
    const socket = this.#open();
    if ((await this.#connect(socket)) === 'failed') return;
    const ack = await this.#run.ask(this, socket, 'queue:join', joinRequest({ topic: 'Phone keeps dropping Wi-Fi' }));
    if (!ack?.ok) {
      this.#run.races.joinFailed++;
      return this.#finish();
    }
    this.ticketId = ack.data.ticketId;
    this.#token = ack.data.token;
    this.#run.tickets.set(this.ticketId, { node: this.node.index, trace: [] });
    this.#run.count('joins');
    this.#run.trace(this.ticketId, `joined on node ${this.node.index}`);
    this.state = 'waiting';
  }

  async leave(): Promise<void> {
    const ticketId = this.ticketId!;
    this.#run.ledger.customerGone(ticketId, Date.now());
    const ack = await this.#run.ask(this, this.#socket!, 'queue:leave', {}, [ErrorCode.InvalidState]);
    if (!ack) this.#run.problem(`ticket ${ticketId} before the leave that got no answer: ${this.#run.tickets.get(ticketId)?.trace.join(' | ')}`);
    if (!ack?.ok) {
      this.leaveRefused = true;
      this.#run.races.leaveRefused++;
      this.#run.trace(ticketId, 'leave refused');
      return;
    }
    this.#run.count('leaves');
    this.#run.tickets.get(ticketId)!.abandoned = 'left';
    this.#run.trace(ticketId, 'left');
    this.#finish();
  }

  /** Drops the connection and comes back within the grace period, or after it to find the place lost. */
  drop(): void {
    const random = this.#run.random;
    const droppedAt = Date.now();
    this.#run.ledger.customerGone(this.ticketId!, droppedAt);
    this.#disconnect('dropped');
    this.state = 'away';
    const afterGrace = random.chance(0.25);
    // Some come back at once, as a page reload or a network switch does; the rest within or after the grace period.
    const delay = afterGrace ? GRACE_MS + random.int(500, 900) : random.chance(0.3) ? 0 : random.int(50, GRACE_MS - 700);
    this.#run.later(delay, () => this.#comeBack(afterGrace, droppedAt));
  }

  async #comeBack(afterGrace: boolean, droppedAt: number): Promise<void> {
    const ticketId = this.ticketId!;
    // Accepted just before the drop: the call started without this customer.
    if (this.#run.served.has(ticketId)) return this.#finish();
    const socket = this.#open(this.#token);
    // The server tells a customer who got the place back where they are; silence means the place is gone.
    const resumed = once(socket, 'queue:status', 1000);
    // A busy machine can deliver a reconnect meant for within the grace period after it: then a refusal is fair too.
    const connected = await this.#connect(socket, { refusalExpected: () => afterGrace || Date.now() - droppedAt >= GRACE_MS });
    if (connected === 'failed') return;
    // A place that lapsed on this node took its token with it: the refused token is the answer.
    if (connected === 'refused') {
      this.#run.races.holdExpired++;
      this.#run.tickets.get(ticketId)!.abandoned = 'hold-expired';
      this.#run.trace(ticketId, `abandoned: hold-expired (token refused ${Date.now() - droppedAt} ms after the drop)`);
      return this.#finish();
    }
    this.#run.ledger.customerBack(ticketId, Date.now());
    this.#run.count('reconnects');
    this.#run.trace(ticketId, `back ${afterGrace ? 'after' : 'within'} the grace period`);
    if (!afterGrace) {
      resumed.then(
        () => this.#run.trace(ticketId, 'resumed'),
        () => this.#run.trace(ticketId, 'no queue:status after coming back'),
      );
      this.state = 'waiting';
      return this.#run.changed();
    }
    const ack = await this.#run.ask(this, socket, 'queue:leave', {}, [ErrorCode.InvalidState]);
    const ticket = this.#run.tickets.get(ticketId)!;
    if (ack?.ok) {
      this.#run.count('leaves');
      ticket.abandoned = 'left';
    } else {
      this.#run.races.holdExpired++;
      ticket.abandoned = 'hold-expired';
    }
    this.#run.trace(ticketId, `abandoned: ${ticket.abandoned}`);
    this.#finish();
  }

  /** Connects; a refused token counts as an answer only when `refusalExpected`, any other failure is a problem. */
  async #connect(socket: ClientSocket, options: { refusalExpected?: () => boolean } = {}): Promise<'connected' | 'refused' | 'failed'> {
    try {
      await connect(socket, ANSWER_TIMEOUT_MS);
      return 'connected';
    } catch (error) {
      if (options.refusalExpected?.() && (error as { data?: { code?: string } }).data?.code === ErrorCode.Unauthorized) return 'refused';
      this.#run.problem(`customer could not connect: ${error instanceof Error ? error.message : String(error)}`);
      this.#finish();
      return 'failed';
    }
  }

  #open(token?: string): ClientSocket {
    const socket = this.node.pool.open(token === undefined ? undefined : { token });
    socket.on('call:started', (call) => {
      const agent = this.#run.agents.find((a) => `Agent ${a.id}` === call.peerName);
      this.#run.markServed(call, `customer, node ${this.node.index}`, agent?.node.index);
      this.state = 'done';
      if (!this.#run.random.chance(0.15)) return;
      this.#run.later(this.#run.random.int(10, 100), () => {
        // A leave still waiting for its answer (the call overtook it) is not cut off by the driver's own drop.
        if (this.inFlight > 0) return;
        this.#disconnect('dropped in the call');
        this.#finish();
      });
    });
    socket.on('call:ended', () => this.#finish());
    this.#socket = socket;
    return socket;
  }

  #disconnect(why: string): void {
    if (!this.#socket?.connected) return;
    this.#socket.disconnect();
    this.#run.count('disconnects');
    this.#run.trace(this.ticketId, why);
  }

  #finish(): void {
    this.state = 'done';
    this.#socket?.close();
    this.#run.customers.delete(this);
    this.#run.changed();
  }
}

/** An agent on one node: answers offers (accept, decline, let lapse, accept late), ends calls, takes breaks, drops and reconnects. */
class ChurnAgent implements Actor {
  readonly id: string;
  readonly node: NodeHandle;
  inFlight = 0;
  onBreak = false;
  offer: Offer | undefined;
  sessionId: string | undefined;
  /** Accepted; `call:started` is on its way. */
  awaitingCall = false;
  readonly #run: ChurnRun;
  #token = '';
  #socket: ClientSocket | undefined;
  #state: AgentState = { status: 'away' };
  #availableSoon = false;

  constructor(run: ChurnRun, id: string, node: NodeHandle) {
    this.#run = run;
    this.id = id;
    this.node = node;
    run.agents.push(this);
  }

  get connected(): boolean {
    return this.#socket?.connected ?? false;
  }

  get idle(): boolean {
    return this.connected && !this.onBreak && !this.offer && !this.sessionId && !this.awaitingCall && this.inFlight === 0;
  }

  async signIn(): Promise<void> {
    this.#token = (await loginAgent(this.node.url, this.id)).token;
    await this.#connect();
  }

  async takeBreak(): Promise<void> {
    this.onBreak = true;
    const ack = await this.#run.ask(this, this.#socket!, 'agent:status', { status: 'away' }, [ErrorCode.InvalidState]);
    if (!ack?.ok) {
      this.onBreak = false;
      return;
    }
    this.#run.count('statusChanges');
    this.#state = { status: 'away' };
    this.#run.later(this.#run.random.int(100, 600), () => {
      this.onBreak = false;
      return this.#goAvailable();
    });
  }

  /** Drops the socket (any open offer goes back to the queue) and reconnects with the same token. */
  drop(): void {
    this.#run.ledger.agentGone(this.id, Date.now());
    this.#socket!.disconnect();
    this.#run.count('disconnects');
    this.#run.later(this.#run.random.int(30, 400), () => this.#reconnect());
  }

  /** Asks to be available whatever this agent last heard; the drain uses it so no agent stays away on a stale state. */
  async nudge(): Promise<void> {
    if (!this.idle) return;
    const ack = await this.#run.ask(this, this.#socket!, 'agent:status', { status: 'available' }, [ErrorCode.InvalidState]);
    if (ack?.ok) this.#state = { status: 'available' };
  }

  async #reconnect(): Promise<void> {
    const first = await this.#connect();
    this.#run.ledger.agentBack(this.id, Date.now());
    this.#run.count('reconnects');
    // The offer was withdrawn when the server saw the last connection go.
    if (first.status !== 'offered') this.offer = undefined;
  }

  async #connect(): Promise<AgentState> {
    const socket = this.node.pool.open({ token: this.#token });
    socket.on('offer:new', (offer) => this.#offered(offer));
    socket.on('offer:cancelled', ({ offerId, reason }) => this.#cancelled(offerId, reason));
    socket.on('call:started', (call) => this.#callStarted(call));
    socket.on('call:ended', ({ sessionId }) => {
      if (this.sessionId === sessionId) this.sessionId = undefined;
      this.#becomeAvailableSoon();
    });
    socket.on('agent:state', (state) => {
      this.#state = state;
      if (state.status === 'away' && !this.onBreak) this.#becomeAvailableSoon();
    });
    const asked = Date.now();
    const first = once(socket, 'agent:state', ANSWER_TIMEOUT_MS);
    await connect(socket, ANSWER_TIMEOUT_MS);
    this.#socket = socket;
    const state = await first;
    this.#run.slowestStateMs = Math.max(this.#run.slowestStateMs, Date.now() - asked);
    return state;
  }

  #offered(offer: Offer): void {
    const run = this.#run;
    if (!run.ledger.offered(this.id, offer)) return;
    run.count('offers');
    run.trace(offer.ticketId, `offered to ${this.id} on node ${this.node.index}`);
    // Its cancellation overtook it (the two came from different nodes).
    if (run.ledger.isClosed(offer.offerId)) return;
    this.offer = offer;
    if (run.draining) return run.track(this.#answer('accept', offer));
    const reaction = run.random.weighted([
      ['accept', 58],
      ['decline', 22],
      ['lapse', 10],
      ['late accept', 10],
    ] as const);
    switch (reaction) {
      case 'accept':
      case 'decline':
        return run.later(run.random.int(20, 400), () => this.#answer(reaction, offer));
      case 'late accept':
        return run.later(run.random.int(OFFER_TIMEOUT_MS - 150, OFFER_TIMEOUT_MS + 150), () => this.#answer('accept', offer));
      case 'lapse':
        return;
    }
  }

  async #answer(reply: 'accept' | 'decline', offer: Offer): Promise<void> {
    if (!this.connected) return;
    this.#run.ledger.closeOffer(offer.offerId, Date.now());
    if (reply === 'accept') this.awaitingCall = true;
    const event = reply === 'accept' ? 'offer:accept' : 'offer:decline';
    const ack = await this.#run.ask(this, this.#socket!, event, { offerId: offer.offerId }, [ErrorCode.OfferExpired]);
    if (this.offer?.offerId === offer.offerId) this.offer = undefined;
    this.#run.trace(offer.ticketId, `${this.id} ${reply}: ${ack?.ok ? 'ok' : (ack?.error.code ?? 'no ack')}`);
    if (ack?.ok) this.#run.count(reply === 'accept' ? 'accepts' : 'declines');
    else if (ack) this.#run.races.offerExpired++;
    if (reply === 'accept' && ack?.ok) return;
    this.awaitingCall = false;
    this.#becomeAvailableSoon();
  }

  #cancelled(offerId: string, reason: OfferCancelReason): void {
    this.#run.ledger.closeOffer(offerId, Date.now());
    this.#run.trace(this.#run.ledger.find(offerId)?.ticketId, `offer to ${this.id} cancelled: ${reason}`);
    if (reason === 'timeout') this.#run.count('timeouts');
    if (reason === 'abandoned') this.#run.count('withdrawals');
    if (this.offer?.offerId === offerId) this.offer = undefined;
    if (reason === 'timeout') this.#becomeAvailableSoon();
  }

  #callStarted(call: CallStarted): void {
    this.#run.markServed(call, `${this.id}, node ${this.node.index}`);
    this.sessionId = call.sessionId;
    this.awaitingCall = false;
    this.#run.later(this.#run.draining ? 10 : this.#run.random.int(30, 300), () => this.#endCall(call.sessionId));
  }

  async #endCall(sessionId: string): Promise<void> {
    if (this.sessionId !== sessionId) return;
    if (!this.connected) return this.#run.later(100, () => this.#endCall(sessionId));
    await this.#run.ask(this, this.#socket!, 'call:end', { sessionId }, [ErrorCode.NotFound]);
    if (this.sessionId === sessionId) this.sessionId = undefined;
    this.#becomeAvailableSoon();
  }

  #becomeAvailableSoon(): void {
    if (this.#availableSoon) return;
    this.#availableSoon = true;
    this.#run.later(this.#run.draining ? 5 : this.#run.random.int(20, 250), () => {
      this.#availableSoon = false;
      return this.#goAvailable();
    });
  }

  async #goAvailable(): Promise<void> {
    if (!this.idle || this.#state.status === 'available') return;
    const ack = await this.#run.ask(this, this.#socket!, 'agent:status', { status: 'available' }, [ErrorCode.InvalidState]);
    if (!ack?.ok) return;
    this.#run.count('statusChanges');
    this.#state = { status: 'available' };
  }
}

/** Random actions until MIN_EVENTS routing events were observed or the time cap passed. */
async function churn(run: ChurnRun, nodes: NodeHandle[]): Promise<void> {
  const random = run.random;
  while (run.total() < MIN_EVENTS && Date.now() - run.started < CHURN_CAP_MS && run.problems.length === 0) {
    await pause(random.int(5, 40));
    const waiting = [...run.customers].filter((c) => c.state === 'waiting' && !c.leaveRefused && c.inFlight === 0);
    const idleAgents = run.agents.filter((a) => a.idle);
    const droppable = run.agents.filter((a) => a.connected && a.inFlight === 0 && !a.awaitingCall);
    const action = random.weighted([
      ['join', run.customers.size < CUSTOMERS_AT_ONCE ? 12 : 0],
      ['leave', waiting.length > 0 ? 1.2 : 0],
      ['customer drop', waiting.length > 0 ? 1.2 : 0],
      ['agent break', idleAgents.length > 0 ? 0.5 : 0],
      ['agent drop', droppable.length > 0 ? 0.4 : 0],
      ['nothing', 3],
    ] as const);
    switch (action) {
      case 'join':
        run.track(new ChurnCustomer(run, random.item(nodes)).join());
        break;
      case 'leave':
        run.track(random.item(waiting).leave());
        break;
      case 'customer drop':
        random.item(waiting).drop();
        break;
      case 'agent break':
        run.track(random.item(idleAgents).takeBreak());
        break;
      case 'agent drop':
        random.item(droppable).drop();
        break;
      case 'nothing':
        break;
    }
  }
}

/** What the store still holds: entries (by ticket), open offers and holds. */
async function leftInStore(redisUrl: string, namespace: string): Promise<{ entries: string[]; offers: number; holds: number }> {
  const store = await RedisRoutingStore.connect(redisUrl, namespace);
  try {
    const [{ entries }, offers, holds] = await Promise.all([store.snapshot(), store.dueOffers(Number.MAX_SAFE_INTEGER), store.dueHolds(Number.MAX_SAFE_INTEGER)]);
    return { entries: entries.map((entry) => entry.ticketId), offers: offers.length, holds: holds.length };
  } finally {
    await store.close();
  }
}

describe('two server nodes sharing one Redis', () => {
  const namespace = `churn-${randomUUID().slice(0, 8)}`;
  let redis: RedisProcess;
  let processes: ServerProcess[] = [];
  let nodes: NodeHandle[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    const env = {
      // Like a deployment, both nodes share one records database.
      DATABASE_URL: await freshDatabaseUrl(),
      RECORDS_KEY: newMasterKeyText(),
      PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL: redis.url,
      REDIS_NAMESPACE: namespace,
      MEDIASOUP_WORKERS: '1',
      OFFER_TIMEOUT_MS: String(OFFER_TIMEOUT_MS),
      RECONNECT_GRACE_MS: String(GRACE_MS),
      // The churn model has agents go available again right after each call.
      WRAP_UP_SEC: '0',
      LOG_LEVEL: 'warn',
      AGENT_ACCOUNTS: JSON.stringify(AGENT_IDS.map((id) => testAgent(id, ['csl', 'voice']))),
    };
    processes = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    nodes = processes.map((child, index) => ({ index, url: child.url, pool: new SocketPool(child.url) }));
  });

  afterAll(async () => {
    for (const node of nodes) node.pool.closeAll();
    await Promise.all(processes.map((child) => child.stop()));
    await redis?.stop();
  });

  it('routes 2000 events of random churn over both nodes without a double offer or a lost entry', async () => {
    const run = new ChurnRun();
    await Promise.all(AGENT_IDS.map((id, i) => new ChurnAgent(run, id, nodes[i % nodes.length]!).signIn()));

    await churn(run, nodes);
    const churnMs = Date.now() - run.started;

    run.draining = true;
    const nudging = setInterval(() => run.agents.forEach((agent) => run.track(agent.nudge())), 300);
    const drainStarted = Date.now();
    const drained = await run.waitUntil(() => run.drained(), DRAIN_TIMEOUT_MS);
    const drainMs = Date.now() - drainStarted;
    const store = await leftInStore(redis.url, namespace);
    clearInterval(nudging);
    run.stop();
    await run.settled();

    const unresolved = run.unresolved();
    const lost = new Set([...unresolved, ...store.entries]);
    const doubles = run.ledger.doubleOffers();
    // Offers to an agent on the other node than the ticket's customer: they reach the agent through the adapter.
    const agentNode = new Map(run.agents.map((agent) => [agent.id, agent.node.index]));
    const offersAcrossNodes = run.ledger.offers().filter((offer) => {
      const ticket = run.tickets.get(offer.ticketId);
      return ticket !== undefined && ticket.node !== agentNode.get(offer.agentId);
    }).length;
    // A join whose ack failed is a customer who gave up before getting a ticket.
    const abandoned = [...run.tickets].filter(([ticketId, ticket]) => ticket.abandoned && !run.served.has(ticketId)).length + run.races.joinFailed;
    const figures = {
      test: 'two-node-churn',
      seed: SEED,
      events: run.total(),
      offers: run.events.offers,
      offersAcrossNodes,
      callsAcrossNodes: run.callsAcrossNodes,
      doubleOffers: doubles.length,
      lostEntries: lost.size,
      served: run.served.size,
      abandoned,
      tickets: run.tickets.size,
      byKind: run.events,
      races: run.races,
      leftInStore: store,
      problems: run.problems.length,
      slowestStateMs: run.slowestStateMs,
      drained,
      churnMs,
      drainMs,
    };
    console.log(JSON.stringify(figures));
    for (const double of doubles.slice(0, 5)) {
      console.log('double offer', JSON.stringify(double), `later received at +${double.later.received - run.started}ms`);
      for (const offer of [double.earlier, double.later]) console.log(offer.ticketId, run.tickets.get(offer.ticketId)?.trace);
    }
    for (const ticketId of [...lost].slice(0, 5)) console.log('lost', ticketId, run.tickets.get(ticketId)?.trace);
    for (const child of processes) if (child.stderr()) console.log(`node stderr:\n${child.stderr().slice(-3000)}`);

    expect(run.problems).toEqual([]);
    expect(figures.events).toBeGreaterThanOrEqual(MIN_EVENTS);
    expect(figures.offersAcrossNodes).toBeGreaterThan(0);
    expect(figures.callsAcrossNodes).toBeGreaterThan(0);
    expect(figures.doubleOffers).toBe(0);
    expect(figures.lostEntries).toBe(0);
    expect(store).toEqual({ entries: [], offers: 0, holds: 0 });
  }, 240_000);
});
