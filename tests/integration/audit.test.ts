import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAudit, listAuditHeads, publishAuditHeads, SYSTEM_ACTOR, verifyAuditChain } from "~/models/audit.server";
import { ManualClock } from "~/utils/clock.server";
import type { Database } from "../../db/client";
import { createTestDb, isRealServer } from "../helpers/db";

let database: Database;
const clock = new ManualClock("2026-11-20T02:00:00Z");
const actor = { ...SYSTEM_ACTOR, role: "county_admin" as const, ip: "198.51.100.4" };

beforeAll(async () => {
  database = await createTestDb();
});
afterAll(async () => {
  await database?.close();
});

/** Only a superuser can get past the append-only trigger; this is what a tamperer would have to do. */
async function asTamperer(sql: string) {
  await database.query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
  try {
    await database.query(sql);
  } finally {
    await database.query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only");
  }
}

describe("audit trail", () => {
  it("starts from an intact chain (the seeded demo county is audited)", async () => {
    const report = await verifyAuditChain(database.db);
    expect(report.ok).toBe(true);
    expect(report.checked).toBeGreaterThan(20);
  });

  it("refuses UPDATE, DELETE and TRUNCATE at the database", async () => {
    await expect(database.query("UPDATE audit_log SET action = 'x' WHERE id = 1")).rejects.toThrow(/append-only/);
    await expect(database.query("DELETE FROM audit_log WHERE id = 1")).rejects.toThrow(/append-only/);
    await expect(database.query("TRUNCATE audit_log")).rejects.toThrow(/append-only/);
  });

  it("records who, what, when and from where, linked to the previous row", async () => {
    const a = await appendAudit(database.db, clock, actor, { action: "test.one", objectType: "thing", objectId: "1", after: { n: 1 } });
    const b = await appendAudit(database.db, clock, actor, { action: "test.two", objectType: "thing", objectId: "1", before: { n: 1 }, after: { n: 2 } });
    expect(b.prevHash).toBe(a.hash);
    expect(b.ip).toBe("198.51.100.4");
    expect(b.at.toISOString()).toBe("2026-11-20T02:00:00.000Z");
    expect(b.summary).toEqual({ before: { n: 1 }, after: { n: 2 } });
  });

  it("leaves no audit row behind when the change it belongs to rolls back", async () => {
    const before = (await verifyAuditChain(database.db)).checked;
    await expect(
      database.db.transaction(async (tx) => {
        await appendAudit(tx, clock, actor, { action: "test.rolled_back", objectType: "thing" });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const after = await verifyAuditChain(database.db);
    expect(after.ok).toBe(true);
    expect(after.checked).toBe(before);
  });

  it("publishes one head per finished Beijing day, and is idempotent", async () => {
    clock.set("2026-11-21T03:00:00Z");
    await appendAudit(database.db, clock, actor, { action: "test.next_day", objectType: "thing" });
    clock.set("2026-11-22T03:00:00Z");
    const published = await publishAuditHeads(database.db, clock);
    expect(published).toBeGreaterThanOrEqual(2);
    expect(await publishAuditHeads(database.db, clock)).toBe(0);
    const heads = await listAuditHeads(database.db);
    expect(heads.map((h) => h.day)).toContain("2026-11-21");
    const report = await verifyAuditChain(database.db);
    expect(report.ok).toBe(true);
    expect(report.headsChecked).toBe(heads.length);
  });

  it("detects a changed row and names the first broken one", async () => {
    const target = await appendAudit(database.db, clock, actor, { action: "test.victim", objectType: "thing", after: { price: 100 } });
    await appendAudit(database.db, clock, actor, { action: "test.after_victim", objectType: "thing" });
    await asTamperer(`UPDATE audit_log SET summary = '{"after":{"price":1}}' WHERE id = ${target.id}`);
    const report = await verifyAuditChain(database.db);
    expect(report.ok).toBe(false);
    expect(report.firstBrokenId).toBe(target.id);
    expect(report.reason).toBe("hash_mismatch");
  });

  it("detects a row rewritten with a recomputed hash, because the next row's link breaks", async () => {
    // A careful tamperer recomputes the victim's hash too; the following row still points at the old one.
    const rows = await database.query<{ id: number }>("SELECT id FROM audit_log WHERE action = 'test.victim'");
    const id = Number(rows[0].id);
    const [victim] = await database.query<Record<string, unknown>>(`SELECT * FROM audit_log WHERE id = ${id}`);
    const { auditRowHash } = await import("~/models/audit.server");
    const rehash = auditRowHash(String(victim.prev_hash), {
      at: new Date(victim.at as string),
      actorUserId: victim.actor_user_id as string | null,
      actorRole: victim.actor_role as string | null,
      action: String(victim.action),
      objectType: String(victim.object_type),
      objectId: victim.object_id as string | null,
      countyId: victim.county_id as string | null,
      townshipId: victim.township_id as string | null,
      summary: victim.summary,
      ip: victim.ip as string | null,
      userAgent: victim.user_agent as string | null,
    });
    await asTamperer(`UPDATE audit_log SET hash = '${rehash}' WHERE id = ${id}`);
    const report = await verifyAuditChain(database.db);
    expect(report.ok).toBe(false);
    expect(report.firstBrokenId).toBe(id + 1);
    expect(report.reason).toBe("link_mismatch");
  });
});

describe("audit trail against published heads", () => {
  it("shows a rewrite of a whole day's history, since the published head no longer matches", async () => {
    const db2 = await createTestDb();
    try {
      const c = new ManualClock("2026-11-20T02:00:00Z");
      await appendAudit(db2.db, c, actor, { action: "day.one", objectType: "thing" });
      c.set("2026-11-21T02:00:00Z");
      await publishAuditHeads(db2.db, c);
      const [head] = await listAuditHeads(db2.db, 1);
      // Rewrite the last row of that day AND its hash, consistently: the chain alone would look intact.
      await db2.query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
      await db2.query(`UPDATE audit_log SET hash = repeat('a', 64) WHERE id = ${head.lastId}`);
      await db2.query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only");
      const report = await verifyAuditChain(db2.db);
      expect(report.ok).toBe(false);
      expect(report.firstBrokenId).toBe(head.lastId);
    } finally {
      await db2.close();
    }
  });

  it("notices rows deleted from the end after a head was published", async () => {
    const db3 = await createTestDb();
    try {
      const c = new ManualClock("2026-11-20T02:00:00Z");
      const last = await appendAudit(db3.db, c, actor, { action: "day.last", objectType: "thing" });
      c.set("2026-11-21T02:00:00Z");
      await publishAuditHeads(db3.db, c);
      await db3.query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
      await db3.query(`DELETE FROM audit_log WHERE id = ${last.id}`);
      await db3.query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only");
      const report = await verifyAuditChain(db3.db);
      expect(report.ok).toBe(false);
      expect(report.reason).toBe("published_head_missing_row");
    } finally {
      await db3.close();
    }
  });
});

describe.runIf(isRealServer())("audit trail under concurrent writers (real PostgreSQL)", () => {
  it("keeps one unbroken chain when 40 transactions append at once", async () => {
    const db4 = await createTestDb();
    try {
      const c = new ManualClock("2026-11-20T02:00:00Z");
      const before = (await verifyAuditChain(db4.db)).checked;
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          db4.db.transaction(async (tx) => {
            await appendAudit(tx, c, actor, { action: "concurrent.write", objectType: "thing", objectId: String(i) });
            // Hold the transaction open a little so writers really overlap.
            await tx.execute(`select pg_sleep(0.01)` as never);
            await appendAudit(tx, c, actor, { action: "concurrent.write2", objectType: "thing", objectId: String(i) });
          }),
        ),
      );
      const report = await verifyAuditChain(db4.db);
      expect(report.ok).toBe(true);
      expect(report.checked).toBe(before + 80);
      const forks = await db4.query<{ n: number }>("SELECT count(*)::int AS n FROM (SELECT prev_hash FROM audit_log GROUP BY prev_hash HAVING count(*) > 1) f");
      expect(forks[0].n).toBe(0);
    } finally {
      await db4.close();
    }
  });
});
