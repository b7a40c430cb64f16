// The opening hall's live stream: server-sent events replayed by Last-Event-ID, and
// fanned out through PostgreSQL LISTEN/NOTIFY so that an event raised on one app
// instance reaches a client connected to another (PostgreSQL only for that part).
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitBid } from "~/models/bid.server";
import { extendWindow, newIncidentRef, recordIncident, startDecryption } from "~/models/opening.server";
import * as eventsRoute from "~/routes/notices.$id_.hall_.events";
import * as decryptRoute from "~/routes/notices.$id_.hall_.decrypt";
import * as testClockRoute from "~/routes/test-clock";
import { OffsetClock } from "~/utils/clock.server";
import { schema, type MemberRole } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { cookieFor, DEMO, get, makeContext, run } from "../helpers/app";
import { preparedBidder, sealBid, submitInput } from "../helpers/bids";
import { createTestDb, isRealServer, openAnotherHandle } from "../helpers/db";
import { readEvents } from "../helpers/sse";
import { tenderFields, tenderKit } from "../helpers/tenders";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let tenderId: string;
let host: { userId: string; role: MemberRole; ip: string };
let villageId: string;

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  const kit = await tenderKit(database, ctx);
  villageId = kit.villageId;
  const id = await kit.approvedProject("村口公交候车亭", 20_000_000);
  await kit.publish(id, tenderFields({ deadline: "2026-11-26T10:00", bidSecurity: "3000" }), await cookieFor(ctx, DEMO.committeeA1));
  const tender = await kit.tenderOf(id);
  tenderId = tender.id;
  for (const phone of ["13900000010", "13900000011", "13900000013"]) {
    const b = await preparedBidder(database, ctx, phone);
    await submitBid(database.db, {
      clock: ctx.clock,
      store: ctx.files,
      actor: b.actor,
      companyId: b.companyId,
      tenderId: tender.id,
      raw: submitInput(await sealBid(ctx, b, tender.id, { priceFen: 18_000_000, mark: phone })),
    });
  }
  const [u] = await database.db.select().from(schema.users).where(eq(schema.users.phone, DEMO.committeeA1));
  host = { userId: u.id, role: "committee" as const, ip: "203.0.113.50" };
  ctx.clock.set(tender.deadline);
});
afterAll(async () => {
  await database?.close();
});

