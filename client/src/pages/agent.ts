import type { z } from 'zod';
import {
  cannedRepliesSchema,
  type CannedReplies,
  guidesSchema,
  type Guides,
  envelopeSchema,
  type AgentLoginReply,
  type AgentState,
  type CallEnded,
  type CallHandedOver,
  type CallInvitation,
  type CallStarted,
  type CallTransfer,
  type ClientEventName,
  type ClientToServerEvents,
  type Offer,
  type ParticipantRole,
  type PeerConnection,
  type QueueName,
  type TechJoinReply,
  type TranscriptLine,
  techJoinReplySchema,
} from '../../../signaling/index.js';
import { trackCall, trackSender, trackShares } from '../diagnostics.js';
import { locale, t, translate, type Value } from '../i18n.js';
import type { CallMedia } from '../media/CallMedia.js';
import { mediaCapabilities, MediasoupCall, preloadDevice } from '../media/MediasoupCall.js';
import { openCallMedia } from '../media/openCallMedia.js';
import { openLocalMedia } from '../media/localMedia.js';
import { setUpMediaToggles, showDeviceError } from '../ui/callControls.js';
import { drawEarlierMarks, SharedViews } from '../ui/SharedViews.js';
import { setUpShareControls } from '../ui/shareControls.js';
import { guestSession, staffSession, staffSignIn } from '../net/staffSignIn.js';
import { SignalingClient } from '../net/SignalingClient.js';
import { attachStream, byId, setUpLanguage, showView } from '../ui/dom.js';
import { followSigning, signingLabel } from '../ui/signingIndicator.js';
import { Stage } from '../ui/Stage.js';
import { CallLayout } from '../ui/CallLayout.js';
import { callContext, type AcceptedOffer, type CallContext } from '../ui/callContext.js';
import { showCallContext } from '../ui/callContextPanel.js';
import { comingText, handedOverText, showCallNotice } from '../ui/callNotice.js';
import { EscalationPanel } from '../ui/EscalationPanel.js';
import { WrapUpPanel } from '../ui/WrapUpPanel.js';
import { CaptionView } from '../text/CaptionView.js';
import { TextPanel } from '../text/TextPanel.js';
import { guidesIn, StepComposer } from '../steps/StepComposer.js';
import { snapshotOfSharedView } from '../steps/snapshot.js';
import { cue } from '../ui/cues.js';
import { clearPeerConnections, showPeerConnection as showPeerConnectionNotice } from '../ui/peerConnection.js';

const selfPreview = byId<HTMLVideoElement>('self-preview');
const selfView = byId<HTMLVideoElement>('self-view');
const remoteView = byId<HTMLVideoElement>('remote-view');
const errorBanner = byId('error-banner');
const offerCard = byId('offer');

