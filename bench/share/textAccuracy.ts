import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { editDistance } from '../../tests/support/captionSpeech.js';

export { editDistance };

const run = promisify(execFile);

/** Debian's tesseract-ocr reading an image (PNG), English, as one block of text. */
export async function ocr(imageFile: string): Promise<string> {
  const { stdout } = await run('tesseract', [imageFile, 'stdout', '-l', 'eng', '--psm', '6'], { maxBuffer: 1 << 20 });
  return stdout;
}

/** Text with its runs of white space made single spaces, trimmed: line breaks and spacing are layout, not characters. */
export function normalize(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Characters right over characters, as a percentage: the source's length less the edits that turn the OCR into the
 * source, over the source's length (0 when the OCR is further off than the source is long).
 */
export function textAccuracy(read: string, source: string): number {
  const [got, want] = [normalize(read), normalize(source)];
  if (want.length === 0) return 0;
  return Math.max(0, (1 - editDistance(got, want) / want.length) * 100);
}
