// Account recovery through the person's own channel (issue 9): "forgot password" sends a six-digit
// code and a link that works once, for 15 minutes, and is rate-limited, without saying which
// numbers are registered; after a password sign-in, changing passkeys needs a second factor.
import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { setActiveChannels } from "~/models/outbox.server";
import { CODE_REQUESTS } from "~/models/login-throttle.server";
import { SELF_CODE_TTL_MS, STEP_UP_MS } from "~/models/reset-code.server";
import { DevMailboxTransport } from "~/models/transports.server";
import { authenticateWithPassword } from "~/models/user.server";
import * as accountRoute from "~/routes/account";
import * as forgotRoute from "~/routes/forgot-password";
import * as loginRoute from "~/routes/login";
import * as registerRoute from "~/routes/auth.passkey.register";
import * as resetRoute from "~/routes/reset-password";
import * as issueRoute from "~/routes/reset-codes";
import { schema } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { cookieFor, DEMO, get, makeContext, ORIGIN, post, run, unwrap } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { givePasskey } from "../helpers/evaluation";
import { softwarePasskey } from "~/demo/software-passkey.server";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
const { outbox, users, auditLog, passkeys, loginAttempts } = schema;

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  ctx.transports = { sms: new DevMailboxTransport(), email: new DevMailboxTransport() };
  setActiveChannels(["sms", "email"]);
});
afterAll(() => database?.close());
afterEach(async () => {
  await database.db.delete(loginAttempts);
});

const userOf = async (phone: string) => (await database.db.select().from(users).where(eq(users.phone, phone)))[0];
const forgot = (phone: string, ip = "203.0.113.7") => run(forgotRoute.action, post("/forgot-password", { phone }), { ...ctx, ip });
const reset = (phone: string, code: string, password = "brand-new-pass-1") => run(resetRoute.action, post("/reset-password", { phone, code, password, password2: password }), ctx);
const resetFrom = (ip: string, phone: string, code: string, password = "brand-new-pass-1") =>
  run(resetRoute.action, post("/reset-password", { phone, code, password, password2: password }), { ...ctx, ip });
/** A step of the passkey registration endpoint, as the account page's script calls it. */
const passkeyStep = (cookie: string, body: unknown) =>
  run(
    registerRoute.action,
    new Request(new URL("/auth/passkey/register", ORIGIN), {
      method: "POST",
      headers: { Cookie: cookie, Origin: ORIGIN, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }),
    ctx,
  ) as Promise<Response>;
/** The code in the latest message the person was sent (SMS and e-mail carry the same one). */
async function lastCode(phone: string, kind = "auth.resetCode") {
  const u = await userOf(phone);
  const rows = await database.db
    .select()
    .from(outbox)
    .where(and(eq(outbox.userId, u.id), eq(outbox.kind, kind)));
  rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (b.sentAt?.getTime() ?? 0) - (a.sentAt?.getTime() ?? 0));
  return /(\d{6})/.exec(rows[0].body)![1];
}

