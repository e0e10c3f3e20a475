import { AppError, type CallQualityRecord, type ParticipantRole, type QualitySample } from '../../signaling/index.js';
import { summarize } from './callQuality.js';

/** Samples kept per participant: two hours at one every 2 s. */
const MAX_SAMPLES = 3_600;

interface OpenRecord {
  sessionId: string;
  ticketId: string;
  startedAt: number;
  endedAt: number | null;
  samples: Record<ParticipantRole, QualitySample[]>;
}

/** Every call's quality samples on this node, kept after the call for supervisors (the oldest ended ones make room). */
export class QualityRecords {
  readonly #records = new Map<string, OpenRecord>();
  readonly #capacity: number;

  constructor(capacity = 1_000) {
    this.#capacity = capacity;
  }

  /** Starts the record of a call. */
  open(call: { sessionId: string; ticketId: string; startedAt: number }): void {
    this.#records.set(call.sessionId, { ...call, endedAt: null, samples: { customer: [], agent: [], technician: [] } });
    if (this.#records.size <= this.#capacity) return;
    for (const [sessionId, record] of this.#records) {
      if (record.endedAt === null) continue;
      this.#records.delete(sessionId);
      break;
    }
  }

  /** Adds a participant's sample; a call that has ended or is unknown is reported as not found. */
  add(sessionId: string, role: ParticipantRole, sample: QualitySample): void {
    const record = this.#records.get(sessionId);
    if (!record || record.endedAt !== null) throw AppError.notFound('session', sessionId);
    const samples = record.samples[role];
    if (samples.length >= MAX_SAMPLES) samples.shift();
    samples.push(sample);
  }

  /** Marks the call ended; its record stays readable. */
  close(sessionId: string, endedAt: number): void {
    const record = this.#records.get(sessionId);
    if (record && record.endedAt === null) record.endedAt = endedAt;
  }

  /** The call's record with each participant's summary against EN 301 549, or undefined. */
  get(sessionId: string): CallQualityRecord | undefined {
    const record = this.#records.get(sessionId);
    if (!record) return undefined;
    const participants: CallQualityRecord['participants'] = {};
    for (const role of ['customer', 'agent', 'technician'] as const) {
      const samples = record.samples[role];
      if (samples.length > 0) participants[role] = { samples: [...samples], summary: summarize(samples) };
    }
    return { sessionId: record.sessionId, ticketId: record.ticketId, startedAt: record.startedAt, endedAt: record.endedAt, participants };
  }
}
