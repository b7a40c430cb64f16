// Messages out of the app (issue 9): written with their event, sent after commit through pluggable
// transports (SMS over HTTP, SMTP e-mail, WeChat template messages, the development mailbox),
// retried with backoff and finally marked failed without being lost; channel choices per kind,
// with legal-deadline kinds locked on; the reminders the scheduler sends.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq, inArray } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { notify } from "~/models/notification.server";
import { attemptsOf, BACKOFF_MS, deliverDue, enqueueCode, MAX_ATTEMPTS, setActiveChannels } from "~/models/outbox.server";
import { remindOpeningSoon, remindQualificationsExpiring } from "~/models/reminder.server";
import { DevMailboxTransport, HttpSmsTransport, SmtpTransport, WechatTemplateTransport, type Transports } from "~/models/transports.server";
import * as devMailboxRoute from "~/routes/dev-mailbox";
import * as settingsRoute from "~/routes/notifications_.settings";
import { schema } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { cookieFor, DEMO, get, makeContext, ORIGIN, post, run, unwrap } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { closedOpening } from "../helpers/opening";
import { preparedBidder } from "../helpers/bids";
import { tenderFields, tenderKit } from "../helpers/tenders";
import { submitBid } from "~/models/bid.server";
import { sealBid, submitInput } from "../helpers/bids";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
const { outbox, users, notifications, notificationMutes, auditLog } = schema;

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  setActiveChannels(["sms", "email", "wechat"]);
});
afterAll(() => database?.close());
afterEach(async () => {
  await database.db.delete(outbox);
});

const userOf = async (phone: string) => (await database.db.select().from(users).where(eq(users.phone, phone)))[0];

/** A local HTTP server standing in for a provider: records requests, answers with `reply`. */
async function fakeServer(reply: (req: { url: string; body: unknown; headers: http.IncomingHttpHeaders }) => { status: number; json: unknown }) {
  const seen: { url: string; body: unknown; headers: http.IncomingHttpHeaders }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const r = { url: req.url ?? "", body: text ? JSON.parse(text) : null, headers: req.headers };
      seen.push(r);
      const { status, json } = reply(r);
      res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(json));
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

