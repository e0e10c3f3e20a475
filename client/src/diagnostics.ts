import type { MediasoupCall, ReceiveStats } from './media/MediasoupCall.js';

/** Read-only view of the page's call for support staff and automated tests (window.signline). */
export interface Diagnostics {
  /** The page's current view name. */
  view(): string;
  /** Epoch ms when the first remote video frame of the current call was shown, or null. */
  firstRemoteFrameAt: number | null;
  /** Receive figures of the current call, or null outside a call. */
  receiveStats(): Promise<ReceiveStats | null>;
}

let call: MediasoupCall | null = null;

/** The page's diagnostics object, also at `window.signline`. */
export const diagnostics: Diagnostics = {
  view: () => document.body.dataset.view ?? '',
  firstRemoteFrameAt: null,
  receiveStats: async () => (call ? call.receiveStats() : null),
};
(window as unknown as { signline: Diagnostics }).signline = diagnostics;

/** Tracks the current call and records when its first remote frame is painted. */
export function trackCall(current: MediasoupCall | null, remoteVideo: HTMLVideoElement): void {
  call = current;
  diagnostics.firstRemoteFrameAt = null;
  if (!current) return;
  const onFrame = () => {
    if (call === current && diagnostics.firstRemoteFrameAt === null) diagnostics.firstRemoteFrameAt = Date.now();
  };
  remoteVideo.requestVideoFrameCallback(onFrame);
}
