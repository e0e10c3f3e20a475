import { callModeSchema, progressPath, type CallMode, type CallStarted, type ParticipantRole, type ClientToServerEvents, type QueueJoin, type TicketClosed, type TranscriptLine, type WaitRange } from '../../../signaling/index.js';
import { diagnostics, trackCall, trackShares } from '../diagnostics.js';
import { locale, t, translate, type Value } from '../i18n.js';
import type { CallMedia } from '../media/CallMedia.js';
import { preloadDevice } from '../media/MediasoupCall.js';
import { openCallMedia } from '../media/openCallMedia.js';
import { openLocalMedia } from '../media/localMedia.js';
import { setUpMediaToggles, showDeviceError } from '../ui/callControls.js';
import { drawEarlierMarks, SharedViews } from '../ui/SharedViews.js';
import { setUpShareControls } from '../ui/shareControls.js';
import { RequestError, SignalingClient } from '../net/SignalingClient.js';
import { forgetTicket, saveTicket, savedTicket, type SavedTicket } from '../net/savedTicket.js';
import { attachStream, byId, setUpLanguage, showView } from '../ui/dom.js';
import { followSigning, signingLabel } from '../ui/signingIndicator.js';
import { Stage } from '../ui/Stage.js';
import { CallLayout } from '../ui/CallLayout.js';
import { CaptionView } from '../text/CaptionView.js';
import { renderLine, TextPanel } from '../text/TextPanel.js';
import { transcriptText } from '../text/transcriptText.js';
import type { FramingHint } from '../vision/FramingCheck.js';
import type { SigningState } from '../vision/SigningDetector.js';
import { VisionMonitor } from '../vision/VisionMonitor.js';
import { customerVisionOptions } from '../vision/visionOptions.js';
import { hintKey, visionText, type VisionKey } from '../vision/visionStrings.js';
import { comingText, handedOverText, showCallNotice } from '../ui/callNotice.js';
import { StepCard } from '../steps/StepCard.js';
import { showProgressLink } from '../ui/progressLink.js';
import { SurveyForm } from '../ui/SurveyForm.js';
import { submitSurvey } from '../net/ticketApi.js';
import { cue } from '../ui/cues.js';
import { clearPeerConnections, showPeerConnection } from '../ui/peerConnection.js';

const selfPreview = byId<HTMLVideoElement>('self-preview');
const selfView = byId<HTMLVideoElement>('self-view');
const remoteView = byId<HTMLVideoElement>('remote-view');
const deviceStatus = byId('device-status');
const form = byId<HTMLFormElement>('request-form');
const errorBanner = byId('error-banner');

let localStream: MediaStream | null = null;
let signaling: SignalingClient | null = null;
let call: CallMedia | null = null;
let ticketId = '';
/** The ticket's secret: the key to its progress page and survey, which outlive the call and its token. */
let ticketSecret = '';
/** How long after the first remote frame hand tracking starts in a sign-language call. */
const VISION_START_IN_CALL_MS = 3_000;
/** The call in progress, if any. */
let currentCall: CallStarted | null = null;
/** What the page last said about someone coming (or a transfer), kept for the queue view while a transfer waits. */
let lastComing = '';
/** The agent large until someone signs; then whoever signs (the agent, or a technician who joined). */
const stage = new Stage(remoteView, byId('tiles'), ['agent', 'technician'], signingLabel('peer-signing', (role) => (role === 'agent' && currentCall ? currentCall.peerName : { key: `role.${role}` as const })), {
  pinButton: (role) => layout.personButton(role),
});
/** Pins on every tile and the separator between the signer and a shared view; the split is remembered on this device. */
const layout = new CallLayout({
  grid: document.querySelector<HTMLElement>('section[data-view=call] .call-grid')!,
  first: 'stage',
  defaultSplit: 0.4,
  storageKey: 'signline.split.customer',
  nameOf: (role) => (role === 'agent' && currentCall ? currentCall.peerName : { key: `role.${role}` as const }),
});
layout.attach(stage);
/** The framing check and signing detector on the customer's own camera; its state, never its landmarks, is sent. */
let vision: VisionMonitor | null = null;
/** Bumped whenever vision is stopped, so a monitor still loading from before is closed when it arrives. */
let visionRun = 0;
let signing: SigningState = 'not-signing';
/** The call's text side (real-time text, chat, transcript); its transcript outlives the call for saving. */
let textPanel: TextPanel | null = null;
let captionView: CaptionView | null = null;
let transcript: readonly TranscriptLine[] = [];
/** Screens and device views shared in the call, with everyone's marks on them. */
let shares: SharedViews | null = null;
/** The step-by-step guide's card in front of the customer, while the agent guides them. */
let stepCard: StepCard | null = null;
const shareControls = setUpShareControls({ call: () => call, views: () => shares, notice: (message) => (byId('share-notice').textContent = message) });