describe("the outbox", () => {
  it("writes nothing when the event's transaction rolls back, and one message per channel and recipient when it commits", async () => {
    const a = await userOf(DEMO.contractor1);
    const b = await userOf(DEMO.contractor2);
    await database.db.update(users).set({ email: "zhang@example.cn", wechatOpenId: "oWx_abcdefghijklmnopqrs" }).where(eq(users.id, a.id));
    await expect(
      database.db.transaction(async (tx) => {
        await notify(tx, { clock: ctx.clock, userIds: [a.id, b.id], kind: "award.won", params: { project: "回滚测试" }, link: "/notices/x" });
        throw new Error("the event failed");
      }),
    ).rejects.toThrow("the event failed");
    expect(await database.db.select().from(outbox)).toHaveLength(0);
    expect(await database.db.select().from(notifications).where(eq(notifications.kind, "award.won"))).toHaveLength(0);

    await database.db.transaction((tx) => notify(tx, { clock: ctx.clock, userIds: [a.id, b.id], kind: "award.won", params: { project: "提交测试" }, link: "/notices/x" }));
    const rows = await database.db.select().from(outbox);
    // a: SMS, e-mail and WeChat; b gave only a phone.
    expect(rows.map((r) => `${r.userId === a.id ? "a" : "b"}:${r.channel}:${r.address}`).sort()).toEqual([
      "a:email:zhang@example.cn",
      "a:sms:13900000010",
      "a:wechat:oWx_abcdefghijklmnopqrs",
      "b:sms:13900000011",
    ]);
    expect(rows[0].body).toBe("恭喜！贵单位中标“提交测试”，请查看中标通知书。");
    expect(rows[0].subject).toBe("村易招：中标通知");
    expect(rows.every((r) => r.status === "pending")).toBe(true);
  });

  it("renders in the recipient's language and leaves out channels this installation does not have", async () => {
    const b = await userOf(DEMO.contractor2);
    await database.db.update(users).set({ locale: "en" }).where(eq(users.id, b.id));
    setActiveChannels(["email"]);
    try {
      await database.db.transaction((tx) => notify(tx, { clock: ctx.clock, userIds: [b.id], kind: "award.lost", params: { project: "Road" }, link: null }));
      expect(await database.db.select().from(outbox)).toHaveLength(0); // b has no e-mail address
      await database.db.update(users).set({ email: "li@example.cn" }).where(eq(users.id, b.id));
      await database.db.transaction((tx) => notify(tx, { clock: ctx.clock, userIds: [b.id], kind: "award.lost", params: { project: "Road" }, link: null }));
      const [row] = await database.db.select().from(outbox);
      expect([row.channel, row.subject, row.body]).toEqual([
        "email",
        "村易招: Not awarded",
        "“Road” has been awarded to another bidder; your bid security will be released on time.",
      ]);
    } finally {
      setActiveChannels(["sms", "email", "wechat"]);
      await database.db.update(users).set({ locale: "zh-CN", email: null }).where(eq(users.id, b.id));
    }
  });

  it("sends SMS through the provider's HTTP interface with the right text, and keeps the provider's reference", async () => {
    const sms = await fakeServer(() => ({ status: 200, json: { id: "sms-0001" } }));
    try {
      const b = await userOf(DEMO.contractor2);
      await database.db.transaction((tx) =>
        notify(tx, { clock: ctx.clock, userIds: [b.id], kind: "tender.amended", params: { project: "村道硬化", title: "第1号澄清" }, link: "/notices/t1#amendments" }),
      );
      const transports: Transports = { sms: new HttpSmsTransport(`${sms.url}/send`, "secret-token", "村易招") };
      expect(await deliverDue(database.db, { clock: ctx.clock, transports, origin: "https://cyz.example.gov.cn" })).toEqual({ sent: 1, retried: 0, failed: 0 });
      expect(sms.seen).toHaveLength(1);
      expect(sms.seen[0].url).toBe("/send");
      expect(sms.seen[0].headers.authorization).toBe("Bearer secret-token");
      expect(sms.seen[0].body).toEqual({ phone: "13900000011", sign: "村易招", text: "“村道硬化”发布了澄清修改：第1号澄清。 https://cyz.example.gov.cn/notices/t1#amendments" });
      const [row] = await database.db.select().from(outbox);
      expect([row.status, row.transport, row.attempts]).toEqual(["sent", "sms-http", 1]);
      const attempts = await attemptsOf(database.db, row.id);
      expect(attempts.map((x) => [x.ok, x.detail])).toEqual([[true, "sms-0001"]]);
      // Sent once: a second round finds nothing due.
      expect(await deliverDue(database.db, { clock: ctx.clock, transports, origin: "https://cyz.example.gov.cn" })).toEqual({ sent: 0, retried: 0, failed: 0 });
      expect(sms.seen).toHaveLength(1);
    } finally {
      await sms.close();
    }
  });

  it("retries a failing transport with backoff, records every attempt, and finally marks the message failed without losing it", async () => {
    let up = false;
    const sms = await fakeServer(() => (up ? { status: 200, json: { id: "late" } } : { status: 503, json: { error: "网关繁忙" } }));
    try {
      const b = await userOf(DEMO.contractor2);
      const a = await userOf(DEMO.contractor1);
      await database.db.transaction((tx) => notify(tx, { clock: ctx.clock, userIds: [b.id], kind: "panel.assigned", params: { project: "桥梁维修" }, link: null }));
      const transports: Transports = { sms: new HttpSmsTransport(sms.url, undefined, "村易招") };
      const start = ctx.clock.now();
      expect(await deliverDue(database.db, { clock: ctx.clock, transports, origin: ORIGIN })).toEqual({ sent: 0, retried: 1, failed: 0 });
      const [first] = await database.db.select().from(outbox);
      expect(first.status).toBe("pending");
      expect(first.lastError).toContain("503");
      expect(first.nextAttemptAt.getTime() - ctx.clock.now().getTime()).toBe(BACKOFF_MS[0]);
      // Not due yet: nothing is sent before the backoff has passed.
      ctx.clock.advance(BACKOFF_MS[0] - 1000);
      expect(await deliverDue(database.db, { clock: ctx.clock, transports, origin: ORIGIN })).toEqual({ sent: 0, retried: 0, failed: 0 });
      for (let i = 1; i < MAX_ATTEMPTS; i++) {
        ctx.clock.advance(BACKOFF_MS[i - 1]);
        const r = await deliverDue(database.db, { clock: ctx.clock, transports, origin: ORIGIN });
        expect(r).toEqual(i === MAX_ATTEMPTS - 1 ? { sent: 0, retried: 0, failed: 1 } : { sent: 0, retried: 1, failed: 0 });
      }
      const [row] = await database.db.select().from(outbox);
      expect([row.status, row.attempts, row.body]).toEqual(["failed", MAX_ATTEMPTS, "您被抽取为“桥梁维修”的评审专家，请及时声明是否存在利害关系。"]);
      const attempts = await attemptsOf(database.db, row.id);
      expect(attempts.map((x) => x.ok)).toEqual([false, false, false, false, false]);
      expect(attempts.every((x) => x.detail?.includes("503") && x.detail.includes("网关繁忙"))).toBe(true);
      // A failed message is never sent again, even once the provider is back.
      up = true;
      ctx.clock.advance(24 * 3600_000);
      expect(await deliverDue(database.db, { clock: ctx.clock, transports, origin: ORIGIN })).toEqual({ sent: 0, retried: 0, failed: 0 });
      // A new one goes through.
      await database.db.transaction((tx) => notify(tx, { clock: ctx.clock, userIds: [a.id], kind: "panel.assigned", params: { project: "桥梁维修" }, link: null }));
      expect((await deliverDue(database.db, { clock: ctx.clock, transports, origin: ORIGIN })).sent).toBe(1);
      expect(sms.seen.length).toBe(MAX_ATTEMPTS + 1);
      expect(ctx.clock.now().getTime()).toBeGreaterThan(start.getTime());
    } finally {
      await sms.close();
    }
  });

  it("claims a message once: two deliverers running together send it once", async () => {
    const sms = await fakeServer(() => ({ status: 200, json: { id: "x" } }));
    try {
      const b = await userOf(DEMO.contractor2);
      await database.db.transaction((tx) => notify(tx, { clock: ctx.clock, userIds: [b.id], kind: "award.decided", params: { project: "并发" }, link: null }));
      const transports: Transports = { sms: new HttpSmsTransport(sms.url, undefined, "村易招") };
      const [r1, r2] = await Promise.all([
        deliverDue(database.db, { clock: ctx.clock, transports, origin: ORIGIN }),
        deliverDue(database.db, { clock: ctx.clock, transports, origin: ORIGIN }),
      ]);
      expect(r1.sent + r2.sent).toBe(1);
      expect(sms.seen).toHaveLength(1);
    } finally {
      await sms.close();
    }
  });

  it("sends WeChat template messages with a cached access token, and fetches a new token when told the old one is invalid", async () => {
    let tokens = 0;
    let invalidOnce = true;
    const wx = await fakeServer((r) => {
      if (r.url.startsWith("/cgi-bin/token")) return { status: 200, json: { access_token: `TOKEN${++tokens}`, expires_in: 7200 } };
      if (r.url.includes("access_token=TOKEN1") && !invalidOnce) return { status: 200, json: { errcode: 40001, errmsg: "invalid credential" } };
      invalidOnce = false;
      return { status: 200, json: { errcode: 0, errmsg: "ok", msgid: 200228332 } };
    });
    try {
      const a = await userOf(DEMO.contractor1);
      await database.db.update(users).set({ wechatOpenId: "oWx_abcdefghijklmnopqrs" }).where(eq(users.id, a.id));
      setActiveChannels(["wechat"]);
      await database.db.transaction((tx) =>
        notify(tx, { clock: ctx.clock, userIds: [a.id], kind: "evaluation.clarify", params: { project: "水渠" }, link: "/notices/t9/clarify" }),
      );
      const transports: Transports = { wechat: new WechatTemplateTransport(wx.url, "wxappid", "wxsecret", "TPL-1") };
      expect((await deliverDue(database.db, { clock: ctx.clock, transports, origin: "https://cyz.example.gov.cn" })).sent).toBe(1);
      const tokenCall = wx.seen.find((s) => s.url.startsWith("/cgi-bin/token"))!;
      expect(new URL(tokenCall.url, wx.url).searchParams.get("appid")).toBe("wxappid");
      const send = wx.seen.find((s) => s.url.startsWith("/cgi-bin/message/template/send"))!;
      expect(send.body).toMatchObject({
        touser: "oWx_abcdefghijklmnopqrs",
        template_id: "TPL-1",
        url: "https://cyz.example.gov.cn/notices/t9/clarify",
        data: { first: { value: "村易招：评审澄清待答复" }, keyword1: { value: "评审小组就“水渠”向贵单位提出澄清问题，请在期限内答复。" } },
      });
      // The second message reuses the token; the provider then says it is invalid: it is dropped, the message retried with a new one.
      await database.db.transaction((tx) => notify(tx, { clock: ctx.clock, userIds: [a.id], kind: "evaluation.clarify", params: { project: "水渠" }, link: null }));
      expect((await deliverDue(database.db, { clock: ctx.clock, transports, origin: ORIGIN })).retried).toBe(1);
      ctx.clock.advance(BACKOFF_MS[0]);
      expect((await deliverDue(database.db, { clock: ctx.clock, transports, origin: ORIGIN })).sent).toBe(1);
      expect(tokens).toBe(2);
    } finally {
      setActiveChannels(["sms", "email", "wechat"]);
      await wx.close();
    }
  });

  it("sends e-mail through SMTP", async () => {
    const received: { to: string[]; raw: string }[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      onData(stream, session, done) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString("utf8") });
          done();
        });
      },
    });
    await new Promise<void>((ok) => smtp.listen(0, "127.0.0.1", ok));
    try {
      const port = (smtp.server.address() as AddressInfo).port;
      const a = await userOf(DEMO.contractor1);
      await database.db.update(users).set({ email: "zhang@example.cn" }).where(eq(users.id, a.id));
      setActiveChannels(["email"]);
      await database.db.transaction((tx) => notify(tx, { clock: ctx.clock, userIds: [a.id], kind: "publicity.started", params: { project: "文化礼堂" }, link: "/notices/t2" }));
      const transports: Transports = { email: new SmtpTransport(`smtp://127.0.0.1:${port}`, "村易招 <noreply@cyz.example.gov.cn>") };
      expect(await deliverDue(database.db, { clock: ctx.clock, transports, origin: "https://cyz.example.gov.cn" })).toEqual({ sent: 1, retried: 0, failed: 0 });
      expect(received).toHaveLength(1);
      expect(received[0].to).toEqual(["zhang@example.cn"]);
      const decoded = received[0].raw.replace(/=\r\n/g, "");
      expect(decoded).toMatch(/^Subject: =\?UTF-8\?/m);
      expect(Buffer.from(/Content-Transfer-Encoding: base64\r\n\r\n([\s\S]+?)(\r\n\r\n|$)/.exec(decoded)?.[1] ?? "", "base64").toString("utf8") || decoded).toContain(
        "https://cyz.example.gov.cn/notices/t2",
      );
    } finally {
      setActiveChannels(["sms", "email", "wechat"]);
      await new Promise<void>((ok) => smtp.close(() => ok()));
    }
  });

  it("blanks a one-time code once its message has left (the development mailbox keeps it: it is the only copy)", async () => {
    const sms = await fakeServer(() => ({ status: 200, json: {} }));
    try {
      const b = await userOf(DEMO.contractor2);
      await database.db.transaction((tx) =>
        enqueueCode(tx, {
          clock: ctx.clock,
          userId: b.id,
          kind: "auth.resetCode",
          code: "482913",
          params: { minutes: "15" },
          link: "/reset-password?phone=13900000011&code=482913",
        }),
      );
      await deliverDue(database.db, { clock: ctx.clock, transports: { sms: new HttpSmsTransport(sms.url, undefined, "村易招") }, origin: ORIGIN });
      expect((sms.seen[0].body as { text: string }).text).toContain("482913");
      const [row] = await database.db.select().from(outbox);
      expect(JSON.stringify(row)).not.toContain("482913");
      await database.db.delete(outbox);
      await database.db.transaction((tx) => enqueueCode(tx, { clock: ctx.clock, userId: b.id, kind: "auth.resetCode", code: "117350", params: { minutes: "15" }, link: null }));
      await deliverDue(database.db, { clock: ctx.clock, transports: { sms: new DevMailboxTransport() }, origin: ORIGIN });
      // Shown to its recipient (tests/integration/dev-mailbox.test.ts: to nobody else).
      const page = unwrap(await run(devMailboxRoute.loader, get("/dev-mailbox", await cookieFor(ctx, DEMO.contractor2)), ctx));
      expect(page.data.messages[0].body).toContain("117350");
      // Without DEV_MAILBOX the page does not exist.
      const off = { ...ctx, env: { ...ctx.env, DEV_MAILBOX: false } };
      expect(((await run(devMailboxRoute.loader, get("/dev-mailbox"), off)) as Response).status).toBe(404);
    } finally {
      await sms.close();
    }
  });
});

