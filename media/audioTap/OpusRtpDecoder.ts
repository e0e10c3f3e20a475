import { OpusDecoder, type OpusDecoderSampleRate } from 'opus-decoder';
import { PcmChunker } from './PcmChunker.js';
import { parseRtpPacket } from './rtpPacket.js';
import { RtpTimeline } from './RtpTimeline.js';

/** What happened to the packets an `OpusRtpDecoder` was given. */
export interface OpusRtpDecoderStats {
  /** Packets decoded. */
  played: number;
  /** Packets skipped because they came after a newer one or twice. */
  late: number;
  /** Packets that were not RTP, carried another payload type, or did not decode. */
  bad: number;
  /** Output samples of silence standing in for missing audio. */
  silenceSamples: number;
}

/** How an `OpusRtpDecoder` reads and writes audio. */
export interface OpusRtpDecoderOptions {
  /** The Opus payload type of the RTP stream; packets with another one are ignored. */
  payloadType: number;
  /** Output sample rate. libopus decodes natively at this rate, band-limiting inside the codec. */
  sampleRate: OpusDecoderSampleRate;
  /** Samples in each output chunk. */
  chunkSamples: number;
  /** Longest gap filled with silence. */
  maxGapMs: number;
  /** Receives each output chunk, mono signed 16-bit. */
  onPcm: (chunk: Int16Array) => void;
}

/** Opus's RTP clock always runs at 48 kHz (RFC 7587), whatever rate the audio was coded at. */
const OPUS_CLOCK_RATE = 48_000;

/**
 * Turns an Opus RTP stream into fixed-size chunks of mono PCM, synchronously, one packet at a time. libopus (the
 * wasm build in `opus-decoder`) decodes straight to the output rate and downmixes stereo to mono itself: at 16 kHz
 * its CELT layer zeroes every band above 8 kHz before synthesis and SILK's wideband mode runs at 16 kHz anyway, so
 * no resampling filter of our own is needed (a 12 kHz tone comes out at -85 dBFS, a 7 kHz one at its level). Lost
 * packets become silence: this build conceals only in 120 ms blocks (an empty frame) and exposes no in-band FEC, and
 * cutting its concealment to the gap measured worse than silence against the lossless decode of flite speech
 * (10.0 against 12.6 dB SNR at 5 % loss, 7.3 against 9.2 dB at 10 %).
 */
export class OpusRtpDecoder {
  readonly #options: OpusRtpDecoderOptions;
  readonly #decoder: OpusDecoder<OpusDecoderSampleRate>;
  readonly #timeline: RtpTimeline;
  readonly #chunker: PcmChunker;
  readonly #stats: OpusRtpDecoderStats = { played: 0, late: 0, bad: 0, silenceSamples: 0 };
  #freed = false;

  private constructor(options: OpusRtpDecoderOptions, decoder: OpusDecoder<OpusDecoderSampleRate>) {
    this.#options = options;
    this.#decoder = decoder;
    this.#timeline = new RtpTimeline({ clockRate: OPUS_CLOCK_RATE, outputRate: options.sampleRate, maxGapMs: options.maxGapMs });
    this.#chunker = new PcmChunker(options.chunkSamples, options.onPcm);
  }

  /** Makes a decoder once its wasm module is compiled. */
  static async create(options: OpusRtpDecoderOptions): Promise<OpusRtpDecoder> {
    // Mono with one uncoupled stream: libopus folds a stereo packet into one channel.
    const decoder = new OpusDecoder({ sampleRate: options.sampleRate, channels: 1, streamCount: 1, coupledStreamCount: 0, channelMappingTable: [0] });
    await decoder.ready;
    return new OpusRtpDecoder(options, decoder);
  }

  /** Counts of what the packets so far did. */
  get stats(): Readonly<OpusRtpDecoderStats> {
    return this.#stats;
  }

  /** Decodes one RTP packet, emitting every chunk it completes. */
  push(packet: Uint8Array): void {
    if (this.#freed) return;
    const rtp = parseRtpPacket(packet);
    if (!rtp || rtp.payloadType !== this.#options.payloadType) {
      this.#stats.bad++;
      return;
    }
    const step = this.#timeline.next(rtp.sequenceNumber, rtp.timestamp);
    if (step.kind === 'drop') {
      this.#stats.late++;
      return;
    }
    if (step.silenceBefore > 0) {
      this.#stats.silenceSamples += step.silenceBefore;
      this.#chunker.pushSilence(step.silenceBefore);
    }
    // An empty payload is a sender's keep-alive; decoding it would conceal 120 ms.
    if (rtp.payload.length === 0) return;
    const decoded = this.#decoder.decodeFrame(rtp.payload);
    if (decoded.errors.length > 0 || decoded.samplesDecoded === 0) {
      // The next packet's timestamp gap covers this one's time with silence.
      this.#stats.bad++;
      return;
    }
    this.#stats.played++;
    this.#timeline.played(decoded.samplesDecoded);
    this.#chunker.pushFloat(decoded.channelData[0]!.subarray(0, decoded.samplesDecoded));
  }

  /** Releases the wasm decoder's memory. Idempotent. */
  free(): void {
    if (this.#freed) return;
    this.#freed = true;
    this.#decoder.free();
  }
}
