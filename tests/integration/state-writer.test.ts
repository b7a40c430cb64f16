import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "~/models/audit.server";
import { transition } from "~/models/lifecycle.server";
import { schema } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { makeContext } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { asStateWriter } from "../helpers/state-writer";
import { tenderKit } from "../helpers/tenders";

// The database's half of "one writer per lifecycle" (migration 0023, ADR 0038):
// a state column changes only inside the writer, on PGlite and PostgreSQL alike.
let database: Database;
let ctx: ReturnType<typeof makeContext>;
let projectId: string;
const committee = { userId: null, role: "committee" as const, ip: "203.0.113.7" };

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  ctx.clock.set("2026-11-20T02:00:00Z");
  projectId = await (await tenderKit(database, ctx)).approvedProject("青山村写入者测试");
});
afterAll(async () => {
  await database?.close();
});

/** The write was refused by the database's trigger (drizzle wraps the driver's error in its own). */
async function refused(write: Promise<unknown>) {
  const error = await write.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, "the write went through").not.toBeNull();
  const messages = [error, (error as { cause?: unknown }).cause].map((x) => (x instanceof Error ? x.message : String(x)));
  expect(messages.join("\n")).toMatch(/projects: the state is changed only by the project writer/);
}

const stateOf = async () => (await database.db.select({ state: schema.projects.state }).from(schema.projects).where(eq(schema.projects.id, projectId)))[0].state;

describe("a project's state in the database", () => {
  it("refuses a change made outside the writer, through drizzle or raw SQL", async () => {
    await refused(database.db.update(schema.projects).set({ state: "published" }).where(eq(schema.projects.id, projectId)));
    await refused(database.db.execute(sql`update projects set state = 'cancelled' where id = ${projectId}`));
    // The marker of another lifecycle is not this one's.
    await refused(
      database.db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('cyz.writer', 'opening', true)`);
        await tx.update(schema.projects).set({ state: "published" }).where(eq(schema.projects.id, projectId));
      }),
    );
    expect(await stateOf()).toBe("approved");
  });

  it("lets other columns change, and a write that leaves the state as it is", async () => {
    await database.db.update(schema.projects).set({ scope: "沟渠清淤" }).where(eq(schema.projects.id, projectId));
    await database.db.update(schema.projects).set({ state: "approved" }).where(eq(schema.projects.id, projectId));
    expect(await stateOf()).toBe("approved");
  });

  it("lets the writer change it, and nothing after it in the same transaction", async () => {
    await refused(
      database.db.transaction(async (tx) => {
        const { after } = await transition(tx, {
          lifecycle: "project",
          clock: ctx.clock,
          actor: committee,
          id: projectId,
          action: "request_cancel",
          set: { cancelReason: "资金调整" },
        });
        expect(after.state).toBe("cancel_requested");
        await tx.execute(sql`update projects set state = 'approved' where id = ${projectId}`);
      }),
    );
    expect(await stateOf()).toBe("approved");
    await database.db.transaction((tx) =>
      transition(tx, { lifecycle: "project", clock: ctx.clock, actor: committee, id: projectId, action: "request_cancel", set: { cancelReason: "资金调整" } }),
    );
    expect(await stateOf()).toBe("cancel_requested");
  });

  it("refuses through the writer what the table refuses: 403 for the role, 409 for the state, and the clock's action before its time", async () => {
    await expect(
      database.db.transaction((tx) => transition(tx, { lifecycle: "project", clock: ctx.clock, actor: committee, id: projectId, action: "approve_cancel" })),
    ).rejects.toMatchObject({
      key: "errors.transition.role",
      options: { status: 403 },
    });
    await expect(
      database.db.transaction((tx) => transition(tx, { lifecycle: "project", clock: ctx.clock, actor: committee, id: projectId, action: "publish" })),
    ).rejects.toMatchObject({
      key: "errors.transition.state",
      options: { status: 409 },
    });
    const other = await (await tenderKit(database, ctx)).approvedProject("青山村截标时刻测试", 60_000_000, "地点和内容与其他项目不同，不属于拆分。");
    await asStateWriter(database.db, "project", (tx) => tx.update(schema.projects).set({ state: "published" }).where(eq(schema.projects.id, other)));
    const close = (dueAt: Date) =>
      database.db.transaction((tx) => transition(tx, { lifecycle: "project", clock: ctx.clock, actor: SYSTEM_ACTOR, id: other, action: "close_bidding", dueAt }));
    await expect(close(new Date("2026-12-01T01:30:00Z"))).rejects.toMatchObject({ key: "errors.transition.state", options: { status: 409 } });
    expect((await close(ctx.clock.now())).after.state).toBe("opening");
  });
});

describe("every lifecycle's state column in the database", () => {
  // Table, state column and the writer's marker (its LifecycleSpec name in lifecycle.server.ts): migrations 0023 and 0024.
  const COLUMNS = [
    ["projects", "state", "project"],
    ["openings", "state", "opening"],
    ["bid_openings", "status", "bid_opening"],
    ["bids", "status", "bid"],
    ["evaluations", "state", "evaluation"],
    ["awards", "state", "award"],
    ["complaints", "state", "complaint"],
    ["objections", "state", "objection"],
    ["panel_members", "status", "panel_member"],
    ["pool_memberships", "status", "pool_membership"],
  ] as const;

  it("has one trigger per state column, wanting its own lifecycle's writer and no other", async () => {
    const rows = await database.query<{ tbl: string; def: string }>(
      "select c.relname as tbl, pg_get_triggerdef(t.oid) as def from pg_trigger t join pg_class c on c.oid = t.tgrelid where not t.tgisinternal and t.tgname like '%_writer'",
    );
    const found = rows.map((r) => {
      const m = /BEFORE UPDATE OF (\w+) ON .* EXECUTE FUNCTION lifecycle_state_writer\('(\w+)'\)/.exec(r.def);
      return [r.tbl, m?.[1] ?? "?", m?.[2] ?? "?"].join(" ");
    });
    expect(found.sort()).toEqual(COLUMNS.map((c) => c.join(" ")).sort());
  });
});