describe("choosing channels", () => {
  it("lets a user switch a channel off per kind, never for legal-deadline kinds, and touches only their own choices", async () => {
    const a = await userOf(DEMO.contractor1);
    const other = await userOf(DEMO.contractor2);
    await database.db.insert(notificationMutes).values({ userId: other.id, kind: "award.lost", channel: "sms" });
    const cookie = await cookieFor(ctx, DEMO.contractor1);
    // Everything on but SMS for questions answered; the form also tries to switch off SMS for objections (locked).
    const page = unwrap(await run(settingsRoute.loader, get("/notifications/settings", cookie), ctx));
    const on: Record<string, string> = { intent: "channels" };
    for (const p of page.data.prefs as { kind: string; locked: boolean }[])
      for (const c of ["sms", "email", "wechat"]) if (!(p.kind === "tender.answered" && c === "sms") && p.kind !== "publicity.objection") on[`on:${p.kind}:${c}`] = "on";
    expect(unwrap(await run(settingsRoute.action, post("/notifications/settings", on, cookie), ctx)).data.done).toBe("outbox.prefsSaved");
    const mutes = await database.db.select().from(notificationMutes).where(eq(notificationMutes.userId, a.id));
    expect(mutes.map((m) => `${m.kind}:${m.channel}`)).toEqual(["tender.answered:sms"]);
    expect(await database.db.select().from(notificationMutes).where(eq(notificationMutes.userId, other.id))).toHaveLength(1);
    const audit = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "user.notification_channels"), eq(auditLog.objectId, a.id)));
    expect(audit).toHaveLength(1);

    await database.db.update(users).set({ email: "zhang@example.cn", wechatOpenId: null }).where(eq(users.id, a.id));
    await database.db.transaction(async (tx) => {
      await notify(tx, { clock: ctx.clock, userIds: [a.id], kind: "tender.answered", params: { project: "甲" }, link: null });
      await notify(tx, { clock: ctx.clock, userIds: [a.id], kind: "publicity.objection", params: { project: "乙" }, link: null });
    });
    const rows = await database.db.select().from(outbox).where(eq(outbox.userId, a.id));
    expect(rows.map((r) => `${r.kind}:${r.channel}`).sort()).toEqual(["publicity.objection:email", "publicity.objection:sms", "tender.answered:email"]);
    // The in-app notice is there either way.
    expect(
      await database.db
        .select()
        .from(notifications)
        .where(and(eq(notifications.userId, a.id), inArray(notifications.kind, ["tender.answered"]))),
    ).not.toHaveLength(0);
  });

  it("saves the user's own e-mail and WeChat OpenID, refusing malformed ones in the user's language", async () => {
    const cookie = await cookieFor(ctx, DEMO.committeeA2);
    const bad = await run(settingsRoute.action, post("/notifications/settings", { intent: "contact", email: "not-an-address", wechatOpenId: "" }, cookie), ctx);
    const refused = unwrap(bad);
    expect([refused.status, refused.data.errors.email]).toEqual([400, "errors.contact.email"]);
    const badWx = await run(settingsRoute.action, post("/notifications/settings", { intent: "contact", email: "", wechatOpenId: "短" }, cookie), ctx);
    expect(unwrap(badWx).data.errors.wechatOpenId).toBe("errors.contact.wechat");
    const u = await userOf(DEMO.committeeA2);
    expect([u.email, u.wechatOpenId]).toEqual([null, null]);
    await run(settingsRoute.action, post("/notifications/settings", { intent: "contact", email: " Wang@Example.CN ", wechatOpenId: "oWx_0123456789abcdefghij" }, cookie), ctx);
    const after = await userOf(DEMO.committeeA2);
    expect([after.email, after.wechatOpenId]).toEqual(["wang@example.cn", "oWx_0123456789abcdefghij"]);
    expect(
      await database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, "user.contact"), eq(auditLog.objectId, u.id))),
    ).toHaveLength(1);
    // Anonymous callers are sent to the login page.
    const anon = (await run(settingsRoute.action, post("/notifications/settings", { intent: "contact", email: "x@y.cn", wechatOpenId: "" }), ctx)) as Response;
    expect(anon.headers.get("Location")).toMatch(/^\/login/);
  });
});

