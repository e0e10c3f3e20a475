import { setTimeout as sleep } from 'node:timers/promises';
import { RecognizerState, type RecognizerStream } from '../../server/captions/index.js';

const CHUNK = 320;

/**
 * Once `stream`'s worker has loaded its model, writes all of `audio` at once and ends the stream when decoding has
 * reached `lastSpeechMs` (a partial or final reaching past it), so `end()`, which gives the last utterance 15 s,
 * never cuts off a backlog of minutes. Returns the real-time factor: wall time from the first write to the end over
 * the audio's length.
 */
export async function decodeAll(stream: RecognizerStream, audio: Int16Array, lastSpeechMs: number): Promise<number> {
  const audioMs = audio.length / 16;
  const reached = new Promise<void>((resolve) => {
    const check = ({ endMs }: { endMs: number }) => {
      if (endMs >= lastSpeechMs) resolve();
    };
    stream.on('partial', check);
    stream.on('final', check);
  });
  while (stream.state === RecognizerState.Starting) await sleep(20);
  const started = performance.now();
  for (let at = 0; at < audio.length; at += CHUNK) stream.write(audio.subarray(at, at + CHUNK));
  // Decoding slower than real time would be a finding of its own: end then, whatever is left.
  const timeout = new AbortController();
  await Promise.race([reached, sleep(audioMs, undefined, { signal: timeout.signal }).catch(() => undefined)]);
  timeout.abort();
  await stream.end();
  return (performance.now() - started) / audioMs;
}
