import type { CallQualityRecord, LiveCall, OverallVerdict, QueueName, SupervisorOverview, Verdict } from '../../../signaling/index.js';
import { locale, t, translate, translateAttribute } from '../i18n.js';

/** Appends a cell with text; a row header when `header`. The page renders again on a language switch. */
function cell(row: HTMLTableRowElement, text: string, header = false): HTMLTableCellElement {
  const element = document.createElement(header ? 'th' : 'td');
  if (header) element.scope = 'row';
  element.textContent = text;
  row.append(element);
  return element;
}

/** Replaces a table's body; an empty list shows one row saying so. */
function fill<T>(table: HTMLTableElement, items: readonly T[], row: (tr: HTMLTableRowElement, item: T) => void, empty?: Parameters<typeof t>[0]): void {
  const body = table.tBodies[0]!;
  body.replaceChildren();
  for (const item of items) row(body.insertRow(), item);
  if (items.length === 0 && empty) {
    const td = cell(body.insertRow(), t(empty));
    td.colSpan = table.tHead?.rows[0]?.cells.length ?? 1;
    td.className = 'empty';
  }
}

/** "3 min 05 s" in the current language. */
export function duration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  return t('supervisor.duration.value', { minutes: Math.floor(total / 60), seconds: String(total % 60).padStart(2, '0') });
}

function percent(share: number | null): string {
  return share === null ? t('supervisor.none') : new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 0 }).format(share);
}

/** The queue's name as customers and agents see it. */
export function queueLabel(queue: QueueName): string {
  return queue === 'technical' ? t('queue.name.technical') : t(`mode.${queue}`);
}

function badge(verdict: OverallVerdict): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = 'badge';
  span.dataset.verdict = verdict;
  span.textContent = t(`supervisor.verdict.${verdict}`);
  return span;
}

/** Live queues: waiting now, longest wait, and the counters since routing began. */
export function showQueues(table: HTMLTableElement, overview: SupervisorOverview): void {
  fill(table, overview.queues, (row, queue) => {
    row.dataset.queue = queue.queue;
    cell(row, queueLabel(queue.queue), true);
    cell(row, String(queue.waiting)).dataset.field = 'waiting';
    cell(row, queue.waiting > 0 ? duration(queue.longestWaitMs) : t('supervisor.none'));
    cell(row, String(queue.answered));
    cell(row, percent(queue.answeredWithinTarget));
    cell(row, String(queue.abandoned));
    cell(row, percent(queue.abandonmentRate));
    cell(row, queue.averageHandleSec === null ? t('supervisor.none') : duration(queue.averageHandleSec * 1000));
  });
}

/** Answers within target and abandons per SLA class over the hours shown. */
export function showSlaClasses(table: HTMLTableElement, overview: SupervisorOverview): void {
  fill(table, overview.slaClasses, (row, level) => {
    row.dataset.slaClass = level.slaClass;
    cell(row, t(`supervisor.class.${level.slaClass}`), true);
    cell(row, duration(level.targetSec * 1000));
    cell(row, String(level.answered));
    cell(row, percent(level.answeredWithinTarget));
    cell(row, String(level.abandoned));
    cell(row, percent(level.abandonmentRate));
  });
}

/** Signed-in agents and what each is doing. */
export function showAgents(table: HTMLTableElement, overview: SupervisorOverview): void {
  fill(
    table,
    overview.agents,
    (row, agent) => {
      row.dataset.agent = agent.id;
      cell(row, agent.name, true);
      const state = cell(row, '');
      const pill = document.createElement('span');
      pill.className = 'pill';
      pill.dataset.status = agent.status;
      pill.textContent = t(`supervisor.state.${agent.status}`);
      state.append(pill);
      const notes = [agent.missedOffer ? t('supervisor.missed') : '', agent.suggestBreak ? t('supervisor.suggestBreak') : ''].filter(Boolean);
      if (notes.length > 0) state.append(` (${notes.join(', ')})`);
      cell(row, new Intl.ListFormat(locale(), { type: 'conjunction' }).format(agent.modes.map((mode) => t(`mode.${mode}`))));
      cell(row, agent.status === 'available' ? duration(overview.at - agent.idleSince) : t('supervisor.none'));
      cell(row, percent(agent.csat));
    },
    'supervisor.noAgents',
  );
}

/** Calls in progress with their EN 301 549 verdict so far and a button that opens their quality record. */
export function showCalls(table: HTMLTableElement, overview: SupervisorOverview, open: (call: LiveCall) => void): void {
  fill(
    table,
    overview.calls,
    (row, call) => {
      row.dataset.session = call.sessionId;
      // Someone the call is waiting for (they lost the connection) is marked beside their name.
      const waiting = (role: 'customer' | 'agent', name: string) => (call.reconnecting.includes(role) ? t('supervisor.reconnecting', { name }) : name);
      cell(row, waiting('customer', call.ticketId), true);
      cell(row, queueLabel(call.queue));
      cell(row, waiting('agent', call.agentName));
      cell(row, duration(overview.at - call.startedAt));
      cell(row, '').append(badge(call.overall));
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = t('supervisor.details');
      translateAttribute(button, 'aria-label', 'supervisor.detailsOf', { ticketId: call.ticketId });
      button.addEventListener('click', () => open(call));
      cell(row, '').append(button);
    },
    'supervisor.noCalls',
  );
}

function criterion(verdict: Verdict): HTMLElement {
  const span = document.createElement('span');
  span.append(badge(verdict.verdict), ' ', t('supervisor.measured', { measured: verdict.measured === null ? t('supervisor.none') : Math.round(verdict.measured), limit: verdict.limit }));
  return span;
}

/** One call's quality record: per receiving participant, each EN 301 549 criterion with the measured figure and limit. */
export function showQuality(title: HTMLElement, table: HTMLTableElement, record: CallQualityRecord): void {
  translate(title, 'supervisor.qualityOf', { ticketId: record.ticketId });
  const roles = (['customer', 'agent', 'technician'] as const).filter((role) => record.participants[role]);
  fill(
    table,
    roles,
    (row, role) => {
      const { samples, summary } = record.participants[role]!;
      cell(row, t(`role.${role}`), true);
      cell(row, String(samples.length));
      for (const key of ['frameRate', 'resolution', 'avSync', 'delay'] as const) cell(row, '').append(criterion(summary.verdicts[key]));
    },
    'supervisor.verdict.unknown',
  );
}
