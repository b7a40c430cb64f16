// Issue 18, finding 4: sealed fields the server never checked. Bids are sealed by the real sealing
// script with crafted manifests (what a bidder who skips the page's checks can send) and opened with
// keys unwrapped the way the bidder's browser does. Every out-of-bounds field is recorded at the
// opening as submitted (or 无法识别) with its legal reason, read out at the price reading, and comes
// pre-filled for rejection in the panel's qualification check — never an exception, never a database
// error, never a platform incident. A genuine platform fault is an incident that shows no internals.
import { and, eq } from "drizzle-orm";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { reasonKeys } from "~/models/bid-rules";
import { commitmentOf, submitBid } from "~/models/bid.server";
import { getCountySettings, updateCountySettings } from "~/models/county-settings.server";
import { bidsUnderEvaluation, submitChecks } from "~/models/evaluation.server";
import { hallEventsAfter } from "~/models/hall-events.server";
import { closeOpening, decryptionMaterial, extendWindow, readingRows, startDecryption, startReading, submitDataKey } from "~/models/opening.server";
import * as decryptRoute from "~/routes/notices.$id_.hall_.decrypt";
import * as evaluationRoute from "~/routes/evaluations.$id";
import { schema, type MemberRole } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { cookieFor, DEMO, get, makeContext, ORIGIN, run, unwrap } from "../helpers/app";
import { preparedBidder, S, sealBid, submitInput, type Bidder } from "../helpers/bids";
import { createTestDb } from "../helpers/db";
import { sittingPanel } from "../helpers/evaluation";
import { serveApp } from "../helpers/html";
import { pdfBytes } from "../helpers/seal";
import { tenderFields, tenderKit } from "../helpers/tenders";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let kit: Awaited<ReturnType<typeof tenderKit>>;
let host: { userId: string; role: MemberRole; ip: string };
let villageId: string;
let countyId: string;
const bidders: Bidder[] = [];

// The companies of 青山镇's pool that may bid (the demo's third has an expired qualification): one bid each per tender.
const PHONES = ["13900000010", "13900000011", "13900000013", "13900000014", "13900000015"];
const START = new Date("2026-11-20T02:00:00Z");
// Ceiling ¥200 000.00 (approvedProject), planned duration 30 days, security ¥3 000.00, deadline 26 Nov 10:00 Beijing;
// with the county's bid validity of 90 days a guarantee must run until 2027-02-24.
const CEILING = 20_000_000;
const GUARANTEE = { method: "guarantee", amountFen: 300_000, issuer: "青山农商银行", number: "BH-2026-0001", validUntil: "2027-02-24" };
const r = (k: string) => `opening.reason.${k}`;

interface Case {
  what: string;
  bid?: Record<string, unknown>;
  files?: { name: string; bytes: Uint8Array }[];
  reasons: string[];
  stored?: Partial<typeof schema.bidOpenings.$inferSelect>;
}

const NUL = "\u0000";

/** A tender with one bid per case (bidder i seals case i), decrypted through the model in the window. */
async function openTender(name: string, cases: Case[], settings?: Parameters<typeof updateCountySettings>[1]["value"]) {
  ctx.clock.set(START);
  const projectId = await kit.approvedProject(name, CEILING);
  const res = (await kit.publish(projectId, tenderFields({ deadline: "2026-11-26T10:00", bidSecurity: "3000" }), await cookieFor(ctx, DEMO.committeeA1))) as Response;
  expect(res.status).toBe(302);
  const tender = await kit.tenderOf(projectId);
  const bidIds: string[] = [];
  for (const [i, c] of cases.entries()) {
    const s = await sealBid(ctx, bidders[i], tender.id, { priceFen: 18_000_000 + i * 1000, mark: `${name}-${i}`, bid: c.bid, files: c.files });
    await submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: bidders[i].actor, companyId: bidders[i].companyId, tenderId: tender.id, raw: submitInput(s) });
    bidIds.push(await bidOf(tender.id, bidders[i]));
  }
  ctx.clock.set(tender.deadline);
  expect(await startDecryption(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: tender.id })).toEqual({ failed: false });
  const before = settings ? await getCountySettings(database.db, countyId) : null;
  if (settings) await updateCountySettings(database.db, { clock: ctx.clock, actor: { userId: null, role: "county_admin" as const, ip: null }, countyId, value: settings });
  try {
    for (const i of cases.keys()) expect(await decrypt(i, tender.id), cases[i].what).toEqual({ ok: true, status: "decrypted" });
  } finally {
    if (before) await updateCountySettings(database.db, { clock: ctx.clock, actor: { userId: null, role: "county_admin" as const, ip: null }, countyId, value: before });
  }
  return { tenderId: tender.id, projectId, bidIds };
}

