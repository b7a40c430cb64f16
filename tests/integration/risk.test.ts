// The risk scan over real data made through the model functions: a closed
// opening with three decrypted bids in an arithmetic sequence whose bidders
// acted from one address (and two from one device), a single-bid tender that
// shows nothing until its deadline; the list and evidence pages, the project
// page's section, a review (audited, once), and every other role refused.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitBid } from "~/models/bid.server";
import { approveProject, createProject, submitProject } from "~/models/project.server";
import { flagByFingerprint, flagsForProject, reviewFlag, riskScopeOf, scanRisks, type RiskScope } from "~/models/risk.server";
import * as projectRoute from "~/routes/projects.$id";
import * as dashboardRoute from "~/routes/supervision._index";
import * as listRoute from "~/routes/supervision.flags";
import * as evidenceRoute from "~/routes/supervision.flags_.$fingerprint";
import { schema } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { cookieFor, DEMO, get, makeContext, post, run, unwrap } from "../helpers/app";
import { preparedBidder, sealBid, submitInput } from "../helpers/bids";
import { createTestDb } from "../helpers/db";
import { closedOpening } from "../helpers/opening";
import { tenderFields, tenderKit } from "../helpers/tenders";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let opened: Awaited<ReturnType<typeof closedOpening>>;
let township: RiskScope;
let county: RiskScope;
let single: { projectId: string; tenderId: string; deadline: Date };
/** The scan of the township just before and just after the single bid (both before its deadline). */
let beforeBid: unknown;
let afterBid: unknown;

const userOf = async (phone: string) => (await database.db.select().from(schema.users).where(eq(schema.users.phone, phone)))[0];
const viewerOf = async (phone: string) => {
  const u = await userOf(phone);
  const [m] = await database.db.select().from(schema.memberships).where(eq(schema.memberships.userId, u.id));
  return { user: u, role: m.role, orgId: m.orgId };
};
const plain = (x: unknown) => JSON.parse(JSON.stringify(x));

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  opened = await closedOpening(database, ctx, "石板路修缮工程");
  // Two of the bidders decrypted from one browser (the long-lived device cookie), somewhere else.
  for (const b of opened.bidders.slice(0, 2))
    await database.db.insert(schema.activityTraces).values({
      tenderId: opened.tenderId,
      companyId: b.companyId,
      userId: b.userId,
      kind: "decrypt",
      ip: "192.0.2.44",
      deviceId: "6f1d3a52-8f0e-4c1a-9d55-1b2c3d4e5f60",
      userAgent: "Mozilla/5.0",
      at: ctx.clock.now(),
    });

  const sup = await viewerOf(DEMO.supervisorA);
  const admin = await viewerOf(DEMO.countyAdmin);
  township = (await riskScopeOf(database.db, sup))!;
  county = (await riskScopeOf(database.db, admin))!;

  // A second tender with a single bid, its deadline a week on.
  const kit = await tenderKit(database, ctx);
  const projectId = await kit.approvedProject("村口太阳能路灯采购安装", 20_000_000);
  await kit.publish(projectId, tenderFields({ deadline: "2026-12-03T10:00", bidSecurity: "3000" }), await cookieFor(ctx, DEMO.committeeA1));
  const tender = await kit.tenderOf(projectId);
  single = { projectId, tenderId: tender.id, deadline: tender.deadline };
  beforeBid = plain(await scanRisks(database.db, ctx.clock, township));
  const b = await preparedBidder(database, ctx, DEMO.contractor1);
  await submitBid(database.db, {
    clock: ctx.clock,
    store: ctx.files,
    actor: b.actor,
    companyId: b.companyId,
    tenderId: tender.id,
    raw: submitInput(await sealBid(ctx, b, tender.id, { priceFen: 19_000_000, mark: "单家投标" })),
  });
  afterBid = plain(await scanRisks(database.db, ctx.clock, township));
}, 300_000);

afterAll(async () => {
  await database?.close();
});

