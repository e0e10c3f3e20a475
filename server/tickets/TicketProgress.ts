import { AppError, ErrorCode, type CsatReport, type QueueName, type SurveyAnswer, type SurveySubmit, type TicketProgress as TicketProgressView } from '../../signaling/index.js';
import type { Messenger } from '../calls/CallTypes.js';
import type { SqlSurveyStore } from '../records/SqlSurveyStore.js';
import type { SqlTicketAccess } from '../records/SqlTicketAccess.js';
import type { SqlTicketJournal, TicketEvent } from '../records/SqlTicketJournal.js';
import type { TranscriptStore } from '../transcripts/TranscriptStore.js';
import { progressStatusOf, progressStepOf } from './progressSteps.js';
import { TicketState } from './TicketRegistry.js';

/** The Socket.IO room of the connections watching a ticket's progress. */
export const progressKey = (ticketId: string): string => `progress:${ticketId}`;

/** What a ticket's progress is read from and pushed through. */
export interface TicketProgressOptions {
  journal: SqlTicketJournal;
  access: SqlTicketAccess;
  transcripts: TranscriptStore;
  surveys: SqlSurveyStore;
  messenger: Messenger;
}

/**
 * A ticket as its customer follows it after the call: authorized by the ticket's secret alone (the customer's token
 * ends with the call), read from the records (so any node, and a restarted one, answers), and pushed to watchers as
 * each change is written. Also takes the ticket's one survey.
 */
export class TicketProgress {
  readonly #options: TicketProgressOptions;

  constructor(options: TicketProgressOptions) {
    this.#options = options;
  }

  /**
   * Makes the ticket's secret; resolves once it and the ticket's opening are written, so the link given out with it
   * always finds the ticket.
   */
  async issue(ticketId: string): Promise<string> {
    const secret = await this.#options.access.issue(ticketId);
    await this.#options.journal.settled();
    return secret;
  }

  /**
   * Passes when `secret` is the ticket's. No secret is UNAUTHORIZED; a wrong one and an unknown ticket are the same
   * NOT_FOUND, so a guesser learns nothing about which tickets exist.
   */
  async authorize(ticketId: string, secret: string | undefined): Promise<void> {
    if (!secret) throw AppError.unauthorized('the ticket’s secret is required (the part of its link after #)');
    if (!(await this.#options.access.verify(ticketId, secret))) throw unknownTicket(ticketId);
  }

  /** The ticket's progress: status, history, transcript and survey. Authorize first. */
  async view(ticketId: string): Promise<TicketProgressView> {
    const { journal, transcripts, surveys } = this.#options;
    const [row, events, transcript, survey] = await Promise.all([journal.find(ticketId), journal.history(ticketId), transcripts.lines(ticketId), surveys.find(ticketId)]);
    if (!row) throw unknownTicket(ticketId);
    const status = progressStatusOf(row.status);
    return {
      ticketId,
      status,
      queue: row.queue as QueueName,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      steps: events.map(progressStepOf).filter((step) => step !== null),
      transcript,
      survey: survey ?? null,
      surveyOpen: status === TicketState.Ended && !survey,
    };
  }

  /** Stores the ticket's survey: only once its call is over, and only once (CONFLICT). Authorize first. */
  async submitSurvey(ticketId: string, answer: SurveySubmit): Promise<SurveyAnswer> {
    const row = await this.#options.journal.find(ticketId);
    if (!row) throw unknownTicket(ticketId);
    if (progressStatusOf(row.status) !== TicketState.Ended) throw AppError.invalidState('the survey opens once the call is over');
    return this.#options.surveys.submit(ticketId, answer, { queue: row.queue as QueueName, agentId: row.agentId });
  }

  /** CSAT per queue and per agent, from every survey. */
  csat(): Promise<CsatReport> {
    return this.#options.surveys.csat();
  }

  /** Pushes a written change to the ticket's watchers, on every node. */
  readonly recorded = (ticketId: string, status: string, event: TicketEvent): void => {
    const step = progressStepOf(event);
    if (step) this.#options.messenger.push(progressKey(ticketId), 'progress:update', { ticketId, status: progressStatusOf(status), step });
  };
}

function unknownTicket(ticketId: string): AppError {
  return new AppError(ErrorCode.NotFound, 404, `no ticket "${ticketId}" with this secret`);
}
