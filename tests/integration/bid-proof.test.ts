// Withdrawing or replacing a sealed bid needs more than a password (issue 18, finding 8): a passkey's
// approval of that very act, or a step-up code proved by the session. After an official resets the
// password, the account may not withdraw or replace bids for the county's set time (ending an hour
// before the deadline at the latest), the company's other members are told at once, and passkeys
// registered since the owner's last sign-in are gone.
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitBid, withdrawBid, withdrawBlockEnd, type BidActProof } from "~/models/bid.server";
import { addCompanyMember } from "~/models/company.server";
import { getCountySettings, updateCountySettings } from "~/models/county-settings.server";
import { setActiveChannels } from "~/models/outbox.server";
import { issueResetCode, requestResetByChannel, resetPasswordWithCode } from "~/models/reset-code.server";
import { sessionIdFromToken } from "~/models/session.server";
import { DevMailboxTransport } from "~/models/transports.server";
import * as bidRoute from "~/routes/notices.$id_.bid";
import * as sealRoute from "~/routes/notices.$id_.bid_.seal";
import { SESSION_COOKIE } from "~/utils/auth.server";
import { schema } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { cookieFor, DEMO, get, makeContext, ORIGIN, post, run, unwrap } from "../helpers/app";
import { preparedBidder, sealBid, submitInput, type Bidder } from "../helpers/bids";
import { createTestDb } from "../helpers/db";
import { assertion, givePasskey } from "../helpers/evaluation";
import { tenderFields, tenderKit } from "../helpers/tenders";
import type { SoftwarePasskey } from "~/demo/software-passkey.server";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let kit: Awaited<ReturnType<typeof tenderKit>>;
const { users, passkeys, notifications, outbox, auditLog, orgs } = schema;
const HOUR = 3_600_000;

let a: Bidder;
let aKey: SoftwarePasskey;
let b: Bidder;
let bKey: SoftwarePasskey;

async function tender(name: string, deadline = "2026-12-01T09:30") {
  const id = await kit.approvedProject(name, 20_000_000);
  const r = (await kit.publish(id, tenderFields({ deadline, bidSecurity: "3000" }), await cookieFor(ctx, DEMO.committeeA1))) as Response;
  expect(r.status).toBe(302);
  return kit.tenderOf(id);
}

const bid = async (who: Bidder, tenderId: string, price = 18_000_000) => submitInput(await sealBid(ctx, who, tenderId, { priceFen: price, mark: `${who.phone}-${price}` }));

/** The session id behind a cookie, as the routes pass it to the model. */
const sessionOf = (cookie: string) => sessionIdFromToken(cookie.slice(SESSION_COOKIE.length + 1));

function seal(cookie: string, tenderId: string, body: unknown) {
  const request = new Request(new URL(`/notices/${tenderId}/bid/seal`, ORIGIN), {
    method: "POST",
    headers: { Cookie: cookie, Origin: ORIGIN, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return run(sealRoute.action, request, ctx, { id: tenderId }) as Promise<Response>;
}

/** What the page's script does: ask for the act's challenge, let the passkey approve it. */
async function approve(cookie: string, tenderId: string, act: "withdraw" | "replace", key: SoftwarePasskey) {
  const res = await seal(cookie, tenderId, { intent: "approve-options", act });
  expect(res.status, await res.clone().text()).toBe(200);
  const { options } = (await res.json()) as { options: { challenge: string; allowCredentials: { id: string }[] } };
  return { approval: assertion(key, options.challenge), options };
}

const withdrawForm = (cookie: string, tenderId: string, fields: Record<string, string> = {}) =>
  run(bidRoute.action, post(`/notices/${tenderId}/bid`, { intent: "withdraw", key: randomUUID(), ...fields }, cookie), ctx, { id: tenderId });

/** The six-digit code in the latest step-up message to this user. */
async function lastStepUpCode(userId: string) {
  const rows = await database.db
    .select()
    .from(outbox)
    .where(and(eq(outbox.userId, userId), eq(outbox.kind, "auth.stepUpCode")));
  rows.sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime());
  return /(\d{6})/.exec(rows[0].body)![1];
}

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  ctx.transports = { sms: new DevMailboxTransport() };
  setActiveChannels(["sms"]);
  kit = await tenderKit(database, ctx);
  a = await preparedBidder(database, ctx, DEMO.contractor1);
  aKey = await givePasskey(database, ctx, a.userId, "张经理的手机");
  b = await preparedBidder(database, ctx, DEMO.contractor2);
  bKey = await givePasskey(database, ctx, b.userId, "李经理的手机");
});
afterAll(async () => {
  setActiveChannels([]);
  await database?.close();
});