describe("the scan", () => {
  it("flags the closed opening: prices in a sequence within 2%, bidders on one address and one device", async () => {
    const { flags } = await scanRisks(database.db, ctx.clock, township);
    const mine = flags.filter((f) => f.tenderId === opened.tenderId);
    expect(mine.map((f) => f.rule).sort()).toEqual(["price_pattern", "shared_devices"]);

    const price = mine.find((f) => f.rule === "price_pattern")!;
    expect(price.severity).toBe("high");
    expect(price.evidence.map((e) => e.labelKey)).toEqual(expect.arrayContaining(["risk.evidence.price.arithmetic", "risk.evidence.price.cluster"]));
    expect(price.evidence.filter((e) => e.labelKey === "risk.evidence.price.bid").map((e) => e.values.priceFen)).toEqual([18_000_000, 18_100_000, 18_200_000]);

    const devices = mine.find((f) => f.rule === "shared_devices")!;
    expect(devices.severity).toBe("high"); // a device, not only an address
    const byKind = Object.fromEntries(devices.evidence.map((e) => [e.labelKey, e.values]));
    expect((byKind["risk.evidence.shared.ip"].companies as string[]).sort()).toEqual(opened.bidders.map((b) => b.companyName).sort());
    expect((byKind["risk.evidence.shared.device"].companies as string[]).sort()).toEqual(
      opened.bidders
        .slice(0, 2)
        .map((b) => b.companyName)
        .sort(),
    );
    expect(devices.evidence[0].links.map((l) => l.href)).toContain(`/notices/${opened.tenderId}/hall`);
    expect(devices.projectName).toBe("石板路修缮工程");
    expect(devices.review).toBeNull();
    // Three sealed bids: not too few; distinct contacts, files and project managers: nothing shared.
    expect(flags.some((f) => f.tenderId === opened.tenderId && ["few_bidders", "shared_contacts", "identical_files"].includes(f.rule))).toBe(false);
  });

  it("compares bidder sets by what the opening recorded when decryption started: the sealed bidders, sorted", async () => {
    const [o] = await database.db.select().from(schema.openings).where(eq(schema.openings.tenderId, opened.tenderId));
    expect(o.bidCount).toBe(3);
    expect(o.bidderSet).toBe(
      opened.bidders
        .map((b) => b.companyId)
        .sort()
        .join(","),
    );
  });

  it("shows nothing about a tender before its deadline — not even that a bid came in", async () => {
    expect(afterBid).toEqual(beforeBid);
    expect((afterBid as { flags: { tenderId?: string }[] }).flags.filter((f) => f.tenderId === single.tenderId)).toEqual([]);
  });

  it("flags the single bidder once the deadline has passed", async () => {
    const saved = ctx.clock.now();
    ctx.clock.set(new Date(single.deadline.getTime() + 60_000));
    try {
      const { flags } = await scanRisks(database.db, ctx.clock, township);
      const few = flags.find((f) => f.tenderId === single.tenderId && f.rule === "few_bidders");
      expect(few).toMatchObject({ severity: "high", projectId: single.projectId });
      expect(few!.evidence[0]).toMatchObject({ labelKey: "risk.evidence.fewBidders.single", values: { count: 1, min: 3 } });
    } finally {
      ctx.clock.set(saved);
    }
  });

  it("gives one project the same flags, with the same fingerprints, as the township and county scans", async () => {
    const all = (await scanRisks(database.db, ctx.clock, township)).flags.filter((f) => f.projectIds.includes(opened.projectId));
    const one = (await scanRisks(database.db, ctx.clock, township, { projectId: opened.projectId })).flags;
    const whole = (await scanRisks(database.db, ctx.clock, county)).flags.filter((f) => f.projectIds.includes(opened.projectId));
    expect(one.map((f) => f.fingerprint).sort()).toEqual(all.map((f) => f.fingerprint).sort());
    expect(whole.map((f) => f.fingerprint).sort()).toEqual(all.map((f) => f.fingerprint).sort());
    // Another township's supervisor does not see them.
    const other = (await riskScopeOf(database.db, await viewerOf(DEMO.supervisorB)))!;
    expect((await scanRisks(database.db, ctx.clock, other)).flags.filter((f) => f.projectIds.includes(opened.projectId))).toEqual([]);
  });

  it("takes the county's cluster setting: at 0.5% the prices are no longer a cluster", async () => {
    const { flags } = await scanRisks(database.db, ctx.clock, township, { thresholds: { priceClusterBasisPoints: 50 } });
    const price = flags.find((f) => f.tenderId === opened.tenderId && f.rule === "price_pattern")!;
    expect(price.evidence.map((e) => e.labelKey)).not.toContain("risk.evidence.price.cluster");
  });
});

