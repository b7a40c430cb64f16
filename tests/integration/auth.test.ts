import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "~/models/audit.server";
import { DEMO_PASSWORD } from "~/demo/demo.server";
import { DomainError } from "~/models/errors";
import { authenticateWithPasskey, passkeyLoginOptions, purgeExpiredChallenges } from "~/models/passkey.server";
import { endAllSessions, listSessions, resumeSession, startSession } from "~/models/session.server";
import { authenticateWithPassword, createUser, grantRole } from "~/models/user.server";
import { schema } from "~/utils/db.server";
import { action as loginAction } from "~/routes/login";
import { action as logoutAction } from "~/routes/logout";
import { loader as dashboardLoader } from "~/routes/dashboard";
import type { Database } from "../../db/client";
import { createTestDb } from "../helpers/db";
import { givePasskey } from "../helpers/evaluation";
import { cookieFor, DEMO, get, makeContext, post, run, unwrap } from "../helpers/app";

let database: Database;
let ctx: ReturnType<typeof makeContext>;

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
});
afterAll(async () => {
  await database?.close();
});

describe("passwords", () => {
  it("are never stored in plain text and verify with scrypt", async () => {
    const [u] = await database.db.select().from(schema.users).where(eq(schema.users.phone, DEMO.countyAdmin));
    expect(u.passwordHash).not.toContain(DEMO_PASSWORD);
    expect(u.passwordHash).toMatch(/^scrypt\$/);
    expect(await authenticateWithPassword(database.db, DEMO.countyAdmin, DEMO_PASSWORD)).not.toBeNull();
    expect(await authenticateWithPassword(database.db, DEMO.countyAdmin, "wrong-password")).toBeNull();
    expect(await authenticateWithPassword(database.db, "13811112222", DEMO_PASSWORD)).toBeNull();
  });

  it("refuse a short password and a phone already taken", async () => {
    await expect(createUser(database.db, ctx.clock, SYSTEM_ACTOR, { phone: "13712345678", name: "x", password: "short" })).rejects.toThrow(DomainError);
    await expect(createUser(database.db, ctx.clock, SYSTEM_ACTOR, { phone: DEMO.countyAdmin, name: "x", password: "long enough pw" })).rejects.toMatchObject({
      key: "errors.phoneTaken",
    });
  });
});

