// The supervision dashboard (监管统计): every figure on a small dataset whose
// answers are worked out by hand below; the scope (a supervisor their township,
// the county administrator the county, by township); the CSV download (BOM,
// RFC 4180 quoting, the formula guard); and everyone else refused.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { dashboardCsv, dashboardFor, refreshProjectFigures } from "~/models/dashboard.server";
import * as dashboardRoute from "~/routes/supervision._index";
import * as exportRoute from "~/routes/supervision.export[.csv]";
import { csvCell, toCsv } from "~/utils/csv";
import { getT } from "~/utils/i18n";
import type { Database } from "../../db/client";
import { DEMO, demoCookies, get, makeContext, run, unwrap } from "../helpers/app";
import { createTestDb, isRealServer, openAnotherHandle } from "../helpers/db";
import { asStateWriter } from "../helpers/state-writer";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let cookies: Record<keyof typeof DEMO, string>;
const ids = { county: "", qingshan: "", xikou: "", villageA: "", villageB: "", company: "", template: "", supervisor: "", contractor: "" };
const tenderOf: Record<string, string> = {};

const NOW = "2026-11-20T02:00:00Z";
const q = <T = Record<string, unknown>>(text: string, params: unknown[] = []) => database.query<T>(text, params);
const one = async (text: string, params: unknown[] = []) => String(Object.values((await q(text, params))[0])[0]);

interface P {
  key: string;
  township: "A" | "B";
  state: string;
  ceiling: number;
  created?: string;
  approved?: string;
}

async function project(p: P): Promise<string> {
  const id = randomUUID();
  const [village, township] = p.township === "A" ? [ids.villageA, ids.qingshan] : [ids.villageB, ids.xikou];
  await q(
    `INSERT INTO projects (id, village_id, township_id, county_id, name, type, location, scope, estimate_fen, ceiling_fen, funding_source, duration_days, method, state, created_at, updated_at, decided_at)
     VALUES ($1, $2, $3, $4, $5, 'works', '村口', '修路', $6, $6, '财政', 30, 'open_selection', $7, $8, $8, $9)`,
    [id, village, township, ids.county, `统计测试${p.key}`, p.ceiling, p.state, p.created ?? "2026-02-01T00:00:00Z", p.approved ?? null],
  );
  return id;
}

async function tender(
  projectId: string,
  key: string,
  o: { round?: number; deadline?: string; bidCount?: number; opening?: "closed" | "failed"; evalFailed?: boolean } = {},
): Promise<string> {
  const id = randomUUID();
  tenderOf[key] = id;
  await q(
    `INSERT INTO tenders (id, project_id, round, template_id, template_version, qualification_class, require_pm_certificate, require_pool_member, deadline, decryption_window_minutes, bid_security_fen, evaluation_method, evaluation_params, panel_size, document_text, published_at)
     VALUES ($1, $2, $3, $4, 1, '三级', false, false, $5, 30, 0, 'lowest_price', '{}', 3, '招标文件', '2026-02-10T00:00:00Z')`,
    [id, projectId, o.round ?? 1, ids.template, o.deadline ?? "2026-02-20T01:30:00Z"],
  );
  if (o.bidCount !== undefined) {
    await q(`INSERT INTO openings (tender_id, state, bid_count, created_at) VALUES ($1, $2, $3, '2026-02-20T01:30:00Z')`, [id, o.opening ?? "closed", o.bidCount]);
  }
  if (o.evalFailed) {
    await q(
      `INSERT INTO evaluations (tender_id, state, step_started_at, created_at, fail_reason) VALUES ($1, 'done', now(), now(), '{"key":"evaluation.failed.tooFewQualified"}')`,
      [id],
    );
  }
  return id;
}

async function award(tenderId: string, priceFen: number, signedAt: string, state = "signed") {
  const bidId = randomUUID();
  await q(`INSERT INTO bids (id, tender_id, company_id, status, current_version, created_at, updated_at) VALUES ($1, $2, $3, 'sealed', 1, now(), now())`, [
    bidId,
    tenderId,
    ids.company,
  ]);
  await q(`INSERT INTO awards (tender_id, winner_bid_id, price_fen, state, decided_by, decided_at, signed_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`, [
    tenderId,
    bidId,
    priceFen,
    state,
    ids.supervisor,
    signedAt,
  ]);
}

