import type { LoaderFunctionArgs } from "@remix-run/node";
import { sql } from "drizzle-orm";

/** Ready when the database is open and migrated (the server migrates before it serves); says which runtime serves (ADR on the pinned runtime). */
export async function loader({ context }: LoaderFunctionArgs) {
  await context.db.execute(sql`select 1 from county_settings limit 0`);
  return Response.json(
    { ok: true, database: context.database.kind, node: process.version, time: context.clock.now().toISOString() },
    {
      headers: { "Cache-Control": "no-store" },
    },
  );
}