setUpLanguage();
void preloadDevice();
// A ticket kept by this tab means a reload or a return while waiting or in a call: go straight back to it.
const resumable = savedTicket();
// A support link may choose the mode (`/support?mode=text`); a text caller is never asked for a camera.
const linkedMode = callModeSchema.safeParse(new URLSearchParams(location.search).get('mode'));
if (linkedMode.success) form.querySelector<HTMLInputElement>(`input[name="mode"][value="${linkedMode.data}"]`)!.checked = true;
/** Settles once the camera and microphone were asked for (at once for a text caller); a call started on resume waits for it. */
let devicesChecked = (resumable?.mode ?? selectedMode()) === 'text' ? Promise.resolve() : checkDevices({ framingCheck: !resumable });
showTextOnly(selectedMode() === 'text');
if (resumable) resume(resumable);
else showView('precall');

byId('retry-devices').addEventListener('click', () => void (devicesChecked = checkDevices({ framingCheck: true })));
form.addEventListener('submit', (event) => {
  event.preventDefault();
  void joinQueue();
});
byId('leave-queue').addEventListener('click', () => void leaveQueue());
byId('callback').addEventListener('click', () => void askForCallback());
byId('hangup').addEventListener('click', () => void hangUp());
byId('again').addEventListener('click', () => location.reload());
byId('save-transcript').addEventListener('click', saveTranscript);
byId('print-transcript').addEventListener('click', () => window.print());
form.addEventListener('change', (event) => {
  if ((event.target as HTMLInputElement).name !== 'mode') return;
  const text = selectedMode() === 'text';
  showTextOnly(text);
  if (text) stopDevices();
  else if (!localStream) devicesChecked = checkDevices({ framingCheck: true });
});
setUpMediaToggles(() => localStream, () => call, showError);

/** Pre-call check: asks for camera and microphone and explains any refusal; the framing check runs only before a request. */
async function checkDevices(options: { framingCheck: boolean }): Promise<void> {
  translate(deviceStatus, 'precall.checking');
  deviceStatus.dataset.state = 'checking';
  byId('retry-devices').hidden = true;
  try {
    localStream?.getTracks().forEach((track) => track.stop());
    localStream = await openLocalMedia({ video: true, audio: true });
    attachStream(selfPreview, localStream);
    translate(deviceStatus, 'precall.ready');
    deviceStatus.dataset.state = 'ok';
    if (options.framingCheck) void startVision(localStream);
  } catch (error) {
    localStream = null;
    showDeviceError(deviceStatus, error);
    deviceStatus.dataset.state = 'error';
    byId('retry-devices').hidden = false;
  }
}

// The check only advises: the customer may continue whatever it says, or when the browser cannot run it.
async function startVision(stream: MediaStream): Promise<void> {
  stopVision();
  const run = visionRun;
  showFraming(['vision.loading']);
  try {
    // A few analysed frames a second are plenty for hints and for motion; the call's own video needs the CPU more.
    const monitor = await VisionMonitor.start(stream, customerVisionOptions);
    if (run !== visionRun) {
      monitor.close();
      return;
    }
    vision = monitor;
    showFraming([monitor.checksFaces ? 'vision.ok' : 'vision.okHandsOnly']);
    monitor.on('framing', (hints: readonly FramingHint[]) => showFraming(hints.length > 0 ? hints.map(hintKey) : [monitor.checksFaces ? 'vision.ok' : 'vision.okHandsOnly']));
    monitor.on('signing', (state: SigningState) => {
      signing = state;
      void reportSigning();
    });
    monitor.on('error', () => showFraming(['vision.unavailable']));
  } catch (error) {
    console.warn('framing check unavailable', error);
    showFraming(['vision.unavailable']);
  }
}

function stopVision(): void {
  visionRun++;
  vision?.close();
  vision = null;
}

function showFraming(keys: readonly VisionKey[]): void {
  const list = byId('framing-hints');
  list.replaceChildren(...keys.map((key) => Object.assign(document.createElement('li'), { textContent: visionText(locale(), key) })));
  list.dataset.hints = keys.join(' ');
}

function selectedMode(): CallMode {
  return callModeSchema.catch('csl').parse(new FormData(form).get('mode'));
}

