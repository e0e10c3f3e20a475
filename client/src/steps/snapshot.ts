import { MAX_STEP_IMAGE_CHARS } from '../../../signaling/index.js';
import { containedRect } from '../annotations/geometry.js';

/** Widest snapshot taken: a screen's text stays readable on a phone, and the picture small enough to send. */
const MAX_SNAPSHOT_WIDTH = 1280;
/** Sizes and JPEG qualities tried in turn until the picture fits a step card. */
const ATTEMPTS: readonly [scale: number, quality: number][] = [[1, 0.82], [1, 0.65], [0.75, 0.65], [0.5, 0.6], [0.35, 0.5]];

/**
 * The current frame of the first shared screen or device view in `container` with everyone's marks drawn on it, as
 * a JPEG data URL that fits a step card (MAX_STEP_IMAGE_CHARS); null when nothing with a picture is shared. The
 * marks' canvas covers the whole tile, so only its part over the video's frame is drawn onto the picture.
 */
export function snapshotOfSharedView(container: HTMLElement): string | null {
  for (const figure of container.querySelectorAll<HTMLElement>('figure.share')) {
    const video = figure.querySelector('video');
    const marks = figure.querySelector<HTMLCanvasElement>('canvas.annotations');
    if (!video || video.videoWidth === 0 || video.videoHeight === 0) continue;
    for (const [scale, quality] of ATTEMPTS) {
      const width = Math.round(Math.min(video.videoWidth, MAX_SNAPSHOT_WIDTH) * scale);
      const height = Math.round((video.videoHeight * width) / video.videoWidth);
      const canvas = Object.assign(document.createElement('canvas'), { width, height });
      const context = canvas.getContext('2d');
      if (!context) return null;
      context.drawImage(video, 0, 0, width, height);
      if (marks && marks.width > 0 && marks.height > 0) {
        const frame = containedRect(marks.width, marks.height, video.videoWidth, video.videoHeight);
        context.drawImage(marks, frame.left, frame.top, frame.width, frame.height, 0, 0, width, height);
      }
      const url = canvas.toDataURL('image/jpeg', quality);
      if (url.length <= MAX_STEP_IMAGE_CHARS) return url;
    }
  }
  return null;
}
