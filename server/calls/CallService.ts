import { randomUUID } from 'node:crypto';
import type { AgentProfile, CallEndReason, CallInvite, CallTransfer, ParticipantRole } from '../../signaling/index.js';
import { AppError, ErrorCode, type AgentWrapUp } from '../../signaling/index.js';
import type { MediaEngine } from '../../media/MediaEngine.js';
import type { JoinLinks } from '../auth/JoinLinks.js';
import type { TokenRegistry } from '../auth/TokenRegistry.js';
import type { Logger } from '../logger.js';
import type { QualityRecords } from '../quality/QualityRecords.js';
import type { TranscriptStore } from '../transcripts/TranscriptStore.js';
import type { CallOptions } from './CallTypes.js';
import { modesOf, requirementsForTransfer } from '../routing/requirements.js';
import { enqueueRequestOf } from '../tickets/enqueueRequest.js';
import type { Router } from '../routing/Router.js';
import type { EndedCall } from '../routing/RouterTypes.js';
import type { StationRegistry } from '../stations/StationRegistry.js';
import type { QueuedEntry } from '../store/RoutingStore.js';
import { TicketState, type TicketRegistry } from '../tickets/TicketRegistry.js';
import { Call } from './Call.js';
import type { Messenger } from './CallTypes.js';
import { agentKey, customerKey, guestKey } from './participantKeys.js';
import { pickTechnician, technicianList, tierOf } from './technicians.js';
import type { UntoldEnds } from './UntoldEnds.js';
import type { WrapUps } from './WrapUps.js';

/** What the call service works with. */
export interface CallServiceOptions {
  media: MediaEngine;
  stations: StationRegistry;
  router: Router;
  tickets: TicketRegistry;
  tokens: TokenRegistry;
  /** One-time links for technicians without an account. */
  links: JoinLinks;
  quality: QualityRecords;
  transcripts: TranscriptStore;
  messenger: Messenger;
  log: Logger;
  /** How many times an unanswered callback is tried before the ticket closes. */
  callbackAttempts: number;
  /** How long a customer who lost the connection keeps their call. */
  reconnectGraceMs: number;
  /** An RTT line nobody added to for this long goes into the transcript as it stands. */
  rttLinePauseMs: number;
  /** The rate limit of each participant's data channel. */
  dataRate: CallOptions['dataRate'];
  /** Turns speech into captions; absent when captions are off. */
  recognizer?: CallOptions['recognizer'];
  /** The agent's time after a call for its notes; without it an ended call makes the agent available at once. */
  wrapUps?: WrapUps;
  /** Where the ends of calls an agent's console was away for wait for it to come back (`UntoldEnds`). */
  untoldEnds?: UntoldEnds;
  /** Told which tickets' calls this node hosts, so another node can take them over if this one dies (with Redis). */
  hosting?: { hosting(ticketId: string, sessionId: string): void; released(ticketId: string): void };
}

/**
 * Every call on this node: opens a call when routing reports an accepted offer, finds the call a participant asks
 * about, and settles what a call's end means for routing, the ticket and the customer's token. Transfers and
 * technicians joining live here because they touch routing as well as the call.
 */
export class CallService {
  readonly #options: CallServiceOptions;
  readonly #calls = new Map<string, Call>();
  /** Ended calls whose last transcript lines are still being stored. */
  readonly #writing = new Set<Promise<void>>();
  /** The token of each technician who came by a one-time link, by participant key: it goes when they leave the call. */
  readonly #guestTokens = new Map<string, { token: string; sessionId: string }>();

  constructor(options: CallServiceOptions) {
    this.#options = options;
  }