let signaling: SignalingClient | null = null;
let localStream: MediaStream | null = null;
let call: CallMedia | null = null;
/** The agent's persistent send path: camera and microphone flow to the server from sign-in, ready for any call. */
let station: MediasoupCall | null = null;
let stationOpening = false;
let offer: Offer | null = null;
let countdown: number | undefined;
let state: AgentState = { status: 'away' };
let currentCall: CallStarted | null = null;
let stage: Stage | null = null;
let invitation: CallInvitation | null = null;
/** When the offer on show arrived: the customer waits on until it is accepted. */
let offerReceivedAt = 0;
/** The offer this console last accepted and the invitation it last joined by: the customer's context once the call starts. */
let accepted: AcceptedOffer | null = null;
let joined: CallInvitation | null = null;
/** The customer's context beside the video, kept through a reconnect of the same call. */
let context: CallContext | null = null;
let textPanel: TextPanel | null = null;
let captionView: CaptionView | null = null;
/** Screens and device views shared in the call, with everyone's marks on them. */
let shares: SharedViews | null = null;
/** The canned replies from the server's configuration file, read at sign-in. */
let cannedReplies: CannedReplies = { en: [], 'zh-CN': [] };
/** The step-by-step guides from the server's guides file, read at sign-in. */
let guides: Guides = { en: [], 'zh-CN': [] };
/** Sends step-by-step guides to the customer and follows their progress. */
let stepComposer: StepComposer | null = null;
/** The signed-in agent's id; null for a technician who came by a one-time link. */
let selfAgentId: string | null = null;
/** Settles once the camera opened at sign-in is open (or could not be). */
let cameraReady: Promise<void> = Promise.resolve();
/** The signed-in agent's token, kept to sign out with. */
let staffToken: string | null = null;
/** The last call this console had as its agent, with its transcript: what its wrap-up is about. */
let lastCall: { ticketId: string; lines: TranscriptLine[] } | null = null;
/** The call agent's "get help" panel: technicians, warm transfers, one-time links. */
let escalation: EscalationPanel | null = null;
/** This page is a technician's who came by a one-time link, not a signed-in member of staff. */
let guest = false;
/** A one-time link's token from the address (/tech?join=...): this page joins that one call instead of signing in. */
const joinToken = new URLSearchParams(location.search).get('join');
/** /tech is this console laid out for a technician: the shared screen large, the signer beside it. */
const techConsole = location.pathname === '/tech';

setUpLanguage();
void preloadDevice();
showView('signin');
if (techConsole) document.body.dataset.console = 'tech';
if (joinToken) {
  byId('signin-form').hidden = true;
  byId('link-form').hidden = false;
}
byId<HTMLFormElement>('link-form').addEventListener('submit', (event) => {
  event.preventDefault();
  if (joinToken) void joinWithLink(joinToken, String(new FormData(event.target as HTMLFormElement).get('name') ?? ''));
});

byId<HTMLFormElement>('signin-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void signIn(new FormData(event.target as HTMLFormElement));
});
byId('sign-out').addEventListener('click', () => void signOut());
byId('toggle-status').addEventListener('click', () => {
  void request('agent:status', { status: state.status === 'available' ? 'away' : 'available' });
});
byId('accept').addEventListener('click', () => {
  if (!offer) return;
  accepted = { offer, receivedAt: offerReceivedAt };
  void request('offer:accept', { offerId: offer.offerId });
});
byId('decline').addEventListener('click', () => {
  if (offer) void request('offer:decline', { offerId: offer.offerId });
});
byId('hangup').addEventListener('click', () => {
  const sessionId = byId('hangup').dataset.sessionId;
  if (sessionId) void request('call:end', { sessionId });
});
byId('join-call').addEventListener('click', () => {
  const sessionId = invitation?.sessionId;
  byId('invitation').hidden = true;
  joined = invitation;
  invitation = null;
  if (sessionId) void signaling?.request('call:join', { sessionId }).catch(showError);
});
byId<HTMLFormElement>('transfer-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const sessionId = byId('hangup').dataset.sessionId;
  if (sessionId) void transfer(sessionId, new FormData(event.target as HTMLFormElement));
});
const wrapUp = new WrapUpPanel({
  root: byId('wrap-up'),
  submit: async (filed) => {
    await signaling?.request('agent:wrapUp', filed);
  },
  onFiled: (ticketId) => translate(byId('notice'), 'wrapUp.filed', { ticketId }),
  onError: showError,
  agentId: () => selfAgentId,
});
setUpMediaToggles(() => localStream, () => station ?? call, showError);
const shareControls = setUpShareControls({ call: () => call, views: () => shares, notice: (message) => (byId('share-notice').textContent = message) });
const layout = new CallLayout({
  grid: document.querySelector<HTMLElement>('section[data-view=call] .call-grid')!,
  first: techConsole ? 'shares' : 'stage',
  defaultSplit: techConsole ? 0.7 : 0.4,
  storageKey: `signline.split.${techConsole ? 'tech' : 'agent'}`,
  nameOf: (role) => (role === 'customer' && currentCall ? currentCall.ticketId : { key: `role.${role}` as const }),
});
// Reloaded (or the tab's page crashed): signed in again with the tab's sign-in, back to the call if there was one.
const keptGuest = joinToken ? null : guestSession.kept();
const keptSession = joinToken || keptGuest ? null : staffSession.kept();
if (keptGuest) void openGuestConsole(keptGuest, false);
else if (keptSession) void openConsole(keptSession);

