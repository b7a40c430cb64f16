// npm run bench:audit — how fast the audit trail appends and verifies.
// Usage: tsx bench/audit-append.ts [rows] (DATABASE_URL for PostgreSQL; otherwise in-memory PGlite)
import { openDatabase, openPglite } from "../db/client";
import { appendAudit, SYSTEM_ACTOR, verifyAuditChain } from "../app/models/audit.server";
import { systemClock } from "../app/utils/clock.server";

const rows = Number(process.argv[2] ?? 2000);
const url = process.env.DATABASE_URL;
const database = url ? await openDatabase({ databaseUrl: url, dataDir: "" }) : await openPglite("memory://");
const concurrency = url ? 8 : 1;

const t0 = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < rows) {
      const i = next++;
      await appendAudit(database.db, systemClock, SYSTEM_ACTOR, { action: "bench.append", objectType: "bench", objectId: String(i), detail: { i } });
    }
  }),
);
const appendMs = performance.now() - t0;
const t1 = performance.now();
const report = await verifyAuditChain(database.db);
const verifyMs = performance.now() - t1;
await database.close();

console.log(
  JSON.stringify({
    database: url ? "postgres" : "pglite",
    rows,
    concurrency,
    appendPerSecond: Math.round((rows / appendMs) * 1000),
    verifyPerSecond: Math.round((report.checked / verifyMs) * 1000),
    chainOk: report.ok,
    rssMB: Math.round(process.memoryUsage().rss / 1e6),
  }),
);
if (!report.ok) process.exit(1);
