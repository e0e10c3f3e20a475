import type { CallMedia, ReceiveStats, ShareStats } from './media/CallMedia.js';
import type { OutboundVideo } from './media/qualitySample.js';
import type { SharedViews, SharedViewsSnapshot } from './ui/SharedViews.js';

/** Read-only view of the page's call for support staff and automated tests (window.signline). */
export interface Diagnostics {
  /** The page's current view name. */
  view(): string;
  /** Epoch ms when the first remote video frame of the current call was shown, or null. */
  firstRemoteFrameAt: number | null;
  /** Receive figures of the current call, or null outside a call. */
  receiveStats(): Promise<ReceiveStats | null>;
  /** Figures of the page's outgoing video, one per encoding, from whichever call sends it (an agent's station); [] when none does. */
  sendStats(): Promise<OutboundVideo[]>;
  /** Figures of each shared view received in the current call. */
  shareStats(): Promise<ShareStats[]>;
  /** The shared views of the current call and the marks on them, or null outside a call. */
  shares(): SharedViewsSnapshot | null;
}

let call: CallMedia | null = null;
let sharedViews: SharedViews | null = null;
/** The call that sends the page's camera when it is not the current call (an agent's station). */
let sender: CallMedia | null = null;

/** The page's diagnostics object, also at `window.signline`. */
export const diagnostics: Diagnostics = {
  view: () => document.body.dataset.view ?? '',
  firstRemoteFrameAt: null,
  receiveStats: async () => (call ? call.receiveStats() : null),
  sendStats: async () => ((sender ?? call)?.sendStats() ?? []),
  shareStats: async () => (call ? call.shareStats() : []),
  shares: () => sharedViews?.snapshot() ?? null,
};
(window as unknown as { signline: Diagnostics }).signline = diagnostics;

/** Tracks the current call and records when its first remote frame is painted. */
export function trackCall(current: CallMedia | null, remoteVideo: HTMLVideoElement): void {
  call = current;
  diagnostics.firstRemoteFrameAt = null;
  if (!current) return;
  const onFrame = () => {
    if (call === current && diagnostics.firstRemoteFrameAt === null) diagnostics.firstRemoteFrameAt = Date.now();
  };
  remoteVideo.requestVideoFrameCallback(onFrame);
}

/** Tracks the call that sends the page's camera outside the current call (an agent's station). */
export function trackSender(current: CallMedia | null): void {
  sender = current;
}

/** Tracks the current call's shared views. */
export function trackShares(current: SharedViews | null): void {
  sharedViews = current;
}