async function bidOf(tenderId: string, b: Bidder) {
  const [bid] = await database.db
    .select({ id: schema.bids.id })
    .from(schema.bids)
    .where(and(eq(schema.bids.tenderId, tenderId), eq(schema.bids.companyId, b.companyId)));
  return bid.id;
}

async function dataKeyOf(b: Bidder, tenderId: string) {
  const m = (await decryptionMaterial(database.db, ctx.clock, b.companyId, tenderId))!;
  const wrap = m.wraps.find((w) => w.credentialId === b.credentialId)!;
  return Buffer.from(await S.unwrapWithPrf(wrap as never, b.prf, { tenderId, submissionId: m.submissionId })).toString("base64url");
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

async function rowsOf(tenderId: string, bidIds: string[]) {
  const rows = await database.db.select().from(schema.bidOpenings).where(eq(schema.bidOpenings.tenderId, tenderId));
  return bidIds.map((id) => rows.find((row) => row.bidId === id)!);
}

async function kinds(tenderId: string) {
  return (await hallEventsAfter(database.db, tenderId, 0)).map((e) => e.kind);
}

/** Each case recorded as opened, with exactly its reasons and the values as stored; nothing went wrong in the hall. */
async function expectRecorded(tenderId: string, bidIds: string[], cases: Case[]) {
  const rows = await rowsOf(tenderId, bidIds);
  for (const [i, c] of cases.entries()) {
    expect(rows[i].status, c.what).toBe("decrypted");
    expect(reasonKeys(rows[i].reason), c.what).toEqual(c.reasons);
    if (c.stored) expect(rows[i], c.what).toMatchObject(c.stored);
  }
  expect(await kinds(tenderId)).not.toContain("incident");
  expect(await kinds(tenderId)).not.toContain("decrypt_failed");
  return rows;
}

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  kit = await tenderKit(database, ctx);
  villageId = kit.villageId;
  const [v] = await database.db.select().from(schema.orgs).where(eq(schema.orgs.id, villageId));
  countyId = v.countyId!;
  for (const p of PHONES) bidders.push(await preparedBidder(database, ctx, p));
  const [u] = await database.db.select().from(schema.users).where(eq(schema.users.phone, DEMO.committeeA1));
  host = { userId: u.id, role: "committee" as const, ip: "203.0.113.50" };
});
afterAll(async () => {
  await database?.close();
});

