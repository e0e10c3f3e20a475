import {
  agentLoginReplySchema,
  cannedRepliesSchema,
  type CannedReplies,
  envelopeSchema,
  type AgentState,
  type CallInvitation,
  type CallStarted,
  type CallTransfer,
  type ClientEventName,
  type ClientToServerEvents,
  type Offer,
  type ParticipantRole,
  type PeerConnection,
  type QueueName,
} from '../../../signaling/index.js';
import { trackCall, trackSender, trackShares } from '../diagnostics.js';
import { locale, t, translate } from '../i18n.js';
import { MediasoupCall, preloadDevice } from '../media/MediasoupCall.js';
import { openLocalMedia } from '../media/localMedia.js';
import { setUpMediaToggles, showDeviceError } from '../ui/callControls.js';
import { SharedViews } from '../ui/SharedViews.js';
import { setUpShareControls } from '../ui/shareControls.js';
import { SignalingClient } from '../net/SignalingClient.js';
import { attachStream, byId, setUpLanguage, showView } from '../ui/dom.js';
import { followSigning, signingLabel } from '../ui/signingIndicator.js';
import { Stage } from '../ui/Stage.js';
import { CaptionView } from '../text/CaptionView.js';
import { TextPanel } from '../text/TextPanel.js';

const selfPreview = byId<HTMLVideoElement>('self-preview');
const selfView = byId<HTMLVideoElement>('self-view');
const remoteView = byId<HTMLVideoElement>('remote-view');
const errorBanner = byId('error-banner');
const offerCard = byId('offer');

let signaling: SignalingClient | null = null;
let localStream: MediaStream | null = null;
let call: MediasoupCall | null = null;
/** The agent's persistent send path: camera and microphone flow to the server from sign-in, ready for any call. */
let station: MediasoupCall | null = null;
let stationOpening = false;
let offer: Offer | null = null;
let countdown: number | undefined;
let state: AgentState = { status: 'away' };
let currentCall: CallStarted | null = null;
let stage: Stage | null = null;
let invitation: CallInvitation | null = null;
let textPanel: TextPanel | null = null;
let captionView: CaptionView | null = null;
/** Screens and device views shared in the call, with everyone's marks on them. */
let shares: SharedViews | null = null;
/** The canned replies from the server's configuration file, read at sign-in. */
let cannedReplies: CannedReplies = { en: [], 'zh-CN': [] };

setUpLanguage();
void preloadDevice();
showView('signin');

byId<HTMLFormElement>('signin-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void signIn(new FormData(event.target as HTMLFormElement));
});
byId('toggle-status').addEventListener('click', () => {
  void request('agent:status', { status: state.status === 'available' ? 'away' : 'available' });
});
byId('accept').addEventListener('click', () => {
  if (offer) void request('offer:accept', { offerId: offer.offerId });
});
byId('decline').addEventListener('click', () => {
  if (offer) void request('offer:decline', { offerId: offer.offerId });
});
byId('hangup').addEventListener('click', () => {
  const sessionId = byId('hangup').dataset.sessionId;
  if (sessionId) void request('call:end', { sessionId });
});
byId<HTMLFormElement>('invite-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const sessionId = byId('hangup').dataset.sessionId;
  const agentId = String(new FormData(event.target as HTMLFormElement).get('agentId') ?? '').trim();
  if (sessionId && agentId) void invite(sessionId, agentId);
});
byId('join-call').addEventListener('click', () => {
  const sessionId = invitation?.sessionId;
  byId('invitation').hidden = true;
  invitation = null;
  if (sessionId) void signaling?.request('call:join', { sessionId }).catch(showError);
});
byId<HTMLFormElement>('transfer-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const sessionId = byId('hangup').dataset.sessionId;
  if (sessionId) void transfer(sessionId, new FormData(event.target as HTMLFormElement));
});
setUpMediaToggles(() => localStream, () => station ?? call, showError);
const shareControls = setUpShareControls({ call: () => call, views: () => shares, notice: (message) => (byId('share-notice').textContent = message) });

const loginReply = envelopeSchema(agentLoginReplySchema);
const cannedReply = envelopeSchema(cannedRepliesSchema);

// Without them the console still works; the agent types every reply.
async function loadCannedReplies(token: string): Promise<void> {
  const response = await fetch('/api/canned-replies', { headers: { authorization: `Bearer ${token}` } }).catch(() => null);
  const body = cannedReply.safeParse(await response?.json().catch(() => null));
  if (body.success && body.data.ok) cannedReplies = body.data.data;
  else console.warn('canned replies not loaded');
}

