// Credit records (issue 7): who may record on whom, the audit trail, lifting,
// and the effects — a blacklisted company cannot bid (until the blacklisting is
// lifted or over), a suspended or blacklisted expert is not drawn — and the
// grade on the pages that show it.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitBid } from "~/models/bid.server";
import { creditOf, liftCredit, recordCredit } from "~/models/credit.server";
import { drawPanel } from "~/models/panel.server";
import * as companyRoute from "~/routes/company";
import * as contractorsRoute from "~/routes/contractors";
import * as bidRoute from "~/routes/notices.$id_.bid";
import * as poolRoute from "~/routes/pool";
import * as creditRoute from "~/routes/supervision.credit";
import { schema, type MemberRole } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { cookieFor, DEMO, get, makeContext, post, run, unwrap } from "../helpers/app";
import { preparedBidder, sealBid, submitInput, type Bidder } from "../helpers/bids";
import { createTestDb } from "../helpers/db";
import { closedOpening } from "../helpers/opening";
import { tenderFields, tenderKit } from "../helpers/tenders";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let kit: Awaited<ReturnType<typeof tenderKit>>;

type Acting = { userId: string; role: MemberRole; ip: string };
let supA: Acting, supB: Acting, admin: Acting, committee: Acting;
let townshipA: string, townshipB: string, countyId: string;
let a: Bidder, b: Bidder;

const START = "2026-11-20T02:00:00Z"; // 10:00 on 2026-11-20, Beijing
const userOf = async (phone: string) => (await database.db.select().from(schema.users).where(eq(schema.users.phone, phone)))[0];
const acting = async (phone: string, role: MemberRole): Promise<Acting> => ({ userId: (await userOf(phone)).id, role, ip: "203.0.113.9" });
const orgNamed = async (name: string) => (await database.db.select().from(schema.orgs).where(eq(schema.orgs.name, name)))[0];
const expertNamed = async (name: string) =>
  (
    await database.db
      .select()
      .from(schema.users)
      .where(eq(schema.users.name, `专家 ${name}`))
  )[0].id;
const auditOf = (objectId: string) => database.db.select().from(schema.auditLog).where(eq(schema.auditLog.objectId, objectId));
const countRecords = async () => (await database.db.select().from(schema.creditRecords)).length;

const company = (companyId: string, over: Record<string, string>) => ({ subject: "company", subjectId: companyId, reason: "投标文件弄虚作假", startsOn: "2026-11-20", ...over });
const expert = (expertId: string, over: Record<string, string>) => ({ subject: "expert", subjectId: expertId, reason: "评审打分明显偏离", startsOn: "2026-11-20", ...over });

async function tender(name: string) {
  const id = await kit.approvedProject(name, 20_000_000);
  const r = (await kit.publish(id, tenderFields({ deadline: "2026-12-01T09:30", bidSecurity: "3000" }), await cookieFor(ctx, DEMO.committeeA1))) as Response;
  expect(r.status).toBe(302);
  return kit.tenderOf(id);
}

const bid = async (who: Bidder, tenderId: string) =>
  submitBid(database.db, {
    clock: ctx.clock,
    store: ctx.files,
    actor: who.actor,
    companyId: who.companyId,
    tenderId,
    raw: submitInput(await sealBid(ctx, who, tenderId, { priceFen: 18_000_000, mark: who.phone })),
  });

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  kit = await tenderKit(database, ctx);
  supA = await acting(DEMO.supervisorA, "supervisor");
  supB = await acting(DEMO.supervisorB, "supervisor");
  admin = await acting(DEMO.countyAdmin, "county_admin");
  committee = await acting(DEMO.committeeA1, "committee");
  const qingshan = await orgNamed("青山镇");
  townshipA = qingshan.id;
  countyId = qingshan.countyId!;
  townshipB = (await orgNamed("溪口乡")).id;
  a = await preparedBidder(database, ctx, DEMO.contractor1);
  b = await preparedBidder(database, ctx, DEMO.contractor2);
});
afterAll(async () => {
  await database?.close();
});

