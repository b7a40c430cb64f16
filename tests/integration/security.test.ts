// Platform hardening (issue 8): headers, sign-in limits and lockout, session
// fixation, stored XSS and SQL-injection strings, polyglot uploads.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PdfScan, putBytes, checkPdf } from "~/models/file-store.server";
import { countAttempt, phoneAccount, settleAttempt, THROTTLE } from "~/models/login-throttle.server";
import { SYSTEM_ACTOR } from "~/models/audit.server";
import { DomainError } from "~/models/errors";
import * as loginRoute from "~/routes/login";
import * as logoutRoute from "~/routes/logout";
import * as passkeyLoginRoute from "~/routes/auth.passkey.login";
import * as registerRoute from "~/routes/register.company";
import { getAuth, SESSION_COOKIE } from "~/utils/auth.server";
import { schema } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { cookieFor, DEMO, get, makeContext, ORIGIN, post, run, unwrap } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { serveApp } from "../helpers/html";
import { tenderKit } from "../helpers/tenders";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let app: { url: string; close: () => Promise<void> };
const MINUTE = 60_000;

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  app = await serveApp(ctx);
});
afterAll(async () => {
  await app?.close();
  await database?.close();
});

const login = (phone: string, password: string, ip = "198.51.100.1", cookie?: string) => run(loginRoute.action, post("/login", { phone, password }, cookie), { ...ctx, ip });
/** The known-device cookie a sign-in set, as the browser sends it back. */
const knownCookie = (res: Response) =>
  res.headers
    .getSetCookie()
    .find((c) => c.startsWith("cyz_known="))!
    .split(";")[0];
const userByPhone = async (phone: string) => (await database.db.select().from(schema.users).where(eq(schema.users.phone, phone)))[0];
const fetchPage = (p: string, cookie?: string) => fetch(app.url + p, { headers: cookie ? { Cookie: cookie } : {}, redirect: "manual" });

describe("security headers", () => {
  it("are on every response: pages, resource routes, static files, 404s, redirects", async () => {
    for (const p of ["/login", "/notices", "/healthz", "/favicon.svg", "/no-such-page", "/dashboard"]) {
      const res = await fetchPage(p);
      const csp = res.headers.get("Content-Security-Policy") ?? "";
      expect(csp, p).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}'/);
      for (const d of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "connect-src 'self'", "style-src 'self'"])
        expect(csp, p).toContain(d);
      expect(csp, p).not.toContain("unsafe-inline");
      expect(csp, p).not.toContain("unsafe-eval");
      expect(res.headers.get("X-Content-Type-Options"), p).toBe("nosniff");
      expect(res.headers.get("Referrer-Policy"), p).toBe("same-origin");
      await res.arrayBuffer();
    }
  });

  it("give every inline script of a page this response's nonce, a new one each time, and no style attributes", async () => {
    for (const p of ["/login", "/register/company"]) {
      const res = await fetchPage(p);
      const html = await res.text();
      expect(res.status, p).toBe(200);
      const nonce = /'nonce-([^']+)'/.exec(res.headers.get("Content-Security-Policy")!)![1];
      const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)];
      expect(inline.length, p).toBeGreaterThan(0);
      for (const m of inline) expect(m[1], p).toContain(`nonce="${nonce}"`);
      expect(html).not.toMatch(/\sstyle="/);
      const again = (await fetchPage(p)).headers.get("Content-Security-Policy");
      expect(again).not.toContain(nonce);
    }
  });
});

