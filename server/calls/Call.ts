import { EventEmitter } from 'node:events';
import type { AgentProfile, Annotation, Annotator, CallEndReason, CallMode, ChatSent, Device, Guide, GuideSent, InvitePurpose, MarksReply, ParticipantRole, QualitySample, QueueName, RttInboxMessage, Speaker, StepReplyKind, TranscriptReply } from '../../signaling/index.js';
import { ANNOTATION_CHANNEL, AnnotationBoard, annotationSchema, AppError, ErrorCode, isSharedView, T140, T140_CHANNEL, t140ChunkSchema } from '../../signaling/index.js';
import type { MediaRoom } from '../../media/MediaEngine.js';
import type { Logger } from '../logger.js';
import type { QualityRecords } from '../quality/QualityRecords.js';
import { KeyedBuckets } from '../socket/TokenBucket.js';
import { CallCaptions } from './CallCaptions.js';
import { CallSteps } from './CallSteps.js';
import { CallText } from './CallText.js';
import type { CallEvents, CallOptions, Messenger } from './CallTypes.js';
import { agentKey, customerKey } from './participantKeys.js';

interface Participant {
  role: ParticipantRole;
  name: string;
  /** Their annotation colour, an index into the pages' palette: fixed for the call and unique in it. */
  color: number;
  /** False while someone who lost the connection may still come back. */
  connected: boolean;
  /** Runs out the reconnect grace period while they are away. */
  graceTimer?: NodeJS.Timeout | undefined;
}

/** Longest the end of a call waits for its last transcript lines to be stored before the pages hear of it. */
const END_TRANSCRIPT_WAIT_MS = 2_000;
/**
 * Annotations a participant may send per second, on average and in a burst: a pointer moving at the pages' 30 Hz
 * with strokes between; a flood beyond it is refused with a coded error.
 */
const ANNOTATION_RATE = { perSec: 40, burst: 80 } as const;
/** Colours the pages' palette has; a call never has more participants than this. */
const ANNOTATION_COLORS = 8;

/** Someone asked into the call who has not joined yet. */
export interface Invitee {
  /** Their participant key. */
  key: string;
  name: string;
  /** Their support tier, which the customer is told; null for a technician who came by a one-time link. */
  tier: number | null;
  /** A signed-in agent's profile: needed to take the call over. */
  profile?: AgentProfile | undefined;
}

/**
 * One call from the agent's accept to its end: who is in it and in which role, its media room, who signs, its
 * quality record, its written side (real-time text, chat, the ticket's transcript), and what joining, leaving,
 * losing the connection and coming back do. Every participant's request
 * about the call goes through here; another call's participant is told the call does not exist.
 */
export class Call extends EventEmitter<CallEvents> {
  /** The session id, also the media room's id. */
  readonly id: string;
  readonly ticketId: string;
  readonly mode: CallMode;
  /** The queue the call was answered from. */
  readonly queue: QueueName;
  /** What the customer needs help with. */
  readonly topic: string;
  readonly device: Device;
  readonly startedAt: number;
  /** The call's agent: who answered, or who took it over in a warm transfer. */
  #agent: AgentProfile;
  #room: MediaRoom;
  readonly #replaceRoom: (() => Promise<MediaRoom>) | undefined;
  readonly #recognizer: CallOptions['recognizer'];
  readonly #captionsWanted: boolean;
  readonly #messenger: Messenger;
  readonly #quality: QualityRecords;
  readonly #reconnectGraceMs: number;
  readonly #now: () => number;
  /** Everyone in the call by participant key: the customer, the agent, technicians. */
  readonly #participants = new Map<string, Participant>();
  /** Agents asked in who have not joined yet, and why they were asked. */
  readonly #invited = new Map<string, { invitee: Invitee; purpose: InvitePurpose }>();
  /** Who joined to take the call over (a warm transfer) and has not been handed it yet. */
  #incoming: Invitee | undefined;
  /** Who is signing now, so someone joining or coming back sees it at once. */
  readonly #signing = new Set<string>();
  readonly #text: CallText;
  /** Step-by-step guidance: the guide in front of the customer and where they are in it. */
  readonly #steps: CallSteps;
  /** Live captions of everyone's speech, when the customer asked and the server has a recognizer. */
  #captions: CallCaptions | undefined;
  readonly #log: Logger;
  /** The rate limit of each participant's data channel, the same as their Socket.IO events'. */
  readonly #dataBuckets: KeyedBuckets;
  readonly #annotationBuckets = new KeyedBuckets(ANNOTATION_RATE);
  /**
   * The strokes on the call's shared views, for pages that join later (pointers are not kept: they fade). A view's
   * strokes go when its producer closes, all of them when the call moves to a fresh room, as on the pages.
   */
  #board = new AnnotationBoard();
  /** Who drew with each colour, as their strokes are replayed (a colour stays with its drawer for the call). */
  readonly #drawers = new Map<number, Annotator>();
  #closed = false;

