import path from "node:path";
import type { Clock } from "./clock.server";
import type { Database, Db } from "./db.server";
import type { Env } from "./env.server";
import type { RelyingParty } from "~/models/passkey.server";
import { LocalFileStore, type FileStore } from "~/models/file-store.server";
import { S3FileStore } from "~/models/file-store-s3.server";
import type { Transports } from "~/models/transports.server";

/** What every loader and action receives: built once by the server, per request only `ip` and `cspNonce` change. */
export interface AppContext {
  db: Db;
  database: Database;
  clock: Clock;
  env: Env;
  rp: RelyingParty;
  /** Uploaded files by SHA-256 (local folder by default, S3-compatible storage with FILES_BACKEND=s3). */
  files: FileStore;
  /** How messages leave, per channel (app/models/transports.server.ts); empty when none is configured. */
  transports: Transports;
  /** Client address as the server saw it (proxy headers honoured only from TRUST_PROXY). */
  ip: string | null;
  /** This response's Content-Security-Policy nonce (server.mjs); absent outside the HTTP server. */
  cspNonce?: string;
}

/** The file store the environment asks for. With S3, FILES_DIR still holds work in progress (spooling, partial uploads). */
export function createFileStore(env: Env): FileStore {
  if (env.FILES_BACKEND === "local") return new LocalFileStore(env.FILES_DIR);
  return new S3FileStore({
    // env.server.ts refuses FILES_BACKEND=s3 without these four.
    endpoint: env.S3_ENDPOINT!,
    bucket: env.S3_BUCKET!,
    accessKeyId: env.S3_ACCESS_KEY_ID!,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY!,
    region: env.S3_REGION,
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
    workDir: path.resolve(env.FILES_DIR),
  });
}

declare module "@remix-run/node" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AppLoadContext extends AppContext {}
  interface Future {
    v3_singleFetch: true;
  }
}