async function complaint(tenderId: string, state: string, acceptDue: string, decideDue: string | null = null) {
  await q(
    `INSERT INTO complaints (tender_id, company_id, filed_by, body, filed_at, accept_due_at, decide_due_at, state) VALUES ($1, $2, $3, '评标不公', '2026-11-10T02:00:00Z', $4, $5, $6)`,
    [tenderId, ids.company, ids.contractor, acceptDue, decideDue, state],
  );
}

/**
 * 青山镇 (A) and 溪口乡 (B), worked out by hand:
 * A1 awarded   ceiling 1 000 000.00, award 880 000.00 (12.00 %), approved→signed 10 days, 5 bids
 * A2 completed ceiling   500 000.00, award 475 000.00 ( 5.00 %), 20 days, 3 bids
 * A3 published ceiling   200 000.00: round 1 failed at the opening (2 bids), round 2 open until December
 * A4 published ceiling   100 000.00, deadline passed yesterday → counted as opening; not opened yet
 * A5 draft     ceiling    50 000.00
 * A6 failed    ceiling   600 000.00: 4 bids, award signed then withdrawn by an upheld complaint
 * A7 awarded   ceiling   300 000.00, award 270 000.00 (10.00 %), 30 days, 6 bids — registered in 2025
 * A8 failed    ceiling   150 000.00: 3 bids, evaluation failed (too few qualified)
 * B1 awarded   ceiling   400 000.00, award 360 000.00 (10.00 %), 5 days, 10 bids
 * B2 submitted ceiling    80 000.00
 */
beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  ctx.clock.set(NOW);
  cookies = await demoCookies(ctx);
  ids.county = await one(`SELECT id FROM orgs WHERE kind = 'county' AND name = '青山县'`);
  ids.qingshan = await one(`SELECT id FROM orgs WHERE name = '青山镇'`);
  ids.xikou = await one(`SELECT id FROM orgs WHERE name = '溪口乡'`);
  ids.villageA = await one(`SELECT id FROM orgs WHERE name = '青山村'`);
  ids.villageB = await one(`SELECT id FROM orgs WHERE name = '溪口村'`);
  ids.company = await one(`SELECT id FROM orgs WHERE kind = 'company' ORDER BY name LIMIT 1`);
  ids.supervisor = await one(`SELECT id FROM users WHERE phone = $1`, [DEMO.supervisorA]);
  ids.contractor = await one(`SELECT id FROM users WHERE phone = $1`, [DEMO.contractor1]);
  ids.template = randomUUID();
  await q(`INSERT INTO templates (id, county_id, version, title, body, created_at) VALUES ($1, $2, 900, '统计测试', '正文', now())`, [ids.template, ids.county]);

  const a1 = await project({ key: "A1", township: "A", state: "awarded", ceiling: 100_000_000, approved: "2026-03-01T00:00:00Z" });
  await award(await tender(a1, "A1", { bidCount: 5 }), 88_000_000, "2026-03-11T00:00:00Z");
  const a2 = await project({ key: "A2", township: "A", state: "completed", ceiling: 50_000_000, approved: "2026-04-01T00:00:00Z" });
  await award(await tender(a2, "A2", { bidCount: 3 }), 47_500_000, "2026-04-21T00:00:00Z");
  const a3 = await project({ key: "A3", township: "A", state: "published", ceiling: 20_000_000, approved: "2026-02-05T00:00:00Z" });
  await tender(a3, "A3r1", { bidCount: 2, opening: "failed" });
  await tender(a3, "A3r2", { round: 2, deadline: "2026-12-01T01:30:00Z" });
  const a4 = await project({ key: "A4", township: "A", state: "published", ceiling: 10_000_000, approved: "2026-11-01T00:00:00Z" });
  await tender(a4, "A4", { deadline: "2026-11-19T01:30:00Z" });
  await project({ key: "A5", township: "A", state: "draft", ceiling: 5_000_000 });
  const a6 = await project({ key: "A6", township: "A", state: "failed", ceiling: 60_000_000, approved: "2026-05-01T00:00:00Z" });
  await award(await tender(a6, "A6", { bidCount: 4 }), 55_000_000, "2026-05-20T00:00:00Z", "rejected");
  const a7 = await project({ key: "A7", township: "A", state: "awarded", ceiling: 30_000_000, created: "2025-06-01T00:00:00Z", approved: "2025-06-10T00:00:00Z" });
  await award(await tender(a7, "A7", { bidCount: 6 }), 27_000_000, "2025-07-10T00:00:00Z");
  const a8 = await project({ key: "A8", township: "A", state: "failed", ceiling: 15_000_000, approved: "2026-06-01T00:00:00Z" });
  await tender(a8, "A8", { bidCount: 3, evalFailed: true });
  const b1 = await project({ key: "B1", township: "B", state: "awarded", ceiling: 40_000_000, approved: "2026-05-01T00:00:00Z" });
  await award(await tender(b1, "B1", { bidCount: 10 }), 36_000_000, "2026-05-06T00:00:00Z");
  await project({ key: "B2", township: "B", state: "submitted", ceiling: 8_000_000 });

  // Complaints: A1 one overdue (not accepted in time) and one accepted (decision due later); B1 one filed; A6 one upheld (closed).
  await complaint(tenderOf.A1, "filed", "2026-11-13T10:00:00Z");
  await complaint(tenderOf.A1, "accepted", "2026-11-13T10:00:00Z", "2026-12-25T10:00:00Z");
  await complaint(tenderOf.B1, "filed", "2026-11-23T10:00:00Z");
  await complaint(tenderOf.A6, "upheld", "2026-05-25T10:00:00Z");
}, 120_000);