/** Text only: the camera check gives way to a note that none is needed. */
function showTextOnly(text: boolean): void {
  byId('text-only-note').hidden = !text;
  for (const id of ['camera-check', 'device-status', 'framing-hints', 'precall-notice']) byId(id).hidden = text && id !== 'precall-notice';
  if (text) byId('retry-devices').hidden = true;
}

/** Releases the camera and microphone (a text caller keeps neither open). */
function stopDevices(): void {
  stopVision();
  localStream?.getTracks().forEach((track) => track.stop());
  localStream = null;
  attachStream(selfPreview, null);
}

async function reportSigning(): Promise<void> {
  if (!signaling || !currentCall) return;
  await signaling.request('call:signing', { sessionId: currentCall.sessionId, signing: signing === 'signing' }).catch((e: unknown) => console.warn('signing state not sent', e));
}

async function joinQueue(): Promise<void> {
  // The framing check has done its job. Even idle, MediaPipe's GL contexts slowed call set-up on a busy device
  // (first frames 3 s late in half the calls), so it is closed and started afresh once the call is up.
  stopVision();
  const data = new FormData(form);
  const request: Parameters<ClientToServerEvents['queue:join']>[0] = {
    mode: selectedMode(),
    category: String(data.get('category')) as QueueJoin['category'],
    topic: String(data.get('topic') ?? '').trim() || '-',
    device: String(data.get('device')) as QueueJoin['device'],
    needs: { captions: data.get('captions') === 'on' },
    locale: document.documentElement.lang === 'zh-CN' ? 'zh-CN' : 'en',
  };
  setBusy(true);
  signaling = connectSignaling();
  try {
    const joined = await signaling.request('queue:join', request);
    const saved = {
      ticketId: joined.ticketId,
      token: joined.token,
      secret: joined.secret,
      reconnectGraceSec: joined.reconnectGraceSec,
      mode: request.mode,
      callbackAfterSec: joined.callbackAfterSec,
    };
    saveTicket(saved);
    showTicket(saved);
    showPosition(joined.position, joined.eta);
    byId('queue-notice').textContent = '';
    byId('precall-notice').textContent = '';
    showView('queue');
  } catch (error) {
    showError(error);
    signaling.close();
    signaling = null;
    restartFramingCheck();
  } finally {
    setBusy(false);
  }
}

/** Back to a saved ticket: its place in line or its call, whichever the server says it is in. */
function resume(saved: SavedTicket): void {
  showTicket(saved);
  translate(byId('queue-notice'), 'queue.resuming');
  showView('queue');
  signaling = connectSignaling();
}

// Every (re)connection presents the tab's ticket token, so the server puts the customer back where they were.
function connectSignaling(): SignalingClient {
  const client = new SignalingClient({ token: () => savedTicket()?.token ?? null });
  followSigning(client, () => stage, () => currentCall);
  client.on('queue:status', ({ position, eta }) => {
    if (byId('queue-notice').dataset.i18n === 'queue.resuming') byId('queue-notice').textContent = '';
    showPosition(position, eta);
  });
  client.on('call:started', (started) => void startCall(client, started));
  client.on('call:ended', ({ reason }) => {
    if (reason === 'transferred') awaitTransfer();
    else if (reason === 'interrupted') awaitReconnection('queue.interrupted');
    else if (reason === 'agent-lost') awaitReconnection('queue.agentLost');
    else endCall();
  });
  // The agent (or another participant) lost the connection: the call waits for them, and the customer sees that it does.
  client.on('call:peerConnection', (change) => {
    if (change.sessionId === currentCall?.sessionId) showPeerConnection(byId('peer-connection'), change, { key: `role.${change.role}` });
  });
  // Nobody waits in silence: who is coming into the call and why, or where a transfer is taking it.
  client.on('call:coming', (coming) => {
    if (coming.sessionId !== currentCall?.sessionId) return;
    lastComing = comingText(coming);
    showCallNotice(byId('call-notice'), lastComing);
  });
  client.on('call:handedOver', (handedOver) => {
    if (handedOver.sessionId === currentCall?.sessionId) showCallNotice(byId('call-notice'), handedOverText(handedOver, null));
  });
  client.on('ticket:closed', (closed) => ticketClosed(closed));
  client.on('call:steps', (state) => {
    if (state.sessionId === currentCall?.sessionId) stepCard?.show(state);
  });
  client.onConnection({
    disconnect: () => {
      if (diagnostics.view() !== 'ended') translate(errorBanner, 'error.disconnected');
    },
    connect: () => {
      errorBanner.textContent = '';
    },
    // The token expired or was revoked: the ticket ended while this tab was away.
    refused: () => ticketClosed({ ticketId, reason: 'ended' }),
  });
  return client;
}