describe("likely splitting", () => {
  it("shows what the approval-time check found, with the township's reason, on both projects", async () => {
    const kit = await tenderKit(database, ctx);
    const first = await kit.approvedProject("青山村文化广场铺装工程（一期）", 60_000_000);
    const committee = { userId: null, role: "committee" as const, ip: "203.0.113.7" };
    const second = await createProject(database.db, {
      clock: ctx.clock,
      actor: committee,
      villageId: kit.villageId,
      input: {
        name: "青山村文化广场铺装工程（二期）",
        type: "works",
        location: "青山村文化广场铺装工程（二期）地点",
        scope: "文化广场铺装工程（二期）内容",
        estimate: 50_000_000,
        ceiling: 50_000_000,
        fundingSource: "财政",
        durationDays: 30,
        method: "open_selection",
      },
      decisions: ["proposal", "discussion", "party_meeting", "villagers_meeting", "resolution_notice"].map((step, i) => ({
        step: step as never,
        day: `2026-10-0${i + 1}`,
        file: { sha256: (i + 1).toString(16).padStart(64, "0"), size: 10, name: `${step}.pdf` },
        ...(step === "villagers_meeting" ? { eligible: 30, attended: 25, votesFor: 20 } : {}),
      })),
    });
    await submitProject(database.db, { clock: ctx.clock, actor: committee, projectId: second.id, villageId: kit.villageId });
    await approveProject(database.db, {
      clock: ctx.clock,
      actor: { userId: null, role: "supervisor" as const, ip: "203.0.113.8" },
      projectId: second.id,
      townshipId: kit.townshipId,
      justification: "两期分属不同年度预算，地段不相连。",
    });

    const flags = (await scanRisks(database.db, ctx.clock, township)).flags.filter((f) => f.rule === "splitting" && f.projectIds.includes(first));
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ projectId: second.id, projectIds: [second.id, first], severity: "medium" });
    expect(flags[0].evidence[0].values).toMatchObject({ combinedFen: 110_000_000, limitFen: 100_000_000 });
    expect(flags[0].evidence.at(-1)).toMatchObject({ labelKey: "risk.evidence.splitting.justification", values: { text: "两期分属不同年度预算，地段不相连。" } });
    // Both projects' pages show it, with one fingerprint.
    for (const id of [first, second.id])
      expect((await flagsForProject(database.db, ctx.clock, id, await viewerOf(DEMO.supervisorA)))!.filter((f) => f.rule === "splitting").map((f) => f.fingerprint)).toEqual([
        flags[0].fingerprint,
      ]);
  });
});

