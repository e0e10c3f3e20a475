import type { AgentState, HistoryPoint, LiveCall, OverallVerdict, SlaClassLevel, SupervisedAgent, SupervisedAgentStatus, SupervisorOverview } from '../../signaling/index.js';
import { queueNameSchema } from '../../signaling/index.js';
import type { CallService } from '../calls/CallService.js';
import type { QualityRecords } from '../quality/QualityRecords.js';
import type { SlaClass } from '../routing/model.js';
import { modesOf } from '../routing/requirements.js';
import type { Router } from '../routing/Router.js';
import type { OtherNodes } from './clusterView.js';
import { slaClassLevels, waitHistory, type TicketWait } from './waitHistory.js';

/** Points per chart, whatever the hours covered. */
const HISTORY_POINTS = 48;

/** Customer satisfaction from surveys; the overview shows null without a source. */
export interface CsatSource {
  /** CSAT (the share of surveys rated 4 or 5 of 5) overall and per agent id since `sinceMs`; null overall before any. */
  since(sinceMs: number): Promise<{ overall: number | null; byAgent: ReadonlyMap<string, number> }>;
}

/** Where customers' past waits come from (the ticket records). */
export interface WaitSource {
  since(sinceMs: number): Promise<TicketWait[]>;
}

/** Options of the supervisor view. */
export interface SupervisorViewOptions {
  router: Router;
  calls: CallService;
  quality: QualityRecords;
  waits: WaitSource;
  slaTargetsSec: Record<SlaClass, number>;
  csat?: CsatSource | undefined;
  /** With several nodes, the other nodes' calls. */
  otherNodes?: Pick<OtherNodes, 'calls'> | undefined;
  /** How long the part read from the records is reused; the charts' intervals are minutes long. */
  recordsMaxAgeMs?: number;
  now?: () => number;
}

/** The part of an overview read from the records, reused for a while. */
interface FromRecords {
  madeAt: number;
  made: Promise<Pick<SupervisorOverview, 'slaClasses' | 'history' | 'csat'> & { csatByAgent: ReadonlyMap<string, number> }>;
}

/**
 * What a supervisor sees, in one snapshot: live queues and agents from routing, every node's calls with their EN 301 549
 * verdicts, and SLA classes and the charts' history from the ticket records. The history is derived from the records
 * rather than sampled in memory so that it survives a restart and covers every node's tickets; the records part is
 * reused for `recordsMaxAgeMs` so that supervisors polling every few seconds do not rescan the tickets each time.
 */
export class SupervisorView {
  readonly #options: SupervisorViewOptions;
  readonly #now: () => number;
  readonly #recordsMaxAgeMs: number;
  readonly #fromRecords = new Map<number, FromRecords>();
  /** The state each agent's console was last told on this node. */
  readonly #lastState = new Map<string, AgentState>();
  /** Agents who went away while a break was suggested to them: resting, until their next change. */
  readonly #resting = new Set<string>();
  readonly #onAgentState = (agentId: string, state: AgentState): void => this.#agentState(agentId, state);
  #closed = false;

