import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimerSet } from '../../../server/routing/TimerSet.js';
import { capturingLog } from './flakyStore.js';

const BACKOFF = { firstMs: 100, maxMs: 400 };
const realSetImmediate = setImmediate;

/** A task that fails its first `failures` runs, recording the fake time of every run. */
function failingTask(failures: number) {
  const runs: number[] = [];
  const start = Date.now();
  return {
    runs,
    task: async (): Promise<void> => {
      runs.push(Date.now() - start);
      if (runs.length <= failures) throw new Error(`failure ${runs.length}`);
    },
  };
}

describe('TimerSet', () => {
  let captured: ReturnType<typeof capturingLog>;
  let timers: TimerSet<string>;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
    vi.useFakeTimers({ now: 0 });
    captured = capturingLog();
    timers = new TimerSet({ name: 'test timer', log: captured.log, backoff: BACKOFF });
  });

  afterEach(async () => {
    timers.close();
    vi.useRealTimers();
    await new Promise((resolve) => realSetImmediate(resolve));
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });

  it('runs a task once after its delay and then forgets the key', async () => {
    const { runs, task } = failingTask(0);
    timers.set('k', 1000, task);
    await vi.advanceTimersByTimeAsync(999);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toEqual([1000]);
    expect(timers.has('k')).toBe(false);
  });

  it('replaces the task of a key that is set again', async () => {
    const first = failingTask(0);
    const second = failingTask(0);
    timers.set('k', 1000, first.task);
    timers.set('k', 2000, second.task);
    await vi.advanceTimersByTimeAsync(5000);
    expect(first.runs).toEqual([]);
    expect(second.runs).toEqual([2000]);
  });

  it('cancels a cleared task and says whether there was one', async () => {
    const { runs, task } = failingTask(0);
    timers.set('k', 1000, task);
    expect(timers.clear('k')).toBe(true);
    expect(timers.clear('k')).toBe(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toEqual([]);
  });

  it('logs a failing task and retries it with a doubling backoff up to its cap until it succeeds', async () => {
    const { runs, task } = failingTask(4);
    timers.set('k', 1000, task);
    await vi.advanceTimersByTimeAsync(10_000);
    // Failures at 1000, +100, +200, +400, +400 (capped); the fifth run succeeds.
    expect(runs).toEqual([1000, 1100, 1300, 1700, 2100]);
    expect(captured.errors().map((line) => line.message)).toEqual([
      'test timer "k" failed (attempt 1); retrying in 100 ms',
      'test timer "k" failed (attempt 2); retrying in 200 ms',
      'test timer "k" failed (attempt 3); retrying in 400 ms',
      'test timer "k" failed (attempt 4); retrying in 400 ms',
    ]);
    expect(captured.errors()[0]!.detail).toEqual(new Error('failure 1'));
    expect(timers.has('k')).toBe(false);
  });

  it('keeps the key while a failed task waits for its retry, and stops retrying once the key is cleared', async () => {
    const { runs, task } = failingTask(100);
    timers.set('k', 0, task);
    await vi.advanceTimersByTimeAsync(50);
    expect(timers.has('k')).toBe(true);
    timers.clear('k');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toEqual([0]);
  });

  it('stops retrying once closed, and schedules nothing after', async () => {
    const { runs, task } = failingTask(100);
    timers.set('k', 0, task);
    await vi.advanceTimersByTimeAsync(50);
    timers.close();
    timers.set('other', 0, task);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toEqual([0]);
    expect(timers.size).toBe(0);
  });

  it('does not retry a task whose key was cleared while it ran, but still logs its failure', async () => {
    let release: (() => void) | undefined;
    let runs = 0;
    timers.set('k', 0, async () => {
      runs++;
      await new Promise<void>((resolve) => (release = resolve));
      throw new Error('too late');
    });
    await vi.advanceTimersByTimeAsync(0);
    timers.clear('k');
    release!();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toBe(1);
    expect(captured.errors().map((line) => line.message)).toEqual(['test timer "k" failed (attempt 1); no longer needed, not retried']);
  });

  it('runs a task at once, resolving after the first attempt even when it fails, and retries it in the background', async () => {
    const { runs, task } = failingTask(1);
    await expect(timers.run('k', task)).resolves.toBeUndefined();
    expect(runs).toEqual([0]);
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toEqual([0, 100]);
  });

  it('tells its owner of every failure', async () => {
    const seen: unknown[] = [];
    timers = new TimerSet({ name: 'test timer', log: captured.log, backoff: BACKOFF, onError: (error) => seen.push(error) });
    timers.set('k', 0, failingTask(2).task);
    await vi.advanceTimersByTimeAsync(1000);
    expect(seen).toEqual([new Error('failure 1'), new Error('failure 2')]);
  });
});