/**
 * Reads a staff-only configuration the console can do without (canned replies, guides): the checked data, or null
 * (with a console warning) when it cannot be had.
 */
async function loadStaffData<S extends z.ZodType>(token: string, path: string, schema: S): Promise<z.output<S> | null> {
  const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } }).catch(() => null);
  const body = envelopeSchema(schema).safeParse(await response?.json().catch(() => null));
  // Checked by the schema above; TypeScript cannot narrow the envelope of a generic schema by `ok`.
  const envelope = body.success ? (body.data as { ok: boolean; data?: z.output<S> }) : null;
  if (envelope?.ok) return envelope.data!;
  console.warn(`${path} not loaded`);
  return null;
}

async function signIn(form: FormData): Promise<void> {
  const reply = await staffSignIn(form, errorBanner);
  if (!reply) return;
  // A supervisor's token opens no connection: say where it belongs rather than fail on connect.
  if (reply.role === 'supervisor') {
    translate(errorBanner, 'agent.supervisorAccount');
    return;
  }
  staffSession.keep(reply);
  await openConsole(reply);
}

/**
 * The console of a signed-in agent: just signed in, or the tab's sign-in after a reload, which comes back to the
 * call it was in (the server keeps the call for RECONNECT_GRACE_MS and starts it again here).
 */
async function openConsole({ token, agent }: AgentLoginReply): Promise<void> {
  byId('agent-name').textContent = agent.name;
  selfAgentId = agent.id;
  staffToken = token;
  byId('sign-out').hidden = false;
  // Notes this tab had not filed when it was reloaded (or crashed): the same ticket, transcript and draft.
  wrapUp.restore();
  // Without them the console still works: the agent types every reply and writes steps during the call.
  void loadStaffData(token, '/api/canned-replies', cannedRepliesSchema).then((data) => (cannedReplies = data ?? cannedReplies));
  void loadStaffData(token, '/api/guides', guidesSchema).then((data) => (guides = data ?? guides));
  showView('console');
  signaling = connect(token);
  signaling.on('agent:state', showState);
  signaling.on('call:invitation', showInvitation);
  signaling.on('offer:new', showOffer);
  // The SFU lost the station underneath (a worker died): open another; a call in progress restarts on its own.
  signaling.on('station:closed', ({ stationId }) => {
    if (station?.sessionId !== stationId) return;
    station.close();
    station = null;
    void openStation();
  });
  signaling.on('offer:cancelled', ({ offerId, reason }) => {
    if (offer?.offerId !== offerId) return;
    hideOffer();
    translate(byId('notice'), 'agent.offerGone', { reason });
  });
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
    // The sign-in expired or was revoked (signed out elsewhere): back to the form, saying why.
    refused: (error) => signedOut(error.message),
  });
  // The camera opens at sign-in, so an accepted call starts sending at once.
  cameraReady = openLocalMedia({ video: true, audio: true }).then((stream) => {
    localStream = stream;
    attachStream(selfPreview, stream);
  });
  try {
    await cameraReady;
    await openStation();
  } catch (error) {
    showDeviceError(byId('notice'), error);
  }
}

/** The server no longer takes this tab's sign-in: everything closes and the form asks for it again. */
function signedOut(message: string): void {
  staffSession.forget();
  endCall();
  signaling?.close();
  signaling = null;
  station?.close();
  station = null;
  for (const track of localStream?.getTracks() ?? []) track.stop();
  localStream = null;
  byId('sign-out').hidden = true;
  showView('signin');
  translate(errorBanner, 'agent.sessionEnded', { message });
}

