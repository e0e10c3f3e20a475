import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { pagePolicy } from '../../server/http/securityHeaders.js';
import { startTestServer, testAgent } from '../support/testServer.js';

/** The status and headers of an HTTPS GET that trusts `ca` (the test's self-signed certificate) only. */
function httpsHead(url: string, ca: Buffer): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    }).once('error', reject);
  });
}

describe('security headers', () => {
  it('gives pages a strict Content-Security-Policy and every response the common headers, with no HSTS over plain HTTP', async () => {
    const server = await startTestServer([testAgent('alice', ['csl'])]);
    try {
      const page = await fetch(`${server.url}/support`);
      expect(page.status).toBe(200);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      for (const reply of [page, await fetch(`${server.url}/healthz`), await fetch(`${server.url}/api/nothing`)]) {
        expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
        expect(reply.headers.get('referrer-policy')).toBe('no-referrer');
        expect(reply.headers.get('strict-transport-security')).toBeNull();
        expect(reply.headers.get('x-powered-by')).toBeNull();
      }
    } finally {
      await server.close();
    }
  });

  it('lets the pages connect to the LiveKit server LIVEKIT_URL names, beside their own origin', async () => {
    const app = express();
    app.get('/', pagePolicy({ LIVEKIT_URL: 'wss://media.example.com:7443' }), (_req, res) => res.end());
    const listener = app.listen(0, '127.0.0.1');
    await once(listener, 'listening');
    try {
      const { port } = listener.address() as AddressInfo;
      const csp = (await fetch(`http://127.0.0.1:${port}/`)).headers.get('content-security-policy');
      expect(csp).toContain("connect-src 'self' wss://media.example.com:7443 https://media.example.com:7443;");
    } finally {
      listener.close();
    }
  });

  describe('TLS served directly', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'signline-tls-'));
    const [cert, key] = [path.join(dir, 'cert.pem'), path.join(dir, 'key.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('serves HTTPS with HSTS when TLS_CERT and TLS_KEY are set', async () => {
      const server = await startTestServer([testAgent('alice', ['csl'])], { TLS_CERT: cert, TLS_KEY: key });
      try {
        expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
        const reply = await httpsHead(`${server.url}/healthz`, readFileSync(cert));
        expect(reply.status).toBe(200);
        expect(reply.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      } finally {
        await server.close();
      }
    });

    it('refuses to start with one of the two, or with a file it cannot read, saying which', async () => {
      expect(() => loadConfig({ TLS_CERT: cert })).toThrow(/TLS_CERT and TLS_KEY go together/);
      await expect(startTestServer([testAgent('alice', ['csl'])], { TLS_CERT: cert, TLS_KEY: path.join(dir, 'missing.pem') })).rejects.toThrow(/TLS_KEY .*missing\.pem cannot be read \(ENOENT\)/);
    });
  });
});
