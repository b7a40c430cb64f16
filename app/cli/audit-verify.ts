// npm run audit:verify — recompute the audit hash chain and compare it with the published daily heads.
// Exit code 0: intact; 2: broken (prints the first broken record); 1: could not run.
import { openDatabase } from "../../db/client";
import { verifyAuditChain } from "../models/audit.server";
import { EnvError, parseEnv } from "../utils/env.server";

try {
  const env = parseEnv(process.env);
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
  const report = await verifyAuditChain(database.db);
  await database.close();
  if (report.ok) {
    console.log(`审计链完整 / chain intact: ${report.checked} records, ${report.headsChecked} published heads, head ${report.headHash}`);
  } else {
    console.error(`审计链被破坏 / chain BROKEN at record ${report.firstBrokenId}: ${report.reason} (${report.checked} records verified before it)`);
    process.exitCode = 2;
  }
} catch (e) {
  console.error(e instanceof EnvError ? e.message : e);
  process.exit(1);
}
