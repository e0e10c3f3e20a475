import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { Config } from '../config.js';

/**
 * The Content-Security-Policy of the pages: only this origin's scripts (no inline script or style anywhere in the
 * client), WebAssembly compiled from them (MediaPipe's runtime), and connections to this origin (Socket.IO) and, on
 * LiveKit, to the LiveKit server's signalling. Pictures may be data: or blob: URLs (snapshots on step cards).
 */
export function pagePolicy(config: Pick<Config, 'LIVEKIT_URL'>): RequestHandler {
  const livekit = config.LIVEKIT_URL ? liveKitOrigins(config.LIVEKIT_URL) : [];
  return helmet.contentSecurityPolicy({
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      mediaSrc: ["'self'", 'blob:'],
      workerSrc: ["'self'", 'blob:'],
      connectSrc: ["'self'", ...livekit],
      fontSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  });
}

/** The LiveKit server's signalling origin and its HTTP twin (livekit-client checks a failed join over HTTP). */
function liveKitOrigins(url: string): string[] {
  const { protocol, host } = new URL(url);
  return [`${protocol}//${host}`, `${protocol === 'wss:' ? 'https:' : 'http:'}//${host}`];
}

/**
 * Headers for every response (helmet's defaults but the policy above, which only pages carry): no MIME sniffing, no
 * framing, no referrer, same-origin opener and resources. HSTS only when this process serves TLS itself; behind the
 * compose file's proxy, Caddy sends it.
 */
export function securityHeaders(tls: boolean): RequestHandler {
  return helmet({
    contentSecurityPolicy: false,
    strictTransportSecurity: tls ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
}
