// The development mailbox (issue 18, finding 3). It used to list every message the development
// transport "sent" — reset and step-up codes included — to anyone, signed in or not, and it took
// every channel no real transport served. Now: it exists only on a local origin, it is not used at
// all once any real transport is configured, /dev-mailbox shows a signed-in person their own
// messages only, and the pages that send a code show that code to the person who asked (and only
// on a local origin with the development mailbox) — nothing else.
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { deliverDue, enqueueCode, setActiveChannels } from "~/models/outbox.server";
import { DevMailboxTransport, HttpSmsTransport, SmtpTransport, transportsFromEnv, WechatTemplateTransport } from "~/models/transports.server";
import * as accountRoute from "~/routes/account";
import * as devMailboxRoute from "~/routes/dev-mailbox";
import * as forgotRoute from "~/routes/forgot-password";
import { schema } from "~/utils/db.server";
import { parseEnv } from "~/utils/env.server";
import type { Database } from "../../db/client";
import { cookieFor, DEMO, get, makeContext, post, run, unwrap } from "../helpers/app";
import { createTestDb } from "../helpers/db";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
const { outbox, users, loginAttempts } = schema;

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  ctx.transports = transportsFromEnv(ctx.env);
  setActiveChannels(["sms", "email", "wechat"]);
});
afterAll(() => database?.close());
afterEach(async () => {
  await database.db.delete(loginAttempts);
  await database.db.delete(outbox);
});

const userOf = async (phone: string) => (await database.db.select().from(users).where(eq(users.phone, phone)))[0];

/** A code "sent" by the development transport to this person. */
async function devCode(phone: string, code: string) {
  const u = await userOf(phone);
  await database.db.transaction((tx) =>
    enqueueCode(tx, { clock: ctx.clock, userId: u.id, kind: "auth.resetCode", code, params: { minutes: "15" }, link: `/reset-password?phone=${phone}&code=${code}` }),
  );
  await deliverDue(database.db, { clock: ctx.clock, transports: ctx.transports, origin: ctx.env.PUBLIC_ORIGIN });
  // The next request comes a moment later.
  ctx.clock.advance(1000);
}

describe("which channels the development transport takes", () => {
  it("all of them on a local origin without any provider; none once one provider is configured; none on an origin others reach", () => {
    const local = transportsFromEnv(parseEnv({ DEV_MAILBOX: "true" }));
    expect(Object.keys(local).sort()).toEqual(["email", "sms", "wechat"]);
    expect(Object.values(local).every((t) => t instanceof DevMailboxTransport)).toBe(true);
    // With SMS configured, the e-mail and WeChat copies of a code do not land in a readable mailbox: they are not written at all.
    const withSms = transportsFromEnv(parseEnv({ DEV_MAILBOX: "true", SMS_URL: "https://sms.example.cn/send" }));
    expect(Object.keys(withSms)).toEqual(["sms"]);
    expect(withSms.sms).toBeInstanceOf(HttpSmsTransport);
    const withMail = transportsFromEnv(parseEnv({ DEV_MAILBOX: "true", SMTP_URL: "smtps://u:p@smtp.example.cn:465" }));
    expect(Object.keys(withMail)).toEqual(["email"]);
    expect(withMail.email).toBeInstanceOf(SmtpTransport);
    const withWechat = transportsFromEnv(parseEnv({ DEV_MAILBOX: "true", WECHAT_APP_ID: "a", WECHAT_APP_SECRET: "b", WECHAT_TEMPLATE_ID: "c" }));
    expect(Object.values(withWechat).map((t) => t instanceof WechatTemplateTransport)).toEqual([true]);
    expect(transportsFromEnv(parseEnv({ DEV_MAILBOX: "false" }))).toEqual({});
    // An environment that somehow carries the switch on a public origin (env.server.ts refuses to start with it) gets nothing either.
    expect(transportsFromEnv({ ...parseEnv({}), DEV_MAILBOX: true, PUBLIC_ORIGIN: "https://cyz.example.gov.cn" })).toEqual({});
  });
});