function showTicket(saved: SavedTicket): void {
  ticketId = saved.ticketId;
  ticketSecret = saved.secret;
  void showProgressLink(byId('queue-progress'), ticketId, ticketSecret, { qr: false });
  translate(byId('ticket-id'), 'queue.ticket', { ticketId });
  const held = byId('queue-held');
  if (saved.reconnectGraceSec >= 60) translate(held, 'queue.heldMinutes', { n: Math.round(saved.reconnectGraceSec / 60) });
  else translate(held, 'queue.heldSeconds', { n: saved.reconnectGraceSec });
}

// The place lapsed or the ticket ended while the customer was away: say so, and start afresh.
function ticketClosed({ ticketId: closedId, reason }: TicketClosed): void {
  forgetTicket();
  leaveCall();
  signaling?.close();
  signaling = null;
  if (reason === 'lapsed') translate(byId('precall-notice'), 'queue.lapsed');
  else translate(byId('precall-notice'), 'ticket.ended', { ticketId: closedId });
  showView('precall');
  restartFramingCheck();
}

function showPosition(position: number, eta: WaitRange): void {
  const callbackAfterSec = savedTicket()?.callbackAfterSec;
  byId('callback-offer').hidden = callbackAfterSec === undefined || eta.lowSec < callbackAfterSec;
  const element = byId('queue-position');
  // Next in line: worth a glance away from whatever the customer is doing meanwhile.
  if (position <= 1 && element.dataset.position !== undefined && element.dataset.position !== '1') cue('next');
  if (position <= 1) translate(element, 'queue.next');
  else translate(element, 'queue.position', { position });
  element.dataset.position = String(position);
  const minutes = (sec: number) => Math.max(1, Math.round(sec / 60));
  const etaElement = byId('queue-eta');
  if (eta.highSec === null) translate(etaElement, 'queue.etaOpen', { low: minutes(eta.lowSec) });
  else if (eta.highSec < 60) translate(etaElement, 'queue.etaUnder');
  else translate(etaElement, 'queue.etaRange', { low: minutes(eta.lowSec), high: minutes(eta.highSec) });
  const rough = byId('queue-eta-rough');
  if (eta.sure) rough.textContent = '';
  else translate(rough, 'queue.etaRough');
}

async function startCall(client: SignalingClient, started: CallStarted): Promise<void> {
  // Back after a signaling reconnect with the media still flowing: the call simply goes on.
  if (currentCall?.sessionId === started.sessionId && call?.mediaConnected && !started.restart) return;
  // Otherwise (a reload, a network switch, the call moved to a fresh media room) the media starts afresh in the same call.
  if (currentCall?.sessionId !== started.sessionId) cue('answered');
  leaveCall();
  currentCall = started;
  lastComing = '';
  byId('call-notice').hidden = true;
  byId('queue-notice').textContent = '';
  // Only a signer's motion matters to the other side; voice and text callers spare the CPU.
  stopVision();
  if (started.mode !== 'voice' && started.mode !== 'text') {
    void reportSigning();
    const stream = localStream;
    remoteView.requestVideoFrameCallback(() =>
      window.setTimeout(() => {
        if (currentCall === started && stream) void startVision(stream);
      }, VISION_START_IN_CALL_MS),
    );
  }
  translate(byId('call-title'), 'call.with', { name: started.peerName });
  byId('call-status').hidden = false;
  // A text call puts the text first; the agent's video still shows, smaller, and nothing of the customer is sent.
  byId('call-title').closest('section')!.dataset.mode = started.mode;
  textPanel = new TextPanel(byId('text-area'), {
    signaling: client,
    sessionId: started.sessionId,
    onTranscript: (lines) => (transcript = [...lines]),
  });
  captionView = new CaptionView(remoteView.closest<HTMLElement>('.stage')!, client, started.sessionId);
  stepCard = new StepCard({
    container: byId('step-area'),
    reply: async (guideNo, index, reply) => {
      await client.request('call:stepReply', { sessionId: started.sessionId, guideNo, index, reply });
    },
    onError: showError,
  });
  showView('call');
  attachStream(selfView, localStream);
  const nameOf = (role: ParticipantRole): Value => (role === 'agent' ? started.peerName : { key: `role.${role}` as const });
  const views = new SharedViews({
    container: byId('shares'),
    send: (annotation) => call?.annotate(annotation) ?? Promise.resolve(),
    self: { role: 'customer', name: t('role.customer'), color: started.color },
    onError: showError,
    pinButton: (producerId) => layout.shareButton(producerId),
  });
  shares = views;
  trackShares(views);
  void drawEarlierMarks(views, client, started.sessionId).catch((error: unknown) => console.warn('earlier marks not drawn', error));
  call = openCallMedia(started.media, client, started.sessionId, {
    reportQuality: true,
    onRttChannel: (channel) => textPanel?.useChannel(channel),
    onRttMessage: (message) => textPanel?.receiveInbox(message),
    onShare: ({ producerId, from, source, stream }) => views.add(producerId, stream, { key: source === 'device' ? 'share.deviceFrom' : 'share.from', name: nameOf(from) }),
    onShareGone: (producerId) => views.remove(producerId),
    onAnnotation: (from, annotation) => views.apply(from, annotation),
    onAnnotationRefused: (error) => showError(new Error(t('annotation.refused', { message: error.message }))),
    onRemoteGone: (from) => stage.remove(from),
    onRemoteTrack: (stream, from) => {
      stage.setStream(from, stream);
      byId('call-status').hidden = true;
    },
  });
  trackCall(call, remoteView);
  byId('hangup').dataset.sessionId = started.sessionId;
  await devicesChecked;
  try {
    await call.start(started.mode === 'text' ? null : localStream);
  } catch (error) {
    showError(error);
  }
}

