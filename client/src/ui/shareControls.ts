import type { CallMedia, SharedSource } from '../media/CallMedia.js';
import { DeviceError } from '../media/localMedia.js';
import { t, translate } from '../i18n.js';
import { byId } from './dom.js';
import type { SharedViews } from './SharedViews.js';

/** Resolution and rate a shared screen is captured at: text needs its lines, not motion (the encoding caps it at 20 fps). */
const SCREEN_CONSTRAINTS: MediaTrackConstraints = { width: { max: 1920 }, height: { max: 1080 }, frameRate: { max: 20 } };
/** The rear camera of a phone or tablet, at the detail a technician needs to read a label. */
const DEVICE_CONSTRAINTS: MediaTrackConstraints = { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { max: 20 } };

/** What the share buttons act on: the page's current call and its shared views. */
export interface ShareControlsOptions {
  call(): CallMedia | null;
  views(): SharedViews | null;
  /** Tells the person what happened (sharing stopped, or could not start). */
  notice(message: string): void;
}

/**
 * Wires the page's share buttons (`#share-screen`, `#share-device`, `#share-stop`, `#share-torch`). A desktop
 * shares its screen; a phone, which cannot, shows the device through its rear camera while the front camera keeps the
 * signing. Sharing again switches the source in place.
 */
export function setUpShareControls(options: ShareControlsOptions): { reset(): void } {
  const screenButton = byId<HTMLButtonElement>('share-screen');
  const deviceButton = byId<HTMLButtonElement>('share-device');
  const stopButton = byId<HTMLButtonElement>('share-stop');
  const torchButton = byId<HTMLButtonElement>('share-torch');
  const canShareScreen = typeof navigator.mediaDevices?.getDisplayMedia === 'function';
  const touch = window.matchMedia('(pointer: coarse)').matches;
  screenButton.hidden = !canShareScreen || touch;
  deviceButton.hidden = canShareScreen && !touch;
  let shared: { producerId: string; source: SharedSource; track: MediaStreamTrack } | null = null;

  const show = (next: typeof shared) => {
    shared = next;
    stopButton.hidden = next === null;
    translate(screenButton, next?.source === 'screen' ? 'share.another' : 'share.screen');
    const torch = next?.source === 'device' && (next.track.getCapabilities?.() as { torch?: boolean } | undefined)?.torch === true;
    torchButton.hidden = !torch;
    torchButton.setAttribute('aria-pressed', 'false');
  };

  const start = async (source: SharedSource) => {
    const call = options.call();
    const views = options.views();
    if (!call || !views) return;
    let track: MediaStreamTrack | undefined;
    try {
      const stream =
        source === 'screen'
          ? await navigator.mediaDevices.getDisplayMedia({ video: SCREEN_CONSTRAINTS, audio: false })
          : await navigator.mediaDevices.getUserMedia({ video: DEVICE_CONSTRAINTS, audio: false });
      track = stream.getVideoTracks()[0];
      if (!track) throw new Error('no video to share');
      const switching = shared?.source === source ? shared.producerId : null;
      // The marks belonged to the picture before; they go for everyone when the source changes.
      if (switching) await call.annotate({ kind: 'clear', target: switching });
      const producerId = await call.share(track, source, () => {
        if (shared?.producerId === producerId) stopped(producerId);
      });
      if (shared && shared.producerId !== producerId) views.remove(shared.producerId);
      views.add(producerId, new MediaStream([track]), { key: 'share.own' });
      show({ producerId, source, track });
    } catch (error) {
      track?.stop();
      // Closing the browser's picker is a choice, not a failure.
      if (error instanceof DOMException && error.name === 'NotAllowedError') return;
      options.notice(t('share.failed', { message: error instanceof DeviceError ? error.kind : error instanceof Error ? error.message : String(error) }));
    }
  };

  const stopped = (producerId: string) => {
    options.views()?.remove(producerId);
    show(null);
    options.notice(t('share.ended'));
  };

  screenButton.addEventListener('click', () => void start('screen'));
  deviceButton.addEventListener('click', () => void start('device'));
  stopButton.addEventListener('click', () => {
    const current = shared;
    if (!current) return;
    void options.call()?.stopShare();
    stopped(current.producerId);
  });
  torchButton.addEventListener('click', () => {
    const on = torchButton.getAttribute('aria-pressed') !== 'true';
    const constraints = { advanced: [{ torch: on }] } as unknown as MediaTrackConstraints;
    void shared?.track
      .applyConstraints(constraints)
      .then(() => torchButton.setAttribute('aria-pressed', String(on)))
      .catch(() => (torchButton.hidden = true));
  });
  return { reset: () => show(null) };
}
