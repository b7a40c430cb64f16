// The county administrator keeps the expert pool: the conflict facts the panel draw
// uses, availability and suspensions — through the real page, audited, refused to others.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateWithPassword } from "~/models/user.server";
import * as expertsRoute from "~/routes/admin.experts";
import { schema } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { cookieFor, DEMO, get, makeContext, post, run, unwrap } from "../helpers/app";
import { createTestDb } from "../helpers/db";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let admin: string;

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  admin = await cookieFor(ctx, DEMO.countyAdmin);
});
afterAll(async () => {
  await database?.close();
});

describe("the expert pool", () => {
  it("edits an expert's conflict facts, availability and suspension, with an audit row, and refuses bad input clearly", async () => {
    const list = unwrap(await run(expertsRoute.loader, get("/admin/experts", admin), ctx)).data.experts;
    expect(list).toHaveLength(8);
    const e = list.find((x: { name: string }) => x.name === "专家 吴振华");
    const fields = {
      intent: "update",
      id: e.id,
      specialties: "房屋建筑、工程造价",
      employer: "金华市建筑设计研究院",
      declaredRelations: "青山村\n浙江青山建设工程有限公司",
      pastEmployers: "兰溪宏达市政工程有限公司 至 2024-06-30",
      suspendedUntil: "2027-01-31",
    };
    const bad = unwrap(await run(expertsRoute.action, post("/admin/experts", { ...fields, pastEmployers: "兰溪宏达市政工程有限公司 去年" }, admin), ctx));
    expect(bad.status).toBe(400);
    expect(bad.data.errors.pastEmployers).toBe("errors.expert.pastEmployers");
    expect(unwrap(await run(expertsRoute.action, post("/admin/experts", { ...fields, specialties: "" }, admin), ctx)).data.errors.specialties).toBe("errors.expert.specialties");
    expect(unwrap(await run(expertsRoute.action, post("/admin/experts", fields, admin), ctx)).data.done).toBe("update");
    const [row] = await database.db.select().from(schema.experts).where(eq(schema.experts.userId, e.id));
    expect(row).toMatchObject({
      specialties: ["房屋建筑", "工程造价"],
      declaredRelations: ["青山村", "浙江青山建设工程有限公司"],
      pastEmployers: [{ employer: "兰溪宏达市政工程有限公司", until: "2024-06-30" }],
      available: false, // the checkbox was not sent
      suspendedUntil: "2027-01-31",
    });
    const audit = await database.db.select().from(schema.auditLog).where(eq(schema.auditLog.objectId, e.id));
    expect(audit.map((a) => a.action)).toContain("expert.update");
  });

  it("adds an expert who can then log in; a taken phone number is refused on its field", async () => {
    const fields = { intent: "add", name: "周建平", phone: "13957100001", password: "zhoujianping-2026", specialties: "水利工程", employer: "县农业农村局退休", available: "on" };
    expect(unwrap(await run(expertsRoute.action, post("/admin/experts", fields, admin), ctx)).data.done).toBe("add");
    expect(await authenticateWithPassword(database.db, "13957100001", "zhoujianping-2026")).toBeTruthy();
    const again = unwrap(await run(expertsRoute.action, post("/admin/experts", { ...fields, name: "重复" }, admin), ctx));
    expect(again.data.errors.phone).toBe("errors.phoneTaken");
    expect(await database.db.select().from(schema.users).where(eq(schema.users.name, "重复"))).toEqual([]);
  });

  it("edits only experts of the administrator's own county", async () => {
    const [county] = await database.db.insert(schema.orgs).values({ kind: "county", name: "邻县", code: "330799", createdAt: ctx.clock.now() }).returning();
    const [u] = await database.db
      .insert(schema.users)
      .values({ phone: "13957100099", name: "邻县专家", passwordHash: "x", locale: "zh-CN", createdAt: ctx.clock.now() })
      .returning();
    await database.db.insert(schema.experts).values({ userId: u.id, countyId: county.id, specialties: ["房屋建筑"], employer: "邻县设计院", createdAt: ctx.clock.now() });
    const res = unwrap(
      await run(expertsRoute.action, post("/admin/experts", { intent: "update", id: u.id, specialties: "水利工程", employer: "被改写", available: "on" }, admin), ctx),
    );
    expect(res.data.errors.form).toBe("errors.notFound");
    const [row] = await database.db.select().from(schema.experts).where(eq(schema.experts.userId, u.id));
    expect(row.employer).toBe("邻县设计院");
  });

  it("is the county administrator's only", async () => {
    for (const phone of [DEMO.supervisorA, DEMO.committeeA1, DEMO.expert1, DEMO.contractor1]) {
      const res = (await run(expertsRoute.loader, get("/admin/experts", await cookieFor(ctx, phone)), ctx)) as Response;
      expect(res.status).toBe(403);
    }
    const res = (await run(expertsRoute.action, post("/admin/experts", { intent: "add", name: "某人" }, await cookieFor(ctx, DEMO.supervisorA)), ctx)) as Response;
    expect(res.status).toBe(403);
  });
});
