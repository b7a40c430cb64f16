import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Clock } from "./clock.server";
import { rowsOf, type Db } from "./db.server";

export interface Job {
  name: string;
  everyMs: number;
  /** Runs without the cross-instance lock and outside a transaction (a job that claims its own rows, e.g. message delivery). */
  unlocked?: boolean;
  run(db: Db, clock: Clock): Promise<unknown>;
}

function lockKey(name: string): number {
  return createHash("sha256").update(`job:${name}`).digest().readInt32BE(0);
}

/**
 * Run a job at most once at a time across every app instance sharing the
 * database: a transaction-scoped try-lock; an instance that does not get it
 * skips this round.
 */
export async function runJobOnce(db: Db, clock: Clock, job: Job): Promise<boolean> {
  if (job.unlocked) {
    await job.run(db, clock);
    return true;
  }
  return db.transaction(async (tx) => {
    const [row] = rowsOf<{ locked: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(${lockKey(job.name)}) as locked`));
    if (!row?.locked) return false;
    await job.run(tx, clock);
    return true;
  });
}

export function startScheduler(db: Db, clock: Clock, jobs: Job[], log: (msg: string) => void = console.error): () => void {
  const timers = jobs.map((job) => {
    const tick = () => runJobOnce(db, clock, job).catch((e: unknown) => log(`[scheduler] ${job.name} failed: ${(e as Error).message}`));
    void tick();
    return setInterval(() => void tick(), job.everyMs).unref();
  });
  return () => timers.forEach(clearInterval);
}
