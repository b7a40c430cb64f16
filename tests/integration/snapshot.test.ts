// One snapshot over several connections (app/utils/snapshot.server.ts, used by the risk scan):
// every query sees the database as it was when the work began, whichever connection runs it;
// on PostgreSQL the queries really spread over several connections, and a pool with no
// connection to spare makes the work serial instead of stuck; a failed query fails the work;
// nothing can be written. PGlite (one connection) runs everything in the lead transaction.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { onOneSnapshot } from "~/utils/snapshot.server";
import { pgErrorCode, rowsOf } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { createTestDb, isRealServer, openAnotherHandle } from "../helpers/db";

let database: Database;

beforeAll(async () => {
  database = await createTestDb();
});
afterAll(async () => {
  await database?.close();
});

const countOrgs = async (q: Database["db"]) => Number(rowsOf<{ n: number }>(await q.execute(sql`select count(*)::int as n from orgs`))[0].n);
/** The serving backend, after a short pause so the queries overlap and the helpers have time to join. */
const backend = async (q: Database["db"]) => Number(rowsOf<{ pid: number }>(await q.execute(sql`select pg_backend_pid() as pid, pg_sleep(0.15)`))[0].pid);
const addCompany = (db: Database["db"], name: string) => db.execute(sql`insert into orgs (kind, name, created_at) values ('company', ${name}, now())`);

describe("onOneSnapshot", () => {
  it("answers every query from the snapshot the work began with, on every connection", async () => {
    const result = await onOneSnapshot(database.db, { lanes: 3 }, async (run) => {
      const before = await run(countOrgs);
      // A company registered meanwhile (on PostgreSQL by another connection, which commits at once).
      if (isRealServer()) await addCompany(database.db, "快照之后注册的公司");
      const pids = await Promise.all(Array.from({ length: 6 }, () => run(backend)));
      const counts = await Promise.all(Array.from({ length: 6 }, () => run(countOrgs)));
      return { before, pids, counts };
    });
    expect(result.counts).toEqual(Array(6).fill(result.before));
    if (isRealServer()) {
      // Lanes really are separate connections, and the committed company is there once the work is over.
      expect(new Set(result.pids).size).toBeGreaterThan(1);
      expect(await countOrgs(database.db)).toBe(result.before + 1);
    } else {
      expect(new Set(result.pids).size).toBe(1);
    }
  });

  it("a query that fails fails the work, and the database is usable afterwards", async () => {
    await expect(
      onOneSnapshot(database.db, { lanes: 3 }, async (run) => {
        await Promise.all([run(countOrgs), run((q) => q.execute(sql`select * from no_such_table`)), run(countOrgs)]);
      }),
    ).rejects.toThrow(/no_such_table/);
    expect(await countOrgs(database.db)).toBeGreaterThan(0);
  });

  it("is read-only on every connection", async () => {
    const before = await countOrgs(database.db);
    // 25006: read_only_sql_transaction.
    const error = await onOneSnapshot(database.db, { lanes: 3 }, (run) => Promise.all([0, 1, 2].map((i) => run((q) => addCompany(q, `不该写入的公司${i}`))))).catch(
      (e: unknown) => e,
    );
    expect(pgErrorCode(error)).toBe("25006");
    expect(await countOrgs(database.db)).toBe(before);
  });

  it.runIf(isRealServer())("with no connection to spare, runs everything on its own connection and finishes", async () => {
    const single = await openAnotherHandle(database, { max: 1 });
    try {
      const pids = await onOneSnapshot(single.db, { lanes: 3 }, (run) => Promise.all(Array.from({ length: 4 }, () => run(backend))));
      expect(new Set(pids).size).toBe(1);
      // Two works at once on a pool of two: each may take the other's helper connection; neither waits for it.
      const pair = await openAnotherHandle(database, { max: 2 });
      try {
        const both = await Promise.all([0, 1].map(() => onOneSnapshot(pair.db, { lanes: 3 }, (run) => Promise.all([run(countOrgs), run(countOrgs), run(countOrgs)]))));
        expect(both.flat().every((n) => n === both[0][0])).toBe(true);
      } finally {
        await pair.close();
      }
    } finally {
      await single.close();
    }
  });
});
