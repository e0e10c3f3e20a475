import { describe, expect, it } from 'vitest';
import { PcmChunker } from '../../media/audioTap/PcmChunker.js';
import { parseRtpPacket } from '../../media/audioTap/rtpPacket.js';
import { RtpTimeline, type RtpStep } from '../../media/audioTap/RtpTimeline.js';
import { mulberry32 } from '../support/random.js';

/** An RTP packet with the given header parts around a payload. */
function rtp(options: { seq?: number; ts?: number; pt?: number; csrcs?: number; extensionWords?: number; padding?: number; payload?: number[] } = {}): Uint8Array {
  const { seq = 1, ts = 960, pt = 100, csrcs = 0, extensionWords, padding = 0, payload = [0xfc, 0xff, 0xfe] } = options;
  const extension = extensionWords === undefined ? [] : [0xbe, 0xde, 0, extensionWords, ...Array<number>(4 * extensionWords).fill(7)];
  const paddingBytes = padding > 0 ? [...Array<number>(padding - 1).fill(0), padding] : [];
  const first = 0x80 | (padding > 0 ? 0x20 : 0) | (extensionWords === undefined ? 0 : 0x10) | csrcs;
  const header = [first, pt, seq >> 8, seq & 0xff, (ts >>> 24) & 0xff, (ts >>> 16) & 0xff, (ts >>> 8) & 0xff, ts & 0xff, 0, 0, 4, 87];
  return Uint8Array.from([...header, ...Array<number>(4 * csrcs).fill(9), ...extension, ...payload, ...paddingBytes]);
}

describe('reading an RTP packet', () => {
  it('finds the payload after the fixed header', () => {
    expect(parseRtpPacket(rtp({ seq: 513, ts: 123_456 }))).toEqual({
      payloadType: 100,
      marker: false,
      sequenceNumber: 513,
      timestamp: 123_456,
      ssrc: 1111,
      payload: Uint8Array.from([0xfc, 0xff, 0xfe]),
    });
  });

  it('skips contributing sources, a header extension and padding', () => {
    const packet = parseRtpPacket(rtp({ csrcs: 2, extensionWords: 3, padding: 4 }));
    expect(packet?.payload).toEqual(Uint8Array.from([0xfc, 0xff, 0xfe]));
  });

  it('refuses what is not well-formed RTP', () => {
    expect(parseRtpPacket(Uint8Array.from([0x80, 100, 0, 1]))).toBeUndefined();
    expect(parseRtpPacket(Uint8Array.from([0x40, ...rtp().subarray(1)]))).toBeUndefined();
    // An extension longer than the packet.
    expect(parseRtpPacket(rtp({ extensionWords: 1 }).subarray(0, 17))).toBeUndefined();
  });
});

const timeline = (maxGapMs = 1000) => new RtpTimeline({ clockRate: 48_000, outputRate: 16_000, maxGapMs });

/** Feeds 20 ms packets (960 ticks, 320 output samples) and returns each step. */
function feed(line: RtpTimeline, packets: [seq: number, ts: number][]): RtpStep[] {
  return packets.map(([seq, ts]) => {
    const step = line.next(seq, ts);
    if (step.kind === 'play') line.played(320);
    return step;
  });
}

