// The remote opening through the model, with bids sealed by the real sealing script
// and opened with keys unwrapped the way the bidder's browser does: the state
// sequence, the window, failed decryption, over-ceiling prices, incidents, the <3 rule.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitBid } from "~/models/bid.server";
import { hallEventsAfter, hallHub } from "~/models/hall-events.server";
import {
  answerObjection,
  closeOpening,
  confirmRow,
  decryptionMaterial,
  extendWindow,
  hallView,
  raiseObjection,
  newIncidentRef,
  recordIncident,
  retender,
  signIn,
  startDecryption,
  startReading,
  submitDataKey,
} from "~/models/opening.server";
import { schema, type MemberRole } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { preparedBidder, S, sealBid, submitInput, type Bidder } from "../helpers/bids";
import { cookieFor, DEMO, makeContext } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { tenderFields, tenderKit } from "../helpers/tenders";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let kit: Awaited<ReturnType<typeof tenderKit>>;
let bidders: Bidder[];
let host: { userId: string; role: MemberRole; ip: string };
let villageId: string;

const START = new Date("2026-11-20T02:00:00Z");

async function tenderWithBids(name: string, prices: number[], deadline = "2026-11-26T10:00") {
  ctx.clock.set(START);
  const id = await kit.approvedProject(name, 20_000_000);
  const r = (await kit.publish(id, tenderFields({ deadline, bidSecurity: "3000", decryptionWindowMinutes: "30" }), await cookieFor(ctx, DEMO.committeeA1))) as Response;
  expect(r.status).toBe(302);
  const tender = await kit.tenderOf(id);
  const sealed = [];
  for (const [i, price] of prices.entries()) {
    const s = await sealBid(ctx, bidders[i], tender.id, { priceFen: price, mark: `标记-${i}` });
    await submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: bidders[i].actor, companyId: bidders[i].companyId, tenderId: tender.id, raw: submitInput(s) });
    sealed.push(s);
  }
  return { projectId: id, tender, sealed };
}

/** What the bidder's browser does: unwrap the data key with its passkey's PRF secret. */
async function dataKeyOf(b: Bidder, tenderId: string) {
  const m = await decryptionMaterial(database.db, ctx.clock, b.companyId, tenderId);
  expect(m).not.toBeNull();
  const wrap = m!.wraps.find((w) => w.credentialId === b.credentialId)!;
  return Buffer.from(await S.unwrapWithPrf(wrap as never, b.prf, { tenderId, submissionId: m!.submissionId })).toString("base64url");
}

async function decrypt(i: number, tenderId: string) {
  return submitDataKey(database.db, {
    clock: ctx.clock,
    store: ctx.files,
    actor: bidders[i].actor,
    companyId: bidders[i].companyId,
    tenderId,
    rawKey: await dataKeyOf(bidders[i], tenderId),
  });
}

const kinds = async (tenderId: string) => (await hallEventsAfter(database.db, tenderId, 0)).map((e) => e.kind);

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  kit = await tenderKit(database, ctx);
  villageId = kit.villageId;
  bidders = [await preparedBidder(database, ctx, "13900000010"), await preparedBidder(database, ctx, "13900000011"), await preparedBidder(database, ctx, "13900000013")];
  const [u] = await database.db.select().from(schema.users).where(eq(schema.users.phone, DEMO.committeeA1));
  host = { userId: u.id, role: "committee" as const, ip: "203.0.113.50" };
});
afterAll(async () => {
  await database?.close();
});

