// The living demo county (issue 8): on a fresh database, `npm start` loads the demo county with
// projects in every stage, made through the model functions and real signatures on a clock that
// walks from weeks ago up to the present. Every signed document verifies, the audit trail is in
// time order and its chain holds, the projects under way are under way at `now`, and from then on
// the scheduler carries them on with real time.
import { and, asc, eq, isNotNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditChain } from "~/models/audit.server";
import { archiveDueProjects } from "~/models/archive.server";
import { listDemoProjects, seedLivingDemo } from "~/demo/demo.server";
import type { DemoProject } from "~/demo/demo-projects.server";
import { readBytes } from "~/models/file-store.server";
import { verifySignedPdf } from "~/models/signature.server";
import { closeDueTenders } from "~/models/tender.server";
import * as loginRoute from "~/routes/login";
import * as noticeRoute from "~/routes/notices.$id";
import { schema } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { get, makeContext, run, unwrap } from "../helpers/app";
import { createTestDb, isRealServer } from "../helpers/db";

// A Saturday afternoon in Beijing: the stories do not depend on working days.
const NOW = new Date("2026-12-05T06:00:00Z");
const DAY = 24 * 3600_000;

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let projects: DemoProject[];
const byStage = (stage: string) => projects.find((p) => p.stage === stage)!;

