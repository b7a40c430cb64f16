// Serve the app the way server.mjs does — the security-headers middleware in
// front of the Remix request handler — but from the route modules themselves
// (no build needed), on an ephemeral port. For tests that need rendered HTML
// and real response headers.
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createRequestHandler } from "@remix-run/express";
import type { AppLoadContext, ServerBuild } from "@remix-run/node";
import express from "express";
import * as entry from "~/entry.server";
import * as rootModule from "~/root";

const require = createRequire(import.meta.url);
const { readConfig } = require("@remix-run/dev/dist/config.js") as {
  readConfig: (root: string) => Promise<{ appDirectory: string; routes: Record<string, { id: string; parentId?: string; path?: string; index?: boolean; caseSensitive?: boolean; file: string }> }>;
};

export async function serveApp(context: AppLoadContext): Promise<{ url: string; close: () => Promise<void> }> {
  const cfg = await readConfig(process.cwd());
  const routes: ServerBuild["routes"] = { root: { id: "root", path: "", module: rootModule as never } };
  const manifestRoutes: Record<string, unknown> = {
    root: { id: "root", path: "", module: "/build/root.js", hasAction: false, hasLoader: true, hasClientAction: false, hasClientLoader: false, hasErrorBoundary: true },
  };
  for (const r of Object.values(cfg.routes)) {
    const mod = await import(/* @vite-ignore */ path.join(cfg.appDirectory, r.file));
    routes[r.id] = { id: r.id, parentId: r.parentId, path: r.path, index: r.index, caseSensitive: r.caseSensitive, module: mod };
    manifestRoutes[r.id] = {
      id: r.id, parentId: r.parentId, path: r.path, index: r.index, module: `/build/${r.id}.js`,
      hasAction: "action" in mod, hasLoader: "loader" in mod, hasClientAction: false, hasClientLoader: false, hasErrorBoundary: "ErrorBoundary" in mod,
    };
  }
  const build = {
    mode: "production",
    entry: { module: entry },
    routes,
    assets: { entry: { module: "/build/entry.client.js", imports: [] }, routes: manifestRoutes, url: "/build/manifest.js", version: "test" },
    publicPath: "/build/",
    assetsBuildDirectory: "public/build",
    future: { v3_fetcherPersist: true, v3_relativeSplatPath: true, v3_throwAbortReason: true, v3_singleFetch: true, v3_lazyRouteDiscovery: true },
    isSpaMode: false,
  } as unknown as ServerBuild;

  const app = express();
  app.disable("x-powered-by");
  app.use(entry.securityHeadersMiddleware({ https: false }));
  app.use(express.static(path.resolve("public"), { maxAge: "1h" }));
  app.all("*", createRequestHandler({ build, mode: "production", getLoadContext: (_req, res) => ({ ...context, cspNonce: res.locals.cspNonce }) }));
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((r) => server.once("listening", () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
