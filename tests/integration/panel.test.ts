// Drawing the evaluation panel after the opening: exclusions for ties to the village
// or a bidder (employer, declared relations, former employer within the county's years),
// unavailable and suspended experts; a recorded, re-runnable draw; recusal and reserves;
// who may see the names.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drawOrder } from "~/models/evaluation-rules.server";
import { getCountySettings, updateCountySettings } from "~/models/county-settings.server";
import { declare, drawPanel, exclusionOf, panelFor, type PoolExpert } from "~/models/panel.server";
import { schema } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { cookieFor, DEMO, get, makeContext, post, run, unwrap } from "../helpers/app";
import * as panelRoute from "~/routes/panels.$id";
import { createTestDb } from "../helpers/db";
import { closedOpening } from "../helpers/opening";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let opened: Awaited<ReturnType<typeof closedOpening>>;

const expertByName = async (name: string) =>
  (
    await database.db
      .select()
      .from(schema.users)
      .where(eq(schema.users.name, `专家 ${name}`))
  )[0].id;
const userOf = async (phone: string) => (await database.db.select().from(schema.users).where(eq(schema.users.phone, phone)))[0];

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  opened = await closedOpening(database, ctx, "村卫生室改造");
});
afterAll(async () => {
  await database?.close();
});

describe("conflicts of interest", () => {
  const base: PoolExpert = {
    userId: "e",
    name: "专家",
    specialties: ["房屋建筑"],
    employer: "某设计院",
    declaredRelations: [],
    pastEmployers: [],
    available: true,
    suspendedUntil: null,
  };
  const ctx = { parties: ["青山村", "浙江青山建设工程有限公司"], specialty: null, today: "2026-11-26", since: "2023-11-27" };

  it("excludes experts tied to the village or a bidder, and the unavailable and suspended", () => {
    expect(exclusionOf(base, ctx)).toBeNull();
    expect(exclusionOf({ ...base, employer: "浙江青山建设工程有限公司 " }, ctx)?.reason).toBe("sameEmployer");
    expect(exclusionOf({ ...base, declaredRelations: ["青山村"] }, ctx)?.reason).toBe("declaredRelation");
    expect(exclusionOf({ ...base, pastEmployers: [{ employer: "浙江青山建设工程有限公司", until: "2024-06-30" }] }, ctx)?.reason).toBe("formerEmployer");
    // Left the bidder more than three years ago: no longer a conflict.
    expect(exclusionOf({ ...base, pastEmployers: [{ employer: "浙江青山建设工程有限公司", until: "2023-11-26" }] }, ctx)).toBeNull();
    expect(exclusionOf({ ...base, available: false }, ctx)?.reason).toBe("unavailable");
    expect(exclusionOf({ ...base, suspendedUntil: "2026-11-26" }, ctx)?.reason).toBe("suspended");
    expect(exclusionOf({ ...base, suspendedUntil: "2026-11-25" }, ctx)).toBeNull();
    expect(exclusionOf(base, { ...ctx, specialty: "水利工程" })?.reason).toBe("specialty");
  });
});

