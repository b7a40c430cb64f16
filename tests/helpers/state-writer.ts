import { sql } from "drizzle-orm";
import type { LifecycleName } from "~/models/lifecycle.server";
import type { Db } from "~/utils/db.server";

/**
 * A test's set-up that puts a row straight into a state, as the lifecycle's
 * writer would: the database lets only the writer change a state column
 * (migration 0023), so the change runs in a transaction holding its marker.
 */
export async function asStateWriter<T>(db: Db, lifecycle: LifecycleName, write: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('cyz.writer', ${lifecycle}, true)`);
    return write(tx);
  });
}