  constructor(options: CallOptions) {
    super();
    this.id = options.id;
    this.ticketId = options.ticket.id;
    this.mode = options.ticket.mode;
    this.queue = options.ticket.queue;
    this.topic = options.ticket.topic;
    this.device = options.ticket.device;
    this.#agent = options.agent;
    this.#room = options.room;
    this.#replaceRoom = options.replaceRoom;
    this.#recognizer = options.recognizer;
    this.#captionsWanted = options.ticket.captions;
    this.#messenger = options.messenger;
    this.#quality = options.quality;
    this.#reconnectGraceMs = options.reconnectGraceMs;
    this.#now = options.now ?? Date.now;
    this.#log = options.log;
    this.#dataBuckets = new KeyedBuckets(options.dataRate);
    this.startedAt = this.#now();
    this.#participants.set(customerKey(this.ticketId), { role: 'customer', name: this.ticketId, color: 0, connected: true });
    this.#participants.set(agentKey(this.agent.id), { role: 'agent', name: this.agent.name, color: 1, connected: true });
    this.#quality.open({ sessionId: this.id, ticketId: this.ticketId, startedAt: this.startedAt });
    this.#text = new CallText({
      sessionId: this.id,
      ticketId: this.ticketId,
      transcripts: options.transcripts,
      messenger: this.#messenger,
      log: options.log,
      rttLinePauseMs: options.rttLinePauseMs,
      now: this.#now,
      keys: () => this.keys(),
      deliverRtt: (key, { speaker, text }) => this.#room.sendData(key, JSON.stringify({ type: 'rtt', speaker, text } satisfies RttInboxMessage)),
    });
    this.#steps = new CallSteps({
      sessionId: this.id,
      messenger: this.#messenger,
      keys: () => this.keys(),
      record: (speaker, event, text) => this.#text.event(speaker, event, text),
      now: this.#now,
    });
    this.#captions = this.#openCaptions();
    for (const key of this.keys()) this.#text.event(this.#speakerOf(key), 'joined', `${this.#speakerOf(key).name} joined`);
    this.#bindRoom(this.#room);
  }

  /** Live captions of the room's speech, when the customer asked and the server has a recognizer. */
  #openCaptions(): CallCaptions | undefined {
    if (!this.#captionsWanted || !this.#recognizer) return undefined;
    return new CallCaptions({
      sessionId: this.id,
      room: this.#room,
      recognizer: this.#recognizer,
      messenger: this.#messenger,
      log: this.#log,
      now: this.#now,
      keys: () => this.keys(),
      speakerOf: (key) => this.#speakerOf(key),
      record: (speaker, text, at) => this.#text.caption(speaker, text, at),
    });
  }

  #bindRoom(room: MediaRoom): void {
    room.on('newProducer', (ownerId, producer) => {
      this.#messenger.push(this.#othersThan(ownerId), 'media:newProducer', producer);
      if (producer.kind === 'audio') void this.#captions?.add(ownerId, producer.producerId);
    });
    room.on('producerClosed', (ownerId, producerId) => {
      this.#board.forget(producerId);
      this.#messenger.push(this.#othersThan(ownerId), 'media:producerClosed', { sessionId: this.id, producerId });
    });
    room.on('dataMessage', (key, label, text) => this.#onDataMessage(key, label, text));
    room.on('dataRefused', (key, label, reason) => this.#refuseData(key, AppError.badRequest(reason), label === ANNOTATION_CHANNEL.label ? label : T140_CHANNEL.label));
    // Closed by anything but the call's own end: the SFU lost it underneath (its worker died).
    room.once('closed', () => void this.#rehome(room));
  }

  /**
   * The room went away underneath: the call moves to a fresh one and every participant is told to start its media
   * again in the same session (`call:started` with `restart`), as after a reload; ticket, transcript, steps and
   * captions carry on. Without a replacement, or when none opens, the call ends.
   */
  async #rehome(lost: MediaRoom): Promise<void> {
    if (this.#closed || lost !== this.#room) return;
    let fresh: MediaRoom | undefined;
    try {
      fresh = await this.#replaceRoom?.();
    } catch (error) {
      // Also when the whole engine is closing (the server stops): the call then ends as it would have.
      this.#log.warn(`call ${this.id}: no fresh media room after the last one was lost (${error instanceof Error ? error.message : String(error)}); ending it`);
    }
    if (!fresh) return this.end('server-shutdown');
    if (this.#closed) return void fresh.close();
    this.#room = fresh;
    this.#board = new AnnotationBoard();
    this.#captions?.close();
    this.#captions = this.#openCaptions();
    this.#bindRoom(fresh);
    this.#log.warn(`call ${this.id}: media room lost; moved to a fresh one`);
    this.#text.event(this.#speakerOf(agentKey(this.agent.id)), 'media-restarted', 'the call\'s video restarted after a server fault');
    for (const [key, participant] of this.#participants) if (participant.connected) this.#pushStarted(key, participant, true);
  }

  #pushStarted(key: string, participant: Participant, restart: boolean): void {
    const peerName = participant.role === 'customer' ? this.agent.name : participant.role === 'agent' ? this.ticketId : `${this.agent.name} · ${this.ticketId}`;
    this.#messenger.push(key, 'call:started', { sessionId: this.id, ticketId: this.ticketId, mode: this.mode, media: this.#room.engine, role: participant.role, peerName, color: participant.color, ...(restart ? { restart } : {}) });
    this.#pushSigningStates(key);
    this.#steps.showTo(key);
  }

  /** The call's agent: who answered, or who took it over in a warm transfer. */
  get agent(): AgentProfile {
    return this.#agent;
  }

  /** True once the call has ended. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether the customer is connected to the call now (false while their reconnect grace runs). */
  get customerConnected(): boolean {
    for (const participant of this.#participants.values()) if (participant.role === 'customer') return participant.connected;
    return false;
  }

  /** A sign-language call: its minutes add to the agent's continuous signing. */
  get signingCall(): boolean {
    return this.mode === 'csl' || this.mode === 'asl' || this.mode === 'hksl';
  }

  /** The participant keys of everyone in the call. */
  keys(): string[] {
    return [...this.#participants.keys()];
  }

  /** The role of a participant key, or undefined when it is not in the call. */
  roleOf(key: string): ParticipantRole | undefined {
    return this.#participants.get(key)?.role;
  }

  /** The role of a participant asking about this call; throws NOT_FOUND for anyone not in it. */
  roleOfMember(key: string): ParticipantRole {
    const role = this.roleOf(key);
    if (!role || this.#closed) throw AppError.notFound('session', this.id);
    return role;
  }

  /** The media room, for a participant's own media requests. */
  mediaFor(key: string): MediaRoom {
    this.roleOfMember(key);
    return this.#room;
  }

  /** Tells the customer and the agent that the call has started. */
  announce(): void {
    const common = { sessionId: this.id, ticketId: this.ticketId, mode: this.mode, media: this.#room.engine };
    this.#messenger.push(customerKey(this.ticketId), 'call:started', { ...common, role: 'customer', peerName: this.agent.name, color: this.#annotatorOf(customerKey(this.ticketId)).color });
    this.#messenger.push(agentKey(this.agent.id), 'call:started', { ...common, role: 'agent', peerName: this.ticketId, color: this.#annotatorOf(agentKey(this.agent.id)).color });
  }

  /** A participant started or stopped signing; the others are told (the state only, never landmarks). */
  setSigning(key: string, signing: boolean): void {
    const role = this.roleOfMember(key);
    if (signing) this.#signing.add(key);
    else this.#signing.delete(key);
    this.#messenger.push(this.#othersThan(key), 'call:peerSigning', { sessionId: this.id, role, signing });
  }

  /** Adds a participant's receive-quality sample to the call's record. */
  addQualitySample(key: string, sample: QualitySample): void {
    this.#quality.add(this.id, this.roleOfMember(key), sample);
  }

  /** A participant's real-time text (T.140, already checked): the others see it as typed. */
  sendRtt(key: string, chunk: string): void {
    this.roleOfMember(key);
    this.#text.rtt(key, this.#speakerOf(key), chunk);
  }

  /** A participant's chat message; resolves once it is in the transcript (the sender's "sent" mark). */
  chat(key: string, clientId: string, text: string): Promise<ChatSent> {
    this.roleOfMember(key);
    return this.#text.chat(key, this.#speakerOf(key), clientId, text);
  }

  /** A participant's page received a chat message; its sender gets the "delivered" mark. */
  chatDelivered(key: string, messageId: string): void {
    this.#text.delivered(key, this.roleOfMember(key), messageId);
  }

  /**
   * A participant's mark on a shared screen or device view (already checked against the schema): the others see it
   * at once. Its target must be a shared view in this call; a participant sending faster than ANNOTATION_RATE is refused.
   */
  annotate(key: string, annotation: Annotation): void {
    this.roleOfMember(key);
    if (!this.#annotationBuckets.take(key)) throw new AppError(ErrorCode.RateLimited, 429, 'too many annotations at once; slow down');
    const source = this.#room.producerSource(annotation.target);
    if (source === undefined || !isSharedView(source)) throw AppError.notFound('shared screen', annotation.target);
    const from = this.#annotatorOf(key);
    if (annotation.kind !== 'pointer') {
      this.#board.apply(from, annotation, Date.now());
      this.#drawers.set(from.color, from);
    }
    for (const other of this.#othersThan(key)) {
      const sent = this.#room.sendData(other, JSON.stringify({ type: 'annotation', from, annotation } satisfies RttInboxMessage));
      if (!sent) this.#messenger.push(other, 'call:annotation', { sessionId: this.id, from, annotation });
    }
  }

  /**
   * The strokes on the call's shared views so far, for a participant whose page joined after they were drawn (a
   * technician, a reload): each with who drew it, oldest first.
   */
  marks(key: string): MarksReply {
    this.roleOfMember(key);
    return {
      marks: this.#board.targets().flatMap((target) =>
        // Every colour on the board drew a stroke through annotate(), which names its drawer.
        this.#board.strokes(target).map(({ color, stroke }) => ({ from: this.#drawers.get(color)!, annotation: { kind: 'stroke' as const, target, stroke } })),
      ),
    };
  }

  /** The agent or a technician sends a guide: the customer gets its first card. Throws FORBIDDEN for the customer. */
  sendGuide(key: string, guide: Guide, slow: boolean): GuideSent {
    if (this.roleOfMember(key) === 'customer') throw AppError.forbidden('only the agent or a technician can send a guide');
    return this.#steps.send(key, this.#speakerOf(key), guide, slow);
  }

  /** The agent or a technician puts a card of the guide in front of the customer (again, or with a snapshot). */
  showStep(key: string, guideNo: number, index: number, image: string | undefined): void {
    if (this.roleOfMember(key) === 'customer') throw AppError.forbidden('only the agent or a technician can show a step');
    this.#steps.show(key, this.#speakerOf(key), guideNo, index, image);
  }

  /** The customer answers the card in front of them: done, show again, or stuck. Throws FORBIDDEN for anyone else. */
  answerStep(key: string, guideNo: number, index: number, reply: StepReplyKind): void {
    if (this.roleOfMember(key) !== 'customer') throw AppError.forbidden('only the customer answers a step');
    this.#steps.answer(this.#speakerOf(key), guideNo, index, reply);
  }

  /** The ticket's transcript so far, for a participant. */
  async transcript(key: string): Promise<TranscriptReply> {
    this.roleOfMember(key);
    return { ticketId: this.ticketId, lines: await this.#text.transcript() };
  }

  /**
   * The call's own agent asks someone in: to help beside them, or to take the call over (a warm transfer, for a
   * signed-in agent only). Everyone in the call is told who is coming and why; the invitee gets the call's context.
   */
  invite(byKey: string, invitee: Invitee, purpose: InvitePurpose, note: string): void {
    if (this.roleOfMember(byKey) !== 'agent') throw AppError.notFound('session', this.id);
    if (this.#participants.has(invitee.key)) throw AppError.invalidState(`"${invitee.name}" is in the call already`);
    if (purpose === 'takeover' && !invitee.profile) throw AppError.invalidState('only a signed-in agent can take a call over');
    this.#invited.set(invitee.key, { invitee, purpose });
    const why = purpose === 'takeover' ? 'to take the call over' : 'to help';
    this.#text.event(this.#speakerOf(byKey), 'technician-invited', `${this.agent.name} invited ${invitee.name} ${why}${note ? `: ${note}` : ''}`);
    this.#messenger.push(this.keys(), 'call:coming', { sessionId: this.id, name: invitee.name, tier: invitee.tier, purpose, note });
    const context = { sessionId: this.id, ticketId: this.ticketId, mode: this.mode, topic: this.topic, device: this.device };
    this.#messenger.push(invitee.key, 'call:invitation', { ...context, fromAgent: this.agent.name, purpose, note });
  }

  /**
   * An invitee enters as a technician (one who is to take the call over is one too until handed it); a signed-in
   * agent's camera, already flowing into their station, is forwarded from there. Throws NOT_FOUND without an invitation.
   */
  async admit(key: string, station: MediaRoom | undefined): Promise<void> {
    const invited = this.#invited.get(key);
    if (invited === undefined || this.#closed) throw AppError.notFound('invitation to session', this.id);
    this.#invited.delete(key);
    const { name } = invited.invitee;
    this.#participants.set(key, { role: 'technician', name, color: this.#freeColor(), connected: true });
    if (invited.purpose === 'takeover') this.#incoming = invited.invitee;
    this.#text.event(this.#speakerOf(key), 'joined', `${name} joined`);
    if (station) await this.#room.adoptProducers(key, station);
    this.#messenger.push(key, 'call:started', { sessionId: this.id, ticketId: this.ticketId, mode: this.mode, media: this.#room.engine, role: 'technician', peerName: `${this.agent.name} · ${this.ticketId}`, color: this.#annotatorOf(key).color });
    this.#pushSigningStates(key);
    this.#steps.showTo(key);
  }

  /**
   * The warm transfer completes: the agent who joined to take over becomes the call's agent and the sender leaves
   * (their page hears `call:ended` with `transferred`). Media, text, captions and the transcript carry on untouched.
   * Returns the agent who left, for routing.
   */
  handOver(byKey: string): AgentProfile {
    if (this.roleOfMember(byKey) !== 'agent') throw AppError.notFound('session', this.id);
    const incoming = this.#incoming;
    const participant = incoming && this.#participants.get(incoming.key);
    if (!incoming?.profile || !participant) throw AppError.invalidState('nobody has joined to take the call over yet');
    if (!participant.connected) throw AppError.invalidState(`${incoming.name} lost the connection; hand the call over once they are back`);
    const previous = this.#agent;
    this.#incoming = undefined;
    this.#text.event(this.#speakerOf(byKey), 'handed-over', `${previous.name} handed the call to ${incoming.name}`);
    this.#remove(byKey);
    participant.role = 'agent';
    this.#agent = incoming.profile;
    this.#messenger.push(byKey, 'call:ended', { sessionId: this.id, reason: 'transferred' });
    this.#messenger.push(this.keys(), 'call:handedOver', { sessionId: this.id, fromName: previous.name, toAgentId: incoming.profile.id, toName: incoming.name });
    return previous;
  }

  /** Tells everyone in the call that it is going back to a queue (a cold transfer) and why, before it ends. */
  announceTransfer(tier: number | null, note: string): void {
    const name = tier ? `tier ${tier}` : this.queue;
    this.#messenger.push(this.keys(), 'call:coming', { sessionId: this.id, name, tier, purpose: 'transfer', note });
  }

  /** Adopts the producers a participant sends into another room of the same engine (the agent's station). */
  async adoptFrom(key: string, station: MediaRoom): Promise<void> {
    this.roleOfMember(key);
    await this.#room.adoptProducers(key, station);
  }

  /** A participant hangs up: a technician leaves and the call goes on; the customer or the agent ends it for everyone. */
  hangUp(key: string): void {
    if (this.roleOfMember(key) !== 'technician') return this.end('hangup');
    this.#leave(key);
    this.#messenger.push(key, 'call:ended', { sessionId: this.id, reason: 'hangup' });
  }

  /**
   * A participant's last connection went away. Everyone has the reconnect grace period to come back (a reload, a
   * network switch) and the others are told meanwhile. A customer who does not come back ends the call; an agent who
   * does not leaves the customer to routing (`agentLost`); a technician who does not leaves the call (`left`).
   * Returns whether it was the call's agent and the call waits for them: routing keeps them in it meanwhile (a
   * technician is away to routing, and online again when back).
   */
  disconnected(key: string): boolean {
    const participant = this.#participants.get(key);
    if (!participant || this.#closed) return false;
    const agentWaits = () => participant.role === 'agent' && !this.#closed;
    if (!participant.connected) return agentWaits();
    participant.connected = false;
    if (this.#reconnectGraceMs === 0) {
      this.#lapse(key, participant);
      return agentWaits();
    }
    this.#messenger.push(this.#othersThan(key), 'call:peerConnection', { sessionId: this.id, role: participant.role, name: participant.name, connected: false });
    this.#text.event(this.#speakerOf(key), 'connection-lost', `${participant.name} lost the connection`);
    participant.graceTimer = setTimeout(() => this.#lapse(key, participant), this.#reconnectGraceMs);
    return agentWaits();
  }

  // The grace period ran out; what it means follows the role they have now (a technician may have been handed the call).
  #lapse(key: string, participant: Participant): void {
    participant.graceTimer = undefined;
    if (participant.role === 'agent') return void this.emit('agentLost');
    if (participant.role === 'customer') return this.end('disconnected');
    this.#leave(key);
  }

  /**
   * A participant signed out: they will not come back, so the call does not wait. The call's agent leaves the customer
   * to routing at once (`agentLost`); a technician leaves.
   */
  signedOut(key: string): void {
    const participant = this.#participants.get(key);
    if (!participant || participant.role === 'customer' || this.#closed) return;
    if (participant.role === 'technician') return this.#leave(key);
    clearTimeout(participant.graceTimer);
    participant.graceTimer = undefined;
    participant.connected = false;
    // Heard once (a grace of 0 may have told it already).
    this.emit('agentLost');
  }

  /**
   * A participant connected again: they get `call:started` for the same session, and the others are told. An agent's
   * or a technician's page starts the call's media afresh (`restart`): a station that carried their camera went with
   * the connection.
   */
  reconnected(key: string): void {
    const participant = this.#participants.get(key);
    if (!participant || this.#closed) return;
    clearTimeout(participant.graceTimer);
    participant.graceTimer = undefined;
    if (!participant.connected) {
      participant.connected = true;
      this.#messenger.push(this.#othersThan(key), 'call:peerConnection', { sessionId: this.id, role: participant.role, name: participant.name, connected: true });
      this.#text.event(this.#speakerOf(key), 'connection-back', `${participant.name} is back`);
    }
    this.#pushStarted(key, participant, participant.role !== 'customer');
  }

  /** The roles of those who lost the connection and are being waited for. */
  get reconnecting(): ParticipantRole[] {
    return [...this.#participants.values()].filter((participant) => !participant.connected).map((participant) => participant.role);
  }

  /** Whether the call's agent is connected now (false while their reconnect grace runs). */
  get agentConnected(): boolean {
    return this.#participants.get(agentKey(this.agent.id))?.connected ?? false;
  }

  /** Resolves once every transcript line recorded so far is stored, or after a couple of seconds if the store is slow. */
  written(): Promise<void> {
    return this.#text.settled(END_TRANSCRIPT_WAIT_MS);
  }

  /** Ends the call for everyone and closes its media; idempotent. Emits `ended` last. */
  end(reason: CallEndReason): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const participant of this.#participants.values()) clearTimeout(participant.graceTimer);
    const keys = this.keys();
    this.#captions?.close();
    this.#text.close();
    this.#text.event(this.#speakerOf(agentKey(this.agent.id)), reason === 'transferred' ? 'transferred' : 'ended', reason === 'transferred' ? `${this.agent.name} transferred the call` : `the call ended (${reason})`);
    this.#room.close();
    this.#quality.close(this.id, this.#now());
    // The pages learn the end after the transcript's last lines (the end itself among them), so what a customer
    // saves is complete.
    const announce = () => this.#messenger.push(keys, 'call:ended', { sessionId: this.id, reason });
    void this.#text.settled(END_TRANSCRIPT_WAIT_MS).then(announce, announce);
    this.emit('ended', reason);
    this.removeAllListeners();
  }

  // A participant's T.140 channel (RFC 8865): the same checks as the Socket.IO path, and its own rate limit. A lone
  // byte order mark, which T.140 ignores, is the page saying its inbox is open.
  #onDataMessage(key: string, label: string, text: string): void {
    if (!this.#participants.has(key)) return;
    if (label === ANNOTATION_CHANNEL.label) return this.#onAnnotationMessage(key, text);
    if (label !== T140_CHANNEL.label) return this.#refuseData(key, AppError.badRequest(`no data channel "${label}" here`));
    if (text === T140.bom) return this.#room.confirmInbox(key);
    if (!this.#dataBuckets.take(key)) return this.#refuseData(key, new AppError(ErrorCode.RateLimited, 429, 'too much real-time text at once; slow down'));
    const checked = t140ChunkSchema.safeParse(text);
    if (!checked.success) return this.#refuseData(key, AppError.badRequest(`real-time text refused: ${checked.error.issues.map((issue) => issue.message).join('; ')}`));
    this.#text.rtt(key, this.#speakerOf(key), checked.data);
  }

  // The annotation channel's messages: JSON, the same schema and checks as `call:annotate`.
  #onAnnotationMessage(key: string, text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return this.#refuseData(key, AppError.badRequest('an annotation must be JSON'), ANNOTATION_CHANNEL.label);
    }
    const checked = annotationSchema.safeParse(parsed);
    if (!checked.success) return this.#refuseData(key, AppError.badRequest(`annotation refused: ${checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`), ANNOTATION_CHANNEL.label);
    try {
      this.annotate(key, checked.data);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      this.#refuseData(key, error, ANNOTATION_CHANNEL.label);
    }
  }

  // Told on the inbox, naming the channel; a page without an open inbox had not confirmed it, so nothing it sent was taken.
  #refuseData(key: string, error: AppError, channel: typeof T140_CHANNEL.label | typeof ANNOTATION_CHANNEL.label = T140_CHANNEL.label): void {
    const told = this.#room.sendData(key, JSON.stringify({ type: 'refused', error: { code: error.code, message: error.message }, channel } satisfies RttInboxMessage));
    if (!told) this.#log.warn(`call ${this.id}: refused data channel text from ${key}: ${error.message}`);
  }

  #remove(key: string): void {
    const participant = this.#participants.get(key);
    if (!participant) return;
    if (this.#incoming?.key === key) this.#incoming = undefined;
    this.#text.leave(key);
    this.#text.event(this.#speakerOf(key), 'left', `${participant.name} left`);
    this.#participants.delete(key);
    this.#signing.delete(key);
    this.#dataBuckets.forget(key);
    this.#annotationBuckets.forget(key);
    this.#steps.forget(key);
    this.#room.remove(key);
  }

  /**
   * A technician leaves while the call goes on: hung up, signed out, or not back within the grace period (then the
   * others' pages stop waiting for them). The call's owner hears it (`left`), to end what was theirs for this call only.
   */
  #leave(key: string): void {
    const participant = this.#participants.get(key);
    if (!participant) return;
    clearTimeout(participant.graceTimer);
    this.#remove(key);
    if (!participant.connected) this.#messenger.push(this.keys(), 'call:peerConnection', { sessionId: this.id, role: participant.role, name: participant.name, connected: false, left: true });
    this.emit('left', key);
  }

  #annotatorOf(key: string): Annotator {
    const participant = this.#participants.get(key);
    return { role: participant?.role ?? 'technician', name: participant?.name ?? key, color: participant?.color ?? 0 };
  }

  /**
   * A colour nobody in the call has, first one nobody has drawn with yet: strokes are kept by colour, here and on the
   * pages, so a newcomer given a leaver's colour would be shown as the drawer of the leaver's strokes (and undo them).
   * Calls are far smaller than the palette, so one is always free.
   */
  #freeColor(): number {
    const taken = new Set([...this.#participants.values()].map((participant) => participant.color));
    const free = [...Array(ANNOTATION_COLORS).keys()].filter((color) => !taken.has(color));
    return free.find((color) => !this.#drawers.has(color)) ?? free[0] ?? taken.size % ANNOTATION_COLORS;
  }

  #speakerOf(key: string): Speaker {
    const participant = this.#participants.get(key);
    return { role: participant?.role ?? 'technician', name: participant?.name ?? key };
  }

  #othersThan(key: string): string[] {
    return this.keys().filter((other) => other !== key);
  }

  #pushSigningStates(to: string): void {
    for (const signer of this.#signing) {
      if (signer !== to) this.#messenger.push(to, 'call:peerSigning', { sessionId: this.id, role: this.roleOf(signer)!, signing: true });
    }
  }
}