describe("forgot password", () => {
  it("sends a code to every channel of the account at once, and the code (or its link) sets a new password once", async () => {
    const u = await userOf(DEMO.committeeA2);
    await database.db.update(users).set({ email: "wang@example.cn" }).where(eq(users.id, u.id));
    const res = unwrap(await forgot(DEMO.committeeA2));
    expect(res.data.sent).toBe(true);
    const rows = await database.db.select().from(outbox).where(eq(outbox.userId, u.id));
    expect(rows.map((r) => `${r.channel}:${r.status}`).sort()).toEqual(["email:sent", "sms:sent"]); // delivered in the request, not at the next round
    const code = await lastCode(DEMO.committeeA2);
    expect(rows[0].link).toBe(`/reset-password?phone=${DEMO.committeeA2}&code=${code}`);
    // The link fills the form in.
    const page = unwrap(await run(resetRoute.loader, get(rows[0].link!), ctx));
    expect(page.data).toEqual({ phone: DEMO.committeeA2, code });
    // Only the hash is stored.
    const [stored] = await database.db
      .select()
      .from(schema.resetCodes)
      .where(and(eq(schema.resetCodes.userId, u.id), eq(schema.resetCodes.issuedAs, "self")));
    expect(stored.codeSha256).not.toContain(code);
    expect(stored.issuedBy).toBeNull();

    const done = (await reset(DEMO.committeeA2, code)) as Response;
    expect(done.headers.get("Location")).toBe("/login?reset=1");
    expect(await authenticateWithPassword(database.db, DEMO.committeeA2, "brand-new-pass-1")).not.toBeNull();
    const again = unwrap(await reset(DEMO.committeeA2, code, "another-pass-22"));
    expect(again.data.errors.code).toBe("errors.reset.badCode");
    expect(
      await database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, "auth.reset_request"), eq(auditLog.objectId, u.id))),
    ).toHaveLength(1);
  });

  it("answers the same for a number nobody uses, and sends nothing", async () => {
    const before = (await database.db.select().from(outbox)).length;
    const res = unwrap(await forgot("13912345678"));
    expect([res.status, res.data.sent]).toEqual([200, true]);
    expect(await database.db.select().from(outbox)).toHaveLength(before);
    const [audit] = await database.db.select().from(auditLog).where(eq(auditLog.action, "auth.reset_request")).orderBy(auditLog.id);
    expect(audit).toBeTruthy();
  });

  it("expires the code after 15 minutes; a new request from the same address voids the older code, one from elsewhere does not; wrong tries pause only the address", async () => {
    await forgot(DEMO.committeeB1);
    const first = await lastCode(DEMO.committeeB1);
    ctx.clock.advance(SELF_CODE_TTL_MS + 1000);
    expect(unwrap(await reset(DEMO.committeeB1, first)).data.errors.code).toBe("errors.reset.badCode");

    await forgot(DEMO.committeeB1);
    const second = await lastCode(DEMO.committeeB1);
    ctx.clock.advance(1000);
    await forgot(DEMO.committeeB1);
    const third = await lastCode(DEMO.committeeB1);
    if (second !== third) expect(unwrap(await resetFrom("198.51.100.5", DEMO.committeeB1, second)).data.errors.code).toBe("errors.reset.badCode");
    // Someone else asks for this number from another address: a code of their own is sent, the owner's stays good.
    ctx.clock.advance(1000);
    await forgot(DEMO.committeeB1, "198.51.100.200");
    const rival = await lastCode(DEMO.committeeB1);
    // Wrong tries from one address pause that address only.
    const wrong = ["000000", "000001", "000002"].find((c) => c !== third && c !== rival)!;
    for (let i = 0; i < 5; i++) expect(unwrap(await resetFrom("198.51.100.201", DEMO.committeeB1, wrong)).status).toBe(400);
    expect(unwrap(await resetFrom("198.51.100.201", DEMO.committeeB1, third)).status).toBe(429);
    expect(((await reset(DEMO.committeeB1, third)) as Response).headers.get("Location")).toBe("/login?reset=1");
  });

  it("allows three requests an hour per address and number, ten per address, and five per number from devices it has not used; the owner's own phone asks on its own", async () => {
    ctx.clock.advance(2 * CODE_REQUESTS.windowMs);
    for (let i = 0; i < CODE_REQUESTS.perAddressAndNumber; i++) expect(unwrap(await forgot(DEMO.agentA, "198.51.100.1")).data.sent).toBe(true);
    const refused = unwrap(await forgot(DEMO.agentA, "198.51.100.1"));
    expect([refused.status, refused.data.errors.form]).toEqual([429, "errors.auth.throttled"]);
    // Others, elsewhere, use up what the number allows devices it has not used…
    for (let i = CODE_REQUESTS.perAddressAndNumber; i < CODE_REQUESTS.perNumber; i++) expect(unwrap(await forgot(DEMO.agentA, `198.51.100.${i + 2}`)).data.sent).toBe(true);
    expect(unwrap(await forgot(DEMO.agentA, "198.51.100.9")).status).toBe(429);
    // …but not what the owner's phone, which signed in before, may ask.
    const signedIn = (await run(loginRoute.action, post("/login", { phone: DEMO.agentA, password: (await import("~/demo/demo.server")).DEMO_PASSWORD }), {
      ...ctx,
      ip: "192.0.2.31",
    })) as Response;
    const known = signedIn.headers
      .getSetCookie()
      .find((c) => c.startsWith("cyz_known="))!
      .split(";")[0];
    const own = unwrap(await run(forgotRoute.action, post("/forgot-password", { phone: DEMO.agentA }, known), { ...ctx, ip: "198.51.100.9" }));
    expect(own.data.sent).toBe(true);
    // A number nobody uses is limited the same way.
    for (let i = 0; i < CODE_REQUESTS.perAddressAndNumber; i++) await forgot("13911110000", "198.51.100.50");
    expect(unwrap(await forgot("13911110000", "198.51.100.50")).status).toBe(429);
    // One address asking for many numbers.
    for (let i = 0; i < CODE_REQUESTS.perIp; i++) await forgot(`1392222000${i}`, "192.0.2.200");
    expect(unwrap(await forgot("13922229999", "192.0.2.200")).status).toBe(429);
    // An hour later the number may ask again.
    ctx.clock.advance(CODE_REQUESTS.windowMs + 1000);
    expect(unwrap(await forgot(DEMO.agentA, "198.51.100.1")).data.sent).toBe(true);
  });

  it("refuses a malformed number in the user's language, and the page itself ships no script", async () => {
    const bad = unwrap(await forgot("12345"));
    expect(bad.status).toBe(400);
    expect(bad.data.errors.phone).toMatch(/^errors\./);
    expect(forgotRoute.handle.hydrate).toBe(false);
  });
});

