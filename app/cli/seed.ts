// npm run db:seed — load the demo county (once) into DATABASE_URL or the embedded database.
import { openDatabase } from "../../db/client";
import { parseEnv, EnvError } from "../utils/env.server";
import { seedDemo } from "../demo/demo.server";
import { systemClock } from "../utils/clock.server";
import { createFileStore } from "../utils/context.server";

try {
  const env = parseEnv(process.env);
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
  // The demo's officials get passkeys bound to the site the server will answer as.
  const rp = { rpID: env.RP_ID, origins: [env.PUBLIC_ORIGIN], rpName: "村易招" };
  const accounts = await seedDemo(database.db, systemClock, createFileStore(env), rp);
  await database.close();
  console.log(`demo county loaded: ${accounts.length} accounts`);
} catch (e) {
  console.error(e instanceof EnvError ? e.message : e);
  process.exit(1);
}
