import { isKey, translate } from '../i18n.js';
import type { CallMedia } from '../media/CallMedia.js';
import { DeviceError } from '../media/localMedia.js';
import { byId } from './dom.js';

/** Wires the mute and camera buttons: the local track stops and the server pauses forwarding. */
export function setUpMediaToggles(getStream: () => MediaStream | null, getCall: () => CallMedia | null, onError: (error: unknown) => void): void {
  const toggles = [
    { id: 'toggle-mic', source: 'microphone', kind: 'audio', on: 'call.mute', off: 'call.unmute' },
    { id: 'toggle-camera', source: 'camera', kind: 'video', on: 'call.cameraOff', off: 'call.cameraOn' },
  ] as const;
  for (const toggle of toggles) {
    const button = byId<HTMLButtonElement>(toggle.id);
    button.addEventListener('click', () => {
      const paused = button.getAttribute('aria-pressed') !== 'true';
      button.setAttribute('aria-pressed', String(paused));
      translate(button, paused ? toggle.off : toggle.on);
      for (const track of getStream()?.getTracks() ?? []) if (track.kind === toggle.kind) track.enabled = !paused;
      void getCall()?.setPaused(toggle.source, paused).catch(onError);
    });
  }
}

/** Shows a camera or microphone failure in plain words. */
export function showDeviceError(element: HTMLElement, error: unknown): void {
  const key = error instanceof DeviceError ? `deviceError.${error.kind}` : 'deviceError.other';
  translate(element, isKey(key) ? key : 'deviceError.other');
}