describe("/dev-mailbox", () => {
  it("is refused to anyone not signed in (it used to list every code), and shows a signed-in person their own messages only", async () => {
    await devCode(DEMO.contractor1, "482913");
    await devCode(DEMO.contractor2, "117350");
    // The attack: an anonymous visitor reads a contractor's reset code. Now sent to sign in.
    const anonymous = (await run(devMailboxRoute.loader, get("/dev-mailbox"), ctx)) as Response;
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toBe("/login?redirectTo=%2Fdev-mailbox");
    const mine = unwrap(await run(devMailboxRoute.loader, get("/dev-mailbox", await cookieFor(ctx, DEMO.contractor1)), ctx));
    const text = JSON.stringify(mine.data);
    expect(text).toContain("482913");
    expect(text).not.toContain("117350");
    expect(mine.data.messages.map((m: { channel: string; address: string }) => `${m.channel}:${m.address}`)).toEqual([`sms:${DEMO.contractor1}`]);
    // Someone with nothing sent sees nothing.
    const official = unwrap(await run(devMailboxRoute.loader, get("/dev-mailbox", await cookieFor(ctx, DEMO.supervisorA)), ctx));
    expect(official.data.messages).toEqual([]);
  });

  it("does not exist without DEV_MAILBOX or away from a local origin", async () => {
    const cookie = await cookieFor(ctx, DEMO.contractor1);
    const off = { ...ctx, env: { ...ctx.env, DEV_MAILBOX: false } };
    expect(((await run(devMailboxRoute.loader, get("/dev-mailbox", cookie), off)) as Response).status).toBe(404);
    const away = { ...ctx, env: { ...ctx.env, PUBLIC_ORIGIN: "https://cyz.example.gov.cn" } };
    expect(((await run(devMailboxRoute.loader, get("/dev-mailbox"), away)) as Response).status).toBe(404);
  });
});

describe("the page that sent a code shows it, on a local origin only", () => {
  it("forgot password: the code just sent to that number, nothing older and nothing of anyone else", async () => {
    await devCode(DEMO.contractor2, "117350");
    await devCode(DEMO.committeeA2, "654321");
    const res = unwrap(await run(forgotRoute.action, post("/forgot-password", { phone: DEMO.committeeA2 }), ctx));
    expect(res.data.sent).toBe(true);
    const copies = res.data.devCopy as { channel: string; address: string; body: string; link: string }[];
    expect(copies.map((m) => `${m.channel}:${m.address}`)).toEqual([`sms:${DEMO.committeeA2}`]);
    const code = /验证码 ?(\d{6})/.exec(copies[0].body)![1];
    expect(code).not.toBe("654321");
    expect(copies[0].link).toBe(`/reset-password?phone=${DEMO.committeeA2}&code=${code}`);
    expect(JSON.stringify(res.data)).not.toContain("117350");
    expect(JSON.stringify(res.data)).not.toContain("654321");
    // A number with no account: nothing to show.
    expect(unwrap(await run(forgotRoute.action, post("/forgot-password", { phone: "13912345678" }), ctx)).data.devCopy).toEqual([]);
  });

  it("shows nothing without the development mailbox, or once a real transport carries the code", async () => {
    const off = { ...ctx, env: { ...ctx.env, DEV_MAILBOX: false } };
    expect(unwrap(await run(forgotRoute.action, post("/forgot-password", { phone: DEMO.committeeA2 }), off)).data.devCopy).toBeNull();
    await database.db.delete(loginAttempts);
    ctx.clock.advance(1000);
    // SMS through a provider (it fails here: no provider is reachable), no development copy anywhere.
    const real = { ...ctx, transports: { sms: new HttpSmsTransport("http://127.0.0.1:9/send", undefined, "村易招") } };
    const res = unwrap(await run(forgotRoute.action, post("/forgot-password", { phone: DEMO.committeeA2 }), real));
    expect(res.data.sent).toBe(true);
    expect(res.data.devCopy).toEqual([]);
  });

  it("the account page's step-up: the code just sent to the signed-in person", async () => {
    await devCode(DEMO.contractor1, "482913");
    const cookie = await cookieFor(ctx, DEMO.contractor2);
    const res = unwrap(await run(accountRoute.action, post("/account", { intent: "step-up-request" }, cookie), ctx));
    expect(res.data.stepUpSent).toBe(1);
    const copies = res.data.devCopy as { body: string; address: string }[];
    expect(copies.map((m) => m.address)).toEqual([DEMO.contractor2]);
    expect(copies[0].body).toMatch(/您正在更换村易招通行密钥.*\d{6}/);
    expect(JSON.stringify(res.data)).not.toContain("482913");
    const off = { ...ctx, env: { ...ctx.env, DEV_MAILBOX: false } };
    await database.db.delete(loginAttempts);
    expect(unwrap(await run(accountRoute.action, post("/account", { intent: "step-up-request" }, cookie), off)).data.devCopy).toBeNull();
  });
});