describe("withdrawing or replacing a sealed bid", () => {
  it("is refused to a password session without a passkey's approval or a step-up, through the model and both routes", async () => {
    const t = await tender("便民桥加固（撤回须确认）");
    await submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: await bid(a, t.id) }); // the first bid needs nothing more
    const cookie = await cookieFor(ctx, DEMO.contractor1);
    const bare: BidActProof = { sessionId: sessionOf(cookie), rp: ctx.rp };

    await expect(withdrawBid(database.db, { clock: ctx.clock, actor: a.actor, companyId: a.companyId, tenderId: t.id, submissionId: randomUUID() })).rejects.toMatchObject({
      key: "errors.bid.proofRequired",
      options: { status: 403 },
    });
    await expect(
      withdrawBid(database.db, { clock: ctx.clock, actor: a.actor, companyId: a.companyId, tenderId: t.id, submissionId: randomUUID(), proof: bare }),
    ).rejects.toMatchObject({ key: "errors.bid.proofRequired" });
    await expect(
      submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: await bid(a, t.id, 17_900_000), proof: bare }),
    ).rejects.toMatchObject({
      key: "errors.bid.proofRequired",
    });

    const form = unwrap(await withdrawForm(cookie, t.id));
    expect(form.status).toBe(403);
    expect(form.data.errors.form).toBe("errors.bid.proofRequired");
    const replace = await seal(cookie, t.id, { intent: "submit", ...(await bid(a, t.id, 17_800_000)) });
    expect(replace.status).toBe(403);
    expect(await replace.json()).toEqual({ error: "errors.bid.proofRequired" });

    // Nothing changed: still version 1, sealed.
    const page = unwrap(await run(bidRoute.loader, get(`/notices/${t.id}/bid`, cookie), ctx, { id: t.id }));
    expect(page.data.own).toMatchObject({ status: "sealed", current: { seq: 1 } });
    expect(page.data.proof).toMatchObject({ stepUpProved: false, hasPasskey: true, blockedUntil: null });
  });

  it("accepts a replacement and a withdrawal each approved with the bidder's own passkey just then, once", async () => {
    const t = await tender("便民桥加固（通行密钥确认）");
    await submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: await bid(a, t.id) });
    const cookie = await cookieFor(ctx, DEMO.contractor1);

    const { approval, options } = await approve(cookie, t.id, "replace", aKey);
    expect(options.allowCredentials.map((c) => c.id)).toContain(aKey.credentialId);
    const replaced = await seal(cookie, t.id, { intent: "submit", ...(await bid(a, t.id, 17_700_000)), approval });
    expect(replaced.status, await replaced.clone().text()).toBe(200);
    expect(((await replaced.json()) as { receipt: { seq: number } }).receipt.seq).toBe(2);

    // The same approval again: its challenge is used up.
    const again = await seal(cookie, t.id, { intent: "submit", ...(await bid(a, t.id, 17_600_000)), approval });
    expect(again.status).toBe(403);
    expect(((await again.json()) as { error: string }).error).toBe("errors.passkeyChallengeExpired");
    // An approval of a replacement does not withdraw.
    const forReplace = await approve(cookie, t.id, "replace", aKey);
    expect(unwrap(await withdrawForm(cookie, t.id, { approval: JSON.stringify(forReplace.approval) })).data.errors.form).toBe("errors.passkeyChallengeExpired");
    // Another person's passkey cannot approve this bidder's act.
    const stranger = await approve(cookie, t.id, "withdraw", aKey);
    const byB = assertion(bKey, (stranger.options as { challenge: string }).challenge);
    expect(unwrap(await withdrawForm(cookie, t.id, { approval: JSON.stringify(byB) })).data.errors.form).toBe("errors.passkeyFailed");
    // Not JSON at all: a failed approval, not a missing one.
    expect(unwrap(await withdrawForm(cookie, t.id, { approval: "{not json" })).data.errors.form).toBe("errors.passkeyFailed");

    const w = await approve(cookie, t.id, "withdraw", aKey);
    const key = randomUUID();
    const done = unwrap(await withdrawForm(cookie, t.id, { key, approval: JSON.stringify(w.approval) }));
    expect(done.status).toBe(200);
    expect(done.data.withdrawn).toMatchObject({ kind: "withdrawal", seq: 3 });
    // A retry of the same withdrawal (same key) gets its receipt, even with its used-up approval.
    const retry = unwrap(await withdrawForm(cookie, t.id, { key, approval: JSON.stringify(w.approval) }));
    expect(retry.data.withdrawn?.id).toBe(done.data.withdrawn.id);

    const rows = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "bid.withdraw"), eq(auditLog.actorUserId, a.userId)));
    expect(rows.at(-1)!.summary).toMatchObject({ proof: { by: "passkey", passkeyId: aKey.credentialId } });
  });

  it("accepts them without JavaScript after the session proved a code sent to the bidder's phone, for 15 minutes", async () => {
    const t = await tender("便民桥加固（验证码确认）");
    await submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: b.actor, companyId: b.companyId, tenderId: t.id, raw: await bid(b, t.id) });
    const cookie = await cookieFor(ctx, DEMO.contractor2);
    const sent = unwrap(await run(bidRoute.action, post(`/notices/${t.id}/bid`, { intent: "step-up-request" }, cookie), ctx, { id: t.id }));
    expect(sent.data.proof).toBe("bid.proof.sent");
    const wrong = unwrap(await run(bidRoute.action, post(`/notices/${t.id}/bid`, { intent: "step-up-confirm", code: "000000" }, cookie), ctx, { id: t.id }));
    expect(wrong.data.errors.code).toBe("errors.stepUp.badCode");
    const code = await lastStepUpCode(b.userId);
    const ok = unwrap(await run(bidRoute.action, post(`/notices/${t.id}/bid`, { intent: "step-up-confirm", code }, cookie), ctx, { id: t.id }));
    expect(ok.data.proof).toBe("bid.proof.done");
    expect(unwrap(await run(bidRoute.loader, get(`/notices/${t.id}/bid`, cookie), ctx, { id: t.id })).data.proof.stepUpProved).toBe(true);

    // Replacing through the model with this session's proof; another session of the same person has none.
    const other = await cookieFor(ctx, DEMO.contractor2);
    await expect(
      submitBid(database.db, {
        clock: ctx.clock,
        store: ctx.files,
        actor: b.actor,
        companyId: b.companyId,
        tenderId: t.id,
        raw: await bid(b, t.id, 17_500_000),
        proof: { sessionId: sessionOf(other), rp: ctx.rp },
      }),
    ).rejects.toMatchObject({
      key: "errors.bid.proofRequired",
    });
    const r = await submitBid(database.db, {
      clock: ctx.clock,
      store: ctx.files,
      actor: b.actor,
      companyId: b.companyId,
      tenderId: t.id,
      raw: await bid(b, t.id, 17_500_000),
      proof: { sessionId: sessionOf(cookie), rp: ctx.rp },
    });
    expect(r.seq).toBe(2);
    ctx.clock.advance(16 * 60_000);
    expect(unwrap(await withdrawForm(cookie, t.id)).data.errors.form).toBe("errors.bid.proofRequired");
    const code2 = (await run(bidRoute.action, post(`/notices/${t.id}/bid`, { intent: "step-up-request" }, cookie), ctx, { id: t.id }), await lastStepUpCode(b.userId));
    await run(bidRoute.action, post(`/notices/${t.id}/bid`, { intent: "step-up-confirm", code: code2 }, cookie), ctx, { id: t.id });
    const done = unwrap(await withdrawForm(cookie, t.id));
    expect(done.data.withdrawn).toMatchObject({ kind: "withdrawal", seq: 3 });
    // The messages say nothing about bids or tenders: officials may read what leaves the app.
    const messages = await database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.userId, b.userId), eq(outbox.kind, "auth.stepUpCode")));
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(`${m.subject} ${m.body}`).not.toMatch(/投标|标书|便民桥/);
  });
});

