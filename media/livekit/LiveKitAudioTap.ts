import { EventEmitter } from 'node:events';
import { AudioStream, type RemoteTrack } from '@livekit/rtc-node';
import { AUDIO_TAP_FORMAT, type AudioTap, type AudioTapEvents } from '../MediaEngine.js';
import { PcmChunker } from '../audioTap/PcmChunker.js';

/**
 * A participant's audio leaving LiveKit as PCM for a speech recognizer: the service's own participant subscribes to
 * the track and LiveKit's native SDK decodes and resamples it to 16 kHz mono. Its decoder conceals loss and plays
 * silence through gaps, so the recognizer hears the pause that ends an utterance without a timeline of our own (the
 * embedded SFU's tap needs one because it decodes RTP itself).
 */
export class LiveKitAudioTap extends EventEmitter<AudioTapEvents> implements AudioTap {
  readonly producerId: string;
  readonly #reader: ReadableStreamDefaultReader<{ data: Int16Array }>;
  #closed = false;

  constructor(producerId: string, track: RemoteTrack) {
    super();
    this.producerId = producerId;
    const stream = new AudioStream(track, { sampleRate: AUDIO_TAP_FORMAT.sampleRate, numChannels: AUDIO_TAP_FORMAT.channels });
    this.#reader = stream.getReader();
    void this.#pump();
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reader.cancel().catch(() => undefined);
    this.emit('closed');
  }

  async #pump(): Promise<void> {
    const chunker = new PcmChunker(AUDIO_TAP_FORMAT.chunkSamples, (chunk) => {
      if (!this.#closed) this.emit('pcm', chunk);
    });
    try {
      for (;;) {
        const { done, value } = await this.#reader.read();
        if (done || this.#closed) break;
        chunker.pushBytes(new Uint8Array(value.data.buffer, value.data.byteOffset, value.data.byteLength));
      }
    } catch (error) {
      if (!this.#closed) this.emit('error', error instanceof Error ? error : new Error(String(error)));
    } finally {
      // The track went away (unpublished, participant left, room closed): so does the tap.
      this.close();
    }
  }
}
