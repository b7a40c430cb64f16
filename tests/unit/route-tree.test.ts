// Remix flat routes nest `a.$id.b` inside `a.$id`. A page nested under a page that renders no
// <Outlet/> is unreachable: the URL changes but the parent keeps showing. Every page must either
// sit directly under root or under a parent that renders an <Outlet/>.
import { readFileSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
const { readConfig } = require("@remix-run/dev/dist/config.js") as {
  readConfig: (root: string) => Promise<{ appDirectory: string; routes: Record<string, { id: string; parentId?: string; file: string }> }>;
};

const source = (appDir: string, file: string) => readFileSync(path.join(appDir, file), "utf8");
const isPage = (src: string) => /export default function/.test(src);

describe("route tree", () => {
  it("nests pages only under parents that render an <Outlet/>", async () => {
    const cfg = await readConfig(process.cwd());
    const trapped: string[] = [];
    for (const route of Object.values(cfg.routes)) {
      if (!route.parentId || route.parentId === "root") continue;
      if (!isPage(source(cfg.appDirectory, route.file))) continue; // resource routes are fine anywhere
      const parent = cfg.routes[route.parentId];
      if (!/<Outlet\b/.test(source(cfg.appDirectory, parent.file))) trapped.push(`${route.id} under ${parent.id}`);
    }
    expect(trapped).toEqual([]);
  });

  it("never uses a server-only value in a page component (it is undefined in the browser)", async () => {
    const cfg = await readConfig(process.cwd());
    const leaks: string[] = [];
    for (const route of [...Object.values(cfg.routes), { id: "root", file: "root.tsx" }]) {
      const src = source(cfg.appDirectory, route.file);
      const start = src.search(/export default function/);
      if (start < 0) continue;
      const component = src.slice(start).replace(/"[^"\n]*"/g, '""'); // string contents (translation keys) are not identifiers
      for (const m of src.matchAll(/import \{([^}]*)\} from "[^"]*\.server"/g)) {
        for (const spec of m[1].split(",")) {
          const name = spec
            .trim()
            .replace(/^type\s+.*/, "")
            .split(/\s+as\s+/)
            .pop()!
            .trim();
          if (name && new RegExp(`\\b${name}\\b`).test(component)) leaks.push(`${route.id}: ${name}`);
        }
      }
    }
    expect(leaks).toEqual([]);
  });

  it("knows the project sub-pages", async () => {
    const cfg = await readConfig(process.cwd());
    expect(cfg.routes["routes/projects.$id_.publish"]?.parentId).toBe("root");
    expect(cfg.routes["routes/projects.$id_.edit"]?.parentId).toBe("root");
  });
});
