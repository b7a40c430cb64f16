import type { Clock } from "./clock.server";
import type { Database, Db } from "./db.server";
import type { Env } from "./env.server";
import type { RelyingParty } from "~/models/passkey.server";
import type { FileStore } from "~/models/file-store.server";

/** What every loader and action receives: built once by the server, per request only `ip` changes. */
export interface AppContext {
  db: Db;
  database: Database;
  clock: Clock;
  env: Env;
  rp: RelyingParty;
  /** Uploaded files by SHA-256 (local folder by default). */
  files: FileStore;
  /** Client address as the server saw it (proxy headers honoured only from TRUST_PROXY). */
  ip: string | null;
}

declare module "@remix-run/node" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AppLoadContext extends AppContext {}
  interface Future {
    v3_singleFetch: true;
  }
}