describe("sign-in limits", () => {
  it("pause password sign-in for devices a number has not used after 10 wrong passwords from anywhere in 15 minutes, notify and audit, and unlock by time", async () => {
    const phone = DEMO.committeeA2;
    const user = await userByPhone(phone);
    const { DEMO_PASSWORD } = await import("~/demo/demo.server");
    // The owner's phone signed in before: it carries a known-device cookie.
    const first = (await login(phone, DEMO_PASSWORD, "192.0.2.50")) as Response;
    const known = knownCookie(first);
    for (let i = 0; i < THROTTLE.failuresToLock - 1; i++) {
      expect(unwrap(await login(phone, `wrong-${i}`, `198.51.100.${100 + i}`)).status).toBe(401);
      ctx.clock.advance(10_000);
    }
    const tenth = unwrap(await login(phone, "wrong-last", "198.51.100.120"));
    expect(tenth.status).toBe(429);
    expect(tenth.data.errors.form).toBe("errors.auth.locked");
    // The right password from a device the number has not used is refused, from any address…
    const right = unwrap(await login(phone, DEMO_PASSWORD, "192.0.2.99"));
    expect(right.status).toBe(429);
    expect(right.data.errors.form).toBe("errors.auth.locked");
    // …but the owner's own phone still gets in.
    expect(((await login(phone, DEMO_PASSWORD, "192.0.2.99", known)) as Response).status).toBe(302);
    const notes = await database.db.select().from(schema.notifications).where(eq(schema.notifications.userId, user.id));
    expect(notes.filter((n) => n.kind === "auth.locked")).toHaveLength(1);
    const audit = await database.query<{ action: string; object_id: string; scope: string }>(
      "SELECT action, object_id, summary->>'scope' AS scope FROM audit_log WHERE action = 'auth.locked'",
    );
    expect(audit).toEqual([{ action: "auth.locked", object_id: user.id, scope: "account" }]);
    // 15 minutes later the pause has ended by itself.
    ctx.clock.advance(THROTTLE.lockMs + MINUTE);
    const after = (await login(phone, DEMO_PASSWORD)) as Response;
    expect(after.status).toBe(302);
  });

  it("pause one address for one number after 5 wrong passwords from it, and nobody else", async () => {
    ctx.clock.advance(60 * MINUTE);
    const { DEMO_PASSWORD } = await import("~/demo/demo.server");
    const phone = DEMO.committeeB1;
    for (let i = 0; i < THROTTLE.failuresPerAddress - 1; i++) expect(unwrap(await login(phone, `wrong-${i}`, "198.51.100.66")).status).toBe(401);
    expect(unwrap(await login(phone, "wrong-last", "198.51.100.66")).data.errors.form).toBe("errors.auth.locked");
    expect(unwrap(await login(phone, DEMO_PASSWORD, "198.51.100.66")).data.errors.form).toBe("errors.auth.locked");
    // The owner elsewhere, and another number from that address, are not affected; the owner is not bothered with a notice.
    expect(((await login(phone, DEMO_PASSWORD, "198.51.100.67")) as Response).status).toBe(302);
    expect(((await login(DEMO.supervisorB, DEMO_PASSWORD, "198.51.100.66")) as Response).status).toBe(302);
    const user = await userByPhone(phone);
    const notes = await database.db.select().from(schema.notifications).where(eq(schema.notifications.userId, user.id));
    expect(notes.filter((n) => n.kind === "auth.locked")).toHaveLength(0);
  });

  it("pause a phone nobody uses the same way (no hint which numbers exist), with no notice", async () => {
    for (let i = 0; i < THROTTLE.failuresToLock; i++) await login("13700000000", "x", `203.0.113.${100 + i}`);
    expect(unwrap(await login("13700000000", "x", "203.0.113.99")).data.errors.form).toBe("errors.auth.locked");
  });

  it("limit one address across accounts and the passkey steps, and let it in again later", async () => {
    ctx.clock.advance(60 * MINUTE);
    const ip = "198.51.100.77";
    for (let i = 0; i < THROTTLE.perIp; i++) await login(`1360000${String(i).padStart(4, "0")}`, "x", ip);
    expect(unwrap(await login("13600009999", "x", ip)).data.errors.form).toBe("errors.auth.throttled");
    const options = (await passkeyLoginRoute.action({
      request: new Request(`${ORIGIN}/auth/passkey/login`, { method: "POST", body: JSON.stringify({ step: "options" }) }),
      context: { ...ctx, ip },
      params: {},
    } as never)) as Response;
    expect(options.status).toBe(429);
    expect((await options.json()).error).toBe("errors.auth.throttled");
    // Another address is not affected.
    const elsewhere = (await passkeyLoginRoute.action({
      request: new Request(`${ORIGIN}/auth/passkey/login`, { method: "POST", body: JSON.stringify({ step: "options" }) }),
      context: { ...ctx, ip: "198.51.100.78" },
      params: {},
    } as never)) as Response;
    expect(elsewhere.status).toBe(200);
    ctx.clock.advance(THROTTLE.windowMs + MINUTE);
    expect(unwrap(await login("13600009999", "x", ip)).status).toBe(401);
  });

  it("let a village office sign many people in from one address: correct passwords do not use up its allowance", async () => {
    ctx.clock.advance(60 * MINUTE);
    const ip = "198.51.100.90";
    const { DEMO_PASSWORD } = await import("~/demo/demo.server");
    // More correct sign-ins from the office than the address allows attempts (counted and settled as the login route does).
    const attempt = async (phone: string, failed: boolean) => {
      const counted = await countAttempt(database.db, ctx.clock, { ip, account: phoneAccount(phone), kind: "password" });
      expect(counted.refusal).toBeNull();
      await settleAttempt(database.db, { clock: ctx.clock, actor: SYSTEM_ACTOR, ticket: counted.ticket!, outcome: { failed } });
    };
    for (let i = 0; i < THROTTLE.perIp + 5; i++) await attempt(`1370000${String(i).padStart(4, "0")}`, false);
    expect(((await login(DEMO.committeeA1, DEMO_PASSWORD, ip)) as Response).status).toBe(302);
    // Wrong passwords from there do count.
    for (let i = 0; i < THROTTLE.perIp; i++) await attempt(`1380000${String(i).padStart(4, "0")}`, true);
    expect(unwrap(await login(DEMO.committeeA1, DEMO_PASSWORD, ip)).data.errors.form).toBe("errors.auth.throttled");
  });

  it("limit passkey verification per credential, whatever the address", async () => {
    ctx.clock.advance(60 * MINUTE);
    const response = { id: "credential-under-attack", rawId: "credential-under-attack", type: "public-key", response: {}, clientExtensionResults: {} };
    const verify = (ip: string) =>
      passkeyLoginRoute.action({
        request: new Request(`${ORIGIN}/auth/passkey/login`, { method: "POST", body: JSON.stringify({ step: "verify", response }) }),
        context: { ...ctx, ip },
        params: {},
      } as never) as Promise<Response>;
    for (let i = 0; i < THROTTLE.perAccount; i++) expect((await verify(`203.0.113.${i + 10}`)).status).toBe(401);
    const refused = await verify("203.0.113.200");
    expect(refused.status).toBe(429);
    expect((await refused.json()).error).toBe("errors.auth.throttled");
  });
});

