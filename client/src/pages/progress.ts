import type { ProgressStep, ProgressUpdate, TicketProgress, TicketStatus } from '../../../signaling/index.js';
import { t, translate } from '../i18n.js';
import { RequestError, SignalingClient } from '../net/SignalingClient.js';
import { rejoinTicket, submitSurvey } from '../net/ticketApi.js';
import { saveTicket } from '../net/savedTicket.js';
import { byId, setUpLanguage, showView } from '../ui/dom.js';
import { SurveyForm } from '../ui/SurveyForm.js';
import { renderLine } from '../text/TextPanel.js';
import { lineTime, transcriptText } from '../text/transcriptText.js';

/** Codes that mean the link itself is wrong: no retry helps. */
const LINK_ERRORS = new Set(['NOT_FOUND', 'UNAUTHORIZED', 'BAD_REQUEST']);

// The page's address is /t/<ticket>#<secret>; the secret stays in the browser and goes only in the watch request.
const ticketId = decodeURIComponent(location.pathname.split('/')[2] ?? '');
const secret = location.hash.slice(1);
let view: TicketProgress | null = null;
let survey: SurveyForm | null = null;

setUpLanguage();
document.title = `${ticketId} · Signline`;
byId('save-transcript').addEventListener('click', saveTranscript);
byId('print-transcript').addEventListener('click', () => window.print());
byId('callback-join').addEventListener('click', () => void joinCallback());
setUpNotifications();

const signaling = new SignalingClient();
signaling.on('progress:update', (update) => applyUpdate(update));
// Watching is per connection: every (re)connection asks again, and the view it returns fills any gap.
signaling.onConnection({
  connect: () => {
    byId('error-banner').textContent = '';
    void watch();
  },
  disconnect: () => translate(byId('error-banner'), 'error.disconnected'),
});

async function watch(): Promise<void> {
  if (!secret) return showView('denied');
  try {
    render(await signaling.request('progress:watch', { ticketId, secret }));
  } catch (error) {
    if (error instanceof RequestError && LINK_ERRORS.has(error.code)) {
      signaling.close();
      return showView('denied');
    }
    byId('error-banner').textContent = t('error.generic', { message: error instanceof Error ? error.message : String(error) });
  }
}

function render(progress: TicketProgress): void {
  view = progress;
  translate(byId('ticket-heading'), 'progress.heading', { ticketId: progress.ticketId });
  showStatus(progress.status);
  byId('steps').replaceChildren(...progress.steps.map(stepItem));
  byId('transcript-list').replaceChildren(...progress.transcript.map(renderLine));
  byId('no-transcript').hidden = progress.transcript.length > 0;
  for (const id of ['save-transcript', 'print-transcript']) byId(id).hidden = progress.transcript.length === 0;
  showSurvey(progress);
  showCallback();
  showView('progress');
}

// A customer who asked to be called back: told to keep the page open, then signalled (visually and by vibration,
// never by sound) when an agent has answered, with one button into the call.
function showCallback(): void {
  if (!view) return;
  const waiting = view.steps.some((step) => step.kind === 'callback-scheduled');
  byId('callback-waiting').hidden = !(waiting && view.status === 'queued');
  const ready = byId('callback-ready');
  const wasReady = !ready.hidden;
  ready.hidden = !(waiting && view.status === 'in-call');
  if (!ready.hidden && !wasReady) {
    navigator.vibrate?.([400, 200, 400, 200, 400]);
    byId('callback-join').focus();
  }
}

// Into the call from this page: a fresh token for the ticket, kept for this tab as the support page keeps it.
async function joinCallback(): Promise<void> {
  try {
    const joined = await rejoinTicket(ticketId, secret);
    saveTicket({ ticketId: joined.ticketId, token: joined.token, secret, reconnectGraceSec: joined.reconnectGraceSec, mode: joined.mode });
    location.assign('/support');
  } catch (error) {
    byId('error-banner').textContent = t('error.generic', { message: error instanceof Error ? error.message : String(error) });
  }
}

function showStatus(status: TicketStatus): void {
  const element = byId('ticket-status');
  translate(element, `progress.status.${status}`);
  element.dataset.status = status;
  translate(byId('next-step'), `progress.next.${status}`);
}

function stepItem(step: ProgressStep): HTMLLIElement {
  const item = document.createElement('li');
  item.dataset.kind = step.kind;
  item.dataset.seq = String(step.seq);
  const time = Object.assign(document.createElement('time'), { dateTime: new Date(step.at).toISOString(), textContent: `${new Date(step.at).toLocaleDateString()} ${lineTime(step.at)}` });
  const what = document.createElement('span');
  translate(what, `progress.step.${step.kind}`);
  item.append(time, ' ', what);
  return item;
}

// A push newer than what the page shows: one more step, and a visible (and, if allowed, system) notice of a new status.
function applyUpdate(update: ProgressUpdate): void {
  if (!view || update.ticketId !== view.ticketId) return;
  if (view.steps.some((step) => step.seq >= update.step.seq)) return;
  view.steps.push(update.step);
  byId('steps').append(stepItem(update.step));
  if (update.status === view.status) return;
  view.status = update.status;
  showStatus(update.status);
  showCallback();
  announce(update.status);
  // The call's end brings the transcript and the survey: read the whole view again.
  if (update.status === 'ended' || update.status === 'abandoned') void watch();
}

function announce(status: TicketStatus): void {
  const banner = byId('change-banner');
  translate(banner, 'progress.changed', { status: t(`progress.status.${status}`) });
  banner.dataset.status = status;
  if ('Notification' in window && Notification.permission === 'granted') {
    new Notification(t('progress.heading', { ticketId }), { body: t(`progress.status.${status}`), tag: `signline-${ticketId}`, silent: true });
  }
}

function showSurvey(progress: TicketProgress): void {
  const area = byId('survey-area');
  area.hidden = !progress.surveyOpen && !progress.survey;
  if (area.hidden) return;
  survey ??= new SurveyForm(area, { submit: (answer) => submitSurvey(ticketId, secret, answer) });
  if (progress.survey) survey.showDone();
}

// Permission may only be asked for on a click; the in-page banner works without it.
function setUpNotifications(): void {
  const button = byId<HTMLButtonElement>('notify');
  if (!('Notification' in window)) return;
  const showState = () => {
    button.hidden = Notification.permission !== 'default';
    if (Notification.permission === 'granted') translate(byId('notify-state'), 'progress.notifyOn');
    else if (Notification.permission === 'denied') translate(byId('notify-state'), 'progress.notifyBlocked');
  };
  showState();
  button.addEventListener('click', () => void Notification.requestPermission().then(showState));
}

function saveTranscript(): void {
  if (!view) return;
  const url = URL.createObjectURL(new Blob([transcriptText(ticketId, view.transcript)], { type: 'text/plain;charset=utf-8' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: `transcript-${ticketId}.txt` });
  link.click();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