async function hangUp(): Promise<void> {
  const sessionId = byId('hangup').dataset.sessionId;
  if (signaling && sessionId) await signaling.request('call:end', { sessionId }).catch(showError);
  endCall();
}

function endCall(): void {
  cue('ended');
  forgetTicket();
  leaveCall();
  translate(byId('ended-ticket'), 'ended.ticket', { ticketId });
  byId('ended-transcript').hidden = transcript.length === 0;
  byId('ended-transcript-list').replaceChildren(...transcript.map(renderLine));
  // The token is revoked with the call's end; the ticket's secret authorizes the link and the survey.
  const secret = ticketSecret;
  const endedId = ticketId;
  void showProgressLink(byId('ended-progress'), endedId, secret, { qr: true }).catch(showError);
  new SurveyForm(byId('ended-survey'), { submit: (answer) => submitSurvey(endedId, secret, answer) });
  showView('ended');
  signaling?.close();
  signaling = null;
}

// The call goes on with another agent: back to the queue view, keeping the connection and the ticket.
function awaitTransfer(): void {
  leaveCall();
  translate(byId('queue-notice'), 'queue.transferred');
  if (lastComing) byId('queue-notice').textContent = lastComing;
  showView('queue');
}

// The call was cut off (a restart of the server, an agent who did not come back): the ticket waits again, first in line.
function awaitReconnection(why: 'queue.interrupted' | 'queue.agentLost'): void {
  leaveCall();
  translate(byId('queue-notice'), why);
  showView('queue');
}

/** Closes this page's side of the current call, if any; the camera stays open. */
function leaveCall(): void {
  currentCall = null;
  textPanel?.close();
  textPanel = null;
  captionView?.close();
  captionView = null;
  stepCard?.close();
  stepCard = null;
  shares?.close();
  shares = null;
  trackShares(null);
  shareControls.reset();
  stopVision();
  call?.close();
  call = null;
  trackCall(null, remoteView);
  stage.clear();
  layout.reset();
  clearPeerConnections(byId('peer-connection'));
}

async function leaveQueue(): Promise<void> {
  await signaling?.request('queue:leave', {}).catch(showError);
  forgetTicket();
  signaling?.close();
  signaling = null;
  showView('precall');
  restartFramingCheck();
}

// The place is kept without this page: the ticket's page (same tab, so the ticket stays saved) signals the callback.
async function askForCallback(): Promise<void> {
  const saved = savedTicket();
  if (!saved || !signaling) return;
  try {
    await signaling.request('queue:callback', {});
  } catch (error) {
    return showError(error);
  }
  location.assign(progressPath(saved.ticketId, saved.secret));
}

function restartFramingCheck(): void {
  if (localStream) void startVision(localStream);
}

/** The transcript as a text file the customer keeps (the ticket id in its name). */
function saveTranscript(): void {
  const url = URL.createObjectURL(new Blob([transcriptText(ticketId, transcript)], { type: 'text/plain;charset=utf-8' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: `transcript-${ticketId}.txt` });
  link.click();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}


function setBusy(busy: boolean): void {
  form.querySelectorAll<HTMLButtonElement>('button').forEach((button) => {
    button.disabled = busy;
  });
}

function showError(error: unknown): void {
  const message = error instanceof RequestError || error instanceof Error ? error.message : String(error);
  errorBanner.textContent = t('error.generic', { message });
}