describe("prices outside the tender's terms", () => {
  const cases: Case[] = [
    { what: "above the ceiling", bid: { priceFen: 25_000_000 }, reasons: [r("aboveCeiling")], stored: { priceFen: 25_000_000 } },
    { what: "zero", bid: { priceFen: 0 }, reasons: [r("priceNotPositive")], stored: { priceFen: 0 } },
    { what: "a fraction of a fen", bid: { priceFen: 1_234_567.5 }, reasons: [r("priceUnreadable")], stored: { priceFen: null } },
    { what: "above 2^63 (a bigint cannot hold it)", bid: { priceFen: 2 ** 63 + 2 ** 12 }, reasons: [r("priceUnreadable")], stored: { priceFen: null } },
    { what: "an honest bid, the control", reasons: [], stored: { priceFen: 18_004_000, securityOk: true } },
  ];
  let opened: Awaited<ReturnType<typeof openTender>>;

  beforeAll(async () => {
    opened = await openTender("报价越界测试 村道", cases);
  });

  it("records each as submitted or unrecognisable, with its legal reason, and none as an incident", async () => {
    await expectRecorded(opened.tenderId, opened.bidIds, cases);
  });

  it("reads them out at the price reading, marked for the panel; the opening does not decide validity", async () => {
    // Five opened bids: the reading goes ahead (the panel, not the opening, rejects the marked ones).
    expect(await startReading(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: opened.tenderId })).toEqual({ failed: false });
    const rows = await readingRows(database.db, opened.tenderId);
    expect(rows.map((x) => x.price)).toEqual(["¥250,000.00", "¥0.00", null, null, "¥180,040.00"]);
    expect(rows.map((x) => reasonKeys(x.reason))).toEqual(cases.map((c) => c.reasons));
  });

  it("comes to the panel's qualification check filled in for rejection with the reasons; an unreadable price cannot pass", async () => {
    ctx.clock.advance(11 * 60_000);
    await closeOpening(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: opened.tenderId });
    const experts = await sittingPanel(database, ctx, { tenderId: opened.tenderId, host, villageId });
    const under = await bidsUnderEvaluation(database.db, opened.tenderId);
    const byBid = new Map(under.map((b) => [b.bidId, b]));
    expect(opened.bidIds.map((id) => byBid.get(id)?.openingReasons)).toEqual(cases.map((c) => c.reasons));

    // The page: every marked bid's "not qualified" is chosen and its reason written in, in the reader's words.
    const cookie = await cookieFor(ctx, experts[0].phone, "passkey");
    const page = unwrap(await run(evaluationRoute.loader, get(`/evaluations/${opened.tenderId}`, cookie), ctx, { id: opened.tenderId }));
    expect(page.status).toBe(200);
    expect(page.data.bids.find((b: { bidId: string }) => b.bidId === opened.bidIds[2]).price).toBeNull();
    const app = await serveApp(ctx);
    try {
      const html = await (await fetch(`${app.url}/evaluations/${opened.tenderId}`, { headers: { Cookie: cookie } })).text();
      const fieldset = (bidId: string) => html.slice(html.indexOf(`data-testid="check-${bidId}"`), html.indexOf("</fieldset>", html.indexOf(`data-testid="check-${bidId}"`)));
      const chosen = (part: string) => [...part.matchAll(/<input [^>]*>/g)].filter((m) => m[0].includes('checked=""')).map((m) => /value="(\w+)"/.exec(m[0])![1]);
      const above = fieldset(opened.bidIds[0]);
      expect(chosen(above)).toEqual(["no"]);
      expect(above).toMatch(/<textarea[^>]*>投标报价高于最高投标限价<\/textarea>/);
      expect(fieldset(opened.bidIds[2])).toContain("无法识别");
      expect(fieldset(opened.bidIds[2])).toContain("投标报价无法识别");
      const honest = fieldset(opened.bidIds[4]);
      expect(chosen(honest)).toEqual([]);
      expect(honest).not.toContain("开标时记录的问题");
    } finally {
      await app.close();
    }

    // A member who passes a bid nobody could read the price of is refused; rejecting with the reasons is accepted.
    const passAll = opened.bidIds.map((bidId) => ({ bidId, pass: true }));
    await expect(submitChecks(database.db, { clock: ctx.clock, actor: experts[0].actor, tenderId: opened.tenderId, checks: passAll })).rejects.toMatchObject({
      key: "errors.evaluation.unreadablePrice",
    });
    const checks = opened.bidIds.map((bidId, i) => ({ bidId, pass: cases[i].reasons.length === 0, reason: cases[i].reasons.join("；") || undefined }));
    expect(await submitChecks(database.db, { clock: ctx.clock, actor: experts[0].actor, tenderId: opened.tenderId, checks })).toEqual({ locked: false });
  });
});