describe("changing passkeys after a password sign-in", () => {
  it("asks a password session of a passkey holder for a code from their channel first; a passkey session goes straight through", async () => {
    const u = await userOf(DEMO.contractor2);
    const key = await givePasskey(database, ctx, u.id, "旧手机");
    const cookie = await cookieFor(ctx, DEMO.contractor2);
    const page = unwrap(await run(accountRoute.loader, get("/account", cookie), ctx));
    expect(page.data.stepUp).toEqual({ needed: true, proved: false, reachable: true });
    const refused = unwrap(await run(accountRoute.action, post("/account", { intent: "remove-passkey", passkeyId: key.credentialId }, cookie), ctx));
    expect([refused.status, refused.data.errors.form]).toEqual([403, "errors.stepUp.required"]);
    const register = await passkeyStep(cookie, { step: "options" });
    expect(register.status).toBe(403);
    expect(await database.db.select().from(passkeys).where(eq(passkeys.id, key.credentialId))).toHaveLength(1);

    expect(unwrap(await run(accountRoute.action, post("/account", { intent: "step-up-request" }, cookie), ctx)).data.stepUpSent).toBe(1);
    const code = await lastCode(DEMO.contractor2, "auth.stepUpCode");
    const wrong = unwrap(await run(accountRoute.action, post("/account", { intent: "step-up-confirm", code: code === "000000" ? "111111" : "000000" }, cookie), ctx));
    expect(wrong.data.errors.code).toBe("errors.stepUp.badCode");
    // A step-up code is not a password reset code.
    expect(unwrap(await reset(DEMO.contractor2, code)).data.errors.code).toBe("errors.reset.badCode");
    expect(unwrap(await run(accountRoute.action, post("/account", { intent: "step-up-confirm", code }, cookie), ctx)).data.done).toBe("account.stepUpDone");
    const options = await passkeyStep(cookie, { step: "options" });
    expect(options.status).toBe(200);
    // The proof lasts 15 minutes, for this session only.
    const otherSession = await cookieFor(ctx, DEMO.contractor2);
    expect(unwrap(await run(accountRoute.action, post("/account", { intent: "remove-passkey", passkeyId: key.credentialId }, otherSession), ctx)).data.errors.form).toBe(
      "errors.stepUp.required",
    );
    ctx.clock.advance(STEP_UP_MS + 1000);
    expect(unwrap(await run(accountRoute.action, post("/account", { intent: "remove-passkey", passkeyId: key.credentialId }, cookie), ctx)).data.errors.form).toBe(
      "errors.stepUp.required",
    );
    // Signed in with a passkey: no code needed.
    const viaPasskey = await cookieFor(ctx, DEMO.contractor2, "passkey");
    expect(unwrap(await run(accountRoute.action, post("/account", { intent: "remove-passkey", passkeyId: key.credentialId }, viaPasskey), ctx)).data.done).toBe(
      "account.passkeyRemoved",
    );
    const actions = (await database.db.select().from(auditLog).where(eq(auditLog.objectId, u.id))).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["auth.step_up_request", "auth.step_up_failed"]));
  });

  it("lets someone with no passkey yet register one after a password sign-in (first passkey)", async () => {
    const firstTimer = "13900000012"; // a contractor: the demo's officials already hold a passkey
    const cookie = await cookieFor(ctx, firstTimer);
    const page = unwrap(await run(accountRoute.loader, get("/account", cookie), ctx));
    expect(page.data.stepUp.needed).toBe(false);
    const options = await passkeyStep(cookie, { step: "options" });
    expect(options.status).toBe(200);
    // Registered through the route: the page does not lock right after, though the session was a password one.
    const key = softwarePasskey("ES256");
    const { options: o } = (await options.json()) as { options: { challenge: string } };
    const verify = await passkeyStep(cookie, { step: "verify", name: "新手机", response: key.register(o.challenge, { origin: ORIGIN, rpId: "localhost" }) });
    expect(verify.status).toBe(200);
    const after = unwrap(await run(accountRoute.loader, get("/account", cookie), ctx));
    expect(after.data.stepUp).toMatchObject({ needed: true, proved: true });
    // …for 15 minutes; a new password session of the same person is asked for a code.
    expect(unwrap(await run(accountRoute.loader, get("/account", await cookieFor(ctx, firstTimer)), ctx)).data.stepUp).toMatchObject({ needed: true, proved: false });
  });

  it("accepts, where no channel reaches the person, a reset code an official issued after checking identity", async () => {
    const u = await userOf(DEMO.committeeA1);
    const key = await givePasskey(database, ctx, u.id, "丢了的手机");
    setActiveChannels([]);
    try {
      const cookie = await cookieFor(ctx, DEMO.committeeA1);
      const page = unwrap(await run(accountRoute.loader, get("/account", cookie), ctx));
      expect(page.data.stepUp).toEqual({ needed: true, proved: false, reachable: false });
      expect(unwrap(await run(accountRoute.action, post("/account", { intent: "step-up-request" }, cookie), ctx)).data.errors.form).toBe("errors.stepUp.noChannel");
      const issued = unwrap(
        await run(
          issueRoute.action,
          post("/reset-codes", { phone: DEMO.committeeA1, identityCheck: "当面核验身份证原件（尾号 0031）" }, await cookieFor(ctx, DEMO.supervisorA)),
          ctx,
        ),
      );
      const code: string = issued.data.issued.code;
      const proved = unwrap(await run(accountRoute.action, post("/account", { intent: "step-up-confirm", code }, cookie), ctx));
      expect(proved.data, JSON.stringify(proved.data)).toEqual({ done: "account.stepUpDone" });
      expect(unwrap(await run(accountRoute.action, post("/account", { intent: "remove-passkey", passkeyId: key.credentialId }, cookie), ctx)).data.done).toBe(
        "account.passkeyRemoved",
      );
      // Used up: it no longer resets the password.
      expect(unwrap(await reset(DEMO.committeeA1, code)).data.errors.code).toBe("errors.reset.badCode");
    } finally {
      setActiveChannels(["sms", "email"]);
    }
  });

  it("sends step-up codes three times an hour at most", async () => {
    const u = await userOf(DEMO.expert1);
    await givePasskey(database, ctx, u.id);
    const cookie = await cookieFor(ctx, DEMO.expert1);
    for (let i = 0; i < 3; i++) expect(unwrap(await run(accountRoute.action, post("/account", { intent: "step-up-request" }, cookie), ctx)).status).toBe(200);
    const fourth = unwrap(await run(accountRoute.action, post("/account", { intent: "step-up-request" }, cookie), ctx));
    expect(fourth.data.errors.form).toBe("errors.auth.throttled");
  });
});