describe("the pages", () => {
  let fingerprint: string;

  beforeAll(async () => {
    fingerprint = (await scanRisks(database.db, ctx.clock, township)).flags.find((f) => f.tenderId === opened.tenderId && f.rule === "shared_devices")!.fingerprint;
  });

  it("list the township's flags for its supervisor and the county's for the administrator, filtered", async () => {
    const sup = unwrap(await run(listRoute.loader, get("/supervision/flags", await cookieFor(ctx, DEMO.supervisorA)), ctx));
    expect(sup.status).toBe(200);
    expect(sup.data.rows.map((r: { fingerprint: string }) => r.fingerprint)).toContain(fingerprint);
    const row = sup.data.rows.find((r: { fingerprint: string }) => r.fingerprint === fingerprint);
    expect(row).toMatchObject({ rule: "shared_devices", severity: "high", href: `/supervision/flags/${fingerprint}?project=${opened.projectId}` });

    const filtered = unwrap(await run(listRoute.loader, get("/supervision/flags?rule=price_pattern", await cookieFor(ctx, DEMO.supervisorA)), ctx));
    expect(filtered.data.rows.every((r: { rule: string }) => r.rule === "price_pattern")).toBe(true);
    expect(filtered.data.rows.length).toBeGreaterThan(0);

    const admin = unwrap(await run(listRoute.loader, get(`/supervision/flags?township=${opened.townshipId}`, await cookieFor(ctx, DEMO.countyAdmin)), ctx));
    expect(admin.status).toBe(200);
    expect(admin.data.filter.township).toBe(opened.townshipId);
    expect(admin.data.rows.map((r: { fingerprint: string }) => r.fingerprint)).toContain(fingerprint);
  });

  it("show a flag's evidence with links to the records, and the review form", async () => {
    const res = unwrap(
      await run(evidenceRoute.loader, get(`/supervision/flags/${fingerprint}?project=${opened.projectId}`, await cookieFor(ctx, DEMO.supervisorA)), ctx, { fingerprint }),
    );
    expect(res.status).toBe(200);
    // Both addresses (the bidders' own and the one two of them decrypted from) and the device.
    expect(res.data.flag.evidence.map((e: { labelKey: string }) => e.labelKey)).toEqual(["risk.evidence.shared.ip", "risk.evidence.shared.ip", "risk.evidence.shared.device"]);
    expect(res.data.flag.evidence.flatMap((e: { links: { href: string }[] }) => e.links.map((l) => l.href))).toContain(`/notices/${opened.tenderId}/hall`);
    expect(res.data.thresholds.clusterPct).toBe("2.00%");
    // Without the hint the page finds it too; another township's supervisor gets a 404.
    expect(unwrap(await run(evidenceRoute.loader, get(`/supervision/flags/${fingerprint}`, await cookieFor(ctx, DEMO.countyAdmin)), ctx, { fingerprint })).status).toBe(200);
    expect(
      (
        (await run(evidenceRoute.loader, get(`/supervision/flags/${fingerprint}?project=${opened.projectId}`, await cookieFor(ctx, DEMO.supervisorB)), ctx, {
          fingerprint,
        })) as Response
      ).status,
    ).toBe(404);
    expect(
      ((await run(evidenceRoute.loader, get(`/supervision/flags/${"0".repeat(32)}`, await cookieFor(ctx, DEMO.supervisorA)), ctx, { fingerprint: "0".repeat(32) })) as Response)
        .status,
    ).toBe(404);
  });

  it("list the unreviewed flags on the supervision dashboard, most severe first, for the township and the county", async () => {
    const sup = unwrap(await run(dashboardRoute.loader, get("/supervision", await cookieFor(ctx, DEMO.supervisorA)), ctx));
    expect(sup.status).toBe(200);
    const top = sup.data.risks.top as { fingerprint: string; severity: string }[];
    expect(top.map((f) => f.fingerprint)).toContain(fingerprint);
    expect(top.map((f) => f.severity)).toEqual([...top.map((f) => f.severity)].sort((a, b) => ["high", "medium", "low"].indexOf(a) - ["high", "medium", "low"].indexOf(b)));
    expect(sup.data.risks.unreviewed.high).toBeGreaterThan(0);
    expect(sup.data.risks.href).toBe("/supervision/flags");
    // The other township's supervisor sees none of these; the county administrator sees them, filtered by township too.
    const other = unwrap(await run(dashboardRoute.loader, get("/supervision", await cookieFor(ctx, DEMO.supervisorB)), ctx));
    expect(other.data.risks.top.map((f: { fingerprint: string }) => f.fingerprint)).not.toContain(fingerprint);
    const admin = unwrap(await run(dashboardRoute.loader, get(`/supervision?township=${opened.townshipId}`, await cookieFor(ctx, DEMO.countyAdmin)), ctx));
    expect(admin.data.risks.top.map((f: { fingerprint: string }) => f.fingerprint)).toContain(fingerprint);
    expect(admin.data.risks.href).toBe(`/supervision/flags?township=${opened.townshipId}`);
  });

  it("show the flags in the supervisor's view of the project page only", async () => {
    const sup = unwrap(await run(projectRoute.loader, get(`/projects/${opened.projectId}`, await cookieFor(ctx, DEMO.supervisorA)), ctx, { id: opened.projectId }));
    expect(sup.data.risks.map((r: { rule: string }) => r.rule).sort()).toEqual(["price_pattern", "shared_devices"]);
    const committee = unwrap(await run(projectRoute.loader, get(`/projects/${opened.projectId}`, await cookieFor(ctx, DEMO.committeeA1)), ctx, { id: opened.projectId }));
    expect(committee.status).toBe(200);
    expect(committee.data.risks).toBeNull();
    expect(await flagsForProject(database.db, ctx.clock, opened.projectId, await viewerOf(DEMO.committeeA1))).toBeNull();
    expect(await flagsForProject(database.db, ctx.clock, opened.projectId, await viewerOf(DEMO.supervisorB))).toBeNull();
  });

  it("refuse everyone but supervisors and the county administrator", async () => {
    const url = `/supervision/flags/${fingerprint}`;
    for (const phone of [DEMO.committeeA1, DEMO.contractor1, DEMO.expert1, DEMO.agentA, DEMO.agentVillageA1]) {
      const cookie = await cookieFor(ctx, phone);
      expect(((await run(listRoute.loader, get("/supervision/flags", cookie), ctx)) as Response).status, phone).toBe(403);
      expect(((await run(evidenceRoute.loader, get(url, cookie), ctx, { fingerprint })) as Response).status, phone).toBe(403);
      expect(((await run(evidenceRoute.action, post(url, { rule: "shared_devices", note: "越权核查" }, cookie), ctx, { fingerprint })) as Response).status, phone).toBe(403);
    }
    const anon = (await run(listRoute.loader, get("/supervision/flags"), ctx)) as Response;
    expect(anon.status).toBe(302);
    expect(await database.db.select().from(schema.riskReviews)).toEqual([]);
  });

  it("record a review once, with a note, in the audit trail", async () => {
    const url = `/supervision/flags/${fingerprint}`;
    const cookie = await cookieFor(ctx, DEMO.supervisorA);
    const empty = unwrap(await run(evidenceRoute.action, post(url, { rule: "shared_devices", note: " ", projectId: opened.projectId }, cookie), ctx, { fingerprint }));
    expect(empty.status).toBe(400);
    expect(empty.data.errors.note).toBe("errors.risk.note");
    const wrongRule = unwrap(await run(evidenceRoute.action, post(url, { rule: "price_pattern", note: "规则不对" }, cookie), ctx, { fingerprint }));
    expect(wrongRule.data.errors.form).toBe("errors.risk.notFound");

    const note = "已核实：两家公司在同一网吧解密，已约谈并记录。";
    const ok = unwrap(await run(evidenceRoute.action, post(url, { rule: "shared_devices", note, projectId: opened.projectId }, cookie), ctx, { fingerprint }));
    expect(ok).toMatchObject({ status: 200, data: { done: true } });

    const [review] = await database.db.select().from(schema.riskReviews).where(eq(schema.riskReviews.fingerprint, fingerprint));
    expect(review).toMatchObject({ rule: "shared_devices", note, countyId: county.countyId, reviewedBy: (await userOf(DEMO.supervisorA)).id });
    const audit = await database.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.action, "risk.review"), eq(schema.auditLog.objectId, fingerprint)));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ objectType: "risk_flag", actorRole: "supervisor", countyId: county.countyId, townshipId: opened.townshipId });
    expect(audit[0].summary).toMatchObject({ rule: "shared_devices", projectId: opened.projectId, tenderId: opened.tenderId, note });

    // The review sticks to the flag, in every scan and on the page; a second one is refused.
    const flag = await flagByFingerprint(database.db, { clock: ctx.clock, scope: county, fingerprint });
    expect(flag?.review).toMatchObject({ note, reviewer: (await userOf(DEMO.supervisorA)).name });
    const page = unwrap(await run(evidenceRoute.loader, get(url, cookie), ctx, { fingerprint }));
    expect(page.data.flag.review.note).toBe(note);
    const again = unwrap(await run(evidenceRoute.action, post(url, { rule: "shared_devices", note: "再核查一次" }, await cookieFor(ctx, DEMO.countyAdmin)), ctx, { fingerprint }));
    expect(again.data.errors.form).toBe("errors.risk.alreadyReviewed");
    const reviewed = unwrap(await run(listRoute.loader, get("/supervision/flags?reviewed=yes", cookie), ctx));
    expect(reviewed.data.rows.map((r: { fingerprint: string }) => r.fingerprint)).toEqual([fingerprint]);
  });

  it("refuse a review by another township's supervisor, or of a flag that is not there", async () => {
    const b = await viewerOf(DEMO.supervisorB);
    const actor = { userId: b.user.id, role: "supervisor" as const, ip: null };
    const price = (await scanRisks(database.db, ctx.clock, township)).flags.find((f) => f.rule === "price_pattern" && f.tenderId === opened.tenderId)!;
    await expect(
      reviewFlag(database.db, { clock: ctx.clock, actor, orgId: b.orgId, raw: { fingerprint: price.fingerprint, rule: "price_pattern", note: "不是我的乡镇" } }),
    ).rejects.toMatchObject({
      key: "errors.risk.notFound",
    });
    const committee = await viewerOf(DEMO.committeeA1);
    await expect(
      reviewFlag(database.db, {
        clock: ctx.clock,
        actor: { userId: committee.user.id, role: "committee" as const, ip: null },
        orgId: committee.orgId,
        raw: {
          fingerprint: price.fingerprint,
          rule: "price_pattern",
          note: "村委会",
        },
      }),
    ).rejects.toMatchObject({ key: "errors.forbidden" });
    expect(await database.db.select().from(schema.riskReviews).where(eq(schema.riskReviews.fingerprint, price.fingerprint))).toEqual([]);
  });
});