describe("reminders", () => {
  it("tells bidders and the host once that the opening hall opens within 30 minutes", async () => {
    ctx.clock.set("2026-11-20T02:00:00Z");
    const kit = await tenderKit(database, ctx, "青山村");
    const projectId = await kit.approvedProject("提醒测试·开标", 20_000_000);
    await kit.publish(projectId, tenderFields({ deadline: "2026-11-27T10:00", bidSecurity: "3000" }), await cookieFor(ctx, DEMO.committeeA1));
    const tender = await kit.tenderOf(projectId);
    const bidder = await preparedBidder(database, ctx, DEMO.contractor1);
    await submitBid(database.db, {
      clock: ctx.clock,
      store: ctx.files,
      actor: bidder.actor,
      companyId: bidder.companyId,
      tenderId: tender.id,
      raw: submitInput(await sealBid(ctx, bidder, tender.id, { priceFen: 18_000_000, mark: "r" })),
    });
    ctx.clock.set(new Date(tender.deadline.getTime() - 31 * 60_000));
    expect(await remindOpeningSoon(database.db, ctx.clock)).toBe(0);
    ctx.clock.set(new Date(tender.deadline.getTime() - 29 * 60_000));
    const sent = await remindOpeningSoon(database.db, ctx.clock);
    expect(sent).toBeGreaterThanOrEqual(2);
    expect(await remindOpeningSoon(database.db, ctx.clock)).toBe(0);
    const rows = await database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.kind, "opening.soon"), eq(notifications.link, `/notices/${tender.id}/hall`)));
    const who = new Set(rows.map((r) => r.userId));
    expect(who.has((await userOf(DEMO.contractor1)).id)).toBe(true);
    expect(who.has((await userOf(DEMO.committeeA1)).id)).toBe(true);
    expect(who.has((await userOf(DEMO.contractor2)).id)).toBe(false);
    expect(rows[0].params).toMatchObject({ project: "提醒测试·开标", at: "2026-11-27 10:00" });
  });

  it("tells the company's contractors once that a qualification expires within 30 days", async () => {
    const a = await userOf(DEMO.contractor1);
    const [membership] = await database.db
      .select()
      .from(schema.memberships)
      .where(and(eq(schema.memberships.userId, a.id), eq(schema.memberships.role, "contractor")));
    const [q] = await database.db.select().from(schema.companyQualifications).where(eq(schema.companyQualifications.companyId, membership.orgId));
    await database.db.update(schema.companyQualifications).set({ expiresOn: "2027-01-10" }).where(eq(schema.companyQualifications.id, q.id));
    ctx.clock.set("2026-12-01T02:00:00Z"); // 40 days before
    expect(await remindQualificationsExpiring(database.db, ctx.clock)).toBe(0);
    ctx.clock.set("2026-12-12T02:00:00Z"); // 29 days before
    expect(await remindQualificationsExpiring(database.db, ctx.clock)).toBeGreaterThanOrEqual(1);
    expect(await remindQualificationsExpiring(database.db, ctx.clock)).toBe(0);
    const [n] = await database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.kind, "company.qualificationExpiring"), eq(notifications.userId, a.id)));
    expect(n.params).toMatchObject({ name: q.name, number: q.certificateNumber, date: "2027-01-10" });
    // Renewed to a new date: reminded again when that one nears.
    await database.db.update(schema.companyQualifications).set({ expiresOn: "2027-12-31" }).where(eq(schema.companyQualifications.id, q.id));
    ctx.clock.set("2027-12-10T02:00:00Z");
    expect(await remindQualificationsExpiring(database.db, ctx.clock)).toBeGreaterThanOrEqual(1);
  });

  it("tells each bidder when decryption starts and when their window closes (a legal-deadline message)", async () => {
    const opened = await closedOpening(database, ctx, "提醒测试·解密");
    const rows = await database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.kind, "opening.decryption"), eq(notifications.link, `/notices/${opened.tenderId}/hall`)));
    expect(new Set(rows.map((r) => r.userId)).has((await userOf(DEMO.contractor1)).id)).toBe(true);
    expect(rows[0].params.until).toMatch(/^2026-11-26 1\d:\d\d$/);
    const messages = await database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.kind, "opening.decryption"), eq(outbox.channel, "sms")));
    expect(messages.length).toBe(rows.length);
  });
});