afterAll(async () => {
  await database?.close();
});

describe("the figures", () => {
  it("counts the county in 2026, projects by state with a passed deadline as opening", async () => {
    const d = await dashboardFor(database.db, ctx.clock, { countyId: ids.county }, { year: 2026 });
    expect(d.total).toMatchObject({
      projects: 9,
      tendered: 7,
      tenderedFen: 100_000_000 + 50_000_000 + 20_000_000 + 10_000_000 + 60_000_000 + 15_000_000 + 40_000_000,
      awarded: 3,
      awardedFen: 88_000_000 + 47_500_000 + 36_000_000,
      awardedCeilingFen: 190_000_000,
      savingsFen: 18_500_000,
      reductionBp: 900, // (1200 + 500 + 1000) / 3
      savingsRateBp: 974, // 18 500 000 / 190 000 000
      medianDaysToAward: 10, // 5, 10, 20
      tenders: 8,
      opened: 6,
      bidsAtDeadline: 5 + 3 + 2 + 4 + 3 + 10,
      avgBidders: 4.5,
      bidderSpread: { lt3: 1, b3: 2, b4to5: 2, b6to9: 0, b10plus: 1 },
      failed: 2,
      failedRateBp: 3333,
    });
    expect(d.states).toMatchObject({ draft: 1, submitted: 1, published: 1, opening: 1, awarded: 2, completed: 1, failed: 2, evaluating: 0, cancelled: 0 });
    expect(d.townships.map((r) => r.name).sort()).toEqual(["溪口乡", "青山镇"].sort());
    const b = d.townships.find((r) => r.townshipId === ids.xikou)!;
    expect(b).toMatchObject({ projects: 2, tendered: 1, awarded: 1, awardedFen: 36_000_000, reductionBp: 1000, medianDaysToAward: 5, avgBidders: 10, failed: 0, failedRateBp: 0 });
    expect(b.states).toMatchObject({ awarded: 1, submitted: 1 });
    const a = d.townships.find((r) => r.townshipId === ids.qingshan)!;
    expect(a).toMatchObject({
      projects: 7,
      tendered: 6,
      tenderedFen: 255_000_000,
      awarded: 2,
      savingsFen: 14_500_000,
      reductionBp: 850,
      savingsRateBp: 967,
      medianDaysToAward: 15,
      tenders: 7,
      opened: 5,
      avgBidders: 3.4,
      failed: 2,
      failedRateBp: 4000,
    });
    expect(d.years).toEqual([2026, 2025]);
  });

  it("takes every year without a year filter", async () => {
    const d = await dashboardFor(database.db, ctx.clock, { countyId: ids.county }, {});
    expect(d.total).toMatchObject({ projects: 10, awarded: 4, reductionBp: 925, medianDaysToAward: 15, opened: 7, bidsAtDeadline: 33 });
    expect(d.states.awarded).toBe(3);
  });

  it("finds nothing in a year without projects, and says so with nulls, not zeros", async () => {
    const d = await dashboardFor(database.db, ctx.clock, { countyId: ids.county }, { year: 2024 });
    expect(d.total).toMatchObject({ projects: 0, tenderedFen: 0, reductionBp: null, savingsRateBp: null, medianDaysToAward: null, avgBidders: null, failedRateBp: null });
    expect(d.townships).toHaveLength(2);
  });

  it("lists open complaints with the deadline that runs now, overdue first", async () => {
    const d = await dashboardFor(database.db, ctx.clock, { countyId: ids.county }, { year: 2025 });
    expect(d.complaints.map((c) => [c.tenderId, c.state, c.overdue])).toEqual([
      [tenderOf.A1, "filed", true],
      [tenderOf.B1, "filed", false],
      [tenderOf.A1, "accepted", false],
    ]);
    expect(d.complaints[2].dueAt?.toISOString()).toBe("2026-12-25T10:00:00.000Z");
  });
});