/**
 * Ends the sign-in on the server (the token is refused from then on, on every node) and starts the page afresh at
 * the sign-in form, camera and connection closed with it.
 */
async function signOut(): Promise<void> {
  const response = await fetch('/api/agent/logout', { method: 'POST', headers: { authorization: `Bearer ${staffToken}` } }).catch(() => null);
  // 401: the token had already expired or been revoked; signed out either way.
  if (!response || (!response.ok && response.status !== 401)) {
    translate(errorBanner, 'agent.signOutFailed', { message: response ? `HTTP ${response.status}` : 'network error' });
    return;
  }
  staffSession.forget();
  signaling?.close();
  location.assign(location.pathname);
}

/** The page's connection and the pushes of a call, the same for a signed-in agent and a technician with a link. */
function connect(token: string): SignalingClient {
  const client = new SignalingClient({ token: () => token });
  followSigning(client, () => stage, () => currentCall);
  client.on('call:started', (started) => void startCall(started));
  client.on('call:ended', (ended) => {
    endCall();
    if (ended.wrapUp) openWrapUpOf(ended.wrapUp);
  });
  client.on('call:peerConnection', showPeerConnection);
  client.on('call:coming', (coming) => {
    if (coming.sessionId === currentCall?.sessionId) showCallNotice(byId('call-notice'), comingText(coming));
  });
  client.on('call:handedOver', handedOver);
  client.on('call:steps', (state) => {
    if (state.sessionId === currentCall?.sessionId) stepComposer?.update(state);
  });
  return client;
}

/**
 * A technician without an account, by a one-time link: the name they give goes to the server with the link's token,
 * which is used up; the token that comes back works for that one call. No station: the page sends its own camera.
 */
async function joinWithLink(linkToken: string, name: string): Promise<void> {
  errorBanner.textContent = '';
  const response = await fetch('/api/tech/join', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: linkToken, name }),
  }).catch(() => null);
  const body = envelopeSchema(techJoinReplySchema).safeParse(await response?.json().catch(() => null));
  if (!body.success || !body.data.ok) {
    errorBanner.textContent = t('tech.linkRefused', { message: body.success && !body.data.ok ? body.data.error.message : 'network error' });
    return;
  }
  // The link is spent: a reload must not try it again, and comes back with the token instead.
  history.replaceState(null, '', location.pathname);
  guestSession.keep(body.data.data);
  await openGuestConsole(body.data.data, true);
}

/**
 * The console of a technician who came by a link: just joined (`firstTime`, it asks into the call), or the tab's
 * token after a reload, which the server takes back into the call while they are in it (it pushes `call:started`).
 */
async function openGuestConsole(joined: TechJoinReply, firstTime: boolean): Promise<void> {
  void loadStaffData(joined.token, '/api/guides', guidesSchema).then((data) => (guides = data ?? guides));
  byId('signin-form').hidden = true;
  byId('agent-name').textContent = joined.name;
  byId('toggle-status').hidden = true;
  showView('console');
  try {
    localStream = await openLocalMedia({ video: true, audio: true });
    attachStream(selfPreview, localStream);
  } catch (error) {
    showDeviceError(byId('notice'), error);
  }
  guest = true;
  signaling = connect(joined.token);
  signaling.onConnection({
    disconnect: () => translate(errorBanner, 'error.disconnected'),
    connect: () => (errorBanner.textContent = ''),
    // Left the call (hung up, or away longer than the grace period) or it ended: the token went with it.
    refused: () => guestLeft(),
  });
  if (firstTime) await signaling.request('call:join', { sessionId: joined.sessionId }).catch(showError);
}

/** A technician with a link is out of the call for good: the page says so; a new link from the agent asks them in again. */
function guestLeft(): void {
  guestSession.forget();
  endCall();
  signaling?.close();
  signaling = null;
  for (const track of localStream?.getTracks() ?? []) track.stop();
  localStream = null;
  translate(errorBanner, 'tech.outOfCall');
}

