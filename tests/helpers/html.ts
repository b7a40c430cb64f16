// Serve the app the way server.mjs does — the security-headers middleware in
// front of the Remix request handler — but from the route modules themselves
// (no build needed), on an ephemeral port. For tests that need rendered HTML
// and real response headers.
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createRequestHandler } from "@remix-run/express";
import type { AppLoadContext } from "@remix-run/node";
import express from "express";
import * as entry from "~/entry.server";
import { sourceBuild } from "./source-build";

export async function serveApp(context: AppLoadContext): Promise<{ url: string; close: () => Promise<void> }> {
  const build = await sourceBuild();

  const app = express();
  app.disable("x-powered-by");
  app.use(entry.securityHeadersMiddleware({ https: false }));
  app.use(express.static(path.resolve("public"), { maxAge: "1h" }));
  const handler = createRequestHandler({ build, mode: "production", getLoadContext: (_req, res) => ({ ...context, cspNonce: res.locals.cspNonce }) });
  app.all("*", (req, res, next) => void handler(req, res, next));
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((r) => server.once("listening", () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