  constructor(options: SupervisorViewOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#recordsMaxAgeMs = options.recordsMaxAgeMs ?? 5_000;
    options.router.on('agentState', this.#onAgentState);
  }

  /** The snapshot at this moment, with SLA classes, history and CSAT over the last `hours`. */
  async overview(hours: number): Promise<SupervisorOverview> {
    const { router } = this.#options;
    const now = this.#now();
    const [queues, records, elsewhere] = await Promise.all([router.serviceLevels(queueNameSchema.options), this.#records(hours, now), this.#options.otherNodes?.calls() ?? []]);
    return {
      at: now,
      queues,
      slaClasses: records.slaClasses,
      agents: this.#agents(records.csatByAgent),
      calls: [...this.localCalls(), ...elsewhere].sort((a, b) => a.startedAt - b.startedAt),
      history: records.history,
      csat: records.csat,
    };
  }

  /** Stops following agents' states. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#options.router.off('agentState', this.#onAgentState);
  }

  #agentState(agentId: string, state: AgentState): void {
    const before = this.#lastState.get(agentId);
    this.#lastState.set(agentId, state);
    if (state.status !== 'away') this.#resting.delete(agentId);
    else if (!state.reason && before?.status !== 'away' && before?.suggestBreak) this.#resting.add(agentId);
  }

  #agents(csatByAgent: ReadonlyMap<string, number>): SupervisedAgent[] {
    return this.#options.router
      .agentStates()
      .map(({ record, state }) => ({
        id: record.agentId,
        name: record.name,
        modes: modesOf(record.skills),
        status: supervisedStatus(state, this.#resting.has(record.agentId)),
        missedOffer: state.reason === 'missed',
        suggestBreak: state.suggestBreak ?? false,
        idleSince: record.idleSince,
        csat: csatByAgent.get(record.agentId) ?? null,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** This node's live calls with their EN 301 549 verdicts so far, oldest first. */
  localCalls(): LiveCall[] {
    const { calls, quality } = this.#options;
    return calls
      .list()
      .filter((call) => !call.closed)
      .map((call) => {
        const verdicts: LiveCall['verdicts'] = {};
        for (const [role, participant] of Object.entries(quality.get(call.id)?.participants ?? {})) {
          verdicts[role as keyof LiveCall['verdicts']] = participant.summary.verdicts;
        }
        return {
          sessionId: call.id,
          ticketId: call.ticketId,
          queue: call.queue,
          mode: call.mode,
          agentName: call.agent.name,
          startedAt: call.startedAt,
          verdicts,
          overall: worstOf(Object.values(verdicts).flatMap((each) => Object.values(each).map((v) => v.verdict))),
          qualityPath: `/api/calls/${encodeURIComponent(call.id)}/quality`,
          reconnecting: call.reconnecting,
        };
      })
      .sort((a, b) => a.startedAt - b.startedAt);
  }

  #records(hours: number, now: number): FromRecords['made'] {
    const cached = this.#fromRecords.get(hours);
    if (cached && now - cached.madeAt < this.#recordsMaxAgeMs) return cached.made;
    const made = this.#readRecords(hours, now);
    this.#fromRecords.set(hours, { madeAt: now, made });
    // A failed read is not reused: the next poll tries again.
    made.catch(() => this.#fromRecords.delete(hours));
    return made;
  }

  async #readRecords(hours: number, now: number): FromRecords['made'] {
    const { waits, slaTargetsSec, csat } = this.#options;
    const windowMs = hours * 3_600_000;
    const bucketMs = windowMs / HISTORY_POINTS;
    // Intervals start on multiples of their length, so a point does not shift between two polls.
    const fromMs = Math.floor((now - windowMs) / bucketMs) * bucketMs + bucketMs;
    const [tickets, scores] = await Promise.all([waits.since(fromMs), csat?.since(fromMs)]);
    const points: HistoryPoint[] = waitHistory(tickets, slaTargetsSec, fromMs, now + 1, bucketMs);
    const slaClasses: SlaClassLevel[] = slaClassLevels(tickets, slaTargetsSec, fromMs, now + 1);
    return { slaClasses, history: { fromMs, bucketMs, points }, csat: scores?.overall ?? null, csatByAgent: scores?.byAgent ?? new Map() };
  }
}

function supervisedStatus(state: AgentState, resting: boolean): SupervisedAgentStatus {
  switch (state.status) {
    case 'available':
    case 'offered':
    case 'in-call':
    case 'wrap-up':
      return state.status;
    case 'away':
      return resting ? 'resting' : 'away';
  }
}

/** Fail if any criterion failed, pass if every one passed, unknown otherwise (no samples yet, or warming up). */
function worstOf(verdicts: readonly OverallVerdict[]): OverallVerdict {
  if (verdicts.includes('fail')) return 'fail';
  return verdicts.length > 0 && verdicts.every((verdict) => verdict === 'pass') ? 'pass' : 'unknown';
}
