// A Remix ServerBuild made from the route modules themselves (no `remix build` needed): the routes
// remix.config declares, each module imported from its source file. For tests that run the app's
// HTTP layers — in process (html.ts) or as the real server in a child process (server-process.ts).
import { createRequire } from "node:module";
import path from "node:path";
import type { ServerBuild } from "@remix-run/node";
import * as entry from "~/entry.server";
import * as rootModule from "~/root";

const require = createRequire(import.meta.url);
const { readConfig } = require("@remix-run/dev/dist/config.js") as {
  readConfig: (
    root: string,
  ) => Promise<{ appDirectory: string; routes: Record<string, { id: string; parentId?: string; path?: string; index?: boolean; caseSensitive?: boolean; file: string }> }>;
};

export async function sourceBuild(): Promise<ServerBuild> {
  const cfg = await readConfig(process.cwd());
  const routes: ServerBuild["routes"] = { root: { id: "root", path: "", module: rootModule as never } };
  const manifestRoutes: Record<string, unknown> = {
    root: { id: "root", path: "", module: "/build/root.js", hasAction: false, hasLoader: true, hasClientAction: false, hasClientLoader: false, hasErrorBoundary: true },
  };
  for (const r of Object.values(cfg.routes)) {
    const mod = await import(/* @vite-ignore */ path.join(cfg.appDirectory, r.file));
    routes[r.id] = { id: r.id, parentId: r.parentId, path: r.path, index: r.index, caseSensitive: r.caseSensitive, module: mod };
    manifestRoutes[r.id] = {
      id: r.id,
      parentId: r.parentId,
      path: r.path,
      index: r.index,
      module: `/build/${r.id}.js`,
      hasAction: "action" in mod,
      hasLoader: "loader" in mod,
      hasClientAction: false,
      hasClientLoader: false,
      hasErrorBoundary: "ErrorBoundary" in mod,
    };
  }
  return {
    mode: "production",
    entry: { module: entry },
    routes,
    assets: { entry: { module: "/build/entry.client.js", imports: [] }, routes: manifestRoutes, url: "/build/manifest.js", version: "test" },
    publicPath: "/build/",
    assetsBuildDirectory: "public/build",
    future: { v3_fetcherPersist: true, v3_relativeSplatPath: true, v3_throwAbortReason: true, v3_singleFetch: true, v3_lazyRouteDiscovery: true },
    isSpaMode: false,
  } as unknown as ServerBuild;
}
