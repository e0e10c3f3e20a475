import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { CHROMIUM, chromiumArgs, FIXTURE_AUDIO } from '../../tests/support/chromium.js';

/**
 * Launches headless Chromium inside a network namespace with `video` as its fake camera. Puppeteer talks to it over
 * a pipe (`--remote-debugging-pipe`), so the DevTools traffic never crosses the shaped link. `secureOrigin` is the
 * server's plain-http origin, which Chromium must treat as secure for getUserMedia.
 */
export async function launchChromiumInNamespace(namespace: string, video: string, secureOrigin: string): Promise<Browser> {
  for (const file of [CHROMIUM, video, FIXTURE_AUDIO]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run setup"`);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slbench-chromium-'));
  const wrapper = path.join(dir, 'chromium-in-namespace');
  // `ip netns exec` execs Chromium in place, so the pipe's file descriptors 3 and 4 and the pid puppeteer kills stay.
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${namespace} ${CHROMIUM} "$@"\n`, { mode: 0o755 });
  try {
    return await puppeteer.launch({
      executablePath: wrapper,
      pipe: true,
      headless: true,
      args: [...chromiumArgs(video), `--unsafely-treat-insecure-origin-as-secure=${secureOrigin}`],
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