describe("the remote opening", () => {
  it("runs the whole sequence: hidden sign-ins, decryption, 唱标, confirmation, objection and answer, close", async () => {
    const { tender, projectId } = await tenderWithBids("村道拓宽一期", [18_000_000, 17_500_000, 19_000_000]);
    await signIn(database.db, { clock: ctx.clock, actor: bidders[0].actor, companyId: bidders[0].companyId, tenderId: tender.id });
    // Before the deadline nobody sees who signed in or how many bid — the host included.
    const early = await hallView(database.db, ctx.clock, tender.id, { role: "host", companyId: null });
    expect(early?.signins).toEqual([]);
    expect(early?.rows).toEqual([]);
    await expect(startDecryption(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: tender.id })).rejects.toMatchObject({
      key: "errors.opening.notNow",
      options: { status: 409 },
    });

    ctx.clock.set(tender.deadline);
    await expect(signIn(database.db, { clock: ctx.clock, actor: bidders[1].actor, companyId: bidders[1].companyId, tenderId: tender.id })).rejects.toMatchObject({
      key: "errors.opening.notNow",
      options: { status: 409 },
    });
    // A bidder cannot host; another village's committee cannot either.
    await expect(startDecryption(database.db, { clock: ctx.clock, actor: { ...bidders[0].actor }, actingOrgId: bidders[0].companyId, tenderId: tender.id })).rejects.toMatchObject({
      options: { status: 403 },
    });
    await startDecryption(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: tender.id });
    const view = await hallView(database.db, ctx.clock, tender.id, { role: "host", companyId: null });
    expect(view?.signins.map((s) => s.company)).toEqual([bidders[0].companyName]);
    expect(view?.rows.map((r) => r.status)).toEqual(["waiting", "waiting", "waiting"]);

    for (const i of [0, 1, 2]) expect(await decrypt(i, tender.id)).toEqual({ ok: true, status: "decrypted" });
    // Until 唱标 the hall sees who has opened, not the prices.
    expect((await hallView(database.db, ctx.clock, tender.id, { role: "observer", companyId: null }))?.rows.every((r) => r.price === null && r.status === "decrypted")).toBe(true);
    expect(await startReading(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: tender.id })).toEqual({ failed: false });
    const reading = await hallView(database.db, ctx.clock, tender.id, { role: "bidder", companyId: bidders[1].companyId });
    expect(reading?.rows.map((r) => [r.company, r.price, r.durationDays, r.securityOk])).toEqual([
      [bidders[0].companyName, "¥180,000.00", 25, true],
      [bidders[1].companyName, "¥175,000.00", 25, true],
      [bidders[2].companyName, "¥190,000.00", 25, true],
    ]);

    await confirmRow(database.db, { clock: ctx.clock, actor: bidders[0].actor, companyId: bidders[0].companyId, tenderId: tender.id });
    await expect(confirmRow(database.db, { clock: ctx.clock, actor: bidders[0].actor, companyId: bidders[0].companyId, tenderId: tender.id })).rejects.toMatchObject({
      key: "errors.opening.alreadyConfirmed",
    });
    const objection = await raiseObjection(database.db, {
      clock: ctx.clock,
      actor: bidders[1].actor,
      companyId: bidders[1].companyId,
      tenderId: tender.id,
      raw: "我方工期应为 25 天，请核对。",
    });
    // Not closable while an objection is unanswered or rows are unconfirmed within the time.
    await expect(closeOpening(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: tender.id })).rejects.toMatchObject({
      key: "errors.opening.confirmOpen",
    });
    ctx.clock.advance(11 * 60_000);
    await expect(closeOpening(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: tender.id })).rejects.toMatchObject({
      key: "errors.opening.unanswered",
    });
    await answerObjection(database.db, {
      clock: ctx.clock,
      actor: host,
      actingOrgId: villageId,
      tenderId: tender.id,
      objectionId: objection.id,
      raw: "已核对，工期为 25 天，记录无误。",
    });
    await closeOpening(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: tender.id });

    const rows = await database.db.select().from(schema.bidOpenings).where(eq(schema.bidOpenings.tenderId, tender.id));
    expect(rows.map((r) => r.confirmation).sort()).toEqual(["confirmed", "objected", "silent"]);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.nonce!))).toBe(true);
    const [p] = await database.db.select().from(schema.projects).where(eq(schema.projects.id, projectId));
    expect(p.state).toBe("evaluating");
    expect(await kinds(tender.id)).toEqual(["opened", "decryption_started", "decrypted", "decrypted", "decrypted", "reading", "confirmed", "objection", "answer", "closed"]);
    // Every hall event is in the audit trail with who and from where.
    const audit = await database.db.select().from(schema.auditLog).where(eq(schema.auditLog.objectId, tender.id));
    expect(audit.filter((a) => a.action.startsWith("opening.")).length).toBe(10);
    expect(audit.find((a) => a.action === "opening.objection")?.ip).toBe("198.51.100.20");
  });

  it("keeps going when one bidder fails: a wrong key changes nothing, a bid not opened in the window is revoked, and <3 valid bids fail the tender", async () => {
    const { tender, projectId } = await tenderWithBids("文化礼堂修缮", [18_000_000, 25_000_000, 19_000_000]);
    ctx.clock.set(tender.deadline);
    await startDecryption(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: tender.id });
    // Bidder 0 sends a wrong key: recorded, the bid still waits and can be opened afterwards.
    const wrong = Buffer.alloc(32, 7).toString("base64url");
    expect(
      await submitDataKey(database.db, { clock: ctx.clock, store: ctx.files, actor: bidders[0].actor, companyId: bidders[0].companyId, tenderId: tender.id, rawKey: wrong }),
    ).toEqual({
      ok: false,
      error: "errors.opening.wrongKey",
    });
    expect(await decrypt(0, tender.id)).toEqual({ ok: true, status: "decrypted" });
    // Bidder 1's price is above the ceiling (its browser was bypassed): opened and marked with the reason, for the panel.
    expect(await decrypt(1, tender.id)).toEqual({ ok: true, status: "decrypted" });
    // Bidder 2 never decrypts. The host cannot read out before the window ends.
    await expect(startReading(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: tender.id })).rejects.toMatchObject({
      key: "errors.opening.windowOpen",
    });
    ctx.clock.advance(30 * 60_000);
    await expect(
      submitDataKey(database.db, { clock: ctx.clock, store: ctx.files, actor: bidders[2].actor, companyId: bidders[2].companyId, tenderId: tender.id, rawKey: wrong }),
    ).rejects.toMatchObject({
      key: "errors.opening.notNow",
    });
    expect(await startReading(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: tender.id })).toEqual({ failed: true });
    const rows = await database.db.select().from(schema.bidOpenings).where(eq(schema.bidOpenings.tenderId, tender.id));
    expect(rows.map((r) => [r.status, r.reason]).sort()).toEqual([
      ["decrypted", null],
      ["decrypted", "opening.reason.aboveCeiling"],
      ["revoked", "opening.reason.notDecrypted"],
    ]);
    // The window's end settles the bid by the clock, through its writer: one audit row, by the system, saying which bid and what it became.
    const revoked = rows.find((r) => r.status === "revoked")!;
    const settled = await database.db.select().from(schema.auditLog).where(eq(schema.auditLog.objectId, revoked.bidId));
    expect(settled.filter((a) => a.objectType === "bid_opening").map((a) => [a.action, a.actorRole, a.summary])).toEqual([
      ["bid_opening.revoke", "system", expect.objectContaining({ before: { state: "waiting" }, after: { state: "revoked" } })],
    ]);
    const [o] = await database.db.select().from(schema.openings).where(eq(schema.openings.tenderId, tender.id));
    expect(JSON.parse(o.failReason!)).toEqual({ key: "opening.failReason.tooFewValid", values: { count: 2, min: 3 } });
    let [p] = await database.db.select().from(schema.projects).where(eq(schema.projects.id, projectId));
    expect(p.state).toBe("failed");
    expect(await kinds(tender.id)).toEqual(["opened", "decryption_started", "decrypt_failed", "decrypted", "decrypted", "window_ended", "failed"]);
    // The committee starts a new round.
    await retender(database.db, { clock: ctx.clock, actor: { ...host }, villageId, projectId });
    [p] = await database.db.select().from(schema.projects).where(eq(schema.projects.id, projectId));
    expect(p.state).toBe("approved");
    // …and publishes it again: a second round with its own notice, deadline and (empty) hall.
    ctx.clock.advance(60_000);
    const res = (await kit.publish(projectId, tenderFields({ deadline: "2026-12-10T10:00", bidSecurity: "3000" }), await cookieFor(ctx, DEMO.committeeA1))) as Response;
    expect(res.status).toBe(302);
    const rounds = await database.db.select().from(schema.tenders).where(eq(schema.tenders.projectId, projectId));
    expect(rounds.map((t) => t.round).sort()).toEqual([1, 2]);
    // The first round's hall is closed for good: nothing more can happen in it.
    await expect(startDecryption(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: tender.id })).rejects.toMatchObject({ key: "errors.qa.oldRound" });
  });

  it("fails the tender at once when fewer than 3 bids are in force at the deadline", async () => {
    const { tender } = await tenderWithBids("排水沟清淤", [18_000_000, 17_000_000]);
    ctx.clock.set(tender.deadline);
    expect(await startDecryption(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: tender.id })).toEqual({ failed: true });
    expect(await kinds(tender.id)).toEqual(["opened", "failed"]);
    const [o] = await database.db.select().from(schema.openings).where(eq(schema.openings.tenderId, tender.id));
    expect(o.state).toBe("failed");
    expect(JSON.parse(o.failReason!).key).toBe("opening.failReason.tooFewBids");
  });

  it("makes the host extend the window once after a platform incident; a bid then lost counts as withdrawn (视为撤回)", async () => {
    const { tender } = await tenderWithBids("路灯安装改造", [18_000_000, 17_000_000, 16_000_000]);
    ctx.clock.set(tender.deadline);
    await startDecryption(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: tender.id });
    await decrypt(0, tender.id);
    await decrypt(1, tender.id);
    await recordIncident(database.db, ctx.clock, tender.id, newIncidentRef());
    ctx.clock.advance(31 * 60_000);
    await expect(startReading(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: tender.id })).rejects.toMatchObject({
      key: "errors.opening.mustExtend",
    });
    await expect(
      extendWindow(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: tender.id, input: { minutes: "15", reason: "" } }),
    ).rejects.toMatchObject({ key: "errors.opening.reasonRequired" });
    await extendWindow(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: tender.id, input: { minutes: "15", reason: "平台故障，延长解密时间" } });
    await expect(
      extendWindow(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: tender.id, input: { minutes: "15", reason: "再延长一次" } }),
    ).rejects.toMatchObject({
      key: "errors.opening.extendedOnce",
    });
    ctx.clock.advance(16 * 60_000);
    expect(await startReading(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: tender.id })).toEqual({ failed: true });
    const statuses = (await database.db.select().from(schema.bidOpenings).where(eq(schema.bidOpenings.tenderId, tender.id))).map((r) => r.status).sort();
    expect(statuses).toEqual(["decrypted", "decrypted", "platform_withdrawn"]);
  });

  it("wakes a listener of the hall when an event commits (LISTEN/NOTIFY)", async () => {
    const { tender } = await tenderWithBids("村小学围墙", [18_000_000, 17_000_000, 16_000_000]);
    ctx.clock.set(tender.deadline);
    let woken = 0;
    const heard = new Promise<void>((resolve) => {
      void hallHub(database).subscribe(tender.id, () => {
        woken++;
        resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 50));
    await startDecryption(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: tender.id });
    await heard;
    expect(woken).toBeGreaterThan(0);
  });
});