async function signIn(form: FormData): Promise<void> {
  errorBanner.textContent = '';
  const response = await fetch('/api/agent/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
  }).catch(() => null);
  const body = loginReply.safeParse(await response?.json().catch(() => null));
  if (!body.success || !body.data.ok) {
    errorBanner.textContent = t('agent.signInFailed', { message: body.success && !body.data.ok ? body.data.error.message : 'network error' });
    return;
  }
  const { token, agent } = body.data.data;
  byId('agent-name').textContent = agent.name;
  void loadCannedReplies(token);
  showView('console');
  signaling = new SignalingClient({ token: () => token });
  signaling.on('agent:state', showState);
  followSigning(signaling, () => stage, () => currentCall);
  signaling.on('call:invitation', showInvitation);
  signaling.on('offer:new', showOffer);
  signaling.on('offer:cancelled', ({ offerId, reason }) => {
    if (offer?.offerId !== offerId) return;
    hideOffer();
    translate(byId('notice'), 'agent.offerGone', { reason });
  });
  signaling.on('call:started', (started) => void startCall(started));
  signaling.on('call:ended', () => endCall());
  signaling.on('call:peerConnection', showPeerConnection);
  signaling.onConnection({
    disconnect: () => {
      translate(errorBanner, 'error.disconnected');
      station?.close();
      station = null;
    },
    connect: () => {
      errorBanner.textContent = '';
      void openStation();
    },
  });
  // The camera opens at sign-in, so an accepted call starts sending at once.
  try {
    localStream = await openLocalMedia({ video: true, audio: true });
    attachStream(selfPreview, localStream);
    await openStation();
  } catch (error) {
    showDeviceError(byId('notice'), error);
  }
}

async function openStation(): Promise<void> {
  const client = signaling;
  if (!client?.connected || !localStream || station || stationOpening) return;
  stationOpening = true;
  try {
    const { stationId } = await client.request('station:join', {});
    const opened = new MediasoupCall(client, stationId, { onRemoteTrack: () => undefined });
    await opened.start(localStream);
    station = opened;
    trackSender(opened);
  } catch (error) {
    showError(error);
  } finally {
    stationOpening = false;
  }
}

function showState(next: AgentState): void {
  state = next;
  const label = byId('status-label');
  translate(label, `agent.status.${next.status}`);
  label.dataset.status = next.status;
  translate(byId('toggle-status'), next.status === 'available' ? 'agent.goAway' : 'agent.goAvailable');
  byId<HTMLButtonElement>('toggle-status').disabled = next.status === 'offered' || next.status === 'in-call';
  if (next.reason === 'missed') translate(byId('notice'), 'agent.missed');
  else if (next.suggestBreak) translate(byId('notice'), 'agent.suggestBreak');
  else if (next.status === 'available') byId('notice').textContent = '';
}

function showOffer(next: Offer): void {
  offer = next;
  byId('notice').textContent = '';
  translate(byId('offer-detail'), 'agent.offer.detail', {
    mode: t(`mode.${next.mode}`),
    category: t(`category.${next.slaClass}`),
    device: t(`device.${next.device}`),
    topic: next.topic,
    waited: Math.round(next.waitedMs / 1000),
  });
  const transferLine = byId('offer-transfer');
  transferLine.hidden = !next.transfer;
  if (next.transfer) translate(transferLine, 'agent.offer.transfer', { from: next.transfer.fromAgent, note: next.transfer.note || '—' });
  translate(byId('offer-queue'), 'agent.queueSummary', { waiting: next.queue.waiting, longest: Math.round(next.queue.longestWaitMs / 1000) });
  offerCard.hidden = false;
  // A visual alert that does not rely on sound: the whole console flashes until answered.
  document.body.classList.add('alerting');
  const tick = () => translate(byId('offer-deadline'), 'agent.offer.deadline', { seconds: Math.max(0, Math.ceil((next.deadline - Date.now()) / 1000)) });
  tick();
  window.clearInterval(countdown);
  countdown = window.setInterval(tick, 500);
  byId('accept').focus();
}

function hideOffer(): void {
  offer = null;
  offerCard.hidden = true;
  document.body.classList.remove('alerting');
  window.clearInterval(countdown);
}