describe("login route", () => {
  it("logs in with phone and password, sets a HttpOnly SameSite=Lax cookie and audits it", async () => {
    const res = (await run(loginAction, post("/login", { phone: "139-0000-0001", password: DEMO_PASSWORD, redirectTo: "/admin/settings" }), ctx)) as Response;
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/admin/settings");
    const cookie = res.headers.get("Set-Cookie") ?? "";
    expect(cookie).toMatch(/^cyz_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    // On localhost the cookie may travel over http; anywhere else it must be Secure.
    expect(cookie).not.toMatch(/Secure/);
    // The browser is now a device this account signed in from (ADR 0034): an HttpOnly cookie too.
    expect(res.headers.getSetCookie()[1]).toMatch(/^cyz_known=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    const last = await database.query<{ action: string; ip: string }>("SELECT action, ip FROM audit_log ORDER BY id DESC LIMIT 2");
    expect(last.reverse()).toEqual([
      { action: "auth.login", ip: "203.0.113.7" },
      { action: "auth.device_known", ip: "203.0.113.7" },
    ]);
  });

  it("marks the cookie Secure outside localhost", async () => {
    const prod = { ...ctx, env: { ...ctx.env, PUBLIC_ORIGIN: "https://cyz.qingshan.gov.cn" } };
    const res = (await run(loginAction, post("/login", { phone: DEMO.countyAdmin, password: DEMO_PASSWORD }), prod)) as Response;
    expect(res.headers.get("Set-Cookie")).toMatch(/; Secure/);
  });

  it("says clearly what is wrong with a malformed phone or a wrong password", async () => {
    const bad = unwrap(await run(loginAction, post("/login", { phone: "12345", password: "x" }), ctx));
    expect(bad.status).toBe(400);
    expect(bad.data.errors.phone).toBe("errors.phoneInvalid");
    const wrong = unwrap(await run(loginAction, post("/login", { phone: DEMO.countyAdmin, password: "not-the-password" }), ctx));
    expect(wrong.status).toBe(401);
    expect(wrong.data.errors.form).toBe("errors.loginFailed");
    const [last] = await database.query<{ action: string }>("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1");
    expect(last.action).toBe("auth.login_failed");
  });

  it("never redirects off-site after login", async () => {
    const res = (await run(loginAction, post("/login", { phone: DEMO.countyAdmin, password: DEMO_PASSWORD, redirectTo: "//evil.example/x" }), ctx)) as Response;
    expect(res.headers.get("Location")).toBe("/dashboard");
  });
});

describe("sessions", () => {
  it("live in the database: logout ends exactly that session", async () => {
    const cookie = await cookieFor(ctx, DEMO.supervisorA);
    expect(unwrap(await run(dashboardLoader, get("/dashboard", cookie), ctx)).status).toBe(200);
    const out = (await run(logoutAction, post("/logout", {}, cookie), ctx)) as Response;
    expect(out.headers.get("Set-Cookie")).toMatch(/Max-Age=0/);
    const after = (await run(dashboardLoader, get("/dashboard", cookie), ctx)) as Response;
    expect(after.status).toBe(302);
    expect(after.headers.get("Location")).toBe("/login?redirectTo=%2Fdashboard");
  });

  it("can all be revoked at once (logout everywhere)", async () => {
    const a = await cookieFor(ctx, DEMO.committeeA1);
    const b = await cookieFor(ctx, DEMO.committeeA1);
    const other = await cookieFor(ctx, DEMO.committeeB1);
    const [u] = await database.db.select().from(schema.users).where(eq(schema.users.phone, DEMO.committeeA1));
    expect((await listSessions(database.db, ctx.clock, u.id)).length).toBeGreaterThanOrEqual(2);
    await endAllSessions(database.db, ctx.clock, { ...SYSTEM_ACTOR, userId: u.id });
    for (const c of [a, b]) expect(((await run(dashboardLoader, get("/dashboard", c), ctx)) as Response).status).toBe(302);
    // Another user's session is untouched.
    expect(unwrap(await run(dashboardLoader, get("/dashboard", other), ctx)).status).toBe(200);
  });

  it("expire, measured by the application clock", async () => {
    const [u] = await database.db.select().from(schema.users).where(eq(schema.users.phone, DEMO.expert1));
    const { token } = await startSession(database.db, ctx.clock, SYSTEM_ACTOR, { userId: u.id, method: "password", days: 1 });
    expect(await resumeSession(database.db, ctx.clock, token, 1)).not.toBeNull();
    const later = makeContext(database);
    later.clock.set(new Date(ctx.clock.now().getTime() + 25 * 3600 * 1000));
    expect(await resumeSession(database.db, later.clock, token, 1)).toBeNull();
  });

  it("let a user with several roles act in each, and only in their own", async () => {
    const [u] = await database.db.select().from(schema.users).where(eq(schema.users.phone, DEMO.expert1));
    const [village] = await database.db.select().from(schema.orgs).where(eq(schema.orgs.name, "青山村"));
    await grantRole(database.db, ctx.clock, SYSTEM_ACTOR, { userId: u.id, orgId: village.id, role: "committee" as const });
    // A committee member hosts openings: they hold a passkey (ADR 0034; tests/integration/official-passkey.test.ts).
    await givePasskey(database, ctx, u.id);
    const cookie = await cookieFor(ctx, DEMO.expert1);
    const page = unwrap(await run(dashboardLoader, get("/dashboard", cookie), ctx));
    expect(page.data.memberships.map((m: { role: string }) => m.role).sort()).toEqual(["committee", "expert"]);
  });
});

describe("passkey challenges", () => {
  const clientData = (challenge: string) => Buffer.from(JSON.stringify({ type: "webauthn.get", challenge, origin: "http://localhost:3000" })).toString("base64url");
  const fakeAssertion = (challenge: string) =>
    ({
      id: "unknown-cred",
      rawId: "unknown-cred",
      type: "public-key",
      clientExtensionResults: {},
      response: { clientDataJSON: clientData(challenge), authenticatorData: "", signature: "" },
    }) as never;

  it("are stored in the database and can be used once only", async () => {
    const options = await passkeyLoginOptions(database.db, ctx.clock, ctx.rp);
    const stored = await database.db.select().from(schema.webauthnChallenges).where(eq(schema.webauthnChallenges.challenge, options.challenge));
    expect(stored).toHaveLength(1);
    expect(options.userVerification).toBe("required");
    // First use consumes it (then fails on the unknown credential); the second use finds no challenge at all.
    await expect(authenticateWithPasskey(database.db, ctx.clock, ctx.rp, fakeAssertion(options.challenge))).rejects.toMatchObject({ key: "errors.passkeyUnknown" });
    await expect(authenticateWithPasskey(database.db, ctx.clock, ctx.rp, fakeAssertion(options.challenge))).rejects.toMatchObject({
      key: "errors.passkeyChallengeExpired",
    });
  });

  it("expire after five minutes and are swept", async () => {
    const c = makeContext(database);
    const options = await passkeyLoginOptions(database.db, c.clock, ctx.rp);
    c.clock.advance(5 * 60 * 1000 + 1);
    await expect(authenticateWithPasskey(database.db, c.clock, ctx.rp, fakeAssertion(options.challenge))).rejects.toMatchObject({
      key: "errors.passkeyChallengeExpired",
    });
    const again = await passkeyLoginOptions(database.db, makeContext(database).clock, ctx.rp);
    c.clock.advance(10 * 60 * 1000);
    expect(await purgeExpiredChallenges(database.db, c.clock)).toBeGreaterThanOrEqual(1);
    const left = await database.db.select().from(schema.webauthnChallenges).where(eq(schema.webauthnChallenges.challenge, again.challenge));
    expect(left).toHaveLength(0);
  });

  it("are never accepted from a made-up challenge", async () => {
    await expect(authenticateWithPasskey(database.db, ctx.clock, ctx.rp, fakeAssertion("bm90LWlzc3VlZA"))).rejects.toMatchObject({
      key: "errors.passkeyChallengeExpired",
    });
  });
});
