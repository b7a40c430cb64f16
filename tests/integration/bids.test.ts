// Sealed bids through the model, with ciphertext made by the real sealing script:
// who may bid, receipts, replacement, withdrawal, idempotency, the deadline at
// commit, tampering and replayed keys, and what the audit trail shows when.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAudit } from "~/models/audit.server";
import { addCompanyMember, removeCompanyMember } from "~/models/company.server";
import { busyProjectManagerIds, sealingHolders, ownBid, projectManagerChoices, resealBid, sealingScript, submitBid, withdrawBid, openBidsSealedTo } from "~/models/bid.server";
import { updateCountySettings, getCountySettings } from "~/models/county-settings.server";
import { schema } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { DEMO, makeContext, ORIGIN, post, run, unwrap } from "../helpers/app";
import * as sealRoute from "~/routes/notices.$id_.bid_.seal";
import * as uploadsRoute from "~/routes/uploads";
import * as accountRoute from "~/routes/account";
import { sealedBidMaxBytes } from "~/models/bid-rules";
import { createTestDb } from "../helpers/db";
import { asStateWriter } from "../helpers/state-writer";
import { preparedBidder, S, sealBid, steppedUp, submitInput, type Bidder } from "../helpers/bids";
import { pdfBytes, uploadSealed } from "../helpers/seal";
import { tenderFields, tenderKit } from "../helpers/tenders";
import { cookieFor } from "../helpers/app";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let kit: Awaited<ReturnType<typeof tenderKit>>;

const bidder = (phone: string) => preparedBidder(database, ctx, phone);

const PRICE_FEN = 18_765_432;
const MARK = "独特标记-青瓦白墙-90210";

const sealFor = (b: Bidder, tenderId: string, opts: { holders?: boolean; price?: number } = {}) =>
  sealBid(ctx, b, tenderId, { priceFen: opts.price ?? PRICE_FEN, mark: MARK, holders: opts.holders });
const input = submitInput;

async function tender(name: string, deadline = "2026-12-01T09:30") {
  const id = await kit.approvedProject(name, 20_000_000);
  const r = (await kit.publish(id, tenderFields({ deadline, bidSecurity: "3000" }), await cookieFor(ctx, DEMO.committeeA1))) as Response;
  expect(r.status).toBe(302);
  return kit.tenderOf(id);
}

let a: Bidder;
let b: Bidder;

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  kit = await tenderKit(database, ctx);
  a = await bidder(DEMO.contractor1);
  b = await bidder(DEMO.contractor2);
});
afterAll(async () => {
  await database?.close();
});