describe("the other rules, over rows written straight into the tables", () => {
  // Awards, evaluations, scores and failed rounds take a whole evaluation each to make through the
  // models; here their rows are written directly, to check that the scan's queries feed every rule.
  const made = { projects: [] as string[], tenders: [] as string[], bids: [] as string[][], failedProject: "", shortTender: "" };
  const at = (iso: string) => new Date(iso);

  beforeAll(async () => {
    const db = database.db;
    const kit = await tenderKit(database, ctx);
    const [template] = await db.select().from(schema.templates).limit(1);
    const host = await userOf(DEMO.committeeA1);
    const experts = await db.select().from(schema.experts).limit(3);
    const companies = opened.bidders.map((b) => b.companyId);
    const tender = async (projectId: string, round: number, deadline: string, publishedAt = at("2026-09-01T02:00:00Z")) => {
      const [t] = await db
        .insert(schema.tenders)
        .values({
          projectId,
          round,
          templateId: template.id,
          templateVersion: template.version,
          qualificationClass: "三级",
          requirePmCertificate: false,
          requirePoolMember: false,
          deadline: at(deadline),
          decryptionWindowMinutes: 30,
          bidSecurityFen: 0,
          evaluationMethod: "lowest_price",
          evaluationParams: {},
          panelSize: 3,
          documentText: "招标文件",
          publishedAt,
        })
        .returning();
      return t.id;
    };
    const names = ["村委会办公楼屋面防水维修", "河道清淤整治", "文化礼堂舞台灯光改造"];
    for (const [i, name] of names.entries()) {
      const projectId = await kit.approvedProject(name, 20_000_000);
      const tenderId = await tender(projectId, 1, `2026-10-0${i + 1}T02:00:00Z`);
      const bidIds: string[] = [];
      for (const companyId of companies) {
        const [b] = await db
          .insert(schema.bids)
          .values({ tenderId, companyId, status: "sealed", currentVersion: 1, createdAt: at("2026-09-20T02:00:00Z"), updatedAt: at("2026-09-20T02:00:00Z") })
          .returning();
        bidIds.push(b.id);
      }
      // Winners take turns: the first company, then the second, then the third.
      await db
        .insert(schema.awards)
        .values({ tenderId, winnerBidId: bidIds[i], priceFen: 10_000_000, state: "approved", decidedBy: host.id, decidedAt: at(`2026-10-1${i}T02:00:00Z`) });
      // As startDecryption records them: the count and the sorted set of the bidders in force at the deadline.
      await db.insert(schema.openings).values({
        tenderId,
        state: "closed",
        bidCount: companies.length,
        bidderSet: [...companies].sort().join(","),
        readingStartedAt: at(`2026-10-0${i + 1}T02:30:00Z`),
        closedAt: at(`2026-10-0${i + 1}T03:00:00Z`),
        createdAt: at(`2026-10-0${i + 1}T02:00:00Z`),
      });
      made.projects.push(projectId);
      made.tenders.push(tenderId);
      made.bids.push(bidIds);
    }
    const [t0, t1, t2] = made.tenders;
    const [b0, b1, b2] = made.bids;
    // Tender 0: the first two bids carry the same file and the same price.
    const same = "a".repeat(64);
    const opening = (tenderId: string, bidId: string, priceFen: number, sha: string) =>
      db.insert(schema.bidOpenings).values({ bidId, tenderId, status: "decrypted", priceFen, confirmation: "confirmed", files: [{ name: "技术标.pdf", size: 10, sha256: sha }] });
    await opening(t0, b0[0], 10_000_000, same);
    await opening(t0, b0[1], 10_000_000, same);
    await opening(t0, b0[2], 13_000_000, "c".repeat(64));
    // Tender 1: the award went to a price 80% of the runner-up's, and the draw would have chosen a disqualified bid.
    await db.insert(schema.evaluations).values({
      tenderId: t1,
      state: "done",
      stepStartedAt: at("2026-10-05T02:00:00Z"),
      createdAt: at("2026-10-03T02:00:00Z"),
      result: {
        method: "random_draw",
        ranking: [
          { bidId: b1[1], rank: 1, priceFen: 8_000_000, tieBrokenByDraw: false },
          { bidId: b1[0], rank: 2, priceFen: 10_000_000, tieBrokenByDraw: false },
        ],
        candidates: [b1[1], b1[0]],
        wouldHaveWon: b1[2],
      },
    });
    // Tender 2: the third expert's score for the first bid is 28 points above the others'.
    await db.insert(schema.evaluations).values({ tenderId: t2, state: "done", stepStartedAt: at("2026-10-06T02:00:00Z"), createdAt: at("2026-10-04T02:00:00Z") });
    for (const [i, score] of [5_000, 5_200, 8_000].entries())
      await db
        .insert(schema.expertScores)
        .values({ tenderId: t2, bidId: b2[0], expertId: experts[i].userId, score, flaggedBy: [], acceptedReplacement: false, at: at("2026-10-06T02:00:00Z") });
    // A fourth project failed two rounds; its second notice ran two days, amended the day before the deadline.
    made.failedProject = await kit.approvedProject("村级污水管网接户", 20_000_000);
    for (const round of [1, 2]) {
      const tenderId = await tender(made.failedProject, round, `2026-10-2${round}T02:00:00Z`, round === 2 ? at("2026-10-20T02:00:00Z") : undefined);
      await db.insert(schema.openings).values({
        tenderId,
        state: "failed",
        failReason: JSON.stringify({ key: "opening.fail.tooFew" }),
        closedAt: at(`2026-10-2${round}T03:00:00Z`),
        createdAt: at(`2026-10-2${round}T02:00:00Z`),
      });
      if (round === 2) {
        made.shortTender = tenderId;
        await db.insert(schema.tenderAmendments).values({
          tenderId,
          seq: 1,
          title: "工程量清单更正",
          body: "更正第 3 项工程量。",
          affectsPreparation: false,
          deadlineBefore: at("2026-10-22T02:00:00Z"),
          deadlineAfter: at("2026-10-22T02:00:00Z"),
          autoExtended: false,
          createdAt: at("2026-10-21T02:00:00Z"),
        });
      }
    }
  }, 120_000);

  it("feed each rule", async () => {
    const { flags } = await scanRisks(database.db, ctx.clock, township);
    const find = (rule: string, tenderId?: string) => flags.filter((f) => f.rule === rule && (!tenderId || f.tenderId === tenderId));
    const [t0, t1, t2] = made.tenders;

    const rotation = find("rotating_winners");
    expect(rotation).toHaveLength(1);
    expect(rotation[0]).toMatchObject({ severity: "high", projectId: made.projects[2], tenderId: t2 });
    expect([...rotation[0].projectIds].sort()).toEqual([...made.projects].sort());
    expect((rotation[0].evidence[0].values.companies as string[]).sort()).toEqual(opened.bidders.map((b) => b.companyName).sort());

    expect(find("identical_files", t0)[0].evidence[0].values).toMatchObject({ sha256: "a".repeat(64), names: ["技术标.pdf"] });
    expect(find("price_pattern", t0)[0].evidence.map((e) => e.labelKey)).toContain("risk.evidence.price.equal");
    expect(find("winner_far_below", t1)[0].evidence[0].values).toMatchObject({ winnerFen: 8_000_000, runnerUpFen: 10_000_000, shareBp: 8_000 });
    expect(find("disqualified_would_win", t1)[0].evidence[0].values).toMatchObject({ company: opened.bidders[2].companyName, winner: opened.bidders[1].companyName });
    const outlier = find("outlier_scores", t2);
    expect(outlier).toHaveLength(1);
    expect(outlier[0].evidence[0].values).toMatchObject({ score: 8_000, medianScore: 5_200 });

    const failures = flags.filter((f) => f.rule === "repeated_failures" && f.projectId === made.failedProject);
    expect(failures).toHaveLength(1);
    expect(failures[0].evidence.map((e) => e.labelKey)).toEqual(["risk.evidence.failures.summary", "risk.evidence.failures.opening", "risk.evidence.failures.opening"]);
    expect(find("short_announcement", made.shortTender)).toHaveLength(1);
    expect(find("late_amendment", made.shortTender)[0]).toMatchObject({ severity: "medium" });
  });

  it("give the rotation one fingerprint in the township, the county and each project's page", async () => {
    const [inTownship] = (await scanRisks(database.db, ctx.clock, township)).flags.filter((f) => f.rule === "rotating_winners");
    const [inCounty] = (await scanRisks(database.db, ctx.clock, county)).flags.filter((f) => f.rule === "rotating_winners");
    expect(inCounty.fingerprint).toBe(inTownship.fingerprint);
    for (const projectId of made.projects) {
      const onPage = await flagsForProject(database.db, ctx.clock, projectId, await viewerOf(DEMO.supervisorA));
      expect(onPage!.filter((f) => f.rule === "rotating_winners").map((f) => f.fingerprint)).toEqual([inTownship.fingerprint]);
    }
  });
});