describe("sessions", () => {
  it("never adopt a token set before login, and end at logout", async () => {
    ctx.clock.advance(60 * MINUTE);
    const planted = `${SESSION_COOKIE}=attacker-chosen-token-0123456789`;
    const res = (await login(DEMO.supervisorB, (await import("~/demo/demo.server")).DEMO_PASSWORD, "198.51.100.5", planted)) as Response;
    expect(res.status).toBe(302);
    const cookie = res.headers.get("Set-Cookie")!.split(";")[0];
    expect(cookie.startsWith(`${SESSION_COOKIE}=`)).toBe(true);
    expect(cookie).not.toBe(planted);
    expect(await getAuth(get("/", planted), ctx)).toBeNull();
    const auth = await getAuth(get("/", cookie), ctx);
    expect(auth?.user.phone).toBe(DEMO.supervisorB);
    // A second login gets a different token again.
    const second = (await login(DEMO.supervisorB, (await import("~/demo/demo.server")).DEMO_PASSWORD, "198.51.100.5", cookie)) as Response;
    expect(second.headers.get("Set-Cookie")!.split(";")[0]).not.toBe(cookie);
    // Logout clears the cookie and kills the session on the server: replaying the old cookie gets nowhere.
    const out = (await run(logoutRoute.action, post("/logout", {}, cookie), ctx)) as Response;
    expect(out.headers.get("Set-Cookie")).toMatch(/Max-Age=0/);
    expect(await getAuth(get("/", cookie), ctx)).toBeNull();
    const [row] = await database.query<{ n: number }>("SELECT count(*)::int AS n FROM sessions WHERE id = $1", [auth!.session.id]);
    expect(row.n).toBe(0);
  });
});

