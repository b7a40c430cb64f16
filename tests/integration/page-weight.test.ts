// Public pages ship no JavaScript (issue 8, "Page weight"): each opts out of hydration with
// handle.hydrate = false, and the rendered HTML carries no script bundle — only the notice's
// inline countdown, under this response's CSP nonce. bench/page-weight.ts measures the bytes.
import { PDFDocument } from "pdf-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { cookieFor, DEMO, makeContext } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { serveApp } from "../helpers/html";
import { tenderFields, tenderKit } from "../helpers/tenders";

/** Pages anyone reads: the notices, their results, and the checks the public can run. */
const PUBLIC_ROUTES = {
  home: () => import("~/routes/_index"),
  noticeList: () => import("~/routes/notices._index"),
  notice: () => import("~/routes/notices.$id"),
  publicity: () => import("~/routes/notices.$id_.publicity"),
  draw: () => import("~/routes/notices.$id_.draw"),
  verify: () => import("~/routes/verify"),
  transparency: () => import("~/routes/transparency"),
  openData: () => import("~/routes/open-data._index"),
  sealing: () => import("~/routes/sealing"),
};

const bundles = (html: string) => [...html.matchAll(/<script\b[^>]*\bsrc=[^>]*>|<link\b[^>]*\bmodulepreload\b[^>]*>/g)].map((m) => m[0]);
const inlineScripts = (html: string) => [...html.matchAll(/<script\b(?![^>]*\bsrc=)([^>]*)>/g)].map((m) => m[1]);

let database: Database;
let app: { url: string; close: () => Promise<void> };
let tenderId: string;

beforeAll(async () => {
  database = await createTestDb();
  const ctx = makeContext(database);
  const kit = await tenderKit(database, ctx);
  const projectId = await kit.approvedProject("页面体积测试 村道硬化", 20_000_000);
  await kit.publish(projectId, tenderFields({ deadline: "2026-11-26T10:00", bidSecurity: "3000" }), await cookieFor(ctx, DEMO.committeeA1));
  tenderId = (await kit.tenderOf(projectId)).id;
  app = await serveApp(ctx);
});
afterAll(async () => {
  await app?.close();
  await database?.close();
});

describe("page weight: public pages ship no JavaScript", () => {
  it.each(Object.entries(PUBLIC_ROUTES))("%s opts out of hydration", async (_name, load) => {
    const mod = (await load()) as { handle?: { hydrate?: boolean } };
    expect(mod.handle?.hydrate).toBe(false);
  });

  it("renders the public pages without a script bundle; the open notice's countdown is the one inline script, with the nonce", async () => {
    for (const path of ["/", "/notices", `/notices/${tenderId}`, "/verify", "/transparency", "/open-data", "/sealing"]) {
      const res = await fetch(app.url + path);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      expect(bundles(html), path).toEqual([]);
      const nonce = /script-src[^;]*'nonce-([^']+)'/.exec(res.headers.get("Content-Security-Policy") ?? "")?.[1];
      const inline = inlineScripts(html);
      expect(inline.length, path).toBe(path === `/notices/${tenderId}` ? 1 : 0);
      for (const attrs of inline) expect(attrs, path).toContain(`nonce="${nonce}"`);
    }
  });

  it("still hydrates a page that needs script (the check above can see a bundle)", async () => {
    const html = await (await fetch(`${app.url}/login`)).text();
    expect(bundles(html).length).toBeGreaterThan(0);
  });

  it("checks a PDF with a plain multipart form post, no script needed", async () => {
    const html = await (await fetch(`${app.url}/verify`)).text();
    expect(html).toMatch(/<form method="post" action="\/verify" encType="multipart\/form-data"/);
    const pdf = await PDFDocument.create();
    pdf.addPage();
    const form = new FormData();
    form.append("file", new Blob([Buffer.from(await pdf.save())], { type: "application/pdf" }), "unsigned.pdf");
    const res = await fetch(`${app.url}/verify`, { method: "POST", body: form });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/text\/html/);
    const page = await res.text();
    expect(page).toContain('data-testid="verify-results"');
    expect(bundles(page)).toEqual([]);
  });
});
