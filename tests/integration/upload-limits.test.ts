// Finished uploads per account and day (issue 18, Low): a signed-up account could store 50 MB files
// without end. The county's limits (uploadsPerDay, uploadMegabytesPerDay) are answered 429 with a
// translated reason; sealed bids are not counted (a bid at a deadline is never refused by them) and
// are for bidding companies only. Upload ids are wholly random: nothing in them tells whose they are.
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getCountySettings, updateCountySettings } from "~/models/county-settings.server";
import { createUpload, purgeExpiredUploads } from "~/models/resumable-upload.server";
import * as createRoute from "~/routes/uploads";
import * as uploadRoute from "~/routes/uploads.$id";
import { schema } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { demoCookies, DEMO, makeContext, ORIGIN, run } from "../helpers/app";
import { createTestDb } from "../helpers/db";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let c: Record<keyof typeof DEMO, string>;
let countyId: string;
const KB = 1024;

function tus(method: string, url: string, cookie: string, headers: Record<string, string> = {}, body?: Buffer): Request {
  return new Request(new URL(url, ORIGIN), {
    method,
    headers: { "Tus-Resumable": "1.0.0", Origin: ORIGIN, Cookie: cookie, ...headers },
    body: body ? new Uint8Array(body) : null,
    ...(body ? { duplex: "half" } : {}),
  } as RequestInit);
}

const create = (cookie: string, length: number, kind: "pdf" | "sealed" = "pdf") =>
  run(
    createRoute.action,
    tus("POST", "/uploads", cookie, {
      "Upload-Length": String(length),
      "Upload-Metadata": `filename ${Buffer.from("a.pdf").toString("base64")},kind ${Buffer.from(kind).toString("base64")}`,
    }),
    ctx,
  ) as Promise<Response>;
const idOf = (res: Response) => res.headers.get("Location")!.split("/").pop()!;
const patch = (cookie: string, id: string, body: Buffer) =>
  run(uploadRoute.action, tus("PATCH", `/uploads/${id}`, cookie, { "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream" }, body), ctx, {
    id,
  }) as Promise<Response>;
const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

function pdf(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size, 0x20);
  Buffer.from(`%PDF-1.7\n% ${seed}\n`).copy(b);
  return b;
}

/** Create and finish an upload of `bytes`; returns the id. */
async function finished(cookie: string, bytes: Buffer): Promise<string> {
  const res = await create(cookie, bytes.length);
  expect(res.status, await res.clone().text()).toBe(201);
  const id = idOf(res);
  const done = await patch(cookie, id, bytes);
  expect(done.status, await done.clone().text()).toBe(204);
  return id;
}

async function setCounty(values: Partial<Awaited<ReturnType<typeof getCountySettings>>>) {
  await updateCountySettings(database.db, {
    clock: ctx.clock,
    actor: { userId: null, role: "county_admin" as const, ip: null },
    countyId,
    value: {
      ...(await getCountySettings(database.db, countyId)),
      ...values,
    },
  });
}

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  c = await demoCookies(ctx);
  countyId = (await database.db.select().from(schema.orgs).where(eq(schema.orgs.kind, "county")))[0].id;
});
afterAll(async () => {
  await database?.close();
});

