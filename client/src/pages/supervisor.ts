import type { z } from 'zod';
import { callQualityRecordSchema, envelopeSchema, supervisorOverviewSchema, type CallQualityRecord, type LiveCall, type SupervisorOverview } from '../../../signaling/index.js';
import { locale, t, translate } from '../i18n.js';
import { staffSignIn } from '../net/staffSignIn.js';
import { byId, setUpLanguage, showView } from '../ui/dom.js';
import { showAgents, showCalls, showQuality, showQueues, showSlaClasses } from '../supervisor/overviewTables.js';
import { WaitCharts } from '../supervisor/WaitCharts.js';

/** How often the overview is asked for: queues move in seconds, and one request a supervisor every 5 s is cheap. */
const POLL_MS = 5_000;

const errorBanner = byId('error-banner');
const hoursSelect = byId<HTMLSelectElement>('hours');

let token: string | null = null;
let overview: SupervisorOverview | null = null;
let pollTimer: number | undefined;
/** The call whose quality record is open, refreshed with the overview, and the record last shown. */
let openCall: LiveCall | null = null;
let openRecord: CallQualityRecord | null = null;
/** What the screen-reader summary last said, so it speaks only when the figures change. */
let lastSummary = '';
const charts = new WaitCharts(byId('chart-waits'), byId('chart-service'));

setUpLanguage();
showView('signin');
// After setUpLanguage's own listener: the language is switched by the time this renders.
byId('lang-switch').addEventListener('click', () => {
  charts.relabel();
  render();
  if (openRecord) showQuality(byId('quality-title'), byId<HTMLTableElement>('quality-table'), openRecord);
});
byId<HTMLFormElement>('signin-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void signIn(new FormData(event.target as HTMLFormElement));
});
hoursSelect.addEventListener('change', () => void poll());
byId('quality-close').addEventListener('click', closeQuality);
byId('quality-panel').addEventListener('keydown', (event) => {
  if (event.key === 'Escape') closeQuality();
});

async function signIn(form: FormData): Promise<void> {
  const reply = await staffSignIn(form, errorBanner);
  if (!reply) return;
  if (reply.role !== 'supervisor') {
    translate(errorBanner, 'supervisor.notSupervisor');
    return;
  }
  token = reply.token;
  byId('supervisor-name').textContent = reply.agent.name;
  showView('overview');
  await poll();
}

/** GETs a supervisor endpoint and validates its reply; a refused token goes back to sign-in. */
async function getData<S extends z.ZodType>(path: string, schema: S): Promise<z.output<S> | null> {
  const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } }).catch(() => null);
  const body = envelopeSchema(schema).safeParse(await response?.json().catch(() => null));
  // Checked by the schema above; TypeScript cannot narrow the envelope of a generic schema by `ok`.
  const envelope = body.success ? (body.data as { ok: boolean; data?: z.output<S>; error?: { message: string } }) : null;
  if (envelope?.ok) {
    errorBanner.textContent = '';
    return envelope.data!;
  }
  if (response?.status === 401 || response?.status === 403) signOut();
  translate(errorBanner, 'supervisor.stale', { message: envelope?.error?.message ?? (response ? `HTTP ${response.status}` : 'network error') });
  return null;
}

async function poll(): Promise<void> {
  window.clearTimeout(pollTimer);
  const data = await getData(`/api/supervisor/overview?hours=${encodeURIComponent(hoursSelect.value)}`, supervisorOverviewSchema);
  if (data) {
    overview = data;
    render();
    if (openCall) await showQualityOf(openCall, false);
  }
  if (token) pollTimer = window.setTimeout(() => void poll(), POLL_MS);
}

function signOut(): void {
  token = null;
  overview = null;
  window.clearTimeout(pollTimer);
  showView('signin');
}

function render(): void {
  if (!overview) return;
  // Rows are rebuilt on every poll: keep a keyboard user's place on the same call's button.
  const focusedSession = (document.activeElement?.closest('tr[data-session]') as HTMLElement | null)?.dataset.session;
  const hours = Number(hoursSelect.value);
  showQueues(byId<HTMLTableElement>('queues'), overview);
  showSlaClasses(byId<HTMLTableElement>('sla-classes'), overview);
  showAgents(byId<HTMLTableElement>('agents'), overview);
  showCalls(byId<HTMLTableElement>('calls'), overview, (call) => void showQualityOf(call, true));
  if (focusedSession) document.querySelector<HTMLButtonElement>(`#calls tr[data-session="${CSS.escape(focusedSession)}"] button`)?.focus();
  translate(byId('sla-heading'), 'supervisor.slaClasses', { hours });
  translate(byId('charts-heading'), 'supervisor.charts', { hours });
  charts.update(overview.history);
  const answered = overview.history.points.reduce((sum, point) => sum + point.answered, 0);
  const within = overview.history.points.reduce((sum, point) => sum + Math.round((point.serviceLevel ?? 0) * point.answered), 0);
  translate(byId('chart-summary'), 'supervisor.chartSummary', { hours, answered, within });
  translate(byId('csat'), 'supervisor.csatOverall', { hours, value: overview.csat === null ? t('supervisor.noSurveys') : new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 0 }).format(overview.csat) });
  byId('updated').textContent = t('supervisor.updated', { time: new Date(overview.at).toLocaleTimeString(locale()) });
  const waiting = overview.queues.reduce((sum, queue) => sum + queue.waiting, 0);
  const summary = `${t('supervisor.waiting')}: ${waiting}. ${t('supervisor.calls')}: ${overview.calls.length}.`;
  if (summary !== lastSummary) byId('live-summary').textContent = lastSummary = summary;
}

async function showQualityOf(call: LiveCall, focus: boolean): Promise<void> {
  openCall = call;
  const record = await getData(call.qualityPath, callQualityRecordSchema);
  if (!record || openCall !== call) return;
  openRecord = record;
  const panel = byId('quality-panel');
  showQuality(byId('quality-title'), byId<HTMLTableElement>('quality-table'), record);
  panel.hidden = false;
  if (focus) panel.focus();
}

function closeQuality(): void {
  const session = openCall?.sessionId;
  openCall = null;
  openRecord = null;
  byId('quality-panel').hidden = true;
  if (session) document.querySelector<HTMLButtonElement>(`#calls tr[data-session="${CSS.escape(session)}"] button`)?.focus();
}
