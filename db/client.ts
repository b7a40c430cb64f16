import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "./schema";

/** One database handle type for both drivers; a transaction is also a Db. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  kind: "pglite" | "postgres";
  /** Run a raw statement and get its rows, whatever the driver. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Subscribe to a NOTIFY channel; returns an unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /** PGlite only: the whole data folder as a tarball (used to copy a prepared database quickly). */
  dumpDataDir?(): Promise<Blob>;
}

export function migrationsFolder(): string {
  // db/client.ts in the source tree, build/index.js once bundled: find db/migrations from the project root.
  const fromEnv = process.env.MIGRATIONS_DIR;
  if (fromEnv) return fromEnv;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, "migrations"), path.resolve(here, "..", "db", "migrations"), path.resolve(process.cwd(), "db", "migrations")];
  return candidates.find((c) => existsSync(path.join(c, "meta", "_journal.json"))) ?? candidates[candidates.length - 1];
}

/** Serialises migrations when several app instances start against one database. */
const MIGRATION_LOCK = 7_311_001;

export async function openPostgres(url: string, opts: { migrate?: boolean; max?: number } = {}): Promise<Database> {
  const client = postgres(url, { max: opts.max ?? 10, onnotice: () => {} });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  if (opts.migrate !== false) {
    // One connection of its own, so the advisory lock and every migration statement share a session.
    const single = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await single`select pg_advisory_lock(${MIGRATION_LOCK})`;
      await migratePostgres(drizzlePostgres(single, { schema }), { migrationsFolder: migrationsFolder() });
    } finally {
      await single.end({ timeout: 5 });
    }
  }
  return {
    db,
    kind: "postgres",
    async query(text, params = []) {
      return (await client.unsafe(text, params as never[])) as never;
    },
    async listen(channel, onPayload) {
      const sub = await client.listen(channel, onPayload);
      return () => sub.unlisten();
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

export async function openPglite(dataDir: string | undefined, opts: { migrate?: boolean; loadDataDir?: Blob } = {}): Promise<Database> {
  if (dataDir && !dataDir.startsWith("memory://")) mkdirSync(path.dirname(path.resolve(dataDir)), { recursive: true });
  const client = await PGlite.create(dataDir, opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {});
  return wrapPglite(client, opts.migrate !== false);
}

export async function wrapPglite(client: PGlite, migrate: boolean): Promise<Database> {
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  if (migrate) await migratePglite(drizzlePglite(client, { schema }), { migrationsFolder: migrationsFolder() });
  return {
    db,
    kind: "pglite",
    async query(text, params = []) {
      return (await client.query(text, params as never[])).rows as never;
    },
    async listen(channel, onPayload) {
      const unsub = await client.listen(channel, onPayload);
      return () => unsub();
    },
    async close() {
      if (!client.closed) await client.close();
    },
    async dumpDataDir() {
      return (await client.dumpDataDir("gzip")) as Blob;
    },
  };
}

/** DATABASE_URL → PostgreSQL; otherwise the embedded PGlite database in dataDir. */
export async function openDatabase(config: { databaseUrl?: string; dataDir: string }): Promise<Database> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl);
  return openPglite(config.dataDir);
}

export { schema, sql };