const XSS = `<script>alert(1)</script><img src=x onerror=alert(2)>"'`;
const SQLI = `'); drop table bids; --`;

describe("stored text comes back escaped and verbatim", () => {
  it("shows XSS and SQL-injection strings in five fields on four pages as text, never as markup", async () => {
    const committee = await cookieFor(ctx, DEMO.committeeA1);
    const committeeUser = await userByPhone(DEMO.committeeA1);
    const p = { id: await (await tenderKit(database, ctx)).approvedProject("待改名的项目") };
    // Set by SQL: these tests are about what the pages make of stored text, whichever form wrote it.
    await database.query("UPDATE projects SET name = $1, scope = $2 WHERE id = $3", [`${XSS} 名称 ${SQLI}`, `${XSS} 范围 ${SQLI}`, p.id]);
    await database.query("UPDATE users SET name = $1 WHERE id = $2", [`${XSS} 姓名 ${SQLI}`, committeeUser.id]);
    const contractor = await cookieFor(ctx, DEMO.contractor1);
    const [company] = await database.query<{ org_id: string }>("SELECT m.org_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.phone = $1 AND m.role = 'contractor'", [
      DEMO.contractor1,
    ]);
    await database.query("UPDATE orgs SET name = $1 WHERE id = $2", [`${XSS} 公司 ${SQLI}`, company.org_id]);
    const supervisor = await cookieFor(ctx, DEMO.supervisorA);
    const user = await userByPhone(DEMO.contractor1);
    await database.db
      .insert(schema.notifications)
      .values({ userId: user.id, kind: "tender.answered", params: { project: `${XSS} 通知 ${SQLI}` }, link: null, createdAt: ctx.clock.now() });

    const pages: [string, string | undefined, string[]][] = [
      [`/projects/${p.id}`, committee, ["名称", "范围", "姓名"]],
      ["/company", contractor, ["公司"]],
      ["/pool", supervisor, ["公司"]],
      ["/notifications", contractor, ["通知"]],
    ];
    for (const [path, cookie, labels] of pages) {
      const res = await fetchPage(path, cookie);
      const html = await res.text();
      expect(res.status, path).toBe(200);
      for (const label of labels) {
        // Escaped as text in the markup…
        expect(html, `${path} ${label}`).toContain(`&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#x27; ${label} &#x27;); drop table bids; --`);
      }
      // …and nowhere live (the serialized loader data escapes "<" too).
      expect(html, path).not.toContain("<script>alert(1)");
      expect(html, path).not.toContain("<img src=x");
    }
    // The SQL string did nothing and is stored as typed.
    const [{ n }] = await database.query<{ n: number }>("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'bids'");
    expect(n).toBe(1);
    const [stored] = await database.query<{ name: string }>("SELECT name FROM orgs WHERE id = $1", [company.org_id]);
    expect(stored.name).toBe(`${XSS} 公司 ${SQLI}`);
  });

  it("keeps an SQL-injection string typed at sign-up verbatim, and the tables intact", async () => {
    const form = new FormData();
    const name = `青山县'); drop table bids; --建筑有限公司`;
    form.append("name", name);
    const res = unwrap(await run(registerRoute.action, new Request(`${ORIGIN}/register/company`, { method: "POST", body: form, headers: { Origin: ORIGIN } }), ctx));
    expect(res.status).toBe(400);
    expect(res.data.typed.name).toBe(name);
    const login = unwrap(await run(loginRoute.action, post("/login", { phone: "13800000000' OR '1'='1", password: "' OR '1'='1" }), { ...ctx, ip: "198.51.100.200" }));
    expect(login.status).toBe(400);
    const login2 = unwrap(await run(loginRoute.action, post("/login", { phone: "13800000000", password: "' OR '1'='1'; --" }), { ...ctx, ip: "198.51.100.200" }));
    expect(login2.status).toBe(401);
    const [{ n }] = await database.query<{ n: number }>("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'bids'");
    expect(n).toBe(1);
  });
});