describe("the panel draw", () => {
  it("is refused to anyone but the host, and before the opening has closed", async () => {
    const supervisor = await userOf(DEMO.supervisorA);
    await expect(
      drawPanel(database.db, {
        clock: ctx.clock,
        actor: { userId: supervisor.id, role: "supervisor" as const, ip: null },
        actingOrgId: opened.townshipId,
        tenderId: opened.tenderId,
      }),
    ).rejects.toMatchObject({
      options: { status: 403 },
    });
  });

  it("draws members and reserves at random from the eligible experts, records the seed and every exclusion, and tells the members", async () => {
    // 吴振华 works for a bidder now; 何雪梅 declared a relation to the village; 许文涛 worked for a bidder last year; 杨秀英 is suspended.
    const bidderName = opened.bidders[0].companyName;
    await database.db
      .update(schema.experts)
      .set({ employer: bidderName })
      .where(eq(schema.experts.userId, await expertByName("吴振华")));
    await database.db
      .update(schema.experts)
      .set({ declaredRelations: ["青山村"] })
      .where(eq(schema.experts.userId, await expertByName("何雪梅")));
    await database.db
      .update(schema.experts)
      .set({ pastEmployers: [{ employer: bidderName, until: "2025-12-31" }] })
      .where(eq(schema.experts.userId, await expertByName("许文涛")));
    await database.db
      .update(schema.experts)
      .set({ suspendedUntil: "2027-06-30" })
      .where(eq(schema.experts.userId, await expertByName("杨秀英")));

    const result = await drawPanel(database.db, {
      clock: ctx.clock,
      actor: opened.host,
      actingOrgId: opened.villageId,
      tenderId: opened.tenderId,
      opts: { seed: "ab".repeat(32) },
    });
    const excluded = Object.fromEntries(
      await Promise.all(
        result.exclusions.map(async (e) => [(await database.db.select().from(schema.users).where(eq(schema.users.id, e.expertId)))[0].name.replace("专家 ", ""), e.reason]),
      ),
    );
    expect(excluded).toEqual({ 吴振华: "sameEmployer", 何雪梅: "declaredRelation", 许文涛: "formerEmployer", 杨秀英: "suspended" });
    expect(result.members).toHaveLength(3);
    expect(result.reserves).toHaveLength(1); // 8 experts − 4 excluded = 4 eligible: 3 members + 1 reserve
    // Anyone can re-run the draw from the recorded seed and the eligible list.
    const eligible = (await database.db.select().from(schema.experts)).map((e) => e.userId).filter((id) => !result.exclusions.some((x) => x.expertId === id));
    expect(drawOrder(result.seed, eligible)).toEqual([...result.members, ...result.reserves]);
    // Members are told; the reserve is not (yet).
    const told = await database.db.select().from(schema.notifications).where(eq(schema.notifications.kind, "panel.assigned"));
    expect(told.map((n) => n.userId).sort()).toEqual([...result.members].sort());
    await expect(drawPanel(database.db, { clock: ctx.clock, actor: opened.host, actingOrgId: opened.villageId, tenderId: opened.tenderId })).rejects.toMatchObject({
      key: "errors.panel.alreadyDrawn",
    });
  });

  it("brings in the reserve when a member recuses, and shows the names to the panel, the host and the supervisor only", async () => {
    const [panel] = await database.db.select().from(schema.panels).where(eq(schema.panels.tenderId, opened.tenderId));
    const members = await database.db.select().from(schema.panelMembers).where(eq(schema.panelMembers.tenderId, opened.tenderId));
    const first = members.find((m) => m.position === 1)!;
    const second = members.find((m) => m.position === 2)!;
    const reserve = members.find((m) => m.role === "reserve")!;
    const expert = (id: string) => ({ userId: id, role: "expert" as const, ip: "203.0.113.9" });
    await declare(database.db, { clock: ctx.clock, actor: expert(first.expertId), tenderId: opened.tenderId, input: { accept: true } });
    await expect(declare(database.db, { clock: ctx.clock, actor: expert(second.expertId), tenderId: opened.tenderId, input: { accept: false, reason: "" } })).rejects.toMatchObject(
      {
        key: "errors.panel.reasonRequired",
      },
    );
    await declare(database.db, { clock: ctx.clock, actor: expert(second.expertId), tenderId: opened.tenderId, input: { accept: false, reason: "与投标人法定代表人系同学" } });
    const after = await database.db.select().from(schema.panelMembers).where(eq(schema.panelMembers.tenderId, opened.tenderId));
    expect(after.find((m) => m.expertId === second.expertId)).toMatchObject({ status: "recused", recuseReason: "与投标人法定代表人系同学" });
    expect(after.find((m) => m.expertId === reserve.expertId)?.role).toBe("member");
    // An expert who is not on the panel cannot declare.
    const outsider = (await database.db.select().from(schema.experts)).find((e) => !after.some((m) => m.expertId === e.userId))!;
    await expect(declare(database.db, { clock: ctx.clock, actor: expert(outsider.userId), tenderId: opened.tenderId, input: { accept: true } })).rejects.toMatchObject({
      key: "errors.panel.notAssigned",
    });

    const supervisor = await userOf(DEMO.supervisorA);
    const bidder = opened.bidders[0];
    const seenBySupervisor = await panelFor(database.db, opened.tenderId, { userId: supervisor.id, role: "supervisor" as const, orgId: opened.townshipId });
    expect(seenBySupervisor?.exclusions).toHaveLength(4);
    const seenByMember = await panelFor(database.db, opened.tenderId, { userId: first.expertId, role: "expert" as const, orgId: panel.tenderId });
    expect(seenByMember?.members.length).toBe(4);
    expect(seenByMember?.exclusions).toEqual([]);
    expect(await panelFor(database.db, opened.tenderId, { userId: bidder.userId, role: "contractor" as const, orgId: bidder.companyId })).toBeNull();
    expect(await panelFor(database.db, opened.tenderId, { userId: outsider.userId, role: "expert" as const, orgId: "x" })).toBeNull();
  });
});

