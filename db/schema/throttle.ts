import { boolean, index, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";

/**
 * Sign-in attempts, kept for a day, so every instance of the app counts the
 * same attempts (app/models/login-throttle.server.ts). `bucket` is what is
 * limited: `ip:<address>` or `account:<phone>` / `credential:<id>` / `user:<id>`.
 */
export const loginAttempts = pgTable(
  "login_attempts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    bucket: text("bucket").notNull(),
    /** password | passkey_options | passkey_verify | passkey_register */
    kind: text("kind").notNull(),
    failed: boolean("failed").notNull(),
    at: instant("at").notNull(),
  },
  (t) => [index("login_attempts_bucket_idx").on(t.bucket, t.at)],
);

/**
 * An account locked against password sign-in after repeated wrong passwords.
 * Keyed by the phone typed, whether or not it belongs to a user, so a lock
 * says nothing about which numbers are registered. It ends by time alone.
 */
export const accountLocks = pgTable("account_locks", {
  account: text("account").primaryKey(),
  lockedAt: instant("locked_at").notNull(),
  lockedUntil: instant("locked_until").notNull(),
});
