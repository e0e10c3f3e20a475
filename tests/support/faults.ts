import { execFileSync } from 'node:child_process';
import type { Page } from 'puppeteer-core';

/** The pids of the mediasoup workers a process started (its children running the worker binary). */
export function mediasoupWorkerPids(parentPid: number): number[] {
  try {
    const out = execFileSync('pgrep', ['-P', String(parentPid), '-f', 'mediasoup-worker'], { encoding: 'utf8' });
    return out.split('\n').filter(Boolean).map(Number);
  } catch {
    // pgrep exits 1 when nothing matches.
    return [];
  }
}

/** Kills (SIGKILL) every mediasoup worker a process started, as a crash would; returns how many. */
export function killMediasoupWorkers(parentPid: number): number {
  const pids = mediasoupWorkerPids(parentPid);
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  return pids.length;
}

/**
 * Waits until a page presents a remote frame of a call media opened after `at` (epoch ms; the page restarts its
 * media and the first frame of the new media is stamped); returns that frame's epoch ms.
 */
export async function remoteFrameAfter(page: Page, at: number, timeoutMs: number): Promise<number> {
  const handle = await page.waitForFunction(
    (since) => {
      const shown = (window as unknown as { signline: { firstRemoteFrameAt: number | null } }).signline.firstRemoteFrameAt;
      return shown !== null && shown > since ? shown : null;
    },
    { timeout: timeoutMs, polling: 10 },
    at,
  );
  return (await handle.jsonValue()) as number;
}
