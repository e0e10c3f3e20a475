import { describe, expect, it } from 'vitest';
import { qualitySample, type ReceiveCounters } from '../../../client/src/media/qualitySample.js';
import { qualitySampleSchema } from '../../../signaling/index.js';

const video = (id: string, framesDecoded: number, jitterBufferDelay: number, jitterBufferEmittedCount: number): NonNullable<ReceiveCounters['video']> => ({
  id,
  framesDecoded,
  frameWidth: 640,
  frameHeight: 480,
  freezeCount: 0,
  totalFreezesDuration: 0,
  jitterBufferDelay,
  jitterBufferEmittedCount,
});
const audio = (id: string, jitterBufferDelay: number, jitterBufferEmittedCount: number) => ({ id, jitterBufferDelay, jitterBufferEmittedCount });

describe('a quality sample from two readings of the receive counters', () => {
  it('gives the frame rate and buffer waits of the frames between them, fit for the wire', () => {
    const before: ReceiveCounters = { at: 10_000, video: video('v1', 300, 12, 300), audio: audio('a1', 40, 1000), rttSec: 0.004 };
    const after: ReceiveCounters = { at: 12_000, video: video('v1', 360, 15, 360), audio: audio('a1', 42, 1100), rttSec: 0.006 };
    const sample = qualitySample(before, after);
    expect(sample).toMatchObject({ at: 12_000, fps: 30, height: 480, jitterBufferMs: 50, avSyncMs: 30, rttMs: 6 });
    expect(qualitySampleSchema.safeParse(sample).success).toBe(true);
  });

  it('gives no sample when the video read is another stream than before, instead of a negative wait', () => {
    // A technician's page receives two cameras; the busier one can change between readings.
    const before: ReceiveCounters = { at: 10_000, video: video('v1', 900, 40, 900), audio: null, rttSec: null };
    const after: ReceiveCounters = { at: 12_000, video: video('v2', 950, 5, 950), audio: null, rttSec: null };
    expect(qualitySample(before, after)).toBeNull();
  });

  it('gives no sample for the interval in which video first appears, instead of counting its frames from zero', () => {
    const before: ReceiveCounters = { at: 10_000, video: null, audio: null, rttSec: null };
    const after: ReceiveCounters = { at: 12_000, video: video('v1', 5_000, 100, 5_000), audio: null, rttSec: null };
    expect(qualitySample(before, after)).toBeNull();
  });

  it('leaves out the audio buffer, and so the lip-sync figure, over an interval in which the audio track was restarted', () => {
    const before: ReceiveCounters = { at: 10_000, video: video('v1', 300, 12, 300), audio: audio('a1', 400, 5000), rttSec: null };
    const after: ReceiveCounters = { at: 12_000, video: video('v1', 360, 15, 360), audio: audio('a2', 2, 100), rttSec: null };
    expect(qualitySample(before, after)).toMatchObject({ jitterBufferMs: 50, avSyncMs: null });
  });
});
