/** Cuts a stream of audio samples into signed 16-bit chunks of a fixed length, each a fresh array the receiver keeps. */
export class PcmChunker {
  readonly #chunkSamples: number;
  readonly #onChunk: (chunk: Int16Array) => void;
  #chunk: Int16Array;
  #filled = 0;
  /** The low byte of a sample whose high byte has not arrived yet. */
  #pendingByte: number | undefined;

  constructor(chunkSamples: number, onChunk: (chunk: Int16Array) => void) {
    if (!Number.isInteger(chunkSamples) || chunkSamples <= 0) throw new TypeError('chunkSamples must be a positive integer');
    this.#chunkSamples = chunkSamples;
    this.#onChunk = onChunk;
    this.#chunk = new Int16Array(chunkSamples);
  }

  /** Adds float samples in [-1, 1]; louder ones are clipped. */
  pushFloat(samples: Float32Array): void {
    for (let index = 0; index < samples.length; index++) {
      const value = Math.round(samples[index]! * 32768);
      this.#chunk[this.#filled++] = value > 32767 ? 32767 : value < -32768 ? -32768 : value;
      if (this.#filled === this.#chunkSamples) this.#flush();
    }
  }

  /** Adds signed 16-bit little-endian samples from a byte stream; an odd trailing byte waits for the next call. */
  pushBytes(bytes: Uint8Array): void {
    for (let index = 0; index < bytes.length; index++) {
      if (this.#pendingByte === undefined) {
        this.#pendingByte = bytes[index]!;
        continue;
      }
      this.#chunk[this.#filled++] = ((bytes[index]! << 24) >> 16) | this.#pendingByte;
      this.#pendingByte = undefined;
      if (this.#filled === this.#chunkSamples) this.#flush();
    }
  }

  /** Adds `count` samples of silence. */
  pushSilence(count: number): void {
    let left = count;
    while (left > 0) {
      const take = Math.min(left, this.#chunkSamples - this.#filled);
      this.#chunk.fill(0, this.#filled, this.#filled + take);
      this.#filled += take;
      left -= take;
      if (this.#filled === this.#chunkSamples) this.#flush();
    }
  }

  #flush(): void {
    const chunk = this.#chunk;
    this.#chunk = new Int16Array(this.#chunkSamples);
    this.#filled = 0;
    this.#onChunk(chunk);
  }
}