describe("finished uploads per account and day", () => {
  it("takes the county's number of files a day (10 by default), then answers 429 until the next Beijing day; others are not affected", async () => {
    let seed = 0;
    for (let i = 0; i < 10; i++) await finished(c.committeeA1, pdf(4 * KB, ++seed));
    const eleventh = await create(c.committeeA1, 4 * KB);
    expect(eleventh.status).toBe(429);
    expect(await errorOf(eleventh)).toBe("errors.upload.dailyCount");
    // Giving up a finished upload does not give its place back.
    const res = await create(c.committeeA2, 4 * KB);
    expect(res.status).toBe(201); // another account has its own allowance
    // Open uploads count too: nine finished and one open leave no room for another.
    for (let i = 0; i < 9; i++) await finished(c.committeeB1, pdf(4 * KB, ++seed));
    expect((await create(c.committeeB1, 4 * KB)).status).toBe(201);
    expect(await errorOf(await create(c.committeeB1, 4 * KB))).toBe("errors.upload.dailyCount");

    // 2026-11-20T02:00Z is 10:00 in Beijing; the next Beijing day starts at 16:00Z.
    ctx.clock.set("2026-11-20T16:00:01Z");
    await finished(c.committeeA1, pdf(4 * KB, seed + 1));
    ctx.clock.set("2026-11-21T02:00:00Z");
  });

  it("keeps a finished upload counted after it is deleted (tus termination)", async () => {
    await setCounty({ uploadsPerDay: 2 });
    try {
      const id = await finished(c.agentA, pdf(4 * KB, 101));
      const del = (await run(uploadRoute.action, tus("DELETE", `/uploads/${id}`, c.agentA), ctx, { id })) as Response;
      expect(del.status).toBe(204);
      await finished(c.agentA, pdf(4 * KB, 102));
      expect(await errorOf(await create(c.agentA, 4 * KB))).toBe("errors.upload.dailyCount");
    } finally {
      await setCounty({ uploadsPerDay: 10 });
    }
  });

  it("takes the county's total of bytes a day, counting the declared length of open uploads", async () => {
    await setCounty({ uploadMaxMegabytes: 1, uploadMegabytesPerDay: 1 });
    try {
      await finished(c.committeeA2, pdf(600 * KB, 201));
      const over = await create(c.committeeA2, 500 * KB);
      expect(over.status).toBe(429);
      expect(await errorOf(over)).toBe("errors.upload.dailyBytes");
      expect((await create(c.committeeA2, 400 * KB)).status).toBe(201);
      expect(await errorOf(await create(c.committeeA2, 30 * KB))).toBe("errors.upload.dailyBytes");
    } finally {
      await setCounty({ uploadMaxMegabytes: 50, uploadMegabytesPerDay: 200 });
    }
  });

  it("does not count sealed bids, which only a bidding company's member may upload", async () => {
    await setCounty({ uploadsPerDay: 1 });
    try {
      await finished(c.contractor1, pdf(4 * KB, 301));
      expect(await errorOf(await create(c.contractor1, 4 * KB))).toBe("errors.upload.dailyCount");
      // At a deadline the bid still goes up, however many files went before.
      for (let i = 0; i < 3; i++) {
        const sealed = await create(c.contractor1, 64, "sealed");
        expect(sealed.status).toBe(201);
        const bytes = Buffer.concat([Buffer.from("CYZBID01"), Buffer.alloc(56, i)]);
        expect((await patch(c.contractor1, idOf(sealed), bytes)).status).toBe(204);
      }
      // Not for anyone else: a committee member, or an account of a company not admitted to any pool.
      const notBidder = await create(c.committeeA1, 64, "sealed");
      expect(notBidder.status).toBe(403);
      expect(await errorOf(notBidder)).toBe("errors.upload.sealedNotBidder");
    } finally {
      await setCounty({ uploadsPerDay: 10 });
    }
  });

  it("validates the county's limits: the daily total is at least the largest single upload", async () => {
    await expect(setCounty({ uploadMaxMegabytes: 50, uploadMegabytesPerDay: 20 })).rejects.toMatchObject({ key: "errors.invalidInput" });
  });
});

describe("upload ids", () => {
  it("are wholly random: one person's uploads share no prefix, and no id carries the old owner tag", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await create(c.supervisorB, 1000);
      expect(res.status).toBe(201);
      ids.push(idOf(res));
    }
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) expect(ids[i].slice(0, 3), `${ids[i]} ${ids[j]}`).not.toBe(ids[j].slice(0, 3));
    const [user] = await database.db.select().from(schema.users).where(eq(schema.users.phone, DEMO.supervisorB));
    const oldTag = createHash("sha256").update(`upload-owner:${user.id}`).digest("base64url").slice(0, 6);
    for (const id of ids) expect(id.startsWith(oldTag)).toBe(false);
    // …and the same for uploads made straight through the model.
    const direct = await Promise.all([1, 2].map(() => createUpload(ctx.files, ctx.clock, { owner: user.id, length: 10, name: "x.pdf", maxBytes: 100 })));
    expect(new Set([...ids, ...direct.map((r) => r.id)].map((id) => id.slice(0, 3))).size).toBe(10);
  });

  it("keeps counting open uploads after the scheduler's sweep, and forgets the day's ledger two days on", async () => {
    await purgeExpiredUploads(ctx.files, ctx.clock);
    // supervisorB holds eight open uploads (above) and the two made directly: no eleventh.
    const eleventh = await create(c.supervisorB, 1000);
    expect(eleventh.status).toBe(429);
    expect(await errorOf(eleventh)).toBe("errors.upload.tooMany");
    const ledgers = () => (readdirSync(path.join(ctx.files.workDir, "partial", "owners"), { recursive: true }) as string[]).filter((f) => f.includes("stored-"));
    expect(ledgers().length).toBeGreaterThan(0);
    ctx.clock.advance(3 * 24 * 3600_000);
    await purgeExpiredUploads(ctx.files, ctx.clock);
    expect(ledgers()).toEqual([]);
    expect((await create(c.supervisorB, 1000)).status).toBe(201);
    expect((await create(c.committeeA1, 4 * KB)).status).toBe(201);
  });
});