describe("uploads that are PDFs on the surface only", () => {
  const refuse = async (bytes: Buffer) => {
    try {
      await putBytes(ctx.files, bytes, { check: checkPdf });
      return null;
    } catch (e) {
      if (e instanceof DomainError) return e.key;
      throw e;
    }
  };
  const pdf = (body: string) => Buffer.from(`%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R ${body} >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`, "latin1");

  it("refuses an HTML/JavaScript polyglot, a ZIP behind a PDF header, and JavaScript or launch actions", async () => {
    expect(await refuse(pdf(""))).toBeNull();
    expect(await refuse(Buffer.from("%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"))).toBe("errors.upload.polyglot");
    expect(await refuse(Buffer.from("%PDF-1.4\n%<!DOCTYPE html>\n<svg onload=alert(1)>\n"))).toBe("errors.upload.polyglot");
    const zip = Buffer.concat([
      Buffer.from("%PDF-1.4\n"),
      Buffer.from("PK\x03\x04\x14\x00\x00\x00\x08\x00", "latin1"),
      Buffer.alloc(200, 1),
      Buffer.from("PK\x01\x02", "latin1"),
      Buffer.alloc(40, 2),
      Buffer.from("PK\x05\x06", "latin1"),
      Buffer.alloc(18),
    ]);
    expect(await refuse(zip)).toBe("errors.upload.polyglot");
    // Just the central directory at the end (a ZIP appended to a PDF that hides its entries) is enough.
    expect(await refuse(Buffer.concat([pdf(""), Buffer.from("PK\x05\x06", "latin1"), Buffer.alloc(18)]))).toBe("errors.upload.polyglot");
    expect(await refuse(pdf("/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>"))).toBe("errors.upload.pdfScript");
    expect(await refuse(pdf("/OpenAction 3 0 R"))).toBeNull();
    expect(await refuse(pdf("/AA << /O << /S /Java#53cript /J#53 (x) >> >>"))).toBe("errors.upload.pdfScript");
    expect(await refuse(pdf("/OpenAction << /S /Launch /F (cmd.exe) >>"))).toBe("errors.upload.pdfScript");
    // "/JSON" is not "/JS".
    expect(await refuse(pdf("/Metadata (/JSON)"))).toBeNull();
  });

  it("sees a marker split across chunks", () => {
    const scan = new PdfScan();
    scan.update(Buffer.from("%PDF-1.4\n<< /S /Java"));
    scan.update(Buffer.from("Script /JS (x) >>"));
    expect(scan.verdict()).toBe("errors.upload.pdfScript");
    const ok = new PdfScan();
    ok.update(Buffer.from("%PDF-1.4\n<< /Type /J"));
    ok.update(Buffer.from("SON >>"));
    expect(ok.verdict()).toBeNull();
  });

  it("refuses them through a real form, with a clear field error", async () => {
    const form = new FormData();
    form.append("qualFile", new File([pdf("/OpenAction << /S /JavaScript /JS (x) >>")], "scan.pdf", { type: "application/pdf" }));
    form.append("name", "测试");
    const res = unwrap(await run(registerRoute.action, new Request(`${ORIGIN}/register/company`, { method: "POST", body: form, headers: { Origin: ORIGIN } }), ctx));
    expect(res.status).toBe(400);
    expect(res.data.errors.qualFile).toBe("errors.upload.pdfScript");
  });
});
