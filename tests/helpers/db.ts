import { readFileSync } from "node:fs";
import { inject } from "vitest";
import { openPglite, openPostgres, type Database } from "../../db/client";

let counter = 0;
const urls = new WeakMap<Database, string>();

/** A second, independent handle (own pool, own LISTEN) on the same PostgreSQL test database: a second app instance. */
export async function openAnotherHandle(database: Database, opts: { max?: number } = {}): Promise<Database> {
  const url = urls.get(database);
  if (!url) throw new Error("only a PostgreSQL test database can be opened twice");
  return openPostgres(url, { migrate: false, max: opts.max ?? 5 });
}

/**
 * A private copy of the migrated demo database for one test file (or test); `empty`: migrated, nothing loaded.
 * PGlite by default; the real PostgreSQL server when TEST_DATABASE_URL is set.
 */
export async function createTestDb(opts: { empty?: boolean } = {}): Promise<Database> {
  const spec = inject("testDb");
  if (spec.kind === "pglite") {
    if (opts.empty) return openPglite(undefined);
    const blob = new Blob([readFileSync(spec.dumpFile)]);
    return openPglite(undefined, { loadDataDir: blob, migrate: false });
  }
  const name = `cyz_t_${process.ppid}_${process.pid}_${++counter}`;
  const admin = await openPostgres(withDb(spec.serverUrl, "postgres"), { migrate: false, max: 1 });
  try {
    // A template cannot be copied while someone is connected to it; retry briefly if two files start together.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${opts.empty ? "template0" : spec.template}`);
        break;
      } catch (e) {
        if (attempt > 20) throw e;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.close();
  }
  const database = await openPostgres(withDb(spec.serverUrl, name), { migrate: Boolean(opts.empty), max: 10 });
  urls.set(database, withDb(spec.serverUrl, name));
  const close = database.close.bind(database);
  database.close = async () => {
    await close();
    const a = await openPostgres(withDb(spec.serverUrl, "postgres"), { migrate: false, max: 1 });
    await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await a.close();
  };
  return database;
}

export function isRealServer(): boolean {
  return inject("testDb").kind === "postgres";
}

function withDb(url: string, db: string) {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}