describe("recording and lifting", () => {
  it("records a deduction for a company of the township's pool, in one audited row, and the grade follows", async () => {
    ctx.clock.set(START);
    const row = await recordCredit(database.db, { clock: ctx.clock, actor: supA, issuerOrgId: townshipA, raw: company(a.companyId, { kind: "deduction", points: "6" }) });
    expect(row).toMatchObject({
      countyId,
      issuerOrgId: townshipA,
      subject: "company",
      companyId: a.companyId,
      expertId: null,
      kind: "deduction",
      points: 6,
      endsOn: null,
      recordedBy: supA.userId,
      liftedAt: null,
    });
    const audit = await auditOf(row.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "credit.record", objectType: "credit_record", countyId, townshipId: townshipA, actorUserId: supA.userId });
    expect(audit[0].summary).toMatchObject({ after: { kind: "deduction", points: 6, reason: "投标文件弄虚作假", companyId: a.companyId } });
    const credit = await creditOf(database.db, { company: a.companyId }, "2026-11-20");
    expect(credit.grade).toMatchObject({ grade: "yellow", basis: "points", points: 6 });
    expect(credit.active.map((r) => r.id)).toEqual([row.id]);
  });

  it("refuses another township's supervisor, other roles, someone acting for an org they are not in, and bad input, leaving nothing behind", async () => {
    ctx.clock.set(START);
    const before = await countRecords();
    const auditBefore = (await database.db.select().from(schema.auditLog)).length;
    // 溪口乡's pool is empty and its tenders had no bidders: 青山镇's companies are not its business.
    await expect(recordCredit(database.db, { clock: ctx.clock, actor: supB, issuerOrgId: townshipB, raw: company(a.companyId, { kind: "warning" }) })).rejects.toMatchObject({
      key: "errors.credit.outOfScope",
      options: { status: 403 },
    });
    await expect(
      recordCredit(database.db, { clock: ctx.clock, actor: committee, issuerOrgId: (await orgNamed("青山村")).id, raw: company(a.companyId, { kind: "warning" }) }),
    ).rejects.toMatchObject({
      key: "errors.forbidden",
      options: { status: 403 },
    });
    // 青山镇's supervisor claiming to act for 溪口乡.
    await expect(recordCredit(database.db, { clock: ctx.clock, actor: supA, issuerOrgId: townshipB, raw: company(a.companyId, { kind: "warning" }) })).rejects.toMatchObject({
      key: "errors.forbidden",
    });
    await expect(recordCredit(database.db, { clock: ctx.clock, actor: supA, issuerOrgId: townshipA, raw: company(a.companyId, { kind: "deduction" }) })).rejects.toMatchObject({
      key: "errors.credit.points",
      options: { field: "points" },
    });
    await expect(recordCredit(database.db, { clock: ctx.clock, actor: supA, issuerOrgId: townshipA, raw: company(a.companyId, { kind: "blacklist" }) })).rejects.toMatchObject({
      key: "errors.credit.endsOn",
    });
    await expect(
      recordCredit(database.db, { clock: ctx.clock, actor: supA, issuerOrgId: townshipA, raw: company(a.companyId, { kind: "warning", startsOn: "2025-01-01" }) }),
    ).rejects.toMatchObject({
      key: "errors.credit.startsOnRange",
    });
    await expect(
      recordCredit(database.db, { clock: ctx.clock, actor: supA, issuerOrgId: townshipA, raw: company(a.companyId, { kind: "warning", reason: "" }) }),
    ).rejects.toMatchObject({
      key: "errors.credit.reason",
    });
    // Experts are county-wide, but a project must be the township's own.
    const auditNow = (await database.db.select().from(schema.auditLog)).length;
    expect(auditNow).toBe(auditBefore);
    const projectOfA = await kit.approvedProject("村委会办公楼维修");
    const auditWithProject = (await database.db.select().from(schema.auditLog)).length;
    await expect(
      recordCredit(database.db, { clock: ctx.clock, actor: supB, issuerOrgId: townshipB, raw: expert(await expertNamed("冯国强"), { kind: "warning", projectId: projectOfA }) }),
    ).rejects.toMatchObject({
      key: "errors.credit.project",
      options: { field: "projectId" },
    });
    expect(await countRecords()).toBe(before);
    expect((await database.db.select().from(schema.auditLog)).length).toBe(auditWithProject);
  });

  it("lets the county administrator record on any company of the county", async () => {
    ctx.clock.set(START);
    // Company 8 was turned away from 青山镇's pool: still the county's.
    const [rejected] = await database.db.select().from(schema.poolMemberships).where(eq(schema.poolMemberships.status, "rejected"));
    const row = await recordCredit(database.db, { clock: ctx.clock, actor: admin, issuerOrgId: countyId, raw: company(rejected.companyId, { kind: "warning" }) });
    expect(row).toMatchObject({ issuerOrgId: countyId, kind: "warning" });
    expect((await auditOf(row.id))[0]).toMatchObject({ action: "credit.record", countyId, townshipId: null });
    expect((await creditOf(database.db, { company: rejected.companyId }, "2026-11-20")).grade.grade).toBe("yellow");
  });

  it("lifts with a note — the issuing township or the county only, once — audited, and the record stops counting", async () => {
    ctx.clock.set(START);
    const row = await recordCredit(database.db, { clock: ctx.clock, actor: supA, issuerOrgId: townshipA, raw: company(b.companyId, { kind: "suspension", endsOn: "2027-02-28" }) });
    expect((await creditOf(database.db, { company: b.companyId }, "2026-11-20")).grade).toMatchObject({ grade: "orange", basis: "suspended", until: "2027-02-28" });
    await expect(liftCredit(database.db, { clock: ctx.clock, actor: supB, issuerOrgId: townshipB, raw: { recordId: row.id, note: "整改已完成" } })).rejects.toMatchObject({
      key: "errors.credit.notIssuer",
      options: { status: 403 },
    });
    await expect(liftCredit(database.db, { clock: ctx.clock, actor: supA, issuerOrgId: townshipA, raw: { recordId: row.id, note: "好" } })).rejects.toMatchObject({
      key: "errors.credit.liftNote",
    });
    const lifted = await liftCredit(database.db, { clock: ctx.clock, actor: admin, issuerOrgId: countyId, raw: { recordId: row.id, note: "复核后撤销：证据不足" } });
    expect(lifted).toMatchObject({ liftedBy: admin.userId, liftNote: "复核后撤销：证据不足" });
    expect(lifted.liftedAt?.toISOString()).toBe(new Date(START).toISOString());
    await expect(liftCredit(database.db, { clock: ctx.clock, actor: supA, issuerOrgId: townshipA, raw: { recordId: row.id, note: "再撤销一次" } })).rejects.toMatchObject({
      key: "errors.credit.alreadyLifted",
      options: { status: 409 },
    });
    const audit = await auditOf(row.id);
    expect(audit.map((x) => x.action)).toEqual(["credit.record", "credit.lift"]);
    expect(audit[1]).toMatchObject({ actorUserId: admin.userId, countyId, summary: { after: { lifted: true, note: "复核后撤销：证据不足" } } });
    const credit = await creditOf(database.db, { company: b.companyId }, "2026-11-20");
    expect(credit.grade.grade).toBe("green");
    expect(credit.records.find((r) => r.id === row.id)?.status).toBe("lifted");
  });
});