describe("durations outside the tender's terms", () => {
  const cases: Case[] = [
    { what: "9 999 days (the plan is 30)", bid: { durationDays: 9999 }, reasons: [r("durationTooLong")], stored: { durationDays: 9999 } },
    { what: "negative", bid: { durationDays: -5 }, reasons: [r("durationNotPositive")], stored: { durationDays: -5 } },
    {
      what: "zero, and a price that is text",
      bid: { durationDays: 0, priceFen: "18000000" },
      reasons: [r("priceUnreadable"), r("durationNotPositive")],
      stored: { durationDays: 0, priceFen: null },
    },
    {
      what: "2^31 + 1 (an integer column cannot hold it), and a price that is NaN (sealed as null)",
      bid: { durationDays: 2 ** 31 + 1, priceFen: Number.NaN },
      reasons: [r("priceUnreadable"), r("durationTooLong")],
      stored: { durationDays: 2 ** 31 + 1, priceFen: null },
    },
    {
      what: "a negative price, a fractional duration",
      bid: { priceFen: -5, durationDays: 1.5 },
      reasons: [r("priceNotPositive"), r("durationUnreadable")],
      stored: { priceFen: -5, durationDays: null },
    },
  ];
  let opened: Awaited<ReturnType<typeof openTender>>;

  beforeAll(async () => {
    opened = await openTender("工期越界测试 水渠", cases);
  });

  it("records each as submitted or unrecognisable, with its legal reason", async () => {
    await expectRecorded(opened.tenderId, opened.bidIds, cases);
  });

  it("shows them in the hall at the reading: as submitted, 无法识别 where nothing could be read, each with its reason", async () => {
    await startReading(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: opened.tenderId });
    const app = await serveApp(ctx);
    try {
      const html = await (await fetch(`${app.url}/notices/${opened.tenderId}/hall`, { headers: { Cookie: await cookieFor(ctx, PHONES[0]) } })).text();
      const table = html.slice(html.indexOf('data-testid="hall-rows"'), html.indexOf("</table>", html.indexOf('data-testid="hall-rows"')));
      expect(table).toContain("9999");
      expect(table).toContain("2147483649");
      expect(table).toContain("工期超过招标文件要求（重大偏差）");
      expect(table).toContain("工期不是正整数天数");
      expect(table).toContain("提请评审小组审查：");
      expect(table.match(/无法识别/g)?.length).toBeGreaterThanOrEqual(3);
    } finally {
      await app.close();
    }
  });
});

describe("quality, security and the project manager outside the tender's terms", () => {
  let cases: Case[];
  let opened: Awaited<ReturnType<typeof openTender>>;

  beforeAll(async () => {
    const [pm] = await database.db.select().from(schema.projectManagers).where(eq(schema.projectManagers.id, bidders[3].pmId));
    cases = [
      { what: "quality of 2 001 characters", bid: { quality: "优".repeat(2001) }, reasons: [r("quality")], stored: { quality: "优".repeat(2001) } },
      { what: "quality with control characters", bid: { quality: "合格\u0007\u001b[2J" }, reasons: [r("quality")], stored: { quality: "合格\u0007\u001b[2J" } },
      {
        what: "quality with a NUL, a guarantee expiring before the bid validity period ends",
        bid: { quality: `合格${NUL}`, security: { ...GUARANTEE, validUntil: "2026-12-06" } },
        reasons: [r("qualityUnreadable"), r("guaranteeValidity")],
        stored: { quality: null, securityOk: false },
      },
      {
        what: "the manager's name and certificate differing from the company's record",
        bid: { projectManager: { name: "冒名顶替", certificateNumber: "浙000000000" } },
        reasons: [r("projectManagerMismatch")],
        // What is read out is the record's, never the manifest's text.
        stored: { projectManagerId: pm.id, projectManagerName: pm.name, projectManagerCertificate: pm.certificateNumber },
      },
      { what: "an honest bid with a guarantee, the control", bid: { security: GUARANTEE }, reasons: [], stored: { securityOk: true } },
    ];
    opened = await openTender("质量保函测试 村委楼", cases);
  });

  it("records each as submitted or unrecognisable, with its legal reason", async () => {
    await expectRecorded(opened.tenderId, opened.bidIds, cases);
  });
});