async function openStation(): Promise<void> {
  const client = signaling;
  if (!client?.connected || !localStream || station || stationOpening) return;
  stationOpening = true;
  try {
    // Stations are the embedded SFU's: on LiveKit the console sends its camera into each call instead.
    if ((await mediaCapabilities())?.engine !== 'mediasoup') return;
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
  byId<HTMLButtonElement>('toggle-status').disabled = next.status === 'offered' || next.status === 'in-call' || next.status === 'wrap-up';
  openWrapUpIfDue();
  if (next.reason === 'missed') translate(byId('notice'), 'agent.missed');
  else if (next.suggestBreak) translate(byId('notice'), 'agent.suggestBreak');
  else if (next.status === 'available') byId('notice').textContent = '';
}

/**
 * A call that ended while the console was away (a reload, a network drop): its wrap-up is this agent's to file all the
 * same, with the transcript the page kept if it was still on that call.
 */
function openWrapUpOf({ ticketId, until }: NonNullable<CallEnded['wrapUp']>): void {
  if (wrapUp.ticketId === ticketId) return;
  wrapUp.open(ticketId, lastCall?.ticketId === ticketId ? lastCall.lines : [], until);
}

/**
 * The notes of the call that just ended, beside its transcript; the panel stays after the time runs out. Both the
 * wrap-up state and the call's end must have arrived, in whichever order the server's pushes came.
 */
function openWrapUpIfDue(): void {
  if (state.status === 'wrap-up' && lastCall && wrapUp.ticketId !== lastCall.ticketId) wrapUp.open(lastCall.ticketId, lastCall.lines, state.wrapUpUntil);
}

function showOffer(next: Offer): void {
  cue('offer');
  offer = next;
  offerReceivedAt = Date.now();
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
  // After a reload the call comes back as the camera opens: it is sent into the call once it is open.
  await cameraReady.catch(() => undefined);
  if (currentCall !== started || !signaling) return;
  translate(byId('call-title'), 'call.with', { name: started.peerName });
  showView('call');
  attachStream(selfView, localStream);
  // The customer large until someone signs; a technician sees the inviting agent first.
  const fallback: ParticipantRole[] = started.role === 'technician' ? ['agent', 'customer'] : ['customer', 'technician'];
  const current = new Stage(remoteView, byId('tiles'), fallback, signingLabel('peer-signing', (role) => (role === 'customer' ? started.ticketId : { key: `role.${role}` as const })), {
    pinButton: (role) => layout.personButton(role),
  });
  stage = current;
  layout.attach(current);
  if (context?.sessionId !== started.sessionId) context = callContext(started, accepted, joined, Date.now());
  showCallContext(byId('call-context'), context);
  byId('call-notice').hidden = true;
  showAgentTools(started);
  captionView?.close();
  captionView = new CaptionView(remoteView.closest<HTMLElement>('.stage')!, signaling, started.sessionId);
  textPanel?.close();
  textPanel = new TextPanel(byId('text-area'), { signaling, sessionId: started.sessionId, cannedReplies: () => cannedReplies[locale()] });
  stepComposer?.close();
  stepComposer = new StepComposer({
    container: byId('steps-area'),
    signaling,
    sessionId: started.sessionId,
    guides: () => guidesIn(guides, locale()),
    snapshot: () => snapshotOfSharedView(byId('shares')),
    onError: showError,
  });
  const nameOf = (role: ParticipantRole): Value => (role === 'customer' ? started.ticketId : { key: `role.${role}` as const });
  shares?.close();
  const views = new SharedViews({
    container: byId('shares'),
    send: (annotation) => call?.annotate(annotation) ?? Promise.resolve(),
    self: { role: started.role, name: byId('agent-name').textContent ?? '', color: started.color },
    onError: showError,
    pinButton: (producerId) => layout.shareButton(producerId),
  });
  shares = views;
  trackShares(views);
  void drawEarlierMarks(views, signaling, started.sessionId).catch((error: unknown) => console.warn('earlier marks not drawn', error));
  // The same call again (it moved to a fresh media room): the old media goes first.
  call?.close();
  call = openCallMedia(started.media, signaling, started.sessionId, {
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
  // With a station the call only receives: the agent's media is already flowing and the server adopts it. A call that
  // moved to a fresh room (the station's worker died with it) gets the camera directly.
  await call.start(station && !started.restart ? null : localStream).catch(showError);
}

// Someone in the call lost the connection: the call waits for them (a reload, a network switch) for the grace period.
function showPeerConnection(change: PeerConnection): void {
  if (currentCall?.sessionId !== change.sessionId) return;
  showPeerConnectionNotice(byId('peer-connection'), change, change.role === 'customer' ? currentCall.ticketId : change.role === 'technician' ? change.name : { key: `role.${change.role}` as const });
}

// Inviting, escalating and transferring are the call's own agent's to do.
function showAgentTools(started: CallStarted): void {
  const own = started.role === 'agent';
  byId('transfer-form').hidden = !own;
  escalation?.close();
  escalation = own && signaling ? new EscalationPanel({ signaling, sessionId: started.sessionId, onError: showError }) : null;
  byId('escalate').hidden = !own;
}

// A warm transfer completed: the agent who took over gets the agent's tools; everyone hears who has the call now.
function handedOver(next: CallHandedOver): void {
  if (currentCall?.sessionId !== next.sessionId) return;
  showCallNotice(byId('call-notice'), handedOverText(next, selfAgentId));
  if (next.toAgentId !== selfAgentId) return;
  currentCall = { ...currentCall, role: 'agent' };
  showAgentTools(currentCall);
}

function endCall(): void {
  // A technician with a link is out of the call: the server revoked the token, so a reload has nothing to come back to.
  if (guest) guestSession.forget();
  // Kept for the wrap-up (a technician who helped files none).
  if (currentCall?.role === 'agent') lastCall = { ticketId: currentCall.ticketId, lines: [...(textPanel?.lines ?? [])] };
  currentCall = null;
  escalation?.close();
  escalation = null;
  textPanel?.close();
  textPanel = null;
  stepComposer?.close();
  stepComposer = null;
  captionView?.close();
  captionView = null;
  shares?.close();
  shares = null;
  trackShares(null);
  shareControls.reset();
  clearPeerConnections(byId('peer-connection'));
  stage?.clear();
  stage = null;
  layout.reset();
  context = null;
  byId('call-context').hidden = true;
  call?.close();
  call = null;
  trackCall(null, remoteView);
  showView('console');
  openWrapUpIfDue();
}

function showInvitation(next: CallInvitation): void {
  invitation = next;
  const context = { from: next.fromAgent, mode: t(`mode.${next.mode}`), device: t(`device.${next.device}`), topic: next.topic };
  translate(byId('invitation-text'), next.purpose === 'takeover' ? 'agent.invitation.takeover' : 'agent.invitation.help', context);
  const note = byId('invitation-note');
  note.hidden = !next.note;
  if (next.note) translate(note, 'agent.invitation.note', { note: next.note });
  byId('invitation').hidden = false;
  byId('join-call').focus();
}

// A named agent wins over the queue; the server refuses, and the call goes on, if that agent is not free.
async function transfer(sessionId: string, form: FormData): Promise<void> {
  const agentId = String(form.get('agentId') ?? '').trim();
  const tier = form.get('tier') === '2' ? 2 : form.get('tier') === '3' ? 3 : undefined;
  const target: Pick<CallTransfer, 'queue' | 'agentId'> = agentId ? { agentId } : { queue: String(form.get('queue')) as QueueName };
  try {
    await signaling?.request('call:transfer', { sessionId, ...target, ...(tier ? { tier } : {}), note: String(form.get('note') ?? '') });
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
