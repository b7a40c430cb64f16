import { boolean, index, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { users } from "./users";

/**
 * Sign-in attempts, kept for a day, so every instance of the app counts the
 * same attempts (app/models/login-throttle.server.ts). `bucket` is what is
 * limited: `ip:<address>`, `pair:<address>|<phone>` (passwords), `reset:<address>|<phone>` (reset
 * codes), `ask:<address>|<phone>` (code requests), `account:<phone>`, `device:<known device>`,
 * `credential:<id>` or `user:<id>`. An attempt is written before it is checked; a password or
 * code attempt is written as failed until it is shown to be right (ADR 0034).
 */
export const loginAttempts = pgTable(
  "login_attempts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    bucket: text("bucket").notNull(),
    /** password | reset | passkey_options | passkey_verify | passkey_register | reset_request | step_up */
    kind: text("kind").notNull(),
    failed: boolean("failed").notNull(),
    at: instant("at").notNull(),
  },
  (t) => [index("login_attempts_bucket_idx").on(t.bucket, t.at)],
);

/**
 * A bucket paused after repeated wrong passwords (`account` holds the bucket: a number from devices
 * it has not used before, one address for one number, or one known device). Keyed by the phone
 * typed, whether or not it belongs to a user, so a pause says nothing about which numbers are
 * registered. It ends by time alone.
 */
export const accountLocks = pgTable("account_locks", {
  account: text("account").primaryKey(),
  lockedAt: instant("locked_at").notNull(),
  lockedUntil: instant("locked_until").notNull(),
});

/**
 * One row per bucket of login_attempts, locked (INSERT … ON CONFLICT DO UPDATE) by every attempt
 * counted in it, so parallel attempts on one account queue for the count instead of all reading
 * the same number (ADR 0034). Rows untouched for a day are purged.
 */
export const throttleBuckets = pgTable(
  "throttle_buckets",
  {
    bucket: text("bucket").primaryKey(),
    touchedAt: instant("touched_at").notNull(),
  },
  (t) => [index("throttle_buckets_touched_idx").on(t.touchedAt)],
);

/**
 * Devices an account signed in from (app/models/known-device.server.ts): the SHA-256 of the random
 * token in the browser's cookie. A password typed on one is counted on that device alone.
 */
export const knownDevices = pgTable(
  "known_devices",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenSha256: text("token_sha256").notNull(),
    createdAt: instant("created_at").notNull(),
    lastUsedAt: instant("last_used_at").notNull(),
  },
  (t) => [uniqueIndex("known_devices_token_user_uniq").on(t.tokenSha256, t.userId), index("known_devices_user_idx").on(t.userId)],
);
