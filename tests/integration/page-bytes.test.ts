// Every kind of page, fetched raw as a browser gets it, is valid UTF-8 with
// no NUL byte and no replacement character. React 18.3's Node stream writer
// (renderToPipeableStream) lost a character wherever a multi-byte one crossed
// its 2 KiB buffer, leaving NULs in its place (facebook/react#31134); Chinese
// pages crossed it on almost every page. Stripping the NULs afterwards would
// lose the character, so each page is also checked to hold its own Chinese
// text intact.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { cookieFor, DEMO, makeContext } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { serveApp } from "../helpers/html";
import { closedOpening } from "../helpers/opening";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let app: Awaited<ReturnType<typeof serveApp>>;
let opened: Awaited<ReturnType<typeof closedOpening>>;

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  opened = await closedOpening(database, ctx, "村内主干道路面硬化及排水沟改造工程");
  app = await serveApp(ctx);
}, 300_000);

afterAll(async () => {
  await app?.close();
  await database?.close();
});

/** Page kinds, each with who looks at it and a Chinese text it must hold intact. */
function pages(): { path: string; who: keyof typeof DEMO | null; holds: string[] }[] {
  const t = opened.tenderId;
  const p = opened.projectId;
  const project = "村内主干道路面硬化及排水沟改造工程";
  return [
    { path: "/", who: null, holds: ["村易招"] },
    { path: "/notices", who: null, holds: [project] },
    { path: `/notices/${t}`, who: null, holds: [project, "青山村"] },
    { path: "/open-data", who: null, holds: ["开放数据"] },
    { path: "/transparency", who: null, holds: ["村易招"] },
    { path: "/login", who: null, holds: ["登录"] },
    { path: "/register/company", who: null, holds: ["统一社会信用代码"] },
    { path: "/verify", who: null, holds: ["村易招"] },
    { path: "/forgot-password", who: null, holds: ["村易招"] },
    { path: "/dashboard", who: "committeeA1", holds: ["青山村"] },
    { path: "/projects", who: "committeeA1", holds: [project] },
    { path: `/projects/${p}`, who: "committeeA1", holds: [project] },
    { path: `/notices/${t}/hall`, who: "committeeA1", holds: [project] },
    { path: `/evaluations/${t}`, who: "supervisorA", holds: [project] },
    { path: `/panels/${t}`, who: "committeeA1", holds: [project] },
    { path: "/audit", who: "countyAdmin", holds: ["村易招"] },
    { path: "/admin/settings", who: "countyAdmin", holds: ["最高"] },
    { path: "/admin/experts", who: "countyAdmin", holds: ["专家"] },
    { path: "/admin/templates", who: "countyAdmin", holds: ["村易招"] },
    { path: "/admin/calendar", who: "countyAdmin", holds: ["村易招"] },
    { path: "/supervision", who: "supervisorA", holds: ["村易招"] },
    { path: "/supervision/credit", who: "supervisorA", holds: ["村易招"] },
    { path: "/contractors", who: "committeeA1", holds: ["有限公司"] },
    { path: "/archives", who: "supervisorA", holds: ["村易招"] },
    { path: "/reset-codes", who: "supervisorA", holds: ["村易招"] },
    { path: "/company", who: "contractor1", holds: ["有限公司"] },
    { path: "/pool", who: "supervisorA", holds: ["有限公司"] },
    { path: "/sealing", who: "contractor1", holds: ["村易招"] },
    { path: "/account", who: "contractor1", holds: ["村易招"] },
    { path: "/notifications", who: "contractor1", holds: ["村易招"] },
    { path: "/notifications/settings", who: "contractor1", holds: ["村易招"] },
  ];
}

describe("every page kind, as bytes", () => {
  it("is valid UTF-8 without a NUL or a replacement character, and holds its Chinese text intact", async () => {
    const problems: string[] = [];
    let bytesSeen = 0;
    for (const page of pages()) {
      const headers: Record<string, string> = page.who ? { Cookie: await cookieFor(ctx, DEMO[page.who]) } : {};
      const res = await fetch(`${app.url}${page.path}`, { headers, redirect: "manual" });
      if (res.status !== 200) {
        problems.push(`${page.path}: status ${res.status}`);
        continue;
      }
      const bytes = Buffer.from(await res.arrayBuffer());
      bytesSeen += bytes.length;
      if (bytes.includes(0)) problems.push(`${page.path}: NUL at byte ${bytes.indexOf(0)}`);
      let text: string;
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      } catch {
        problems.push(`${page.path}: not valid UTF-8`);
        continue;
      }
      if (text.includes("\uFFFD")) problems.push(`${page.path}: U+FFFD at ${text.indexOf("\uFFFD")}`);
      for (const s of page.holds) if (!text.includes(s)) problems.push(`${page.path}: lacks ${s}`);
    }
    expect(problems).toEqual([]);
    // Enough Chinese pages larger than the 2 KiB buffer that the defect had many chances to show.
    expect(bytesSeen).toBeGreaterThan(pages().length * 8 * 1024);
  });
});
