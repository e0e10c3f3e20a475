/** Why the browser would not give us the camera or microphone, as a short list the UI can explain. */
export const DeviceErrorKind = {
  PermissionDenied: 'permission-denied',
  NotFound: 'not-found',
  InUse: 'in-use',
  Unsupported: 'unsupported',
  Other: 'other',
} as const;
/** One of the device error kinds. */
export type DeviceErrorKind = (typeof DeviceErrorKind)[keyof typeof DeviceErrorKind];

/** A getUserMedia failure mapped to a kind. */
export class DeviceError extends Error {
  readonly kind: DeviceErrorKind;

  constructor(kind: DeviceErrorKind, message: string) {
    super(message);
    this.name = 'DeviceError';
    this.kind = kind;
  }
}

/** What to capture: a text-only caller sends no media, a voice caller only audio. */
export interface CaptureRequest {
  video: boolean;
  audio: boolean;
}

/** Opens camera and microphone; the camera asks for 30 fps and is tuned for signing (motion over detail). */
export async function openLocalMedia(request: CaptureRequest): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new DeviceError(DeviceErrorKind.Unsupported, 'this browser cannot capture media (is the page served over https?)');
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: request.audio ? { echoCancellation: true, noiseSuppression: true } : false,
      video: request.video ? { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30, min: 20 } } : false,
    });
    for (const track of stream.getVideoTracks()) track.contentHint = 'motion';
    return stream;
  } catch (error) {
    throw toDeviceError(error);
  }
}

function toDeviceError(error: unknown): DeviceError {
  const name = (error as { name?: string })?.name ?? '';
  const message = (error as Error)?.message ?? String(error);
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new DeviceError(DeviceErrorKind.PermissionDenied, message);
    case 'NotFoundError':
    case 'OverconstrainedError':
      return new DeviceError(DeviceErrorKind.NotFound, message);
    case 'NotReadableError':
    case 'AbortError':
      return new DeviceError(DeviceErrorKind.InUse, message);
    default:
      return new DeviceError(DeviceErrorKind.Other, message);
  }
}
