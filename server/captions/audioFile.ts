import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { RECOGNIZER_SAMPLE_RATE } from './SpeechRecognizer.js';

/** Largest file read, so a wrong path (a video, a disk image) cannot fill memory: an hour of 16 kHz audio. */
const MAX_PCM_BYTES = RECOGNIZER_SAMPLE_RATE * 2 * 3600;

/**
 * The audio of a file as 16 kHz mono signed 16-bit samples, the recognizers' input: a WAV file already in that format
 * is read as it is; anything else goes through Debian's ffmpeg. Throws an Error naming the file and the cause.
 */
export async function loadPcm16k(file: string): Promise<Int16Array> {
  const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`cannot read ${file}: ${error.code ?? error.message}`);
  });
  const direct = wavPcm16kMono(bytes);
  if (direct) return direct;
  const raw = await new Promise<Buffer>((resolve, reject) => {
    execFile(
      'ffmpeg',
      ['-nostdin', '-v', 'error', '-i', file, '-vn', '-ac', '1', '-ar', String(RECOGNIZER_SAMPLE_RATE), '-f', 's16le', '-'],
      { encoding: 'buffer', maxBuffer: MAX_PCM_BYTES },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const cause = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'ffmpeg is not installed (Debian package ffmpeg)' : stderr.toString().trim().split('\n').slice(-2).join(' ') || error.message;
        reject(new Error(`cannot decode ${file} as audio: ${cause}`));
      },
    );
  });
  if (raw.length < 2) throw new Error(`cannot decode ${file} as audio: it holds no audio samples`);
  return toInt16(raw);
}

/** The samples of a canonical WAV file that is already 16-bit PCM, mono, 16 kHz; undefined for anything else. */
export function wavPcm16kMono(bytes: Buffer): Int16Array | undefined {
  if (bytes.length < 12 || bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') return undefined;
  let offset = 12;
  let format = false;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('ascii', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) return undefined;
      const [tag, channels, rate, bits] = [bytes.readUInt16LE(body), bytes.readUInt16LE(body + 2), bytes.readUInt32LE(body + 4), bytes.readUInt16LE(body + 14)];
      format = tag === 1 && channels === 1 && rate === RECOGNIZER_SAMPLE_RATE && bits === 16;
      if (!format) return undefined;
    } else if (id === 'data') {
      // Writers that stream (flite, ffmpeg to a pipe) may leave the size at 0 or 0xffffffff: take what is there.
      const end = size === 0 || body + size > bytes.length ? bytes.length : body + size;
      return format ? toInt16(bytes.subarray(body, end)) : undefined;
    }
    offset = body + size + (size % 2);
  }
  return undefined;
}

function toInt16(bytes: Buffer): Int16Array {
  const samples = new Int16Array(bytes.length >> 1);
  for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
  return samples;
}
