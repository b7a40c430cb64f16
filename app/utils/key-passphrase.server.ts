import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Env } from "./env.server";

/**
 * The passphrase that encrypts the platform's signing keys in the database
 * (so a database dump or backup alone does not carry a usable CA key):
 * PLATFORM_KEY_PASSPHRASE, or else a random one created once in KEYS_DIR
 * with owner-only permissions. Back it up apart from the database.
 */
export function platformKeyPassphrase(env: Pick<Env, "PLATFORM_KEY_PASSPHRASE" | "KEYS_DIR">): string {
  if (env.PLATFORM_KEY_PASSPHRASE) return env.PLATFORM_KEY_PASSPHRASE;
  const file = path.resolve(env.KEYS_DIR, "platform-key.pass");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
  return readFileSync(file, "utf8").trim();
}