describe("an official's password reset", () => {
  it("blocks the account's withdrawals and replacements for the county's time, tells the other members, and ends passkeys registered since the owner's last sign-in", async () => {
    const t = await tender("便民桥加固（重置后冻结）", "2026-12-10T09:30");
    const colleague = await addCompanyMember(database.db, {
      clock: ctx.clock,
      actor: a.actor,
      companyId: a.companyId,
      fields: { memberName: "周会计", memberPhone: "13957000088", memberPassword: "zhoukuaiji-2026" },
    });
    await submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: await bid(a, t.id) });

    // The owner signs in (their passkey aKey is older than this), and later someone else holds the account.
    ctx.clock.advance(HOUR);
    await cookieFor(ctx, DEMO.contractor1);
    ctx.clock.advance(HOUR);
    const supervisor = (await database.db.select().from(users).where(eq(users.phone, DEMO.supervisorA)))[0];
    const supervisorActor = { userId: supervisor.id, role: "supervisor" as const, ip: "203.0.113.50" };
    const { code } = await issueResetCode(database.db, {
      clock: ctx.clock,
      actor: supervisorActor,
      issuerOrgId: (await database.db.select().from(schema.memberships).where(eq(schema.memberships.userId, supervisor.id)))[0].orgId,
      raw: {
        phone: DEMO.contractor1,
        identityCheck: "电话核实（实为冒用）",
      },
    });
    const resetAt = ctx.clock.now();
    await resetPasswordWithCode(
      database.db,
      ctx.clock,
      { userId: null, role: null, ip: "203.0.113.50" },
      { phone: DEMO.contractor1, code, password: "taken-over-2026", password2: "taken-over-2026" },
    );

    // The colleague is told at once, in the app and by SMS; the owner's own passkey survived this first reset.
    const told = await database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, colleague.id), eq(notifications.kind, "company.memberReset")));
    expect(told).toHaveLength(1);
    expect(told[0].params).toMatchObject({ company: a.companyName });
    expect(
      await database.db
        .select()
        .from(notifications)
        .where(and(eq(notifications.userId, a.userId), eq(notifications.kind, "company.memberReset"))),
    ).toHaveLength(0);
    const sms = await database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.userId, colleague.id), eq(outbox.kind, "company.memberReset")));
    expect(sms).toHaveLength(1);
    expect(sms[0].body).toContain((await database.db.select().from(users).where(eq(users.id, a.userId)))[0].name);
    expect(`${sms[0].subject} ${sms[0].body}`).not.toContain("便民桥");
    expect(`${sms[0].subject} ${sms[0].body}`).not.toContain(t.id);
    expect((await database.db.select().from(passkeys).where(eq(passkeys.userId, a.userId))).map((p) => p.id)).toContain(aKey.credentialId);

    // Whoever took the account signs in and adds a passkey of their own.
    ctx.clock.advance(10 * 60_000);
    const intruder = await cookieFor(ctx, DEMO.contractor1);
    ctx.clock.advance(60_000);
    const intruderKey = await givePasskey(database, ctx, a.userId, "冒用者的手机");

    // Even with a passkey's approval, no withdrawal and no replacement inside the block.
    const w = await approve(intruder, t.id, "withdraw", intruderKey);
    const refused = unwrap(await withdrawForm(intruder, t.id, { approval: JSON.stringify(w.approval) }));
    expect(refused.status).toBe(403);
    expect(refused.data.errors.form).toMatchObject({ key: "errors.bid.blockedAfterReset", values: { until: expect.stringMatching(/^2026-11-2\d \d\d:\d\d$/) } });
    const r = await approve(intruder, t.id, "replace", intruderKey);
    const replace = await seal(intruder, t.id, { intent: "submit", ...(await bid(a, t.id, 10_000_000)), approval: r.approval });
    expect(replace.status).toBe(403);
    expect(((await replace.json()) as { error: string }).error).toBe("errors.bid.blockedAfterReset");
    const page = unwrap(await run(bidRoute.loader, get(`/notices/${t.id}/bid`, intruder), ctx, { id: t.id }));
    expect(page.data.proof.blockedUntil).toBe(refused.data.errors.form.values.until);
    expect(page.data.own).toMatchObject({ status: "sealed", current: { seq: 1 } });

    // The owner goes to the supervisor: a second official reset ends the intruder's passkey, keeps the owner's older one.
    ctx.clock.advance(HOUR);
    const second = await issueResetCode(database.db, {
      clock: ctx.clock,
      actor: supervisorActor,
      issuerOrgId: (await database.db.select().from(schema.memberships).where(eq(schema.memberships.userId, supervisor.id)))[0].orgId,
      raw: {
        phone: DEMO.contractor1,
        identityCheck: "当面核验身份证原件",
      },
    });
    await resetPasswordWithCode(
      database.db,
      ctx.clock,
      { userId: null, role: null, ip: "203.0.113.60" },
      { phone: DEMO.contractor1, code: second.code, password: "owner-again-2026", password2: "owner-again-2026" },
    );
    const left = (await database.db.select().from(passkeys).where(eq(passkeys.userId, a.userId))).map((p) => p.id);
    expect(left).toContain(aKey.credentialId);
    expect(left).toContain(a.credentialId);
    expect(left).not.toContain(intruderKey.credentialId);
    const removal = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "passkey.remove_after_reset"), eq(auditLog.objectId, intruderKey.credentialId)));
    expect(removal).toHaveLength(1);
    expect(removal[0].summary).toMatchObject({ before: { name: "冒用者的手机" }, userId: a.userId });
    expect(
      await database.db
        .select()
        .from(notifications)
        .where(and(eq(notifications.userId, colleague.id), eq(notifications.kind, "company.memberReset"))),
    ).toHaveLength(2);

    // The block runs 24 hours from the latest reset; after it the owner withdraws (with their own passkey).
    const owner = await cookieFor(ctx, DEMO.contractor1);
    ctx.clock.set(new Date(ctx.clock.now().getTime() + 24 * HOUR - 60_000));
    const early = await approve(owner, t.id, "withdraw", aKey);
    expect(unwrap(await withdrawForm(owner, t.id, { approval: JSON.stringify(early.approval) })).data.errors.form).toMatchObject({ key: "errors.bid.blockedAfterReset" });
    ctx.clock.advance(2 * 60_000);
    const late = await approve(owner, t.id, "withdraw", aKey);
    const done = unwrap(await withdrawForm(owner, t.id, { approval: JSON.stringify(late.approval) }));
    expect(done.status, JSON.stringify(done.data)).toBe(200);
    expect(done.data.withdrawn).toMatchObject({ kind: "withdrawal" });
    expect(resetAt.getTime()).toBeLessThan(ctx.clock.now().getTime());
  });

  it("never blocks within the last hour before the deadline: the block ends at min(reset + hours, deadline − 1 h)", async () => {
    // 2026-12-12 09:30 Beijing is 01:30Z; the reset comes 10 hours before it.
    const t = await tender("便民桥加固（截止前一小时）", "2026-12-12T09:30");
    const deadline = new Date("2026-12-12T01:30:00Z");
    await submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: await bid(a, t.id) });
    ctx.clock.set(new Date(deadline.getTime() - 10 * HOUR));
    const supervisor = (await database.db.select().from(users).where(eq(users.phone, DEMO.supervisorA)))[0];
    const orgId = (await database.db.select().from(schema.memberships).where(eq(schema.memberships.userId, supervisor.id)))[0].orgId;
    const { code } = await issueResetCode(database.db, {
      clock: ctx.clock,
      actor: { userId: supervisor.id, role: "supervisor" as const, ip: "203.0.113.50" },
      issuerOrgId: orgId,
      raw: {
        phone: DEMO.contractor1,
        identityCheck: "当面核验身份证原件",
      },
    });
    await resetPasswordWithCode(
      database.db,
      ctx.clock,
      { userId: null, role: null, ip: "203.0.113.50" },
      { phone: DEMO.contractor1, code, password: "zhang-pass-1212", password2: "zhang-pass-1212" },
    );
    const cookie = await cookieFor(ctx, DEMO.contractor1);
    const owner = aKey;
    ctx.clock.set(new Date(deadline.getTime() - HOUR - 60_000));
    const early = await approve(cookie, t.id, "withdraw", owner);
    expect(unwrap(await withdrawForm(cookie, t.id, { approval: JSON.stringify(early.approval) })).data.errors.form).toMatchObject({
      key: "errors.bid.blockedAfterReset",
      values: { until: "2026-12-12 08:30" },
    });
    ctx.clock.set(new Date(deadline.getTime() - HOUR + 60_000));
    const inTime = await approve(cookie, t.id, "withdraw", owner);
    const done = unwrap(await withdrawForm(cookie, t.id, { approval: JSON.stringify(inTime.approval) }));
    expect(done.data.withdrawn, JSON.stringify(done.data)).toMatchObject({ kind: "withdrawal" });
  });

  it("follows the county's setting (0 hours: no block), and a reset the person asked for by SMS blocks nothing", async () => {
    const t = await tender("便民桥加固（县设置）", "2026-12-20T09:30");
    ctx.clock.set("2026-12-13T02:00:00Z");
    await submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: await bid(a, t.id) });
    const countyId = (await database.db.select().from(orgs).where(eq(orgs.kind, "county")))[0].id;
    await updateCountySettings(database.db, {
      clock: ctx.clock,
      actor: { userId: null, role: "county_admin" as const, ip: null },
      countyId,
      value: {
        ...(await getCountySettings(database.db, countyId)),
        withdrawBlockAfterOfficialResetHours: 0,
      },
    });
    const supervisor = (await database.db.select().from(users).where(eq(users.phone, DEMO.supervisorA)))[0];
    const orgId = (await database.db.select().from(schema.memberships).where(eq(schema.memberships.userId, supervisor.id)))[0].orgId;
    const { code } = await issueResetCode(database.db, {
      clock: ctx.clock,
      actor: { userId: supervisor.id, role: "supervisor" as const, ip: "203.0.113.50" },
      issuerOrgId: orgId,
      raw: {
        phone: DEMO.contractor1,
        identityCheck: "当面核验身份证原件",
      },
    });
    await resetPasswordWithCode(
      database.db,
      ctx.clock,
      { userId: null, role: null, ip: "203.0.113.51" },
      { phone: DEMO.contractor1, code, password: "zhang-new-2026", password2: "zhang-new-2026" },
    );
    const cookie = await cookieFor(ctx, DEMO.contractor1);
    const w = await approve(cookie, t.id, "withdraw", aKey);
    expect(unwrap(await withdrawForm(cookie, t.id, { approval: JSON.stringify(w.approval) })).data.withdrawn).toMatchObject({ kind: "withdrawal" });
    await updateCountySettings(database.db, {
      clock: ctx.clock,
      actor: { userId: null, role: "county_admin" as const, ip: null },
      countyId,
      value: {
        ...(await getCountySettings(database.db, countyId)),
        withdrawBlockAfterOfficialResetHours: 24,
      },
    });

    // Self-service: a code sent to the person's own phone.
    ctx.clock.advance(2 * 24 * HOUR);
    await submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: await bid(a, t.id) });
    await requestResetByChannel(database.db, { clock: ctx.clock, actor: { userId: null, role: null, ip: "203.0.113.52" }, raw: { phone: DEMO.contractor1 } });
    const rows = await database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.userId, a.userId), eq(outbox.kind, "auth.resetCode")));
    rows.sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime());
    const selfCode = /(\d{6})/.exec(rows[0].body)![1];
    await resetPasswordWithCode(
      database.db,
      ctx.clock,
      { userId: null, role: null, ip: "203.0.113.52" },
      { phone: DEMO.contractor1, code: selfCode, password: "zhang-newer-2026", password2: "zhang-newer-2026" },
    );
    const again = await cookieFor(ctx, DEMO.contractor1);
    const w2 = await approve(again, t.id, "withdraw", aKey);
    expect(unwrap(await withdrawForm(again, t.id, { approval: JSON.stringify(w2.approval) })).data.withdrawn).toMatchObject({ kind: "withdrawal" });
  });
});

describe("withdrawBlockEnd", () => {
  const deadline = new Date("2026-12-01T01:30:00Z");
  it("is the reset plus the county's hours, but one hour before the deadline at the latest", () => {
    expect(withdrawBlockEnd(new Date("2026-11-20T00:00:00Z"), 24, deadline)).toEqual(new Date("2026-11-21T00:00:00Z"));
    expect(withdrawBlockEnd(new Date("2026-11-30T20:00:00Z"), 24, deadline)).toEqual(new Date("2026-12-01T00:30:00Z"));
    // A reset in the last hour blocks nothing (the end is already past).
    expect(withdrawBlockEnd(new Date("2026-12-01T01:00:00Z"), 24, deadline)!.getTime()).toBeLessThan(new Date("2026-12-01T01:00:00Z").getTime());
    expect(withdrawBlockEnd(new Date("2026-11-20T00:00:00Z"), 0, deadline)).toBeNull();
    expect(withdrawBlockEnd(null, 24, deadline)).toBeNull();
  });
});
