/**
 * Read-only work that must see one moment of the database but is too big for
 * one connection: the county-wide risk scan (ADR 0019).
 *
 * The work hands each query to `run`. It always runs inside one read-only,
 * repeatable-read transaction (the lead). On a PostgreSQL pool the lead also
 * exports its snapshot (pg_export_snapshot) and up to `lanes − 1` more
 * transactions import it (SET TRANSACTION SNAPSHOT), so every query — on
 * whichever connection — reads exactly the same data, and independent
 * queries run side by side on the server's cores. Idle connections pick the
 * next query; the lead never waits for a helper, so a pool with no connection
 * to spare only makes the work serial, never stuck. PGlite has one connection
 * (and a transaction handle has no pool): there the lead runs everything.
 */
import { sql, type SQL } from "drizzle-orm";
import { rowsOf, type Db } from "./db.server";

export type RunOnSnapshot = <R>(query: (q: Db) => PromiseLike<R>) => Promise<R>;

interface Task {
  query: (q: Db) => PromiseLike<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** What pg_export_snapshot returns (e.g. 00000003-0000001B-1): checked, since SET TRANSACTION SNAPSHOT takes no parameter. */
const SNAPSHOT_ID = /^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$/i;

const READ_ONLY = { isolationLevel: "repeatable read", accessMode: "read only" } as const;

/** Whether `db` is a postgres.js pool (not PGlite, not a transaction), so more connections can join. */
function isPool(db: Db): boolean {
  const client = (db as unknown as { $client?: { begin?: unknown; reserve?: unknown } }).$client;
  return typeof client?.begin === "function" && typeof client?.reserve === "function";
}

export async function onOneSnapshot<T>(db: Db, opts: { lanes: number; setup?: SQL }, work: (run: RunOnSnapshot) => Promise<T>): Promise<T> {
  // Helpers still queued for a connection when the work ends: waited for once the lead has committed (its
  // connection then serves them, and they end at once), so none is left behind — never before, or two works
  // on a full pool could wait for each other.
  const queued: Promise<unknown>[] = [];
  try {
    return await db.transaction(async (lead) => {
      if (opts.setup) await lead.execute(opts.setup);
      const tasks: Task[] = [];
      const idle: (() => void)[] = [];
      let finished = false;
      const lane = async (q: Db) => {
        for (;;) {
          const task = tasks.shift();
          if (task) {
            try {
              task.resolve(await task.query(q));
            } catch (error) {
              task.reject(error);
            }
            continue;
          }
          if (finished) return;
          await new Promise<void>((wake) => idle.push(wake));
        }
      };
      const run: RunOnSnapshot = (query) =>
        new Promise((resolve, reject) => {
          tasks.push({ query, resolve: resolve as (value: unknown) => void, reject });
          idle.shift()?.();
        });

      // Lanes that joined; a helper still waiting for a connection is not waited for (the pool may be
      // full of other scans' leads), it finds the work finished when it gets one.
      const joined: Promise<void>[] = [];
      if (opts.lanes > 1 && isPool(db)) {
        const [row] = rowsOf<{ id: string }>(await lead.execute(sql`select pg_export_snapshot() as id`));
        if (row && SNAPSHOT_ID.test(row.id)) {
          for (let i = 1; i < opts.lanes; i++) {
            queued.push(
              db
                .transaction(async (helper) => {
                  if (finished) return;
                  let joins: () => void = () => undefined;
                  joined.push(new Promise<void>((resolve) => (joins = resolve)));
                  try {
                    await helper.execute(sql.raw(`set transaction snapshot '${row.id}'`));
                    if (opts.setup) await helper.execute(opts.setup);
                    await lane(helper);
                  } finally {
                    joins();
                  }
                }, READ_ONLY)
                // A helper that could not join leaves its queries to the others; a failed query has already rejected its caller.
                .catch(() => undefined),
            );
          }
        }
      }
      const leadLane = lane(lead);
      try {
        return await work(run);
      } finally {
        finished = true;
        for (const wake of idle.splice(0)) wake();
        await leadLane;
        await Promise.all(joined);
      }
    }, READ_ONLY);
  } finally {
    await Promise.all(queued);
  }
}