describe("sealed bids", () => {
  it("takes a sealed bid, gives a receipt with the server time and commitment, and the opened bid matches it", async () => {
    const t = await tender("村道硬化一期");
    const s = await sealFor(a, t.id);
    const receipt = await submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: input(s) });
    expect(receipt).toMatchObject({ seq: 1, kind: "sealed", commitment: s.sealed.commitment, ciphertextHash: s.sealed.ciphertextHash, scriptSha256: sealingScript().sha256 });
    expect(receipt.receivedAt.toISOString()).toBe(ctx.clock.now().toISOString());

    // What the platform holds opens, with the bidder's passkey secret, into exactly the committed bid.
    const own = await ownBid(database.db, t.id, a.companyId);
    expect(own?.status).toBe("sealed");
    const chunks: Buffer[] = [];
    for await (const c of ctx.files.get(receipt.ciphertextHash!)) chunks.push(Buffer.from(c));
    const stored = new Uint8Array(Buffer.concat(chunks));
    const passkeyWrap = own!.wraps.find((w) => w.kind === "passkey")!;
    const key = await S.unwrapWithPrf(passkeyWrap as never, a.prf, { tenderId: t.id, submissionId: s.submissionId });
    const opened = await S.open(
      stored,
      key,
      { tenderId: t.id, submissionId: s.submissionId },
      { ciphertextHash: receipt.ciphertextHash!, plaintextHash: receipt.plaintextHash!, commitment: receipt.commitment },
    );
    expect(opened.manifest.priceFen).toBe(PRICE_FEN);
  });

  it("keeps every version's receipt on replacement and withdrawal; only the last counts", async () => {
    const t = await tender("村道硬化二期");
    const first = await submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: input(await sealFor(a, t.id)) });
    ctx.clock.advance(60_000);
    // Replacing and withdrawing need more than the password: here, a step-up code the session proved (bid-proof.test.ts).
    const proof = await steppedUp(ctx, a);
    const second = await submitBid(database.db, {
      clock: ctx.clock,
      store: ctx.files,
      actor: a.actor,
      companyId: a.companyId,
      tenderId: t.id,
      raw: input(await sealFor(a, t.id, { price: PRICE_FEN - 100 })),
      proof,
    });
    expect(second.seq).toBe(2);
    expect(second.commitment).not.toBe(first.commitment);
    ctx.clock.advance(60_000);
    const w = await withdrawBid(database.db, { clock: ctx.clock, actor: a.actor, companyId: a.companyId, tenderId: t.id, submissionId: randomUUID(), proof });
    expect(w.kind).toBe("withdrawal");
    const own = await ownBid(database.db, t.id, a.companyId);
    expect(own?.status).toBe("withdrawn");
    expect(own?.receipts.map((r) => [r.seq, r.kind])).toEqual([
      [3, "withdrawal"],
      [2, "sealed"],
      [1, "sealed"],
    ]);
    await expect(withdrawBid(database.db, { clock: ctx.clock, actor: a.actor, companyId: a.companyId, tenderId: t.id, submissionId: randomUUID(), proof })).rejects.toMatchObject({
      key: "errors.bid.nothingToWithdraw",
    });
    // Bidding again after withdrawing is a new sealed version.
    const again = await submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: input(await sealFor(a, t.id)) });
    expect(again.seq).toBe(4);
  });

  it("answers a double submit with the same receipt, and refuses the idempotency key for another bid", async () => {
    const t = await tender("排水沟改造");
    const s = await sealFor(a, t.id);
    const [one, two] = await Promise.all([
      submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: input(s) }),
      submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: input(s) }),
    ]);
    expect(two.id).toBe(one.id);
    const versions = await database.db.select().from(schema.bidVersions).where(eq(schema.bidVersions.submissionId, s.submissionId));
    expect(versions).toHaveLength(1);
    const other = await sealFor(a, t.id);
    await expect(
      submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: input(other, { submissionId: s.submissionId }) }),
    ).rejects.toMatchObject({
      key: "errors.bid.submissionReused",
    });
  });

  it("takes bids of different companies side by side, and one company's two submissions one after the other", async () => {
    const t = await tender("并发投标的村道");
    const [a1, a2, b1] = await Promise.all([sealFor(a, t.id), sealFor(a, t.id, { price: PRICE_FEN - 500 }), sealFor(b, t.id)]);
    const proof = await steppedUp(ctx, a); // whichever of a's two comes second replaces the first
    const receipts = await Promise.all([
      submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: input(a1), proof }),
      submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: b.actor, companyId: b.companyId, tenderId: t.id, raw: input(b1) }),
      submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: input(a2), proof }),
    ]);
    // Company a's two versions are numbered 1 and 2, whichever came first; b's is its first.
    expect([receipts[0].seq, receipts[2].seq].sort()).toEqual([1, 2]);
    expect(receipts[1].seq).toBe(1);
    const rows = await database.db.select().from(schema.bids).where(eq(schema.bids.tenderId, t.id));
    expect(rows.map((r) => [r.companyId, r.currentVersion]).sort()).toEqual(
      [
        [a.companyId, 2],
        [b.companyId, 1],
      ].sort(),
    );
    const last = receipts[0].seq === 2 ? receipts[0] : receipts[2];
    expect((await ownBid(database.db, t.id, a.companyId))?.current.id).toBe(last.id);
  });

  it("decides a submit racing the deadline by the server's clock at commit, and refuses every bid act after it", async () => {
    const clock = ctx.clock;
    const t = await tender("文化礼堂修缮", "2026-11-26T10:00");
    const s = await sealFor(a, t.id);
    clock.set(new Date(t.deadline.getTime() - 1));
    const ok = await submitBid(database.db, { clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: input(s) });
    expect(ok.receivedAt.getTime()).toBeLessThan(t.deadline.getTime());
    clock.set(t.deadline);
    const late = await sealFor(a, t.id);
    await expect(submitBid(database.db, { clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: input(late) })).rejects.toMatchObject({
      key: "errors.bid.closed",
    });
    await expect(withdrawBid(database.db, { clock, actor: a.actor, companyId: a.companyId, tenderId: t.id, submissionId: randomUUID() })).rejects.toMatchObject({
      key: "errors.bid.closed",
    });
    const current = await ownBid(database.db, t.id, a.companyId);
    await expect(
      resealBid(database.db, { clock, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: { versionId: current!.current.id, retire: [], wraps: [] } }),
    ).rejects.toMatchObject({
      key: "errors.bid.closed",
    });
    // The receipt given before the deadline still stands.
    expect(current?.current.id).toBe(ok.id);
    clock.set(new Date("2026-11-20T02:00:00Z"));
  });

  it("refuses a bid from a company not in good standing, and from anyone not a contractor", async () => {
    const t = await tender("公厕改造");
    const expired = await bidder("13900000012"); // one of its qualifications has expired: flagged, and it blocks bidding
    await expect(
      submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: expired.actor, companyId: expired.companyId, tenderId: t.id, raw: input(await sealFor(expired, t.id)) }),
    ).rejects.toMatchObject({
      key: "errors.company.qualificationExpired",
    });
    const pending = await bidder("13900000016"); // not yet admitted to the pool
    await expect(
      submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: pending.actor, companyId: pending.companyId, tenderId: t.id, raw: input(await sealFor(pending, t.id)) }),
    ).rejects.toMatchObject({
      key: "errors.company.notInPool",
    });
    const asCommittee = { ...a.actor, role: "committee" as const };
    await expect(
      submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: asCommittee, companyId: a.companyId, tenderId: t.id, raw: input(await sealFor(a, t.id)) }),
    ).rejects.toMatchObject({ options: { status: 403 } });
    expect(await database.db.select().from(schema.bids).where(eq(schema.bids.tenderId, t.id))).toEqual([]);
  });

  it("refuses a tampered ciphertext, a wrong commitment, a stranger's passkey, a replayed wrapped key and an unfinished upload — keeping nothing", async () => {
    const t = await tender("桥梁加固");
    const s = await sealFor(a, t.id);
    // Bytes that are not the ones committed to.
    const flipped = Uint8Array.from(s.sealed.ciphertext);
    flipped[40] ^= 1;
    const tampered = await uploadSealed(ctx, a.userId, flipped);
    await expect(
      submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: input(s, { uploadId: tampered }) }),
    ).rejects.toMatchObject({
      key: "errors.bid.ciphertextMismatch",
    });
    await expect(
      submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: input(s, { commitment: "0".repeat(64) }) }),
    ).rejects.toMatchObject({
      key: "errors.bid.commitmentMismatch",
    });
    // Sealed to another company's member.
    const foreign = await sealFor(a, t.id);
    const wraps = foreign.sealed.wraps.map((w) => (w.kind === "passkey" ? { ...w, credentialId: b.credentialId } : w));
    await expect(
      submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: input(foreign, { wraps }) }),
    ).rejects.toMatchObject({ key: "errors.bid.unknownHolder" });
    // No backup key, or someone else's upload.
    await expect(
      submitBid(database.db, {
        clock: ctx.clock,
        store: ctx.files,
        actor: a.actor,
        companyId: a.companyId,
        tenderId: t.id,
        raw: input(s, { wraps: s.sealed.wraps.filter((w) => w.kind !== "backup") }),
      }),
    ).rejects.toMatchObject({
      key: "errors.bid.backupWrap",
    });
    await expect(submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: b.actor, companyId: b.companyId, tenderId: t.id, raw: input(s) })).rejects.toMatchObject({
      key: "errors.upload.unknown",
    });
    // A server that died mid-upload: the upload is unfinished, so there is no bid.
    const half = await sealFor(a, t.id);
    const partial = await uploadSealed(ctx, a.userId, half.sealed.ciphertext, { complete: false });
    await expect(
      submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: input(half, { uploadId: partial }) }),
    ).rejects.toMatchObject({
      key: "errors.upload.incomplete",
    });
    // A PDF (or anything not sealed) is refused at upload time.
    await expect(uploadSealed(ctx, a.userId, pdfBytes("明文投标"))).rejects.toMatchObject({ key: "errors.upload.notSealed" });
    expect(await database.db.select().from(schema.bids).where(eq(schema.bids.tenderId, t.id))).toEqual([]);

    // The genuine bid goes in; its wrapped key replayed into another tender's bid is refused.
    await submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: input(s) });
    const t2 = await tender("桥梁加固二标");
    const s2 = await sealFor(a, t2.id);
    await expect(
      submitBid(database.db, {
        clock: ctx.clock,
        store: ctx.files,
        actor: a.actor,
        companyId: a.companyId,
        tenderId: t2.id,
        raw: input(s2, { wraps: [s.sealed.wraps[0], s2.sealed.wraps[1]] }),
      }),
    ).rejects.toMatchObject({
      key: "errors.bid.wrapReplayed",
    });
    expect(await database.db.select().from(schema.bids).where(eq(schema.bids.tenderId, t2.id))).toEqual([]);
  });

  it("hides bid acts from the audit page until the deadline, then shows who and when", async () => {
    const t = await tender("路灯安装", "2026-11-27T09:30");
    await submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: input(await sealFor(a, t.id)) });
    const scope = { townshipId: kit.townshipId, objectType: "bid", limit: 500 };
    const before = await listAudit(database.db, scope, ctx.clock.now());
    expect(before.filter((r) => (r.summary as { sealedTender?: string }).sealedTender === t.id)).toEqual([]);
    // Left out in the query, not after it: a page of one row is still one row (the newest act is the hidden bid).
    const page = await listAudit(database.db, { townshipId: kit.townshipId, limit: 1 }, ctx.clock.now());
    expect(page).toHaveLength(1);
    expect(page[0].action).not.toMatch(/^bid\./);
    const after = await listAudit(database.db, scope, new Date(t.deadline.getTime() + 1));
    const rows = after.filter((r) => (r.summary as { sealedTender?: string }).sealedTender === t.id);
    expect(rows.map((r) => r.action)).toEqual(["bid.submit"]);
    expect(rows[0].actorUserId).toBe(a.userId);
  });

  it("keeps a project manager with an awarded, unfinished contract off new bids, per the county setting", async () => {
    const t = await tender("水渠清淤");
    await submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: input(await sealFor(a, t.id)) });
    const [p] = await database.db.select().from(schema.projects).where(eq(schema.projects.id, t.projectId));
    expect((await projectManagerChoices(database.db, a.companyId, p.countyId)).find((m) => m.id === a.pmId)?.busy).toBe(false);
    // What the opening and the award (later stages) record for the winner.
    await database.db.update(schema.bids).set({ openedProjectManagerId: a.pmId, awardedAt: ctx.clock.now() }).where(eq(schema.bids.tenderId, t.id));
    expect([...(await busyProjectManagerIds(database.db, a.companyId))]).toEqual([a.pmId]);
    expect((await projectManagerChoices(database.db, a.companyId, p.countyId)).find((m) => m.id === a.pmId)?.busy).toBe(true);
    const settings = await getCountySettings(database.db, p.countyId);
    await updateCountySettings(database.db, {
      clock: ctx.clock,
      actor: { userId: null, role: "county_admin" as const, ip: null },
      countyId: p.countyId,
      value: { ...settings, blockBusyProjectManagers: false },
    });
    expect((await projectManagerChoices(database.db, a.companyId, p.countyId)).find((m) => m.id === a.pmId)?.busy).toBe(false);
    await updateCountySettings(database.db, { clock: ctx.clock, actor: { userId: null, role: "county_admin" as const, ip: null }, countyId: p.countyId, value: settings });
    // Once the project is finished the manager is free again.
    await asStateWriter(database.db, "project", (tx) => tx.update(schema.projects).set({ state: "completed" }).where(eq(schema.projects.id, t.projectId)));
    expect((await busyProjectManagerIds(database.db, a.companyId)).size).toBe(0);
  });

  it("re-seals an open bid to the remaining passkeys when one is being removed", async () => {
    const t = await tender("村委会办公楼维修");
    const s = await sealFor(a, t.id);
    await submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: input(s) });
    expect((await openBidsSealedTo(database.db, a.credentialId, ctx.clock.now())).map((r) => r.tenderId)).toContain(t.id);
    // A second passkey of the same member, prepared after the bid was sealed.
    const prf2 = crypto.getRandomValues(new Uint8Array(32));
    const cred2 = `cred-second-${randomUUID().slice(0, 8)}`;
    await database.db.insert(schema.passkeys).values({
      id: cred2,
      userId: a.userId,
      name: "U盾",
      publicKey: Buffer.alloc(65, 2),
      counter: 0,
      transports: ["usb"],
      deviceType: "singleDevice",
      backedUp: false,
      prfEnabled: true,
      openingPublicKey: (await S.openingKeyFromPrf(prf2)).publicKey,
      createdAt: ctx.clock.now(),
    });
    // The browser opens the data key with the backup code and wraps it for the new passkey.
    const own = await ownBid(database.db, t.id, a.companyId);
    const ctxIds = { tenderId: t.id, submissionId: s.submissionId };
    const backupWrap = own!.wraps.find((w) => w.kind === "backup")!;
    const key = await S.unwrapWithBackup(backupWrap as never, s.sealed.backupCode, ctxIds);
    const [wrap2] = await S.rewrap(key, [{ credentialId: cred2, publicKey: (await S.openingKeyFromPrf(prf2)).publicKey }], ctxIds);
    await expect(
      resealBid(database.db, {
        clock: ctx.clock,
        actor: a.actor,
        companyId: a.companyId,
        tenderId: t.id,
        raw: { versionId: own!.current.id, retire: [a.credentialId], wraps: [wrap2] },
      }),
    ).resolves.toEqual({
      added: 1,
      retired: 1,
    });
    expect((await openBidsSealedTo(database.db, a.credentialId, ctx.clock.now())).map((r) => r.tenderId)).not.toContain(t.id);
    expect((await openBidsSealedTo(database.db, cred2, ctx.clock.now())).map((r) => r.tenderId)).toEqual([t.id]);
    // The new passkey opens the same data key; the removed one's wrap no longer counts.
    const now = await ownBid(database.db, t.id, a.companyId);
    expect(now!.wraps.map((w) => w.credentialId)).toEqual(expect.arrayContaining([cred2, null]));
    expect(now!.wraps.some((w) => w.credentialId === a.credentialId)).toBe(false);
    const viaNew = await S.unwrapWithPrf(now!.wraps.find((w) => w.credentialId === cred2) as never, prf2, ctxIds);
    expect(Buffer.from(viaNew).equals(Buffer.from(key))).toBe(true);
  });
});

