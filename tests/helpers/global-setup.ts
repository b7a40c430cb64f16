// Build one migrated database holding the demo county, once per run; every
// test file then starts from its own copy of it (PGlite: a data-dir dump;
// PostgreSQL: CREATE DATABASE … TEMPLATE), so files never see each other's rows.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import postgres from "postgres";
import { openPglite, openPostgres } from "../../db/client";
import { seedDemo } from "../../app/demo/demo.server";
import { ManualClock } from "../../app/utils/clock.server";

export const SEED_TIME = "2026-11-02T01:00:00Z";

function adminUrl(url: string, dbName: string) {
  const u = new URL(url);
  u.pathname = `/${dbName}`;
  return u.toString();
}

export default async function setup(project: TestProject) {
  const serverUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (serverUrl) {
    const template = `cyz_tpl_${process.pid}`;
    const admin = postgres(adminUrl(serverUrl, "postgres"), { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP DATABASE IF EXISTS ${template}`);
    await admin.unsafe(`CREATE DATABASE ${template}`);
    const database = await openPostgres(adminUrl(serverUrl, template), { max: 2 });
    await seedDemo(database.db, new ManualClock(SEED_TIME));
    await database.close();
    project.provide("testDb", { kind: "postgres", serverUrl, template });
    return async () => {
      await admin.unsafe(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname LIKE 'cyz_t_${process.pid}_%' OR datname = '${template}'`);
      const left = await admin<{ datname: string }[]>`SELECT datname FROM pg_database WHERE datname LIKE ${`cyz_t_${process.pid}_%`}`;
      for (const { datname } of left) await admin.unsafe(`DROP DATABASE IF EXISTS ${datname}`);
      await admin.unsafe(`DROP DATABASE IF EXISTS ${template}`);
      await admin.end();
    };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "cyz-test-"));
  const database = await openPglite(path.join(dir, "tpl"));
  await seedDemo(database.db, new ManualClock(SEED_TIME));
  const dump = await dumpPglite(database);
  await database.close();
  const file = path.join(dir, "template.tar.gz");
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide("testDb", { kind: "pglite", dumpFile: file });
  return () => rmSync(dir, { recursive: true, force: true });
}

async function dumpPglite(database: Awaited<ReturnType<typeof openPglite>>): Promise<Blob> {
  if (!database.dumpDataDir) throw new Error("not a PGlite database");
  return database.dumpDataDir();
}

declare module "vitest" {
  export interface ProvidedContext {
    testDb: { kind: "postgres"; serverUrl: string; template: string } | { kind: "pglite"; dumpFile: string };
  }
}
