import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

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

/** Levenshtein distance between two strings (insertions, deletions and substitutions of one UTF-16 unit each). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
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