async function startCall(started: CallStarted): Promise<void> {
  currentCall = started;
  hideOffer();
  if (!signaling) return;
  translate(byId('call-title'), 'call.with', { name: started.peerName });
  showView('call');
  attachStream(selfView, localStream);
  // The customer large until someone signs; a technician sees the inviting agent first.
  const fallback: ParticipantRole[] = started.role === 'technician' ? ['agent', 'customer'] : ['customer', 'technician'];
  const current = new Stage(remoteView, byId('tiles'), fallback, signingLabel('peer-signing', (role) => (role === 'customer' ? started.ticketId : t(`role.${role}`))));
  stage = current;
  // Inviting and transferring are the call's own agent's to do.
  byId('invite-form').hidden = byId('transfer-form').hidden = started.role === 'technician';
  byId('invite-status').textContent = '';
  captionView?.close();
  captionView = new CaptionView(remoteView.closest<HTMLElement>('.stage')!, signaling, started.sessionId);
  textPanel?.close();
  textPanel = new TextPanel(byId('text-area'), { signaling, sessionId: started.sessionId, cannedReplies: () => cannedReplies[locale()] });
  const nameOf = (role: ParticipantRole) => (role === 'customer' ? started.ticketId : t(`role.${role}`));
  shares?.close();
  const views = new SharedViews({
    container: byId('shares'),
    send: (annotation) => call?.annotate(annotation) ?? Promise.resolve(),
    self: { role: started.role, name: byId('agent-name').textContent ?? '', color: started.color },
    onError: showError,
  });
  shares = views;
  trackShares(views);
  call = new MediasoupCall(signaling, started.sessionId, {
    reportQuality: true,
    onRttChannel: (channel) => textPanel?.useChannel(channel),
    onRttMessage: (message) => textPanel?.receiveInbox(message),
    onShare: ({ producerId, from, source, stream }) => views.add(producerId, stream, { key: source === 'device' ? 'share.deviceFrom' : 'share.from', name: nameOf(from) }),
    onShareGone: (producerId) => views.remove(producerId),
    onAnnotation: (from, annotation) => views.apply(from, annotation),
    onAnnotationRefused: (error) => showError(new Error(t('annotation.refused', { message: error.message }))),
    onRemoteTrack: (stream, from) => current.setStream(from, stream),
    onRemoteGone: (from) => current.remove(from),
  });
  trackCall(call, remoteView);
  byId('hangup').dataset.sessionId = started.sessionId;
  // With a station the call only receives: the agent's media is already flowing and the server adopts it.
  await call.start(station ? null : localStream).catch(showError);
}

// The customer lost the connection: the call waits for them (a reload, a network switch) for the grace period.
function showPeerConnection({ sessionId, role, connected }: PeerConnection): void {
  if (currentCall?.sessionId !== sessionId) return;
  const element = byId('peer-connection');
  element.hidden = connected;
  element.dataset.connected = String(connected);
  if (!connected) translate(element, 'call.peerReconnecting', { name: role === 'customer' ? currentCall.ticketId : t(`role.${role}`) });
}

function endCall(): void {
  currentCall = null;
  textPanel?.close();
  textPanel = null;
  captionView?.close();
  captionView = null;
  shares?.close();
  shares = null;
  trackShares(null);
  shareControls.reset();
  byId('peer-connection').hidden = true;
  stage?.clear();
  stage = null;
  call?.close();
  call = null;
  trackCall(null, remoteView);
  showView('console');
}

async function invite(sessionId: string, agentId: string): Promise<void> {
  try {
    await signaling?.request('call:invite', { sessionId, agentId });
    translate(byId('invite-status'), 'agent.invited');
  } catch (error) {
    showError(error);
  }
}

function showInvitation(next: CallInvitation): void {
  invitation = next;
  translate(byId('invitation-text'), 'agent.invitation', { from: next.fromAgent, mode: t(`mode.${next.mode}`), topic: next.topic });
  byId('invitation').hidden = false;
  byId('join-call').focus();
}

// A named agent wins over the queue; the server refuses, and the call goes on, if that agent is not free.
async function transfer(sessionId: string, form: FormData): Promise<void> {
  const agentId = String(form.get('agentId') ?? '').trim();
  const target: Pick<CallTransfer, 'queue' | 'agentId'> = agentId ? { agentId } : { queue: String(form.get('queue')) as QueueName };
  try {
    await signaling?.request('call:transfer', { sessionId, ...target, note: String(form.get('note') ?? '') });
    (byId<HTMLFormElement>('transfer-form')).reset();
  } catch (error) {
    showError(error);
  }
}

function showError(error: unknown): void {
  errorBanner.textContent = t('error.generic', { message: error instanceof Error ? error.message : String(error) });
}

async function request<E extends ClientEventName>(event: E, payload: Parameters<ClientToServerEvents[E]>[0]): Promise<void> {
  try {
    await signaling?.request(event, payload);
  } catch (error) {
    showError(error);
  }
}
