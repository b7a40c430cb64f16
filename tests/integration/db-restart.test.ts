// The database server restarts in the middle of an opening (issue 8, "Faults"). On a private
// PostgreSQL cluster started for this file (the shared test server cannot be restarted under the
// other test files), two app instances (two pools) hold a hall open while the cluster goes down and
// comes back (pg_ctl restart -m fast: every connection is cut, new ones are refused for a moment).
// Afterwards: the app's queries work again without a restart of the app; a watcher that lost its
// stream reconnects with its Last-Event-ID and gets exactly the events it missed — including one
// raised while it was away — so its hall is complete; the instances' LISTEN subscriptions are back,
// so an event raised on one instance reaches a live watcher of the other; and the hall's state is
// what it was plus what happened since.
// Runs with the PostgreSQL leg (TEST_DATABASE_URL set) where the server binaries are installed.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitBid } from "~/models/bid.server";
import { seedDemo } from "~/demo/demo.server";
import { extendWindow, newIncidentRef, recordIncident, startDecryption } from "~/models/opening.server";
import * as eventsRoute from "~/routes/notices.$id_.hall_.events";
import { schema, type MemberRole } from "~/utils/db.server";
import { openPostgres, type Database } from "../../db/client";
import { cookieFor, DEMO, makeContext, run } from "../helpers/app";
import { preparedBidder, sealBid, submitInput } from "../helpers/bids";
import { isRealServer } from "../helpers/db";
import { readEvents } from "../helpers/sse";
import { tenderFields, tenderKit } from "../helpers/tenders";

const binDir = (() => {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const version = readdirSync(root).sort().at(-1);
  return version && existsSync(path.join(root, version, "bin", "pg_ctl")) ? path.join(root, version, "bin") : null;
})();
const runnable = isRealServer() && binDir !== null;

/** The cluster's programs run as the postgres account when the tests run as root (initdb refuses root). */
function pg(program: string, args: string[]) {
  const argv = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--", path.join(binDir!, program), ...args] : [path.join(binDir!, program), ...args];
  const r = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${program} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}

let dir = "";
let data = "";
let port = 0;
let a: Database;
let b: Database;
let ctx: ReturnType<typeof makeContext>;
let tenderId = "";
let villageId = "";
let host: { userId: string; role: MemberRole; ip: string };

const stream = async (database: Database, cookie: string, lastEventId?: number) => {
  const c = { ...ctx, db: database.db, database };
  const req = new Request(`http://localhost:3000/notices/${tenderId}/hall/events`, {
    headers: { Cookie: cookie, ...(lastEventId !== undefined ? { "Last-Event-ID": String(lastEventId) } : {}) },
  });
  return (await run(eventsRoute.loader, req, c, { id: tenderId })) as Response;
};

/** Retry while the database is coming back (the first queries after a restart may still be refused). */
async function whenBack<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i > 50) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

beforeAll(async () => {
  if (!runnable) return;
  dir = mkdtempSync(path.join(os.tmpdir(), "cyz-pg-restart-"));
  chmodSync(dir, 0o777);
  data = path.join(dir, "data");
  port = 20_000 + Math.floor(Math.random() * 20_000);
  pg("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale", "C"]);
  pg("pg_ctl", ["-D", data, "-w", "-l", path.join(dir, "server.log"), "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "start"]);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  a = await openPostgres(url, { max: 5 });
  b = await openPostgres(url, { migrate: false, max: 5 });
  ctx = makeContext(a);
  await seedDemo(a.db, ctx.clock, ctx.files);
  const kit = await tenderKit(a, ctx);
  villageId = kit.villageId;
  const id = await kit.approvedProject("重启测试水渠", 20_000_000);
  await kit.publish(id, tenderFields({ deadline: "2026-11-26T10:00", bidSecurity: "3000" }), await cookieFor(ctx, DEMO.committeeA1));
  tenderId = (await kit.tenderOf(id)).id;
  for (const phone of ["13900000010", "13900000011", "13900000013"]) {
    const bidder = await preparedBidder(a, ctx, phone);
    await submitBid(a.db, {
      clock: ctx.clock,
      store: ctx.files,
      actor: bidder.actor,
      companyId: bidder.companyId,
      tenderId,
      raw: submitInput(await sealBid(ctx, bidder, tenderId, { priceFen: 18_000_000, mark: phone })),
    });
  }
  const [u] = await a.db.select().from(schema.users).where(eq(schema.users.phone, DEMO.committeeA1));
  host = { userId: u.id, role: "committee" as const, ip: "203.0.113.50" };
  ctx.clock.set("2026-11-26T02:00:00Z");
  await startDecryption(a.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId });
}, 120_000);

afterAll(async () => {
  if (!runnable) return;
  await a?.close().catch(() => undefined);
  await b?.close().catch(() => undefined);
  try {
    pg("pg_ctl", ["-D", data, "-m", "immediate", "stop"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe.runIf(runnable)("a database restart during an opening", () => {
  it("leaves the hall complete for watchers who reconnect, and live across instances again", async () => {
    const cookie = await cookieFor(ctx, DEMO.supervisorA);
    const kinds = async () =>
      (
        await a.db
          .select({ id: schema.hallEvents.id, kind: schema.hallEvents.kind })
          .from(schema.hallEvents)
          .where(eq(schema.hallEvents.tenderId, tenderId))
          .orderBy(schema.hallEvents.id)
      ).map((e) => e.kind);
    const before = await kinds();
    expect(before).toEqual(["opened", "decryption_started"]);

    // A watcher on instance B has seen everything so far.
    const watching = await readEvents(await stream(b, cookie), (e) => e.length >= before.length, 8000);
    expect(watching.map((e) => e.kind)).toEqual(before);
    const lastSeen = watching.at(-1)!.id;

    // The database restarts; the host then extends the window (instance A), while the watcher is away.
    pg("pg_ctl", ["-D", data, "-m", "fast", "-w", "-l", path.join(dir, "server.log"), "restart", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`]);
    await whenBack(() => extendWindow(a.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId, input: { minutes: "10", reason: "数据库重启后延长解密时间" } }));

    // The watcher reconnects to instance B with the last id it saw: exactly what it missed, nothing twice.
    const replay = await whenBack(async () => readEvents(await stream(b, cookie, lastSeen), (e) => e.length >= 1, 8000));
    expect(replay.map((e) => e.kind)).toEqual(["window_extended"]);
    expect(replay[0].id).toBeGreaterThan(lastSeen);

    // Live again across instances: a watcher on B sees an event raised on A after the restart.
    const live = await stream(b, cookie, replay[0].id);
    const reading = readEvents(live, (e) => e.some((x) => x.kind === "incident"), 8000);
    await new Promise((r) => setTimeout(r, 300));
    await recordIncident(a.db, ctx.clock, tenderId, newIncidentRef());
    expect((await reading).map((e) => e.kind)).toEqual(["incident"]);

    // The hall's record: what was there before, and everything since, in order.
    expect(await kinds()).toEqual([...before, "window_extended", "incident"]);
  });
});
