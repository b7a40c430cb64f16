// The opening hall's live streams are limited (issue 18, Low): one session held 1 500 concurrent
// streams. Now a session holds at most 4 at once and an address at most 20; past that the answer
// is 429, and a stream gives its place back however it ends (the client hangs up, or the stream
// is cancelled).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitBid } from "~/models/bid.server";
import * as eventsRoute from "~/routes/notices.$id_.hall_.events";
import { HALL_STREAMS, hallStreams } from "~/utils/stream-limits.server";
import type { Database } from "../../db/client";
import { cookieFor, DEMO, makeContext, ORIGIN, run } from "../helpers/app";
import { preparedBidder, sealBid, submitInput } from "../helpers/bids";
import { createTestDb } from "../helpers/db";
import { tenderFields, tenderKit } from "../helpers/tenders";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let tenderId: string;
const BIDDER = "13900000010";

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  const kit = await tenderKit(database, ctx);
  const id = await kit.approvedProject("村口公交候车亭", 20_000_000);
  await kit.publish(id, tenderFields({ deadline: "2026-11-26T10:00", bidSecurity: "3000" }), await cookieFor(ctx, DEMO.committeeA1));
  const tender = await kit.tenderOf(id);
  tenderId = tender.id;
  const b = await preparedBidder(database, ctx, BIDDER);
  await submitBid(database.db, {
    clock: ctx.clock,
    store: ctx.files,
    actor: b.actor,
    companyId: b.companyId,
    tenderId: tender.id,
    raw: submitInput(await sealBid(ctx, b, tender.id, { priceFen: 18_000_000, mark: BIDDER })),
  });
  ctx.clock.set(tender.deadline);
});
afterAll(async () => {
  await database?.close();
});

/** Open a stream as a browser does; `hangUp` ends it as a client that goes away. */
async function open(cookie: string, ip: string) {
  const gone = new AbortController();
  const req = new Request(`${ORIGIN}/notices/${tenderId}/hall/events`, { headers: { Cookie: cookie }, signal: gone.signal });
  const res = (await run(eventsRoute.loader, req, { ...ctx, ip }, { id: tenderId })) as Response;
  const reader = res.status === 200 ? res.body!.getReader() : null;
  // The first bytes: the stream is set up and holds its place.
  if (reader) await reader.read();
  return { res, hangUp: () => gone.abort(), cancel: () => reader?.cancel() };
}

const settle = () => new Promise((r) => setTimeout(r, 50));

describe("the hall's live streams", () => {
  it("are limited to 4 at once per session; a stream that ends gives its place back", async () => {
    const cookie = await cookieFor(ctx, BIDDER);
    const ip = "203.0.113.61";
    const streams = [];
    for (let i = 0; i < HALL_STREAMS.perSession; i++) {
      const s = await open(cookie, ip);
      expect(s.res.status).toBe(200);
      streams.push(s);
    }
    const fifth = await open(cookie, ip);
    expect(fifth.res.status).toBe(429);
    expect(fifth.res.headers.get("Retry-After")).toBe("10");
    expect(((await fifth.res.json()) as { error: string }).error).toBe("errors.opening.tooManyStreams");
    // Another session of the same person is counted on its own.
    const other = await open(await cookieFor(ctx, BIDDER), ip);
    expect(other.res.status).toBe(200);
    // A client that hangs up, and a stream cancelled by its reader, each free a place.
    streams[0].hangUp();
    await settle();
    const again = await open(cookie, ip);
    expect(again.res.status).toBe(200);
    await streams[1].cancel();
    await settle();
    const more = await open(cookie, ip);
    expect(more.res.status).toBe(200);
    expect((await open(cookie, ip)).res.status).toBe(429);
    for (const s of [...streams, other, again, more]) s.hangUp();
    await settle();
    expect(hallStreams.count(`address:${ip}`)).toBe(0);
  });

  it("are limited to 20 at once per address, whatever the sessions", async () => {
    const ip = "203.0.113.62";
    const streams = [];
    for (let s = 0; s < HALL_STREAMS.perAddress / HALL_STREAMS.perSession; s++) {
      const cookie = await cookieFor(ctx, BIDDER);
      for (let i = 0; i < HALL_STREAMS.perSession; i++) {
        const opened = await open(cookie, ip);
        expect(opened.res.status).toBe(200);
        streams.push(opened);
      }
    }
    expect(hallStreams.count(`address:${ip}`)).toBe(HALL_STREAMS.perAddress);
    const fresh = await cookieFor(ctx, BIDDER);
    expect((await open(fresh, ip)).res.status).toBe(429);
    // Another address is not affected, and the session refused here holds nothing.
    const elsewhere = await open(fresh, "203.0.113.63");
    expect(elsewhere.res.status).toBe(200);
    expect(hallStreams.count(`address:203.0.113.63`)).toBe(1);
    for (const s of [...streams, elsewhere]) s.hangUp();
    await settle();
    expect(hallStreams.count(`address:${ip}`)).toBe(0);
    expect(hallStreams.count(`address:203.0.113.63`)).toBe(0);
    const last = await open(fresh, ip);
    expect(last.res.status).toBe(200);
    last.hangUp();
  });
});