describe("sealing to several members of the company", () => {
  it("seals to a colleague's passkey too, so either can open; a colleague taken off the company no longer can be sealed to", async () => {
    const t = await tender("村小学围墙");
    const colleague = await addCompanyMember(database.db, {
      clock: ctx.clock,
      actor: a.actor,
      companyId: a.companyId,
      fields: {
        memberName: "陈小明",
        memberPhone: "13957000099",
        memberPassword: "chenxiaoming-2026",
      },
    });
    const prf = crypto.getRandomValues(new Uint8Array(32));
    await database.db.insert(schema.passkeys).values({
      id: "cred-colleague",
      userId: colleague.id,
      name: "陈小明的U盾",
      publicKey: Buffer.alloc(65, 3),
      counter: 0,
      transports: ["usb"],
      deviceType: "singleDevice",
      backedUp: false,
      prfEnabled: true,
      openingPublicKey: (await S.openingKeyFromPrf(prf)).publicKey,
      createdAt: ctx.clock.now(),
    });
    const holders = await sealingHolders(database.db, a.companyId);
    expect(holders.map((h) => h.credentialId)).toEqual(expect.arrayContaining([a.credentialId, "cred-colleague"]));
    // Another company's members are never offered.
    expect(holders.some((h) => h.credentialId === b.credentialId)).toBe(false);

    const submissionId = randomUUID();
    const sealed = await S.seal(
      {
        priceFen: PRICE_FEN,
        durationDays: 20,
        projectManagerId: a.pmId,
        quality: "合格",
        security: { method: "transfer", amountFen: 300_000, date: "2026-11-19", reference: "流水-1" },
      },
      [{ name: "标书.pdf", bytes: pdfBytes(MARK) }],
      { tenderId: t.id, submissionId, holders: holders.map((h) => ({ credentialId: h.credentialId, publicKey: h.publicKey })) },
    );
    const uploadId = await uploadSealed(ctx, a.userId, sealed.ciphertext);
    await submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: input({ sealed, submissionId, uploadId }) });
    const own = await ownBid(database.db, t.id, a.companyId);
    const theirs = own!.wraps.find((w) => w.credentialId === "cred-colleague")!;
    const mine = own!.wraps.find((w) => w.credentialId === a.credentialId)!;
    const ids = { tenderId: t.id, submissionId };
    expect(Buffer.from(await S.unwrapWithPrf(theirs as never, prf, ids)).equals(Buffer.from(await S.unwrapWithPrf(mine as never, a.prf, ids)))).toBe(true);
    const [wrapRow] = await database.db.select().from(schema.bidKeyWraps).where(eq(schema.bidKeyWraps.credentialId, "cred-colleague"));
    expect(wrapRow.userId).toBe(colleague.id);

    await removeCompanyMember(database.db, { clock: ctx.clock, actor: a.actor, companyId: a.companyId, userId: colleague.id });
    expect((await sealingHolders(database.db, a.companyId)).some((h) => h.credentialId === "cred-colleague")).toBe(false);
    const next = await sealFor(a, t.id);
    const extra = (
      await S.seal({ priceFen: 1, durationDays: 1, projectManagerId: "x", quality: "x", security: {} }, [], {
        ...ids,
        submissionId: next.submissionId,
        holders: [{ credentialId: "cred-colleague", publicKey: (await S.openingKeyFromPrf(prf)).publicKey }],
      })
    ).wraps[0];
    await expect(
      submitBid(database.db, {
        clock: ctx.clock,
        store: ctx.files,
        actor: a.actor,
        companyId: a.companyId,
        tenderId: t.id,
        raw: input(next, { wraps: [...next.sealed.wraps, extra] }),
      }),
    ).rejects.toMatchObject({
      key: "errors.bid.unknownHolder",
    });
  });
});

