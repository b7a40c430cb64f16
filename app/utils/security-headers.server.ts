/**
 * The security headers of every response, set in one place: server.mjs mounts
 * securityHeadersMiddleware before anything else answers (static files, the
 * cross-site refusal, every Remix page and resource route).
 *
 * Scripts run only from this origin or with the per-request nonce that
 * entry.server.tsx hands to <Scripts>, <ScrollRestoration> and the streamed
 * loader data; no inline script or style attribute is allowed. The opening
 * hall's server-sent events and WebAuthn's fetches go to this origin
 * (connect-src 'self'); WebAuthn itself is not governed by CSP.
 */
import { randomBytes } from "node:crypto";

export function newCspNonce(): string {
  return randomBytes(16).toString("base64");
}

export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function securityHeaders(nonce: string, opts: { https: boolean }): Record<string, string> {
  const headers: Record<string, string> = {
    "Content-Security-Policy": contentSecurityPolicy(nonce),
    "X-Content-Type-Options": "nosniff",
    // For browsers that predate frame-ancestors.
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
  };
  // Only over HTTPS: on http://localhost it would be ignored anyway, and must not pin a plain-HTTP trial.
  if (opts.https) headers["Strict-Transport-Security"] = "max-age=31536000";
  return headers;
}

interface MiddlewareResponse {
  setHeader(name: string, value: string): unknown;
  locals: Record<string, unknown>;
}

/** Express middleware: a fresh nonce in res.locals.cspNonce (server.mjs passes it to the load context) and the headers. */
export function securityHeadersMiddleware(opts: { https: boolean }) {
  return (_req: unknown, res: MiddlewareResponse, next: () => void) => {
    const nonce = newCspNonce();
    res.locals.cspNonce = nonce;
    for (const [name, value] of Object.entries(securityHeaders(nonce, opts))) res.setHeader(name, value);
    next();
  };
}