describe("the panel page", () => {
  it("lets the host draw, members declare, and refuses bidders and other villages", async () => {
    const other = await closedOpening(database, ctx, "村道路灯维修", ["13900000013", "13900000010", "13900000011"]);
    const host = await cookieFor(ctx, DEMO.committeeA1);
    const page = unwrap(await run(panelRoute.loader, get(`/panels/${other.tenderId}`, host), ctx, { id: other.tenderId }));
    expect(page.data).toMatchObject({ host: true, panel: null });
    expect((await run(panelRoute.loader, get(`/panels/${other.tenderId}`, await cookieFor(ctx, DEMO.contractor1)), ctx, { id: other.tenderId })) as Response).toMatchObject({
      status: 403,
    });
    expect((await run(panelRoute.loader, get(`/panels/${other.tenderId}`, await cookieFor(ctx, DEMO.committeeA2)), ctx, { id: other.tenderId })) as Response).toMatchObject({
      status: 403,
    });
    const drawn = unwrap(await run(panelRoute.action, post(`/panels/${other.tenderId}`, { intent: "draw", specialty: "" }, host), ctx, { id: other.tenderId }));
    expect(drawn.data.done).toBe("draw");
    const after = unwrap(await run(panelRoute.loader, get(`/panels/${other.tenderId}`, host), ctx, { id: other.tenderId })).data;
    const member = after.panel.members.find((m: { role: string }) => m.role === "member");
    const [u] = await database.db.select().from(schema.users).where(eq(schema.users.id, member.expertId));
    const expertCookie = await cookieFor(ctx, u.phone);
    expect(unwrap(await run(panelRoute.action, post(`/panels/${other.tenderId}`, { intent: "accept" }, expertCookie), ctx, { id: other.tenderId })).data.done).toBe("accept");
    // An expert cannot draw; a host cannot declare for an expert.
    expect(unwrap(await run(panelRoute.action, post(`/panels/${other.tenderId}`, { intent: "draw" }, expertCookie), ctx, { id: other.tenderId })).status).toBe(403);
    expect(unwrap(await run(panelRoute.action, post(`/panels/${other.tenderId}`, { intent: "accept" }, host), ctx, { id: other.tenderId })).status).toBe(403);
  });
});

describe("the host's specialty filter", () => {
  it("must leave the county's margin of eligible experts per seat, or the draw could pick itself", async () => {
    const other = await closedOpening(database, ctx, "村文化礼堂屋面修缮", ["13900000011", "13900000013", "13900000010"]);
    // Every expert available again, five of them in 房屋建筑: a filter that leaves 5 for 3 seats.
    await database.db.update(schema.experts).set({ employer: "某设计院", declaredRelations: [], pastEmployers: [], suspendedUntil: null, available: true });
    const experts = await database.db.select().from(schema.experts).orderBy(schema.experts.userId);
    for (const [i, e] of experts.entries())
      await database.db
        .update(schema.experts)
        .set({ specialties: i < 5 ? ["房屋建筑"] : ["园林绿化"] })
        .where(eq(schema.experts.userId, e.userId));
    const before = (await database.db.select().from(schema.panels)).length;
    await expect(
      drawPanel(database.db, { clock: ctx.clock, actor: opened.host, actingOrgId: opened.villageId, tenderId: other.tenderId, opts: { specialty: "房屋建筑" } }),
    ).rejects.toMatchObject({
      key: "errors.panel.filterTooNarrow",
      options: { status: 409, values: { eligible: 5, needed: 6, perSeat: 2 } },
    });
    // The page says why, on the specialty field.
    const host = await cookieFor(ctx, DEMO.committeeA1);
    const refused = unwrap(await run(panelRoute.action, post(`/panels/${other.tenderId}`, { intent: "draw", specialty: "房屋建筑" }, host), ctx, { id: other.tenderId }));
    expect(refused.status).toBe(409);
    expect(JSON.stringify(refused.data.errors)).toContain("errors.panel.filterTooNarrow");
    expect((await database.db.select().from(schema.panels)).length).toBe(before);
    // A county that sets one per seat lets the same filter through.
    const [p] = await database.db.select().from(schema.projects).where(eq(schema.projects.id, other.projectId));
    const settings = await getCountySettings(database.db, p.countyId);
    const admin = await userOf(DEMO.countyAdmin);
    await updateCountySettings(database.db, {
      clock: ctx.clock,
      actor: { userId: admin.id, role: "county_admin" as const, ip: null },
      countyId: p.countyId,
      value: { ...settings, panelFilterEligiblePerSeat: 1 },
    });
    const drawn = await drawPanel(database.db, { clock: ctx.clock, actor: opened.host, actingOrgId: opened.villageId, tenderId: other.tenderId, opts: { specialty: "房屋建筑" } });
    expect(drawn.members).toHaveLength(3);
  });
});
