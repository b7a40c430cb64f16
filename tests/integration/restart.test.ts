// A deadline that passes while the server is down (issue 8, "Faults"): nothing runs while it is
// down; on restart every request already sees the deadline as passed (a late bid is refused, the
// notice shows the opening), the scheduler's first round — run at start, before its interval —
// closes the bidding once, with the deadline in the audit trail, and a second restart changes
// nothing. The sealed bid made before the deadline is intact and counted.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitBid } from "~/models/bid.server";
import { effectiveState, type ProjectState } from "~/models/lifecycle";
import { jobs } from "~/utils/bootstrap.server";
import { schema } from "~/utils/db.server";
import { startScheduler } from "~/utils/scheduler.server";
import type { Database } from "../../db/client";
import { cookieFor, DEMO, makeContext } from "../helpers/app";
import { preparedBidder, sealBid, submitInput, type Bidder } from "../helpers/bids";
import { createTestDb } from "../helpers/db";
import { tenderFields, tenderKit } from "../helpers/tenders";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let kit: Awaited<ReturnType<typeof tenderKit>>;
let bidder: Bidder;

// 2026-12-01 09:30 in Beijing.
const DEADLINE = "2026-12-01T01:30:00.000Z";

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  kit = await tenderKit(database, ctx);
  bidder = await preparedBidder(database, ctx, DEMO.contractor1);
});
afterAll(async () => {
  await database?.close();
});

const projectState = async (id: string) =>
  (await database.db.select({ state: schema.projects.state }).from(schema.projects).where(eq(schema.projects.id, id)))[0].state as ProjectState;
const closings = async (id: string) =>
  database.db
    .select()
    .from(schema.auditLog)
    .where(and(eq(schema.auditLog.action, "project.close_bidding"), eq(schema.auditLog.objectId, id)));

/** Start the app's scheduler (what a restart does) and wait until `done` holds, then stop it. */
async function restartUntil(done: () => Promise<boolean>) {
  const log: string[] = [];
  const stop = startScheduler(database.db, ctx.clock, jobs, (m) => log.push(m));
  try {
    for (let i = 0; i < 100 && !(await done()); i++) await new Promise((r) => setTimeout(r, 50));
  } finally {
    stop();
  }
  // Let the first round of every job finish before the next restart or the end of the test.
  await new Promise((r) => setTimeout(r, 300));
  expect(log).toEqual([]);
}

describe("a deadline passing while the server is down", () => {
  it("is right on the first request after the restart, and the bidding is closed once by the scheduler's first round", async () => {
    ctx.clock.set("2026-11-20T02:00:00Z");
    const projectId = await kit.approvedProject("停机期间截标测试", 20_000_000);
    const published = (await kit.publish(projectId, tenderFields({ deadline: "2026-12-01T09:30", bidSecurity: "3000" }), await cookieFor(ctx, DEMO.committeeA1))) as Response;
    expect(published.status).toBe(302);
    const tender = await kit.tenderOf(projectId);
    expect(tender.deadline.toISOString()).toBe(DEADLINE);

    // A bid an hour before the deadline.
    ctx.clock.set("2026-12-01T00:30:00Z");
    const receipt = await submitBid(database.db, {
      clock: ctx.clock,
      store: ctx.files,
      actor: bidder.actor,
      companyId: bidder.companyId,
      tenderId: tender.id,
      raw: submitInput(await sealBid(ctx, bidder, tender.id, { priceFen: 18_000_000, mark: "停机前的投标" })),
    });

    // The server goes down at 09:00 Beijing and comes back at 11:00: nothing ran in between.
    ctx.clock.set("2026-12-01T03:00:00Z");
    expect(await projectState(projectId)).toBe("published");
    // Before the scheduler has run, every request already sees the deadline as passed.
    expect(effectiveState(await projectState(projectId), tender.deadline, ctx.clock.now())).toBe("opening");
    const late = await sealBid(ctx, bidder, tender.id, { priceFen: 17_000_000, mark: "停机后的投标" });
    await expect(
      submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: bidder.actor, companyId: bidder.companyId, tenderId: tender.id, raw: submitInput(late) }),
    ).rejects.toMatchObject({ key: "errors.bid.closed" });

    // The restart: the scheduler's first round runs at once.
    await restartUntil(async () => (await projectState(projectId)) === "opening");
    expect(await projectState(projectId)).toBe("opening");
    const audit = await closings(projectId);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorRole: "system", summary: { before: { state: "published" }, after: { state: "opening" } } });
    expect(JSON.stringify(audit[0].summary)).toContain(DEADLINE);

    // The bid sealed before the deadline is the company's current sealed version, the late one is nowhere.
    const bids = await database.db.select().from(schema.bids).where(eq(schema.bids.tenderId, tender.id));
    expect(bids).toHaveLength(1);
    expect(bids[0]).toMatchObject({ companyId: bidder.companyId, status: "sealed", currentVersion: 1 });
    const versions = await database.db.select().from(schema.bidVersions).where(eq(schema.bidVersions.bidId, bids[0].id));
    expect(versions.map((v) => v.id)).toEqual([receipt.id]);

    // A second restart later changes nothing.
    ctx.clock.set("2026-12-01T05:00:00Z");
    await restartUntil(async () => true);
    expect(await closings(projectId)).toHaveLength(1);
    expect(await projectState(projectId)).toBe("opening");
  });
});