describe("bid routes", () => {
  const json = (path: string, body: unknown, cookie: string) =>
    new Request(new URL(path, ORIGIN), { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json", Origin: ORIGIN, Cookie: cookie } });

  it("answers malformed sealed-bid posts with a clear error and keeps nothing", async () => {
    const t = await tender("农田灌溉渠");
    const cookie = await cookieFor(ctx, DEMO.contractor1);
    const s = await sealFor(a, t.id);
    const send = async (body: unknown) => {
      const res = (await run(sealRoute.action, json(`/notices/${t.id}/bid/seal`, body, cookie), ctx, { id: t.id })) as Response;
      return { status: res.status, body: (await res.json()) as { error?: string; receipt?: { commitment: string } } };
    };
    expect(await send({ intent: "submit", ...input(s), wraps: [{ kind: "backup", iv: "x", wrapped: "y" }] })).toEqual({ status: 400, body: { error: "errors.bid.badWrap" } });
    expect(await send({ intent: "submit", ...input(s), submissionId: "not-a-uuid" })).toEqual({ status: 400, body: { error: "errors.bid.submissionId" } });
    expect(await send({ intent: "submit", ...input(s), scriptSha256: "f".repeat(64) })).toEqual({ status: 409, body: { error: "errors.bid.oldScript" } });
    expect(await send({ intent: "nonsense" })).toEqual({ status: 400, body: { error: "errors.invalidInput" } });
    expect(await database.db.select().from(schema.bids).where(eq(schema.bids.tenderId, t.id))).toEqual([]);
    const ok = await send({ intent: "submit", ...input(s) });
    expect(ok.status).toBe(200);
    expect(ok.body.receipt?.commitment).toBe(s.sealed.commitment);
  });

  it("refuses a sealed upload larger than the county allows before a byte is sent", async () => {
    const cookie = await cookieFor(ctx, DEMO.contractor1);
    const settings = await getCountySettings(database.db, (await database.db.select().from(schema.orgs).where(eq(schema.orgs.name, "青山县")))[0].id);
    const limit = sealedBidMaxBytes(settings.uploadMaxMegabytes * 1024 * 1024);
    const create = (length: number) =>
      run(
        uploadsRoute.action,
        new Request(new URL("/uploads", ORIGIN), {
          method: "POST",
          headers: {
            "Tus-Resumable": "1.0.0",
            Origin: ORIGIN,
            Cookie: cookie,
            "Upload-Length": String(length),
            "Upload-Metadata": `filename ${btoa("bid.sealed")},kind ${btoa("sealed")}`,
          },
        }),
        ctx,
      ) as Promise<Response>;
    expect((await create(limit + 1)).status).toBe(413);
    expect((await create(limit)).status).toBe(201);
    // A PDF upload keeps the per-file limit.
    expect(limit).toBeGreaterThan(settings.uploadMaxMegabytes * 1024 * 1024);
  });

  it("warns before removing a passkey that seals an open bid, and removes it once confirmed", async () => {
    const t = await tender("村口停车场");
    const s = await sealFor(a, t.id);
    await submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: t.id, raw: input(s) });
    // Signed in with a passkey: no second factor asked (account-recovery.test.ts covers password sessions).
    const cookie = await cookieFor(ctx, DEMO.contractor1, "passkey");
    const warned = unwrap(await run(accountRoute.action, post("/account", { intent: "remove-passkey", passkeyId: a.credentialId }, cookie), ctx));
    expect(warned.status).toBe(409);
    expect(warned.data.sealing.bids.map((b: { tenderId: string }) => b.tenderId)).toContain(t.id);
    expect(await database.db.select().from(schema.passkeys).where(eq(schema.passkeys.id, a.credentialId))).toHaveLength(1);
    const removed = unwrap(await run(accountRoute.action, post("/account", { intent: "remove-passkey", passkeyId: a.credentialId, confirm: "yes" }, cookie), ctx));
    expect(removed.data).toEqual({ done: "account.passkeyRemoved" });
    expect(await database.db.select().from(schema.passkeys).where(eq(schema.passkeys.id, a.credentialId))).toHaveLength(0);
    // The wrap stays on record (the passkey's holder could still open it if the passkey lives on elsewhere); the backup key remains the remedy.
    const own = await ownBid(database.db, t.id, a.companyId);
    expect(own!.wraps.map((w) => w.kind).sort()).toEqual(["backup", "passkey"]);
    // Another user's passkey id gets no warning and no removal: not found, as if it were not there.
    const other = unwrap(await run(accountRoute.action, post("/account", { intent: "remove-passkey", passkeyId: b.credentialId }, cookie), ctx));
    expect(other.status).toBe(404);
    expect(await database.db.select().from(schema.passkeys).where(eq(schema.passkeys.id, b.credentialId))).toHaveLength(1);
    a = await bidder(DEMO.contractor1); // a fresh passkey for any later test
  });
});