describe("the scope", () => {
  it("keeps a supervisor to their township whatever the filter asks", async () => {
    const d = await dashboardFor(database.db, ctx.clock, { countyId: ids.county, townshipId: ids.xikou }, { year: 2026, townshipId: ids.qingshan });
    expect(d.townships.map((r) => r.townshipId)).toEqual([ids.xikou]);
    expect(d.total).toMatchObject({ projects: 2, awarded: 1 });
    expect(d.complaints.map((c) => c.tenderId)).toEqual([tenderOf.B1]);
    expect(d.townshipChoices.map((o) => o.id)).toEqual([ids.xikou]);
  });

  it("lets the county administrator narrow to one of the county's townships, and no other", async () => {
    const d = await dashboardFor(database.db, ctx.clock, { countyId: ids.county }, { year: 2026, townshipId: ids.xikou });
    expect(d.townships.map((r) => r.townshipId)).toEqual([ids.xikou]);
    expect(d.total.projects).toBe(2);
    await expect(dashboardFor(database.db, ctx.clock, { countyId: ids.county }, { townshipId: ids.villageA })).rejects.toMatchObject({ options: { status: 404 } });
    await expect(dashboardFor(database.db, ctx.clock, { countyId: ids.county }, { townshipId: "not-a-uuid" })).rejects.toMatchObject({ options: { status: 404 } });
  });

  it("shows the page to the township's supervisor: their township only", async () => {
    const { status, data } = unwrap(await run(dashboardRoute.loader, get("/supervision?year=2026", cookies.supervisorA), ctx));
    expect(status).toBe(200);
    expect(data.county).toBe(false);
    expect(data.townships.map((r: { name: string }) => r.name)).toEqual(["青山镇"]);
    expect(data.total.projects).toBe(7);
    expect(data.complaints.map((c: { tenderId: string; overdue: boolean }) => [c.tenderId, c.overdue])).toEqual([
      [tenderOf.A1, true],
      [tenderOf.A1, false],
    ]);
    expect(data.exportHref).toBe("/supervision/export.csv?year=2026");
  });

  it("shows the county administrator every township, and one on request", async () => {
    const all = unwrap(await run(dashboardRoute.loader, get("/supervision", cookies.countyAdmin), ctx)).data;
    expect(all.county).toBe(true);
    expect(all.townships).toHaveLength(2);
    expect(all.total.projects).toBe(10);
    expect(all.complaints).toHaveLength(3);
    const one = unwrap(await run(dashboardRoute.loader, get(`/supervision?township=${ids.qingshan}&year=2026`, cookies.countyAdmin), ctx)).data;
    expect(one.townships.map((r: { name: string }) => r.name)).toEqual(["青山镇"]);
    expect(one.exportHref).toBe(`/supervision/export.csv?year=2026&township=${ids.qingshan}`);
    const foreign = await run(dashboardRoute.loader, get(`/supervision?township=${randomUUID()}`, cookies.countyAdmin), ctx);
    expect((foreign as Response).status).toBe(404);
  });

  it("refuses every other role (403) and sends the anonymous to log in", async () => {
    for (const who of ["committeeA1", "contractor1", "expert1", "agentA", "agentVillageA1"] as const) {
      for (const [route, url] of [
        [dashboardRoute, "/supervision"],
        [exportRoute, "/supervision/export.csv"],
      ] as const) {
        const res = (await run(route.loader, get(url, cookies[who]), ctx)) as Response;
        expect(res, `${who} ${url}`).toBeInstanceOf(Response);
        expect(res.status, `${who} ${url}`).toBe(403);
      }
    }
    const anon = (await run(exportRoute.loader, get("/supervision/export.csv"), ctx)) as Response;
    expect(anon.status).toBe(302);
    expect(anon.headers.get("Location")).toContain("/login");
  });
});

