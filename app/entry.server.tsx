import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToReadableStream } from "react-dom/server.browser";
import { NonceContext } from "~/utils/nonce";

// server.mjs reaches these through the build (build.entry.module), so the
// Express layer and the Remix app share one implementation.
export { createAppContext } from "~/utils/bootstrap.server";
export { parseEnv, EnvError } from "~/utils/env.server";
export { checkSameOrigin } from "~/utils/csrf.server";
export { securityHeadersMiddleware } from "~/utils/security-headers.server";
export { directUploadPieces } from "~/utils/tus-direct.server";
export { startServer } from "~/utils/http-app.server";

const ABORT_DELAY = 5_000;

/**
 * Rendered with React's web-stream writer (react-dom/server.browser), not its
 * Node one: React 18.3's renderToPipeableStream loses a character wherever a
 * multi-byte one crosses its 2 KiB buffer, leaving NUL bytes in Chinese pages
 * (facebook/react#31134). The web-stream writer encodes whole strings.
 */
export default async function handleRequest(request: Request, responseStatusCode: number, responseHeaders: Headers, remixContext: EntryContext, loadContext: AppLoadContext) {
  // The nonce in this response's Content-Security-Policy header (set by server.mjs).
  const nonce = loadContext.cspNonce;
  const waitForAll = isbot(request.headers.get("user-agent") ?? "");
  let shellRendered = false;
  // Suspended parts still pending after ABORT_DELAY are given up; once everything is rendered there is nothing to abort
  // (aborting a finished stream makes React close it twice, an error logged for every page).
  const giveUp = new AbortController();
  const timer = setTimeout(() => giveUp.abort(), ABORT_DELAY);
  const body = await renderToReadableStream(
    <NonceContext.Provider value={nonce}>
      <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
    </NonceContext.Provider>,
    {
      signal: giveUp.signal,
      onError(error: unknown) {
        responseStatusCode = 500;
        if (shellRendered) console.error(error);
      },
    },
  );
  shellRendered = true;
  body.allReady.then(
    () => clearTimeout(timer),
    () => clearTimeout(timer),
  );
  if (waitForAll) await body.allReady;
  responseHeaders.set("Content-Type", "text/html; charset=utf-8");
  return new Response(body, { headers: responseHeaders, status: responseStatusCode });
}