  /**
   * Opens the call of an accepted offer beside the agent's station, so the customer consumes the agent's camera at
   * once, and tells both sides. `customerConnected` is asked after the room opened: a customer who left meanwhile
   * gets the reconnect grace period like one who leaves during the call.
   */
  async start(entry: QueuedEntry, agent: AgentProfile, customerConnected: () => Promise<boolean>): Promise<Call> {
    const { media, stations, tickets, tokens, messenger, quality, transcripts, router, log, reconnectGraceMs, rttLinePauseMs, dataRate, recognizer } = this.#options;
    const id = randomUUID();
    // From here a customer reconnecting finds the ticket in a call that is about to announce itself.
    tickets.inCall(entry.ticketId, id, agent.id);
    const station = stations.get(agentKey(agent.id));
    // Roles are asked only once participants join, by when the call exists.
    let call: Call | undefined;
    try {
      const roomOptions = { mode: entry.mode, roleOf: (key: string) => call?.roleOf(key) ?? 'technician' };
      const room = await media.createRoom(id, { ...roomOptions, colocateWith: station });
      // The ticket of a customer who joined on another node is not here: captions then follow the mode (voice callers get them).
      const captions = tickets.get(entry.ticketId)?.request.needs.captions ?? entry.mode === 'voice';
      const ticket = { id: entry.ticketId, mode: entry.mode, queue: entry.queue, topic: entry.topic, device: entry.device, captions };
      // A room lost underneath is replaced by one of its own: the agent's station went with it, so the page sends its camera into the call.
      const replaceRoom = () => media.createRoom(id, roomOptions);
      call = new Call({ id, ticket, agent, room, replaceRoom, messenger, quality, transcripts, log, reconnectGraceMs, rttLinePauseMs, dataRate, recognizer });
    } catch (error) {
      // No call could open: the agent is free again, and the customer is told instead of waiting for nothing.
      tickets.close(entry.ticketId, TicketState.Ended, 'system', { reason: 'the call could not open' });
      tokens.revokeTicket(entry.ticketId);
      messenger.push(customerKey(entry.ticketId), 'ticket:closed', { ticketId: entry.ticketId, reason: 'ended' });
      router.callEnded(agent.id, { handleMs: 0, signing: false, queue: entry.queue }).catch((e: unknown) => log.error('routing did not hear that a call failed to open', e));
      throw error;
    }
    const started = call;
    this.#calls.set(id, started);
    this.#options.hosting?.hosting(entry.ticketId, id);
    started.once('ended', (reason) => this.#settle(started, reason));
    started.once('agentLost', () => void this.#agentLost(started));
    started.on('left', (key) => this.#revokeGuest(key));
    try {
      if (station) await started.adoptFrom(agentKey(agent.id), station);
    } catch (error) {
      started.end('disconnected');
      throw error;
    }
    started.announce();
    if (!(await customerConnected())) started.disconnected(customerKey(entry.ticketId));
    return started;
  }

  /** How many calls this node is serving. */
  get activeCount(): number {
    return this.#calls.size;
  }

  /** Every call this node is serving, for the supervisor view. */
  list(): Call[] {
    return [...this.#calls.values()];
  }

  /** The call with this id, or undefined. */
  get(sessionId: string): Call | undefined {
    return this.#calls.get(sessionId);
  }

  /** The call a participant asks about, with their role; another participant's call is reported exactly like a missing one. */
  memberCall(sessionId: string, key: string): { call: Call; role: ParticipantRole } {
    const call = this.#calls.get(sessionId);
    if (!call) throw AppError.notFound('session', sessionId);
    return { call, role: call.roleOfMember(key) };
  }

  /** A call its agent asks to change (invite, transfer); to anyone else, even a technician in it, it does not exist. */
  ownCall(sessionId: string, agentId: string): Call {
    const { call, role } = this.memberCall(sessionId, agentKey(agentId));
    if (role !== 'agent') throw AppError.notFound('session', sessionId);
    return call;
  }

  /** The call a participant is in, or undefined. */
  findByParticipant(key: string): Call | undefined {
    for (const call of this.#calls.values()) if (call.roleOf(key)) return call;
    return undefined;
  }

  /**
   * The call's agent passes it on to a queue or a named agent, with a note: queued first, so a refused transfer
   * leaves the call as it was; then the call ends for everyone, and the customer waits for the next agent.
   */
  async transfer(sessionId: string, byAgentId: string, target: Pick<CallTransfer, 'queue' | 'agentId' | 'skills' | 'tier' | 'note'>): Promise<{ position: number }> {
    const call = this.ownCall(sessionId, byAgentId);
    if (target.agentId === byAgentId) throw AppError.invalidState('the call is already yours');
    const ticket = this.#options.tickets.get(call.ticketId);
    if (!ticket) throw AppError.notFound('ticket', call.ticketId);
    const queue = target.queue ?? call.queue;
    const skills = target.tier ? [...target.skills, { skill: 'tier' as const, minLevel: target.tier }] : target.skills;
    const status = await this.#options.router.transfer({
      ticketId: ticket.id,
      ...requirementsForTransfer(ticket.request, queue, skills),
      slaClass: ticket.request.category,
      priority: 'normal',
      mode: ticket.request.mode,
      queue,
      topic: ticket.request.topic,
      device: ticket.request.device,
      transfer: { fromAgent: call.agent.name, note: target.note },
      toAgentId: target.agentId,
      notAgentId: byAgentId,
    });
    if (target.tier) this.#options.tickets.escalated(ticket.id, byAgentId, target.tier, 'cold');
    this.#options.tickets.requeued(ticket.id, byAgentId, queue);
    call.announceTransfer(target.tier ?? null, target.note);
    call.end('transferred');
    return { position: status.position };
  }

  /** Everyone online the call's agent could ask in, with tier, skills and state. */
  technicians(byAgentId: string): ReturnType<typeof technicianList> {
    return technicianList(this.#options.router.onlineAgents(), byAgentId);
  }

  /**
   * The call's agent asks a named agent, or the best free one of a tier, in: to help, or to take the call over (a
   * warm transfer). Resolves to who was asked.
   */
  invite(sessionId: string, byAgentId: string, request: Pick<CallInvite, 'agentId' | 'tier' | 'purpose' | 'note'>): { agentId: string; name: string } {
    const call = this.ownCall(sessionId, byAgentId);
    const online = this.#options.router.onlineAgents();
    const target = request.tier
      ? pickTechnician(online, { tier: request.tier, mode: call.mode, device: call.device, exceptAgentId: byAgentId })
      : online.find((record) => record.agentId === request.agentId);
    if (!target) throw AppError.notFound('agent', request.agentId ?? '');
    if (target.agentId === byAgentId) throw AppError.invalidState('the call is already yours');
    const profile: AgentProfile = { id: target.agentId, name: target.name, modes: modesOf(target.skills) };
    call.invite(agentKey(byAgentId), { key: agentKey(target.agentId), name: target.name, tier: tierOf(target), profile }, request.purpose, request.note);
    if (request.tier) this.#options.tickets.escalated(call.ticketId, byAgentId, request.tier, 'warm');
    return { agentId: target.agentId, name: target.name };
  }

  /**
   * A warm transfer completes: the agent who joined to take over has the call (routing counts them in it, so its end
   * brings their wrap-up); routing hears that the sender's call ended.
   */
  async handOver(sessionId: string, byAgentId: string): Promise<void> {
    const call = this.ownCall(sessionId, byAgentId);
    const previous = call.handOver(agentKey(byAgentId));
    this.#options.tickets.handedOver(call.ticketId, previous.id, call.agent.id);
    this.#releaseAgent(previous.id, call, `${previous.id} handed call ${call.id} over`);
    if (!(await this.#options.router.tookCall(call.agent.id))) this.#options.log.warn(`call ${call.id}: ${call.agent.id} took it over from a state routing could not count as in the call`);
  }

  /** A one-time link into the call for a technician without an account (single use, ten minutes, this call only). */
  createLink(sessionId: string, byAgentId: string): { path: string; expiresAt: number } {
    this.ownCall(sessionId, byAgentId);
    const { token, expiresAt } = this.#options.links.create(sessionId);
    return { path: `/tech?join=${encodeURIComponent(token)}`, expiresAt };
  }

  /**
   * Uses a one-time link up: the technician is invited into its call under the name they gave, and gets a token
   * that works for that call only. A used, lapsed or unknown link, or one whose call ended, is refused.
   */
  joinByLink(token: string, name: string): { token: string; sessionId: string; name: string } {
    const sessionId = this.#options.links.redeem(token);
    const call = this.#calls.get(sessionId);
    if (!call) throw new AppError(ErrorCode.LinkInvalid, 410, 'the call this link was for has ended');
    const guestId = randomUUID();
    call.invite(agentKey(call.agent.id), { key: guestKey(guestId), name, tier: null }, 'help', 'joined with a one-time link');
    const guestToken = this.#options.tokens.issue({ role: 'guest-technician', guestId, name, sessionId });
    this.#guestTokens.set(guestKey(guestId), { token: guestToken, sessionId });
    return { token: guestToken, sessionId, name };
  }

  /**
   * A technician who came by a one-time link left the call, or it ended: their token goes (a reload comes back into
   * the call only while they are in it); the link was spent, so the agent makes a new one to ask them in again.
   */
  #revokeGuest(key: string): void {
    const guest = this.#guestTokens.get(key);
    if (guest === undefined) return;
    this.#guestTokens.delete(key);
    this.#options.tokens.revoke(guest.token);
  }

  /** An invited agent joins a call as a technician; while helping they get no offers (going available again is theirs). */
  async admitTechnician(sessionId: string, agentId: string): Promise<void> {
    const key = agentKey(agentId);
    const call = this.#calls.get(sessionId);
    if (!call) throw AppError.notFound('invitation to session', sessionId);
    await call.admit(key, this.#options.stations.get(key));
    await this.#options.router.setAvailability(agentId, 'away').catch(() => undefined);
  }

  /** A technician who came by a one-time link enters its call (their page sends its own camera: they have no station). */
  async admitGuest(sessionId: string, guestId: string): Promise<void> {
    const call = this.#calls.get(sessionId);
    if (!call) throw AppError.notFound('invitation to session', sessionId);
    await call.admit(guestKey(guestId), undefined);
  }

  /** The agent files the wrap-up of a ticket whose call of theirs ended; one still in progress is INVALID_STATE. */
  async wrapUp(agentId: string, wrapUp: AgentWrapUp): Promise<void> {
    const { wrapUps } = this.#options;
    const current = this.findByParticipant(agentKey(agentId));
    if (current?.ticketId === wrapUp.ticketId && current.agent.id === agentId) throw AppError.invalidState(`the call of ticket "${wrapUp.ticketId}" is still going`);
    if (!wrapUps) throw AppError.notFound('wrap-up of ticket', wrapUp.ticketId);
    await wrapUps.submit(agentId, wrapUp);
  }

  /**
   * The server stops (a deploy, a scale-down): every call is cut off as a crash would cut it, but said so: the pages
   * hear `call:ended` (interrupted) and wait to reconnect, and each ticket stays in its call in the records and in this
   * node's hosting record, so another node takes it back in line at once (first, offered to the same agent), or this
   * one when it restarts. Resolves once every call's last transcript lines are stored.
   */
  async interruptAll(): Promise<void> {
    for (const call of [...this.#calls.values()]) call.end('interrupted');
    // The server closes its records next: the last lines (each call's end among them) are written first.
    await Promise.all([...this.#writing]);
  }

  // A transferred ticket waits again under the same token; any other end closes the ticket and its token.
  #settle(call: Call, reason: CallEndReason): void {
    const { tickets, tokens } = this.#options;
    this.#calls.delete(call.id);
    const writing = call.written();
    this.#writing.add(writing);
    void writing.finally(() => this.#writing.delete(writing));
    this.#options.links.forgetSession(call.id);
    for (const [key, guest] of this.#guestTokens) if (guest.sessionId === call.id) this.#revokeGuest(key);
    // Cut off by the server stopping: the ticket, its token, the agent's call and the hosting record are left as a
    // crash leaves them, for whoever takes the call back (`interruptAll`).
    if (reason === 'interrupted') return;
    this.#options.hosting?.released(call.ticketId);
    // An agent away as the call ended hears of it when back on this node, with the wrap-up that is still theirs.
    const untold = (opening: Promise<number | undefined> = Promise.resolve(undefined)) => {
      const ended = opening.then((until) => ({ sessionId: call.id, reason, ...(until === undefined ? {} : { wrapUp: { ticketId: call.ticketId, until } }) }));
      if (!call.agentConnected) this.#options.untoldEnds?.add(agentKey(call.agent.id), ended);
    };
    // A transfer, or the loss of the agent, was recorded on the ticket when it was queued again.
    if (reason === 'transferred' || reason === 'agent-lost') {
      untold();
      return this.#releaseAgent(call.agent.id, call, `call ${call.id} ended`);
    }
    // A callback nobody answered: tried again ahead of new arrivals, until the last try closes the ticket; nothing was
    // said, so there is nothing to wrap up.
    const ticket = tickets.get(call.ticketId);
    if (reason === 'disconnected' && ticket?.callback && !call.customerConnected) {
      if (tickets.callbackMissed(ticket.id, this.#options.callbackAttempts)) {
        this.#options.router.requeue(enqueueRequestOf(ticket), ticket.createdAt).catch((error: unknown) => this.#options.log.error(`ticket ${ticket.id}: its callback could not be queued again`, error));
      } else {
        tokens.revokeTicket(call.ticketId);
      }
      untold();
      return this.#releaseAgent(call.agent.id, call, `call ${call.id} ended`);
    }
    tickets.close(call.ticketId, TicketState.Ended, 'system', { reason });
    tokens.revokeTicket(call.ticketId);
    // A shutdown leaves no time for notes; any other end of the ticket's call is followed by the agent's wrap-up.
    const { wrapUps, log } = this.#options;
    if (!wrapUps || reason === 'server-shutdown') {
      untold();
      return this.#releaseAgent(call.agent.id, call, `call ${call.id} ended`);
    }
    const opening = wrapUps.callEnded(call.agent.id, { ticketId: call.ticketId, sessionId: call.id }, this.#ended(call)).catch((error: unknown) => {
      log.error(`routing or the records did not hear that call ${call.id} ended into wrap-up`, error);
      return undefined;
    });
    untold(opening);
  }

  /**
   * The call's agent did not come back within the grace period: the customer waits again, first in line (their first
   * arrival time), with the same ticket and transcript, and the call ends. Routing takes the agent offline as the
   * call's end reaches it (`agentGone`). A customer who is away too keeps the place for their own grace period.
   */
  async #agentLost(call: Call): Promise<void> {
    const { tickets, router, log } = this.#options;
    const ticket = tickets.get(call.ticketId);
    if (call.closed) return;
    try {
      if (!ticket) throw new Error('its ticket is not on this node');
      await router.requeue(enqueueRequestOf(ticket), ticket.createdAt);
      // Ended meanwhile (the customer hung up): the ticket is closed, so it does not wait after all.
      if (call.closed) return void (await router.abandon(ticket.id));
      if (!call.customerConnected) await router.hold(ticket.id);
    } catch (error) {
      log.error(`call ${call.id}: its agent was lost and the customer could not be queued again; ending the ticket`, error);
      return call.end('disconnected');
    }
    tickets.agentLost(ticket.id);
    call.end('agent-lost');
  }

  /** Routing hears that an agent's part in a call is over (its end, or their hand-over): handle time, signing, queue. */
  #releaseAgent(agentId: string, call: Call, what: string): void {
    this.#options.router.callEnded(agentId, this.#ended(call)).catch((error: unknown) => this.#options.log.error(`routing did not hear that ${what}`, error));
  }

  /**
   * A call's end as routing counts it: handle time, signing, queue, and whether its agent was away when it ended (a
   * hand-over, the call still up, releases an agent who is there).
   */
  #ended(call: Call): EndedCall {
    return { handleMs: Date.now() - call.startedAt, signing: call.signingCall, queue: call.queue, agentGone: call.closed && !call.agentConnected };
  }
}
