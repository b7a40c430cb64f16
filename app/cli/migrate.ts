// npm run db:migrate — apply migrations to DATABASE_URL (or the embedded database in DATA_DIR) and exit.
import { openDatabase } from "../../db/client";
import { parseEnv, EnvError } from "../utils/env.server";

try {
  const env = parseEnv(process.env);
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
  await database.close();
  console.log(`migrated: ${env.DATABASE_URL ? "PostgreSQL" : env.DATA_DIR}`);
} catch (e) {
  console.error(e instanceof EnvError ? e.message : e);
  process.exit(1);
}
