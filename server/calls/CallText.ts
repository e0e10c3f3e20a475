import { randomUUID } from 'node:crypto';
import type { CallEventName, ChatSent, RttReceived, Speaker, TranscriptLine } from '../../signaling/index.js';
import { AppError, MAX_CHAT_TEXT, T140Line } from '../../signaling/index.js';
import type { Logger } from '../logger.js';
import type { NewTranscriptLine, TranscriptStore } from '../transcripts/TranscriptStore.js';
import type { Messenger } from './CallTypes.js';

/** What a call's text part works with. */
export interface CallTextOptions {
  sessionId: string;
  ticketId: string;
  transcripts: TranscriptStore;
  messenger: Messenger;
  log: Logger;
  /** An RTT line nobody added to for this long goes into the transcript as it stands. */
  rttLinePauseMs: number;
  now: () => number;
  /** The participant keys of everyone in the call now. */
  keys: () => string[];
  /** Hands real-time text to a participant over their data channel; false when they have none open (Socket.IO then). */
  deliverRtt?: (key: string, payload: RttReceived) => boolean;
}

/** One participant's real-time text as the server follows it, for the transcript. */
interface RttWriter {
  speaker: Speaker;
  line: T140Line;
  pause: NodeJS.Timeout | undefined;
}

/** A chat message, by the id its sender gave it. */
interface SentMessage {
  messageId: string;
  at: number;
  from: string;
}

/**
 * The written side of a call: real-time text passed on as typed (and cut into transcript lines at a line separator
 * or a pause), chat with delivery marks, and the ticket's transcript, whose lines every participant sees as they
 * are added. Lines are recorded one after another, in the order they happened.
 */
export class CallText {
  readonly #options: CallTextOptions;
  readonly #writers = new Map<string, RttWriter>();
  /** Messages by sender key and client id, so a resend gets the first answer. */
  readonly #byClientId = new Map<string, SentMessage>();
  /** Who sent each message, by message id. */
  readonly #senders = new Map<string, string>();
  /** The transcript writes, in order; each line is pushed once stored. */
  #recording: Promise<unknown> = Promise.resolve();

  constructor(options: CallTextOptions) {
    this.#options = options;
  }

  /** A participant's real-time text: the others get it at once; closed lines go to the transcript. */
  rtt(key: string, speaker: Speaker, chunk: string): void {
    const { messenger, sessionId, keys, rttLinePauseMs, deliverRtt } = this.#options;
    const payload = { sessionId, speaker, text: chunk };
    const bySocket = keys().filter((other) => other !== key && !deliverRtt?.(other, payload));
    if (bySocket.length > 0) messenger.push(bySocket, 'text:rtt', payload);
    let writer = this.#writers.get(key);
    if (!writer) {
      writer = { speaker, line: new T140Line(), pause: undefined };
      this.#writers.set(key, writer);
    }
    const { closed, current } = writer.line.apply(chunk);
    for (const line of closed) if (line.trim() !== '') void this.#record('rtt', speaker, line);
    clearTimeout(writer.pause);
    writer.pause = undefined;
    // A line that never ends still reaches the transcript, in pieces no longer than a chat message.
    if (Array.from(current).length >= MAX_CHAT_TEXT) this.#closeRttLine(key);
    else if (current !== '') writer.pause = setTimeout(() => this.#closeRttLine(key), rttLinePauseMs);
  }

  /** A chat message: stored in the transcript, then given to the others; a resend with the same client id changes nothing. */
  async chat(key: string, speaker: Speaker, clientId: string, text: string): Promise<ChatSent> {
    const known = this.#byClientId.get(`${key}\n${clientId}`);
    if (known) return { messageId: known.messageId, at: known.at };
    const message = { messageId: randomUUID(), at: this.#options.now(), from: key };
    this.#byClientId.set(`${key}\n${clientId}`, message);
    this.#senders.set(message.messageId, key);
    await this.#record('chat', speaker, text, undefined, message.at);
    const { messenger, sessionId, keys } = this.#options;
    messenger.push(keys().filter((other) => other !== key), 'text:chat', { sessionId, messageId: message.messageId, speaker, text, at: message.at });
    return { messageId: message.messageId, at: message.at };
  }

  /** Another participant's page has a message: its sender gets the "delivered" mark. */
  delivered(key: string, role: Speaker['role'], messageId: string): void {
    const sender = this.#senders.get(messageId);
    if (sender === undefined) throw AppError.notFound('message', messageId);
    if (sender === key) return;
    this.#options.messenger.push(sender, 'text:chatMark', { sessionId: this.#options.sessionId, messageId, mark: 'delivered', by: role });
  }

  /** A call event (joined, transferred, …) in the transcript. */
  event(speaker: Speaker, event: CallEventName, text: string): void {
    void this.#record('event', speaker, text, event);
  }

  /** The final words of an utterance, recognized from a participant's speech. */
  caption(speaker: Speaker, text: string, at: number): void {
    void this.#record('caption', speaker, text.slice(0, MAX_CHAT_TEXT), undefined, at);
  }

  /**
   * Resolves once every line recorded so far has been stored and pushed, or after `timeoutMs` (a slow store must
   * not hold up what waits on it: the end of a call).
   */
  settled(timeoutMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    return Promise.race([this.#recording.then(() => undefined), late]).finally(() => clearTimeout(timer));
  }

  /** The ticket's transcript, with every line recorded so far. */
  async transcript(): Promise<TranscriptLine[]> {
    await this.#recording;
    return this.#options.transcripts.lines(this.#options.ticketId);
  }

  /** A participant left: their open RTT line goes into the transcript. */
  leave(key: string): void {
    this.#closeRttLine(key);
    this.#writers.delete(key);
  }

  /** The call ends: every open RTT line goes into the transcript. */
  close(): void {
    for (const key of [...this.#writers.keys()]) this.leave(key);
  }

  #closeRttLine(key: string): void {
    const writer = this.#writers.get(key);
    if (!writer) return;
    clearTimeout(writer.pause);
    writer.pause = undefined;
    const line = writer.line.close();
    if (line !== undefined && line.trim() !== '') void this.#record('rtt', writer.speaker, line);
  }

  // Appends after every earlier line, then shows it to everyone in the call. A store that fails is logged; the line
  // is lost to the transcript, never to the call (the words reached the others already).
  #record(kind: TranscriptLine['kind'], speaker: Speaker, text: string, event?: CallEventName, at = this.#options.now()): Promise<void> {
    const { transcripts, ticketId, messenger, sessionId, keys, log } = this.#options;
    const line: NewTranscriptLine = { at, kind, speaker, text, ...(event ? { event } : {}) };
    const recorded = this.#recording.then(async () => {
      const stored = await transcripts.append(ticketId, line);
      messenger.push(keys(), 'transcript:line', { sessionId, ticketId, line: stored });
    });
    this.#recording = recorded.catch((error: unknown) => log.error(`transcript of ${ticketId}: a ${kind} line was not stored`, error));
    return recorded;
  }
}