describe("a blacklisted company cannot bid", () => {
  it("refuses its bid, says so on the bid page, and takes bids again once the blacklisting is lifted", async () => {
    ctx.clock.set(START);
    const t = await tender("村道护栏安装");
    // Naming a project whose bidding is open would tell who bids on it: refused.
    await expect(
      recordCredit(database.db, {
        clock: ctx.clock,
        actor: supA,
        issuerOrgId: townshipA,
        raw: company(a.companyId, { kind: "blacklist", endsOn: "2027-05-31", projectId: t.projectId }),
      }),
    ).rejects.toMatchObject({ key: "errors.credit.project" });
    const row = await recordCredit(database.db, { clock: ctx.clock, actor: supA, issuerOrgId: townshipA, raw: company(a.companyId, { kind: "blacklist", endsOn: "2027-05-31" }) });
    await expect(bid(a, t.id)).rejects.toMatchObject({ key: "errors.bid.blacklisted", options: { status: 403 } });
    expect(
      await database.db
        .select()
        .from(schema.bids)
        .where(and(eq(schema.bids.tenderId, t.id), eq(schema.bids.companyId, a.companyId))),
    ).toHaveLength(0);

    const page = unwrap(await run(bidRoute.loader, get(`/notices/${t.id}/bid`, await cookieFor(ctx, DEMO.contractor1)), ctx, { id: t.id }));
    expect(page.data.problems).toContain("errors.bid.blacklisted");

    // Red, with its words, wherever the grade shows.
    const own = unwrap(await run(companyRoute.loader, get("/company", await cookieFor(ctx, DEMO.contractor1)), ctx));
    expect(own.data.credit.grade).toMatchObject({ grade: "red", basis: "blacklisted", until: "2027-05-31" });
    expect(own.data.credit.records.map((r: { id: string }) => r.id)).toContain(row.id);
    const pool = unwrap(await run(poolRoute.loader, get("/pool", await cookieFor(ctx, DEMO.supervisorA)), ctx));
    expect(pool.data.rows.find((r: { company: { id: string } }) => r.company.id === a.companyId).grade.grade).toBe("red");
    const seen = unwrap(await run(contractorsRoute.loader, get("/contractors", await cookieFor(ctx, DEMO.committeeA1)), ctx));
    expect(seen.data.companies.find((c: { id: string }) => c.id === a.companyId).grade.grade).toBe("red");
    expect(seen.data.companies.find((c: { id: string }) => c.id === b.companyId).grade.grade).toBe("green");
    // The committee sees no contact or bank details there.
    expect(JSON.stringify(seen.data)).not.toMatch(/bank|contactPhone/);

    await liftCredit(database.db, { clock: ctx.clock, actor: supA, issuerOrgId: townshipA, raw: { recordId: row.id, note: "申诉成立，撤销黑名单" } });
    const receipt = await bid(a, t.id);
    expect(receipt.seq).toBe(1);
  });

  it("counts a blacklisting from its first to its last day inclusive, and not outside", async () => {
    // Company 10: company 11's certificate has run out by the 24th.
    ctx.clock.set(START);
    const t = await tender("村口公厕改造");
    await recordCredit(database.db, {
      clock: ctx.clock,
      actor: supA,
      issuerOrgId: townshipA,
      raw: company(a.companyId, { kind: "blacklist", startsOn: "2026-11-22", endsOn: "2026-11-23" }),
    });
    ctx.clock.set("2026-11-21T16:00:00Z"); // 00:00 on the 22nd in Beijing: the first day
    await expect(bid(a, t.id)).rejects.toMatchObject({ key: "errors.bid.blacklisted" });
    ctx.clock.set("2026-11-23T15:59:00Z"); // 23:59 on the 23rd: the last day
    await expect(bid(a, t.id)).rejects.toMatchObject({ key: "errors.bid.blacklisted" });
    ctx.clock.set("2026-11-23T16:00:00Z"); // 00:00 on the 24th
    expect((await bid(a, t.id)).seq).toBe(1);
    const page = unwrap(await run(bidRoute.loader, get(`/notices/${t.id}/bid`, await cookieFor(ctx, DEMO.contractor1)), ctx, { id: t.id }));
    expect(page.data.problems).not.toContain("errors.bid.blacklisted");
  });
});

