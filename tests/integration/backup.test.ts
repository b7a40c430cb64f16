import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { appendAudit, SYSTEM_ACTOR, verifyAuditChain } from "~/models/audit.server";
import { ManualClock } from "~/utils/clock.server";
import { openPostgres } from "../../db/client";
import { createTestDb, isRealServer } from "../helpers/db";

function hasTool(name: string) {
  try {
    execFileSync(name, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The README's backup procedure, run for real: pg_dump -Fc, then pg_restore into an empty database. */
describe.runIf(isRealServer() && hasTool("pg_dump") && hasTool("pg_restore"))("backup and restore with pg_dump / pg_restore", () => {
  it("restores every row and an intact audit chain", async () => {
    const source = await createTestDb();
    const dir = mkdtempSync(path.join(os.tmpdir(), "cyz-backup-"));
    const spec = inject("testDb") as { serverUrl: string };
    const restoredName = `cyz_restore_${process.pid}`;
    const url = (db: string) => Object.assign(new URL(spec.serverUrl), { pathname: `/${db}` }).toString();
    try {
      await appendAudit(source.db, new ManualClock(), SYSTEM_ACTOR, { action: "backup.marker", objectType: "thing" });
      const [{ current_database: sourceName }] = await source.query<{ current_database: string }>("SELECT current_database()");
      const before = await verifyAuditChain(source.db);
      const file = path.join(dir, "cyz.dump");
      execFileSync("pg_dump", ["--format=custom", "--no-owner", `--file=${file}`, url(sourceName)]);
      expect(statSync(file).size).toBeGreaterThan(1000);

      const admin = await openPostgres(url("postgres"), { migrate: false, max: 1 });
      await admin.query(`DROP DATABASE IF EXISTS ${restoredName}`);
      await admin.query(`CREATE DATABASE ${restoredName}`);
      await admin.close();
      execFileSync("pg_restore", ["--no-owner", "--exit-on-error", `--dbname=${url(restoredName)}`, file]);

      // The app opens the restored database as it is (migrations already recorded) and finds everything.
      const restored = await openPostgres(url(restoredName), { max: 2 });
      try {
        const after = await verifyAuditChain(restored.db);
        expect(after.ok).toBe(true);
        expect(after.checked).toBe(before.checked);
        expect(after.headHash).toBe(before.headHash);
        const [{ n }] = await restored.query<{ n: number }>("SELECT count(*)::int AS n FROM users");
        expect(n).toBeGreaterThanOrEqual(25);
        // The append-only trigger came back with the schema.
        await expect(restored.query("DELETE FROM audit_log")).rejects.toThrow(/append-only/);
      } finally {
        await restored.close();
      }
    } finally {
      await source.close();
      const admin = await openPostgres(url("postgres"), { migrate: false, max: 1 });
      await admin.query(`DROP DATABASE IF EXISTS ${restoredName} WITH (FORCE)`);
      await admin.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