describe('keeping a tapped stream continuous in time', () => {
  it('plays packets in order back to back', () => {
    expect(feed(timeline(), [[1, 0], [2, 960], [3, 1920]])).toEqual([
      { kind: 'play', silenceBefore: 0 },
      { kind: 'play', silenceBefore: 0 },
      { kind: 'play', silenceBefore: 0 },
    ]);
  });

  it('fills lost packets with as much silence as they held', () => {
    expect(feed(timeline(), [[1, 0], [4, 3 * 960]])[1]).toEqual({ kind: 'play', silenceBefore: 640 });
  });

  it('fills a timestamp jump without lost packets (silence suppression) the same way', () => {
    expect(feed(timeline(), [[1, 0], [2, 960 * 20]])[1]).toEqual({ kind: 'play', silenceBefore: 19 * 320 });
  });

  it('fills at most the longest gap, so a long mute does not come out as a burst of silence', () => {
    expect(feed(timeline(500), [[1, 0], [2, 48_000 * 60]])[1]).toEqual({ kind: 'play', silenceBefore: 8000 });
  });

  it('drops a packet that comes after a newer one, and a repeated one', () => {
    expect(feed(timeline(), [[1, 0], [3, 1920], [2, 960], [3, 1920], [4, 2880]])).toEqual([
      { kind: 'play', silenceBefore: 0 },
      { kind: 'play', silenceBefore: 320 },
      { kind: 'drop', reason: 'late' },
      { kind: 'drop', reason: 'duplicate' },
      { kind: 'play', silenceBefore: 0 },
    ]);
  });

  it('runs on across sequence number and timestamp wrap-around', () => {
    const start = 2 ** 32 - 960;
    expect(feed(timeline(), [[65_535, start], [0, 0], [2, 1920]])).toEqual([
      { kind: 'play', silenceBefore: 0 },
      { kind: 'play', silenceBefore: 0 },
      { kind: 'play', silenceBefore: 320 },
    ]);
  });

  it('starts afresh, without silence, when the sender restarts far behind', () => {
    expect(feed(timeline(), [[5000, 480_000], [100, 7]])[1]).toEqual({ kind: 'play', silenceBefore: 0 });
  });

  it('never plays a packet twice and accounts for every sample between the first and the last played', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = mulberry32(seed);
      // A stream of 20 ms packets, some lost, some duplicated, some swapped with their neighbour.
      const sent: number[] = [];
      for (let index = 0; index < 200; index++) if (random() > 0.1) sent.push(index);
      for (let index = 0; index + 1 < sent.length; index++) {
        if (random() < 0.05) [sent[index], sent[index + 1]] = [sent[index + 1]!, sent[index]!];
        if (random() < 0.03) sent.splice(index, 0, sent[index]!);
      }
      const line = timeline();
      const played: number[] = [];
      let output = 0;
      for (const index of sent) {
        const seq = (60_000 + index) & 0xffff;
        const step = line.next(seq, (4_294_000_000 + index * 960) >>> 0);
        if (step.kind === 'drop') continue;
        played.push(index);
        output += step.silenceBefore + 320;
        line.played(320);
      }
      expect(new Set(played).size, `seed ${seed}`).toBe(played.length);
      expect(played, `seed ${seed}`).toEqual([...played].sort((a, b) => a - b));
      expect(output, `seed ${seed}`).toBe((played.at(-1)! - played[0]! + 1) * 320);
    }
  });
});

describe('cutting audio into chunks', () => {
  it('makes fixed-size 16-bit chunks from floats, clipping what is too loud', () => {
    const chunks: Int16Array[] = [];
    const chunker = new PcmChunker(4, (chunk) => chunks.push(chunk));
    chunker.pushFloat(Float32Array.from([0, 0.5, -0.5, 1.5, -2, 1]));
    expect(chunks).toEqual([Int16Array.from([0, 16384, -16384, 32767])]);
    chunker.pushSilence(3);
    expect(chunks[1]).toEqual(Int16Array.from([-32768, 32767, 0, 0]));
    expect(chunks).toHaveLength(2);
  });

  it('reads little-endian bytes split anywhere, even inside a sample', () => {
    const chunks: Int16Array[] = [];
    const chunker = new PcmChunker(2, (chunk) => chunks.push(chunk));
    chunker.pushBytes(Uint8Array.from([0x01]));
    chunker.pushBytes(Uint8Array.from([0x02, 0xff]));
    chunker.pushBytes(Uint8Array.from([0xff, 0x00, 0x80]));
    expect(chunks).toEqual([Int16Array.from([0x0201, -1])]);
    chunker.pushBytes(Uint8Array.from([0x34, 0x12]));
    expect(chunks[1]).toEqual(Int16Array.from([-32768, 0x1234]));
  });

  it('gives each chunk its own array, so a receiver may keep it', () => {
    const chunks: Int16Array[] = [];
    const chunker = new PcmChunker(2, (chunk) => chunks.push(chunk));
    chunker.pushSilence(4);
    expect(chunks[0]).not.toBe(chunks[1]);
  });
});