describe("NUL and other values the database cannot store, files outside the county's limits", () => {
  const cases: Case[] = [
    {
      what: "a manager id with a NUL and SQL",
      bid: { projectManagerId: `x${NUL}' or 1=1 --` },
      reasons: [r("projectManager")],
      stored: { projectManagerId: null, projectManagerName: null },
    },
    {
      what: "a manager of no company of ours, and a guarantee that starts after the deadline",
      bid: { projectManagerId: "00000000-0000-4000-8000-000000000000", security: { ...GUARANTEE, validFrom: "2026-11-27" } },
      reasons: [r("projectManager"), r("guaranteeValidity")],
      stored: { projectManagerId: null, securityOk: false },
    },
    {
      what: "a NUL in the security's reference, and short security",
      bid: { security: { method: "transfer", amountFen: 100, date: "2026-11-19", reference: `流水${NUL}` } },
      reasons: [r("security"), r("securityShort")],
      stored: { security: { method: "transfer", amountFen: 100, date: "2026-11-19", reference: null }, securityOk: false },
    },
    {
      what: "a NUL in a file name, and six files",
      files: Array.from({ length: 6 }, (_, i) => ({ name: i === 0 ? `标书${NUL}.pdf` : `附件${i}.pdf`, bytes: pdfBytes(`附件 ${i}`) })),
      reasons: [r("files")],
    },
    {
      what: "a file above the county's per-file limit (1 MB here), one that is not a PDF, and a guarantee with a NUL in its number",
      bid: { security: { ...GUARANTEE, number: `BH${NUL}` } },
      files: [
        { name: "大文件.pdf", bytes: new Uint8Array(Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(1024 * 1024 + 10, 0x20)])) },
        { name: "标书.doc", bytes: new TextEncoder().encode("not a pdf") },
      ],
      reasons: [r("security"), r("files"), r("notPdf")],
    },
  ];
  let opened: Awaited<ReturnType<typeof openTender>>;

  beforeAll(async () => {
    const settings = await getCountySettings(database.db, countyId);
    opened = await openTender("空字符测试 桥梁", cases, { ...settings, uploadMaxMegabytes: 1 });
  });

  it("records each with its reason; what cannot be stored is stored as nothing, a file name as fit to show", async () => {
    const rows = await expectRecorded(opened.tenderId, opened.bidIds, cases);
    const names = (rows[3].files as { name: string }[]).map((f) => f.name);
    expect(names[0]).toBe("标书\uFFFD.pdf");
    expect(names).toHaveLength(6);
    expect((rows[4].security as Record<string, unknown>).number).toBeNull();
  });
});

