// Printing a public page for the village notice board (issue 9): the printed copy ends with a QR
// code of the page's online address — on the platform's public origin, whatever Host header the
// request carried — and the print stylesheet leaves the site's chrome and forms off the paper.
import { readFileSync } from "node:fs";
import QRCode from "qrcode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as noticeRoute from "~/routes/notices.$id";
import * as publicityRoute from "~/routes/notices.$id_.publicity";
import type { Database } from "../../db/client";
import { makeContext, run, unwrap } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { inPublicity } from "../helpers/evaluation";
import { serveApp } from "../helpers/html";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let tenderId: string;

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  ({ tenderId } = await inPublicity(database, ctx, "青山村公告栏打印测试工程"));
}, 120_000);
afterAll(() => database?.close());

/** A request as a visitor could forge it: another host in the URL and the Host header. */
const forged = (path: string) => new Request(`http://evil.example${path}`, { headers: { Host: "evil.example" } });
const expectedSvg = (url: string) => QRCode.toString(url, { type: "svg", errorCorrectionLevel: "M", margin: 4 });

describe("printed public pages", () => {
  it("gives the notice page a QR code of its address on the public origin", async () => {
    const { status, data } = unwrap(await run(noticeRoute.loader, forged(`/notices/${tenderId}`), ctx, { id: tenderId }));
    expect(status).toBe(200);
    const url = `${ctx.env.PUBLIC_ORIGIN}/notices/${tenderId}`;
    expect(data.qr.url).toBe(url);
    expect(data.qr.svg).toBe(await expectedSvg(url));
    expect(data.qr.svg).not.toBe(await expectedSvg(`http://evil.example/notices/${tenderId}`));
  });

  it("gives the publicity (results) page its own QR code", async () => {
    const { data } = unwrap(await run(publicityRoute.loader, forged(`/notices/${tenderId}/publicity`), ctx, { id: tenderId }));
    const url = `${ctx.env.PUBLIC_ORIGIN}/notices/${tenderId}/publicity`;
    expect(data.qr.url).toBe(url);
    expect(data.qr.svg).toBe(await expectedSvg(url));
  });

  it("renders the QR block, for paper only, without any script", async () => {
    const app = await serveApp(ctx);
    try {
      const html = await (await fetch(`${app.url}/notices/${tenderId}`)).text();
      const block = html.slice(html.indexOf('<aside class="print-qr print-only" data-testid="print-qr">'));
      expect(block).not.toBe(html.slice(-1));
      expect(block).toMatch(/<svg[^>]*viewBox/);
      expect(block).toContain(`${ctx.env.PUBLIC_ORIGIN}/notices/${tenderId}`);
      expect(block).toContain("扫码查看网上原文");
      // The public page still ships no JavaScript (issue 8's page weight).
      expect(html).not.toMatch(/<script[^>]+src=/);
    } finally {
      await app.close();
    }
  });

  it("prints black on white without the site's header, footer, navigation and forms, and shows the QR block", () => {
    // Compared without comments and with its whitespace folded, so the formatter's line breaks do not matter.
    const css = readFileSync("app/styles/app.css", "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\s+/g, " ");
    const print = css.slice(css.indexOf("@media print {"));
    expect(css).toMatch(/(^|\}) ?\.print-only \{ display: none; \}/);
    expect(print).toMatch(/\.site-header, \.site-footer, form, button, nav, \.no-print \{ display: none !important; \}/);
    expect(print).toMatch(/\.print-only \{ display: block !important; \}/);
    expect(print).toMatch(/@page \{ size: A4;/);
  });
});