describe("a suspended expert is not drawn", () => {
  it("leaves experts under a suspension or blacklisting on the draw day out, with reason 'suspended'; past, future and lifted ones stay in", async () => {
    const first = await closedOpening(database, ctx, "村卫生室改造一期");
    ctx.clock.set("2026-11-26T02:20:00Z"); // after the opening: the draw day, 2026-11-26 in Beijing
    const [yang, feng, shen, han] = await Promise.all(["杨秀英", "冯国强", "沈佳怡", "韩志明"].map(expertNamed));
    // About a project whose bidding has closed (only 青山镇's own supervisor or the county may name it).
    await expect(
      recordCredit(database.db, {
        clock: ctx.clock,
        actor: supB,
        issuerOrgId: townshipB,
        raw: expert(yang, { kind: "suspension", endsOn: "2026-12-31", projectId: first.projectId }),
      }),
    ).rejects.toMatchObject({ key: "errors.credit.project" });
    const suspended = await recordCredit(database.db, {
      clock: ctx.clock,
      actor: supA,
      issuerOrgId: townshipA,
      raw: expert(yang, { kind: "suspension", endsOn: "2026-12-31", projectId: first.projectId }),
    });
    expect(suspended.projectId).toBe(first.projectId);
    // Any township's supervisor may record on the county's experts. This one was over the day before the draw.
    await recordCredit(database.db, {
      clock: ctx.clock,
      actor: supB,
      issuerOrgId: townshipB,
      raw: expert(feng, { kind: "suspension", startsOn: "2026-11-01", endsOn: "2026-11-25" }),
    });
    await recordCredit(database.db, {
      clock: ctx.clock,
      actor: supA,
      issuerOrgId: townshipA,
      raw: expert(shen, { kind: "blacklist", startsOn: "2026-11-27", endsOn: "2027-11-26" }),
    }); // starts the day after
    const blacklisted = await recordCredit(database.db, { clock: ctx.clock, actor: admin, issuerOrgId: countyId, raw: expert(han, { kind: "blacklist", endsOn: "2027-11-19" }) });

    const draw1 = await drawPanel(database.db, { clock: ctx.clock, actor: first.host, actingOrgId: first.villageId, tenderId: first.tenderId, opts: { seed: "cd".repeat(32) } });
    expect(draw1.exclusions).toEqual(
      expect.arrayContaining([
        { expertId: yang, reason: "suspended", detail: "2026-12-31" },
        { expertId: han, reason: "suspended", detail: "2027-11-19" },
      ]),
    );
    expect(draw1.exclusions.map((e) => e.expertId)).not.toContain(feng);
    expect(draw1.exclusions.map((e) => e.expertId)).not.toContain(shen);
    const [panel] = await database.db.select().from(schema.panels).where(eq(schema.panels.tenderId, first.tenderId));
    expect(
      panel.exclusions
        .filter((e) => e.reason === "suspended")
        .map((e) => e.expertId)
        .sort(),
    ).toEqual([yang, han].sort());

    // Lifted: back in the next draw.
    await liftCredit(database.db, { clock: ctx.clock, actor: supA, issuerOrgId: townshipA, raw: { recordId: suspended.id, note: "核实后撤销暂停" } });
    await liftCredit(database.db, { clock: ctx.clock, actor: admin, issuerOrgId: countyId, raw: { recordId: blacklisted.id, note: "核实后撤销黑名单" } });
    const second = await closedOpening(database, ctx, "村卫生室改造二期");
    const draw2 = await drawPanel(database.db, { clock: ctx.clock, actor: second.host, actingOrgId: second.villageId, tenderId: second.tenderId, opts: { seed: "ef".repeat(32) } });
    const excluded = draw2.exclusions.map((e) => e.expertId);
    expect(excluded).not.toContain(yang);
    expect(excluded).not.toContain(han);
    expect(excluded).not.toContain(feng);
    expect(excluded).not.toContain(shen);
  });

  it("keeps the pool's own suspendedUntil working beside credit records", async () => {
    const opened = await closedOpening(database, ctx, "村卫生室改造三期");
    const wu = await expertNamed("吴振华");
    await database.db.update(schema.experts).set({ suspendedUntil: "2026-12-15" }).where(eq(schema.experts.userId, wu));
    const draw = await drawPanel(database.db, { clock: ctx.clock, actor: opened.host, actingOrgId: opened.villageId, tenderId: opened.tenderId, opts: { seed: "01".repeat(32) } });
    expect(draw.exclusions).toContainEqual({ expertId: wu, reason: "suspended", detail: "2026-12-15" });
    await database.db.update(schema.experts).set({ suspendedUntil: null }).where(eq(schema.experts.userId, wu));
  });
});