describe("a bid the bidder poisoned, and a genuine platform fault, in one window", () => {
  it("records the poisoned bids as the bidders' (never withdrawn for the platform's fault), and shows the real incident by reference only", async () => {
    ctx.clock.set(START);
    const projectId = await kit.approvedProject("故障与投毒测试 路灯", CEILING);
    await kit.publish(projectId, tenderFields({ deadline: "2026-11-26T10:00", bidSecurity: "3000" }), await cookieFor(ctx, DEMO.committeeA1));
    const tender = await kit.tenderOf(projectId);
    // A: every value the database cannot store (this made the update throw, and an incident, before).
    const a = await sealBid(ctx, bidders[0], tender.id, {
      priceFen: 2 ** 64,
      mark: "A",
      bid: { durationDays: 2 ** 31 + 1, quality: `优良${NUL}`, projectManager: { name: `张${NUL}`, certificateNumber: "x" } },
    });
    // B: a receipt naming a manifest hash that is not the sealed one (the bidder's own doing).
    const b = await sealBid(ctx, bidders[1], tender.id, { priceFen: 18_000_000, mark: "B" });
    const fake = "ab".repeat(32);
    // C: an honest bid the platform then fails to read.
    const c = await sealBid(ctx, bidders[2], tender.id, { priceFen: 17_000_000, mark: "C" });
    const ids: string[] = [];
    for (const [i, s] of [a, b, c].entries()) {
      const over = i === 1 ? { plaintextHash: fake, commitment: commitmentOf(s.sealed.ciphertextHash, fake) } : {};
      await submitBid(database.db, {
        clock: ctx.clock,
        store: ctx.files,
        actor: bidders[i].actor,
        companyId: bidders[i].companyId,
        tenderId: tender.id,
        raw: submitInput(s, over),
      });
      ids.push(await bidOf(tender.id, bidders[i]));
    }
    ctx.clock.set(tender.deadline);
    await startDecryption(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: tender.id });

    const post = async (i: number, context = ctx) =>
      (await decryptRoute.action({
        request: new Request(`${ORIGIN}/notices/${tender.id}/hall/decrypt`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Origin: ORIGIN, Cookie: await cookieFor(ctx, PHONES[i]) },
          body: JSON.stringify({ dataKey: await dataKeyOf(bidders[i], tender.id) }),
        }),
        context,
        params: { id: tender.id },
      } as never)) as Response;

    for (const i of [0, 1]) {
      const res = await post(i);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true, status: "decrypted" });
    }
    expect(await kinds(tender.id)).not.toContain("incident");

    // C: the store fails while reading its ciphertext, with internals in the error.
    const [cVersion] = await database.db.select().from(schema.bidVersions).where(eq(schema.bidVersions.bidId, ids[2]));
    const internals = 'Failed query: update "bid_openings" set "quality" = $1 where "bid_id" = $2\nparams: 秘密参数';
    const broken = Object.create(ctx.files) as typeof ctx.files;
    broken.get = (sha: string) =>
      sha === cVersion.ciphertextSha256
        ? new Readable({
            read() {
              this.destroy(new Error(internals));
            },
          })
        : ctx.files.get(sha);
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    let body: string;
    try {
      const res = await post(2, { ...ctx, files: broken });
      expect(res.status).toBe(500);
      body = await res.text();
      expect(logged.mock.calls.flat().map(String).join("\n")).toContain("秘密参数");
    } finally {
      logged.mockRestore();
    }
    const { error, ref } = JSON.parse(body!) as { error: string; ref: string };
    expect(error).toBe("errors.opening.incident");
    expect(ref).toMatch(/^INC-[0-9A-F]{8}$/);
    expect(body!).not.toMatch(/Failed query|params|秘密参数|bid_openings|at .*\.ts/);
    const events = await hallEventsAfter(database.db, tender.id, 0);
    const incident = events.find((e) => e.kind === "incident")!;
    expect(incident.payload).toEqual({ ref });
    expect(JSON.stringify(events)).not.toMatch(/Failed query|秘密参数/);
    const audit = await database.db.select().from(schema.auditLog).where(eq(schema.auditLog.objectId, tender.id));
    expect(JSON.stringify(audit)).not.toMatch(/Failed query|秘密参数/);

    // The host extends after the incident; C is still not open when the window ends.
    ctx.clock.advance(31 * 60_000);
    await expect(startReading(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: tender.id })).rejects.toMatchObject({
      key: "errors.opening.mustExtend",
    });
    await extendWindow(database.db, {
      clock: ctx.clock,
      actor: host,
      actingOrgId: villageId,
      tenderId: tender.id,
      input: { minutes: "15", reason: "平台读取密文故障，延长解密时间" },
    });
    ctx.clock.advance(16 * 60_000);
    await startReading(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId: tender.id });

    const rows = await rowsOf(tender.id, ids);
    // A and B are the bidders' own: opened, marked, for the panel; only C, which the platform failed, is withdrawn (视为撤回).
    expect(rows.map((x) => x.status)).toEqual(["decrypted", "decrypted", "platform_withdrawn"]);
    expect(reasonKeys(rows[0].reason)).toEqual([r("priceUnreadable"), r("durationTooLong"), r("projectManagerMismatch"), r("qualityUnreadable")]);
    expect(rows[0]).toMatchObject({ priceFen: null, durationDays: 2 ** 31 + 1, quality: null, projectManagerName: expect.not.stringContaining(NUL) });
    expect(rows[1]).toMatchObject({ reason: r("unreadable"), priceFen: null, durationDays: null, securityOk: false, nonce: null });
    expect(rows[2].reason).toBe(r("platformFault"));
  });
});
