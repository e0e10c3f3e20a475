import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';

describe('the SFU worker setup built', () => {
  const worker = loadConfig(process.env).MEDIASOUP_WORKER_BIN;

  it("links the system's maintained OpenSSL 3 (patch 12), not the 1.1.1k mediasoup 3.8.4 bundles", () => {
    const libraries = execFileSync('ldd', [worker], { encoding: 'utf8' });
    expect(libraries).toMatch(/libssl\.so\.3 => \S+/);
    expect(libraries).toMatch(/libcrypto\.so\.3 => \S+/);
    expect(readFileSync(worker).includes('OpenSSL 1.1.1')).toBe(false);
  });
});