describe("the credit page", () => {
  it("lists records in scope, records one and lifts one through plain forms; other roles are refused", async () => {
    ctx.clock.set(START);
    const cookie = await cookieFor(ctx, DEMO.supervisorA);
    const record = unwrap(
      await run(
        creditRoute.action,
        post(
          "/supervision/credit",
          { intent: "record", subjectRef: `company:${b.companyId}`, kind: "warning", startsOn: "2026-11-20", endsOn: "", points: "", projectId: "", reason: "未按时签订合同" },
          cookie,
        ),
        ctx,
      ),
    );
    expect(record).toMatchObject({ status: 200, data: { done: "credit.done.record" } });
    const page = unwrap(await run(creditRoute.loader, get("/supervision/credit?subject=company&show=active", cookie), ctx));
    const warning = page.data.records.find((r: { reason: string }) => r.reason === "未按时签订合同");
    expect(warning).toMatchObject({ subject: "company", kind: "warning", status: "inEffect", mayLift: true });
    expect(page.data.records.every((r: { subject: string }) => r.subject === "company")).toBe(true);
    expect(page.data.companies.find((c: { id: string }) => c.id === b.companyId).grade.grade).toBe("yellow");
    expect(page.data.experts.length).toBeGreaterThan(0);

    const bad = unwrap(
      await run(
        creditRoute.action,
        post("/supervision/credit", { intent: "record", subjectRef: `company:${b.companyId}`, kind: "blacklist", startsOn: "2026-11-20", reason: "围标串标嫌疑" }, cookie),
        ctx,
      ),
    );
    expect(bad).toMatchObject({ status: 400, data: { errors: { endsOn: "errors.credit.endsOn" } } });

    // 溪口乡's supervisor sees the county's experts' records but not 青山镇's companies.
    const other = unwrap(await run(creditRoute.loader, get("/supervision/credit?show=all", await cookieFor(ctx, DEMO.supervisorB)), ctx));
    expect(other.data.companies).toEqual([]);
    expect(other.data.records.every((r: { subject: string }) => r.subject === "expert")).toBe(true);
    expect(other.data.records.length).toBeGreaterThan(0);
    expect(other.data.records.find((r: { reason: string }) => r.reason === "未按时签订合同")).toBeUndefined();

    const lift = unwrap(await run(creditRoute.action, post("/supervision/credit", { intent: "lift", id: warning.id, note: "误录，撤销" }, cookie), ctx));
    expect(lift).toMatchObject({ status: 200, data: { done: "credit.done.lift" } });
    const after = unwrap(await run(creditRoute.loader, get("/supervision/credit?show=all", cookie), ctx));
    expect(after.data.records.find((r: { id: string }) => r.id === warning.id)).toMatchObject({ status: "lifted", liftNote: "误录，撤销", mayLift: false });

    for (const phone of [DEMO.committeeA1, DEMO.contractor1, DEMO.expert1]) {
      const r = await run(creditRoute.loader, get("/supervision/credit", await cookieFor(ctx, phone)), ctx);
      expect((r as Response).status).toBe(403);
    }
  });
});
