import { createClient } from 'redis';
import type { Logger } from '../logger.js';

/** A call a node hosts: its ticket and session. */
export interface HostedCall {
  ticketId: string;
  sessionId: string;
}

/** What a dead node left: the calls it hosted and the agents connected to it. */
export interface DeadNodeLeft {
  calls: HostedCall[];
  agents: string[];
}

/** How often a node says it is alive, and how long that lasts: a node silent for `ALIVE_TTL_MS` is taken as dead. */
const HEARTBEAT_MS = 1_000;
const ALIVE_TTL_MS = 4_000;
/** How long one node's claim on a dead node's calls stands before another may try again (its takeover failed). */
const CLAIM_TTL_MS = 60_000;

/**
 * Which nodes are alive and what each one serves, in Redis (under `<namespace>:nodes`): every node refreshes its own
 * short-lived `alive` key and keeps a hash of the calls it hosts (ticket to session) and the set of agents connected
 * to it. Each node watches the others; when one's key lapses (killed, frozen, cut off), the first node to claim it
 * (SET NX) is handed that node's calls and agents to take over, and then forgets the dead node. A node that stops
 * cleanly is taken over the same way, only sooner: it drops its `alive` key as it goes. A node that restarts comes
 * back under a new id, so the calls of its former self are taken over like any dead node's, by it or another.
 */
export class NodeLiveness {
  readonly #redis: ReturnType<typeof createClient>;
  readonly #prefix: string;
  readonly #nodeId: string;
  readonly #log: Logger;
  readonly #takeOver: (deadNodeId: string, left: DeadNodeLeft) => Promise<void>;
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> = Promise.resolve();

  private constructor(redis: ReturnType<typeof createClient>, namespace: string, nodeId: string, log: Logger, takeOver: (deadNodeId: string, left: DeadNodeLeft) => Promise<void>) {
    this.#redis = redis;
    this.#prefix = `${namespace}:nodes`;
    this.#nodeId = nodeId;
    this.#log = log;
    this.#takeOver = takeOver;
  }

  /** Connects, says this node is alive, and starts watching the others. */
  static async start(options: { url: string; namespace: string; nodeId: string; log: Logger; takeOver: (deadNodeId: string, left: DeadNodeLeft) => Promise<void> }): Promise<NodeLiveness> {
    const redis = createClient({ url: options.url });
    redis.on('error', (error: Error) => options.log.error(`node liveness: redis: ${error.message}`));
    await redis.connect();
    const liveness = new NodeLiveness(redis, options.namespace, options.nodeId, options.log, options.takeOver);
    await liveness.#beat();
    liveness.#timer = setInterval(() => {
      liveness.#beating = liveness.#beating.then(() => liveness.#beat()).catch((error: unknown) => options.log.error('node liveness: a heartbeat failed', error));
    }, HEARTBEAT_MS);
    liveness.#timer.unref();
    return liveness;
  }

  /** This node hosts the ticket's call now. */
  hosting(ticketId: string, sessionId: string): void {
    this.#redis.hSet(this.#calls(this.#nodeId), ticketId, sessionId).catch((error: unknown) => this.#log.error(`node liveness: could not record the call of ${ticketId}`, error));
  }

  /** The ticket's call on this node is over. */
  released(ticketId: string): void {
    this.#redis.hDel(this.#calls(this.#nodeId), ticketId).catch((error: unknown) => this.#log.error(`node liveness: could not forget the call of ${ticketId}`, error));
  }

  /** An agent's console is connected to this node (their first connection here). */
  agentHere(agentId: string): void {
    this.#redis.sAdd(this.#agents(this.#nodeId), agentId).catch((error: unknown) => this.#log.error(`node liveness: could not record agent ${agentId}`, error));
  }

  /** The agent's last connection to this node went. */
  agentGone(agentId: string): void {
    this.#redis.sRem(this.#agents(this.#nodeId), agentId).catch((error: unknown) => this.#log.error(`node liveness: could not forget agent ${agentId}`, error));
  }

  /**
   * How many other nodes are in the set: alive, or dead and not yet taken over (for a few seconds). Each should
   * answer a forwarded event; fewer answers mean some did not hear it (their Redis subscription is being restored).
   */
  async peers(): Promise<number> {
    return Math.max(0, (await this.#redis.sCard(this.#prefix)) - 1);
  }

  /**
   * Stops beating and says at once that this node is gone: the calls it cut off as it stopped and the agents whose
   * consoles it served are left for the next node to look (within a heartbeat) to take over, as a dead node's are.
   */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#beating;
    await this.#redis.del(this.#alive(this.#nodeId)).catch(() => undefined);
    await this.#redis.close();
  }

  async #beat(): Promise<void> {
    await this.#redis.multi().set(this.#alive(this.#nodeId), String(Date.now()), { PX: ALIVE_TTL_MS }).sAdd(this.#prefix, this.#nodeId).exec();
    for (const other of await this.#redis.sMembers(this.#prefix)) {
      if (other === this.#nodeId || (await this.#redis.exists(this.#alive(other)))) continue;
      const claimed = await this.#redis.set(`${this.#prefix}:takeover:${other}`, this.#nodeId, { NX: true, PX: CLAIM_TTL_MS });
      if (claimed !== 'OK') continue;
      const calls = Object.entries(await this.#redis.hGetAll(this.#calls(other))).map(([ticketId, sessionId]) => ({ ticketId, sessionId }));
      const agents = await this.#redis.sMembers(this.#agents(other));
      this.#log.warn(`node ${other} stopped answering: taking over its ${calls.length} call(s) and ${agents.length} agent(s)`);
      await this.#takeOver(other, { calls, agents });
      await this.#redis.multi().sRem(this.#prefix, other).del([this.#calls(other), this.#agents(other)]).exec();
    }
  }

  #alive(nodeId: string): string {
    return `${this.#prefix}:alive:${nodeId}`;
  }

  #agents(nodeId: string): string {
    return `${this.#prefix}:agents:${nodeId}`;
  }

  #calls(nodeId: string): string {
    return `${this.#prefix}:calls:${nodeId}`;
  }
}