// The living demo is the embedded database's (SEED_DEMO is off on PostgreSQL unless asked); its
// model functions run on PostgreSQL in every other test, so the PostgreSQL leg spares the half minute.
describe.skipIf(isRealServer())("the living demo county", () => {
  beforeAll(async () => {
    database = await createTestDb({ empty: true });
    ctx = makeContext(database);
    ctx.clock.set(NOW);
    ({ projects } = await seedLivingDemo(database.db, { files: ctx.files, rp: ctx.rp, now: NOW }));
  }, 180_000);
  afterAll(() => database?.close());

  it("has a project in every stage, each in that state now", async () => {
    expect(projects.map((p) => p.stage)).toEqual([
      "draft",
      "submitted",
      "approved",
      "published",
      "opening",
      "evaluating",
      "publicity",
      "awarded",
      "completed",
      "failed",
      "cancelled",
    ]);
    for (const p of projects) {
      const [row] = await database.db.select({ state: schema.projects.state }).from(schema.projects).where(eq(schema.projects.id, p.projectId));
      expect(row.state, p.name).toBe(p.stage);
    }
    // The ones without a notice have no tender; the rest have one.
    expect(projects.filter((p) => p.tenderId === null).map((p) => p.stage)).toEqual(["draft", "submitted", "approved"]);
    expect(await listDemoProjects(database.db)).toEqual(projects);
  });

  it("leaves the projects under way under way at the present", async () => {
    const db = database.db;
    const [published] = await db
      .select()
      .from(schema.tenders)
      .where(eq(schema.tenders.id, byStage("published").tenderId!));
    expect(published.deadline.getTime()).toBeGreaterThan(NOW.getTime());
    expect(await db.select().from(schema.bids).where(eq(schema.bids.tenderId, published.id))).toHaveLength(2);

    const [opening] = await db
      .select()
      .from(schema.openings)
      .where(eq(schema.openings.tenderId, byStage("opening").tenderId!));
    expect(opening.state).toBe("decrypting");
    expect(opening.windowEndsAt!.getTime()).toBeGreaterThan(NOW.getTime());
    const rows = await db.select({ status: schema.bidOpenings.status }).from(schema.bidOpenings).where(eq(schema.bidOpenings.tenderId, opening.tenderId));
    expect(rows.map((r) => r.status).sort()).toEqual(["decrypted", "decrypted", "waiting"]);

    const evaluating = byStage("evaluating").tenderId!;
    const members = await db
      .select()
      .from(schema.panelMembers)
      .where(and(eq(schema.panelMembers.tenderId, evaluating), eq(schema.panelMembers.role, "member")));
    expect(members).toHaveLength(3);
    // One member has checked the three bids; two have still to.
    const checks = await db.select().from(schema.qualificationChecks).where(eq(schema.qualificationChecks.tenderId, evaluating));
    expect([new Set(checks.map((c) => c.expertId)).size, checks.length]).toEqual([1, 3]);

    const [publicity] = await db
      .select()
      .from(schema.publicities)
      .where(eq(schema.publicities.tenderId, byStage("publicity").tenderId!));
    expect(publicity.endsAt.getTime()).toBeGreaterThan(NOW.getTime());
    expect(publicity.startsAt.getTime()).toBeLessThan(NOW.getTime());
  });

  it("signed every record, report and award notice with passkeys, and each verifies", async () => {
    const db = database.db;
    const records = await db.select({ sha: schema.openings.recordPdfSha256 }).from(schema.openings).where(isNotNull(schema.openings.recordSignedAt));
    const reports = await db.select({ sha: schema.evaluations.reportPdfSha256 }).from(schema.evaluations).where(isNotNull(schema.evaluations.reportCompletedAt));
    const notices = await db.select({ sha: schema.awards.noticePdfSha256 }).from(schema.awards).where(isNotNull(schema.awards.signedAt));
    const archives = await db.select({ sha: schema.archives.pdfSha256 }).from(schema.archives);
    // Records: evaluating, publicity, awarded, completed. Reports: publicity, awarded, completed. Notices: awarded, completed.
    expect([records.length, reports.length, notices.length, archives.length]).toEqual([4, 3, 2, 1]);
    for (const { sha } of [...records, ...reports, ...notices, ...archives]) {
      const report = await verifySignedPdf(db, ctx.clock, new Uint8Array(await readBytes(ctx.files, sha!)));
      expect(report.signatures.length).toBeGreaterThan(0);
      for (const s of report.signatures) expect([s.intact, s.trusted, s.unchangedSince]).toEqual([true, true, true]);
      for (const l of report.longTerm) expect(l.ok).toBe(true);
    }
    // The demo devices are on the users' security pages, named as such, and only passkeys registered the real way.
    const keys = await db.select().from(schema.passkeys);
    expect(keys.length).toBeGreaterThan(10);
    expect(keys.every((k) => k.name.includes("演示") && k.publicKey.length > 60)).toBe(true);
  });

  it("wrote the audit trail in time order, ending at the present, with an intact chain", async () => {
    const rows = await database.db.select({ id: schema.auditLog.id, at: schema.auditLog.at }).from(schema.auditLog).orderBy(asc(schema.auditLog.id));
    for (let i = 1; i < rows.length; i++) expect(rows[i].at.getTime(), `audit row ${rows[i].id}`).toBeGreaterThanOrEqual(rows[i - 1].at.getTime());
    expect(rows.at(-1)!.at.getTime()).toBeLessThanOrEqual(NOW.getTime());
    expect(rows[0].at.getTime()).toBeLessThan(NOW.getTime() - 60 * DAY);
    const chain = await verifyAuditChain(database.db);
    expect(chain.ok).toBe(true);
    expect(chain.checked).toBe(rows.length);
  });

  it("is loaded once: a second start changes nothing", async () => {
    const before = await database.db.select({ id: schema.projects.id }).from(schema.projects);
    const again = await seedLivingDemo(database.db, { files: ctx.files, rp: ctx.rp, now: new Date(NOW.getTime() + DAY) });
    expect(again.projects).toEqual(projects);
    expect(await database.db.select({ id: schema.projects.id }).from(schema.projects)).toHaveLength(before.length);
  });

  it("lists the demo accounts and projects on the login page, linking only public notices", async () => {
    const { data } = unwrap(await run(loginRoute.loader, get("/login"), ctx));
    expect(data.demo.length).toBe(27);
    expect(data.projects.map((p: { stage: string }) => p.stage)).toEqual(projects.map((p) => p.stage));
    const linked = data.projects.filter((p: { notice: string | null }) => p.notice).map((p: { stage: string }) => p.stage);
    expect(linked).toEqual(["published", "opening", "evaluating", "publicity", "awarded", "completed", "failed", "cancelled"]);
    for (const p of projects.filter((x) => linked.includes(x.stage))) {
      const res = unwrap(await run(noticeRoute.loader, get(`/notices/${p.tenderId}`), ctx, { id: p.tenderId! }));
      expect(res.status, p.name).toBe(200);
    }
  });

  it("moves on with real time: the scheduler closes bidding at the deadline and archives what is final", async () => {
    const db = database.db;
    // The failed and the cancelled project are final (the failed one past its 30 days of grace).
    expect(await archiveDueProjects(db, ctx.clock, ctx.files)).toBe(2);
    ctx.clock.set(new Date(NOW.getTime() + 7 * DAY));
    expect(await closeDueTenders(db, ctx.clock)).toBe(1);
    const [p] = await db
      .select({ state: schema.projects.state })
      .from(schema.projects)
      .where(eq(schema.projects.id, byStage("published").projectId));
    expect(p.state).toBe("opening");
  });
});
