import { platformKeyPassphrase } from "./key-passphrase.server";
import { protectPlatformKeys } from "~/models/signature.server";
import { lte } from "drizzle-orm";
import { openDatabase } from "../../db/client";
import { publishAuditHeads } from "~/models/audit.server";
import { archiveDueProjects } from "~/models/archive.server";
import { refreshProjectFigures } from "~/models/dashboard.server";
import { isDemoLoaded, seedDemo, seedLivingDemo } from "~/demo/demo.server";
import { purgeThrottle } from "~/models/login-throttle.server";
import { purgeExpiredChallenges } from "~/models/passkey.server";
import { purgeExpiredUploads } from "~/models/resumable-upload.server";
import { closeDueTenders } from "~/models/tender.server";
import { deliverDue, setActiveChannels } from "~/models/outbox.server";
import { sendDueReminders } from "~/models/reminder.server";
import { transportsFromEnv, type Channel, type Transports } from "~/models/transports.server";
import { OffsetClock, systemClock, type Clock } from "./clock.server";
import { createFileStore, type AppContext } from "./context.server";
import type { FileStore } from "~/models/file-store.server";
import { schema } from "./db.server";
import type { Env } from "./env.server";
import { startScheduler, type Job } from "./scheduler.server";

export const jobs: Job[] = [
  { name: "close-bidding", everyMs: 30 * 1000, run: (db, clock) => closeDueTenders(db, clock) },
  { name: "audit-heads", everyMs: 15 * 60 * 1000, run: (db, clock) => publishAuditHeads(db, clock) },
  // The dashboard refreshes what it shows before reading; this keeps the queue short between views.
  { name: "project-figures", everyMs: 60 * 1000, run: (db) => refreshProjectFigures(db) },
  { name: "reminders", everyMs: 60 * 1000, run: (db, clock) => sendDueReminders(db, clock) },
  { name: "purge-challenges", everyMs: 10 * 60 * 1000, run: (db, clock) => purgeExpiredChallenges(db, clock) },
  // Sign-in attempts, throttle buckets and ended pauses older than a day: no limit looks at them.
  { name: "purge-sign-in-attempts", everyMs: 60 * 60 * 1000, run: (db, clock) => purgeThrottle(db, clock) },
  {
    name: "purge-sessions",
    everyMs: 60 * 60 * 1000,
    run: (db, clock) => db.delete(schema.sessions).where(lte(schema.sessions.expiresAt, clock.now())),
  },
];

/** Every scheduled job of an app instance, with the file store the file jobs work on and the message transports. */
export function appJobs(files: FileStore, transports: Transports = {}, origin = "http://localhost"): Job[] {
  return [
    ...jobs,
    // Messages leave after their event has committed; rows are claimed, so instances never send one twice.
    { name: "deliver-messages", everyMs: 5 * 1000, unlocked: true, run: (db, clock) => deliverDue(db, { clock, transports, origin }) },
    // Partial uploads live on this instance's disk, not in the database; the job only borrows the scheduler's lock.
    { name: "purge-partial-uploads", everyMs: 60 * 60 * 1000, run: (_db, clock) => purgeExpiredUploads(files, clock) },
    // Completed, cancelled and long-failed projects are archived by the platform itself (归档).
    { name: "archive-projects", everyMs: 5 * 60 * 1000, run: (db, clock) => archiveDueProjects(db, clock, files) },
  ];
}

export interface Running {
  context: Omit<AppContext, "ip">;
  close(): Promise<void>;
}

/** Open and migrate the database, load the demo county when asked, start the scheduler. */
export async function createAppContext(env: Env, clock: Clock = env.TEST_CLOCK ? new OffsetClock() : systemClock): Promise<Running> {
  if (env.TEST_CLOCK) console.warn("TEST_CLOCK is on: the clock can be moved by POST /test-clock. Never in production.");
  protectPlatformKeys(platformKeyPassphrase(env));
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
  const files = createFileStore(env);
  const rp = { rpID: env.RP_ID, origins: [env.PUBLIC_ORIGIN], rpName: "村易招" };
  // The demo's certificate scans and documents go into the file store too, so their links open.
  if (env.SEED_DEMO && env.DEMO_PROJECTS && !(await isDemoLoaded(database.db))) {
    console.log("正在生成演示县及各阶段的演示项目（仅首次启动，约半分钟）… / writing the demo county and its projects (first start only, about half a minute)…");
    const { projects } = await seedLivingDemo(database.db, { files, rp, now: clock.now() });
    console.log(`演示数据已就绪：${projects.length} 个项目 / demo ready: ${projects.length} projects`);
  } else if (env.SEED_DEMO) await seedDemo(database.db, clock, files, rp);
  const transports = transportsFromEnv(env);
  setActiveChannels(Object.keys(transports) as Channel[]);
  const stopScheduler = startScheduler(database.db, clock, appJobs(files, transports, env.PUBLIC_ORIGIN));
  return {
    context: {
      db: database.db,
      database,
      clock,
      env,
      rp,
      files,
      transports,
    },
    async close() {
      stopScheduler();
      await database.close();
    },
  };
}