describe("the CSV", () => {
  const parse = (text: string) =>
    text
      .replace(/^\uFEFF/, "")
      .trimEnd()
      .split("\r\n");

  it("is UTF-8 with a byte-order mark, a row per township and a total, for download", async () => {
    const res = (await run(exportRoute.loader, get("/supervision/export.csv?year=2026", cookies.countyAdmin), ctx)) as Response;
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("Content-Disposition")).toMatch(/^attachment; filename\*=UTF-8''/);
    expect(decodeURIComponent(res.headers.get("Content-Disposition")!.split("''")[1])).toBe("监管统计-青山县-2026.csv");
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = parse(bytes.toString("utf8"));
    expect(lines).toHaveLength(4);
    const header = lines[0].split(",");
    expect(header.slice(0, 4)).toEqual(["乡镇", "登记项目数", "已招标项目数", "招标金额（元，最高投标限价）"]);
    expect(header).toHaveLength(16 + 13);
    const row = (name: string) => lines.find((l) => l.startsWith(`${name},`))!.split(",");
    // 青山镇: 7 projects, 6 tendered for 2 550 000.00, 2 awarded for 1 355 000.00 …
    expect(row("青山镇").slice(0, 16)).toEqual([
      "青山镇",
      "7",
      "6",
      "2550000.00",
      "2",
      "1355000.00",
      "1500000.00",
      "145000.00",
      "8.50",
      "9.67",
      "15.0",
      "7",
      "5",
      "3.4",
      "2",
      "40.00",
    ]);
    expect(row("合计").slice(0, 11)).toEqual(["合计", "9", "7", "2950000.00", "3", "1715000.00", "1900000.00", "185000.00", "9.00", "9.74", "10.0"]);
    // The project counts by state follow, in the lifecycle's order: draft, submitted, returned, approved, published, opening, …
    expect(row("合计").slice(16, 22)).toEqual(["1", "1", "0", "0", "1", "1"]);
  });

  it("speaks the reader's language and gives a supervisor their township only", async () => {
    const req = get("/supervision/export.csv", cookies.supervisorB);
    req.headers.set("Cookie", `${req.headers.get("Cookie")}; lng=en`);
    const res = (await run(exportRoute.loader, req, ctx)) as Response;
    const lines = parse(await res.text());
    expect(lines[0].startsWith("Township,Projects registered,")).toBe(true);
    expect(lines).toHaveLength(2);
    expect(lines[1].startsWith("溪口乡,2,1,400000.00,1,360000.00,")).toBe(true);
  });

  it("quotes by RFC 4180 and keeps a formula from running in a spreadsheet", async () => {
    expect(csvCell('say "hi", then')).toBe('"say ""hi"", then"');
    expect(csvCell("two\r\nlines")).toBe('"two\r\nlines"');
    for (const evil of ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx"]) expect(csvCell(evil).replace(/^"/, "").startsWith("'")).toBe(true);
    expect(csvCell("-12.50")).toBe("-12.50"); // a number we wrote stays a number
    expect(csvCell(null)).toBe("");
    expect(toCsv([["a", 1]])).toBe("\uFEFFa,1\r\n");

    // A township named like a formula (names are typed by people) comes out inert.
    await q(`UPDATE orgs SET name = $1 WHERE id = $2`, ['=cmd|"/c calc"!A1', ids.xikou]);
    try {
      const { csv } = await dashboardCsv(database.db, { clock: ctx.clock, scope: { countyId: ids.county }, filter: {}, t: getT("zh-CN") });
      expect(csv).toContain(`\r\n"'=cmd|""/c calc""!A1",2,`);
    } finally {
      await q(`UPDATE orgs SET name = '溪口乡' WHERE id = $1`, [ids.xikou]);
    }
  });
});