describe("the hall's live stream", () => {
  it("sends live events, and replays exactly the missed ones after Last-Event-ID", async () => {
    const cookie = await cookieFor(ctx, DEMO.supervisorA);
    const live = (await run(eventsRoute.loader, get(`/notices/${tenderId}/hall/events`, cookie), ctx, { id: tenderId })) as Response;
    expect(live.headers.get("Content-Type")).toMatch(/^text\/event-stream/);
    expect(live.headers.get("Cache-Control")).toContain("no-transform");
    const reading = readEvents(live, (e) => e.length >= 2);
    await new Promise((r) => setTimeout(r, 100));
    await startDecryption(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId });
    const seen = await reading;
    expect(seen.map((e) => e.kind)).toEqual(["opened", "decryption_started"]);

    // A phone that dropped after the first event reconnects with its id and gets the rest, nothing twice.
    await extendWindow(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId, input: { minutes: "10", reason: "网络波动，延长解密时间" } });
    const again = new Request(new URL(`http://localhost:3000/notices/${tenderId}/hall/events`), { headers: { Cookie: cookie, "Last-Event-ID": String(seen[0].id) } });
    const replay = await readEvents((await run(eventsRoute.loader, again, ctx, { id: tenderId })) as Response, (e) => e.length >= 2);
    expect(replay.map((e) => e.kind)).toEqual(["decryption_started", "window_extended"]);
  });

  it("lets a client hang up before its subscription is set up, without writing to the closed stream afterwards", async () => {
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    process.on("uncaughtException", onError);
    process.on("unhandledRejection", onError);
    try {
      const cookie = await cookieFor(ctx, DEMO.supervisorA);
      const res = (await run(eventsRoute.loader, get(`/notices/${tenderId}/hall/events`, cookie), ctx, { id: tenderId })) as Response;
      await res.body!.cancel(); // at once: the stream's start() is still awaiting the subscription
      await new Promise((r) => setTimeout(r, 50));
      await recordIncident(database.db, ctx.clock, tenderId, newIncidentRef());
      await new Promise((r) => setTimeout(r, 200));
      expect(errors).toEqual([]);
    } finally {
      process.off("uncaughtException", onError);
      process.off("unhandledRejection", onError);
    }
  });

  it("has no clock to move unless the server was started for end-to-end tests", async () => {
    const req = () =>
      new Request("http://localhost:3000/test-clock", { method: "POST", body: JSON.stringify({ advanceMs: 1000 }), headers: { "Content-Type": "application/json" } });
    const off = (await run(testClockRoute.action, req(), ctx)) as Response;
    expect(off.status).toBe(404);
    const clock = new OffsetClock();
    const on = (await run(testClockRoute.action, req(), { ...ctx, clock, env: { ...ctx.env, TEST_CLOCK: true } })) as Response;
    expect(on.status).toBe(200);
    expect(clock.offsetMs).toBe(1000);
    // It can run a scheduled job at once (the archive, in the browser test), by its name only, and only then.
    const job = (name: string) =>
      new Request("http://localhost:3000/test-clock", { method: "POST", body: JSON.stringify({ runJob: name }), headers: { "Content-Type": "application/json" } });
    expect(((await run(testClockRoute.action, job("archive-projects"), ctx)) as Response).status).toBe(404);
    const ran = (await run(testClockRoute.action, job("archive-projects"), { ...ctx, clock, env: { ...ctx.env, TEST_CLOCK: true } })) as Response;
    expect(ran.status).toBe(200);
    expect(await ran.json()).toEqual({ ran: true });
    expect(((await run(testClockRoute.action, job("drop-everything"), { ...ctx, clock, env: { ...ctx.env, TEST_CLOCK: true } })) as Response).status).toBe(400);
  });

  it("gives a bid's decryption material and ciphertext to its own bidder only", async () => {
    // The host, the supervisor and a contractor without a bid here are refused; another village's committee is not in the hall at all.
    for (const phone of [DEMO.committeeA1, DEMO.supervisorA, "13900000014", DEMO.committeeA2]) {
      const res = (await run(decryptRoute.loader, get(`/notices/${tenderId}/hall/decrypt?file=1`, await cookieFor(ctx, phone)), ctx, { id: tenderId })) as Response;
      expect(res.status, phone).toBe(403);
    }
    const post = (cookie: string) =>
      new Request(`http://localhost:3000/notices/${tenderId}/hall/decrypt`, {
        method: "POST",
        body: JSON.stringify({ dataKey: "A".repeat(43) }),
        headers: { "Content-Type": "application/json", Cookie: cookie },
      });
    expect(((await run(decryptRoute.action, post(await cookieFor(ctx, DEMO.committeeA1)), ctx, { id: tenderId })) as Response).status).toBe(403);
    // The bidder itself gets its own material while the window is open.
    const own = (await run(decryptRoute.loader, get(`/notices/${tenderId}/hall/decrypt`, await cookieFor(ctx, DEMO.contractor1)), ctx, { id: tenderId })) as Response;
    expect(own.status).toBe(200);
    expect(((await own.json()) as { wraps: unknown[] }).wraps.length).toBeGreaterThan(0);
  });

  it("refuses the stream to anyone outside the hall", async () => {
    const other = (await run(eventsRoute.loader, get(`/notices/${tenderId}/hall/events`, await cookieFor(ctx, DEMO.supervisorB)), ctx, { id: tenderId })) as Response;
    expect(other.status).toBe(403);
    const anon = (await run(eventsRoute.loader, get(`/notices/${tenderId}/hall/events`), ctx, { id: tenderId })) as Response;
    expect(anon.status).toBe(302);
  });

  it.skipIf(!isRealServer())("reaches a client of another app instance on the same PostgreSQL database", async () => {
    const second = await openAnotherHandle(database);
    try {
      const ctxB = makeContext(second, ctx.clock);
      const cookie = await cookieFor(ctxB, DEMO.countyAdmin);
      const res = (await run(eventsRoute.loader, get(`/notices/${tenderId}/hall/events`, cookie), ctxB, { id: tenderId })) as Response;
      const before = (await database.db.select().from(schema.hallEvents).where(eq(schema.hallEvents.tenderId, tenderId))).length;
      const reading = readEvents(res, (e) => e.length > before);
      await new Promise((r) => setTimeout(r, 200));
      // Instance A (the first handle) raises an event; the client is connected to instance B.
      await recordIncident(database.db, ctx.clock, tenderId, newIncidentRef());
      const seen = await reading;
      expect(seen.at(-1)?.kind).toBe("incident");
      expect(seen).toHaveLength(before + 1);
    } finally {
      await second.close();
    }
  });
});