// Last in the file: these change the data the figures above are worked out on.
describe("the figures keep up with writes (project_figures, ADR 0023)", () => {
  it("shows on the next view a write to any of the five tables the figures sum", async () => {
    const before = await dashboardFor(database.db, ctx.clock, { countyId: ids.county }, { year: 2026 });
    const b2 = await one(`SELECT id FROM projects WHERE name = '统计测试B2'`);
    await asStateWriter(database.db, "project", (tx) => tx.execute(sql`UPDATE projects SET state = 'approved' WHERE id = ${b2}`)); // projects
    await q(`UPDATE tenders SET deadline = '2026-11-19T08:00:00Z' WHERE id = $1`, [tenderOf.A3r2]); // tenders: round 2's deadline has passed
    await q(`INSERT INTO openings (tender_id, state, bid_count, created_at) VALUES ($1, 'closed', 4, '2026-11-19T01:30:00Z')`, [tenderOf.A4]); // openings
    await q(`DELETE FROM evaluations WHERE tender_id = $1`, [tenderOf.A8]); // evaluations
    await asStateWriter(database.db, "award", (tx) => tx.execute(sql`UPDATE awards SET state = 'rejected' WHERE tender_id = ${tenderOf.B1}`)); // awards
    const after = await dashboardFor(database.db, ctx.clock, { countyId: ids.county }, { year: 2026 });
    expect(after.states.submitted).toBe(before.states.submitted - 1);
    expect(after.states.approved).toBe(before.states.approved + 1);
    expect(after.states.published).toBe(before.states.published - 1);
    expect(after.states.opening).toBe(before.states.opening + 1);
    expect(after.total.opened).toBe(before.total.opened + 1);
    expect(after.total.bidsAtDeadline).toBe(before.total.bidsAtDeadline + 4);
    expect(after.total.failed).toBe(before.total.failed - 1);
    expect(after.total.awarded).toBe(before.total.awarded - 1);
    expect(after.total.awardedFen).toBe(before.total.awardedFen - 36_000_000);
    expect(after.total.medianDaysToAward).toBe(15); // 10 and 20 left
    // Nothing is left queued, and a view with nothing queued refreshes nothing.
    expect(await refreshProjectFigures(database.db)).toBe(0);
  });

  it.runIf(isRealServer())("leaves a writer that has not committed for the next refresh, and takes it once it has", async () => {
    const other = await openAnotherHandle(database);
    const a5 = await one(`SELECT id FROM projects WHERE name = '统计测试A5'`);
    try {
      let refreshedMeanwhile = -1;
      await other.db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('cyz.writer', 'project', true)`);
        await tx.execute(sql`update projects set state = 'cancelled' where id = ${a5}`);
        // The writer's queue entry is not committed: the refresh neither sees it nor waits for it.
        refreshedMeanwhile = await refreshProjectFigures(database.db);
      });
      expect(refreshedMeanwhile).toBe(0);
      const d = await dashboardFor(database.db, ctx.clock, { countyId: ids.county }, { year: 2026 });
      expect(d.states).toMatchObject({ draft: 0, cancelled: 1 });
      expect(await one(`SELECT count(*) FROM project_figures_queue`)).toBe("0");
    } finally {
      await other.close();
    }
  });
});
