import { relations } from "drizzle-orm";
import { bigint, boolean, index, integer, pgEnum, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { bytea, instant } from "./columns";
import { memberships } from "./orgs";

export const users = pgTable("users", {
  id: uuid("id").primaryKey().defaultRandom(),
  /** Mainland mobile number, normalised to 11 digits. */
  phone: text("phone").notNull().unique(),
  name: text("name").notNull(),
  /** scrypt$N$r$p$salt$hash — never the password itself. */
  passwordHash: text("password_hash").notNull(),
  locale: text("locale").notNull().default("zh-CN"),
  /** 大字模式: larger text on every page, for older village officials (chosen on the account page). */
  largeText: boolean("large_text").notNull().default(false),
  /** E-mail address for messages (optional, given on the account page). */
  email: text("email"),
  /** WeChat OpenID under the county's official account, for template messages (optional). */
  wechatOpenId: text("wechat_open_id"),
  createdAt: instant("created_at").notNull(),
});

/**
 * Server-side sessions: the cookie holds a random token, the table holds its
 * SHA-256, so a copy of the database cannot be replayed as a login.
 */
export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    membershipId: uuid("membership_id").references(() => memberships.id, { onDelete: "set null" }),
    method: text("method").notNull(),
    createdAt: instant("created_at").notNull(),
    lastSeenAt: instant("last_seen_at").notNull(),
    expiresAt: instant("expires_at").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    /** When this session last proved a second factor (a code sent to the user's channel): needed to change passkeys after a password sign-in. */
    stepUpAt: instant("step_up_at"),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

export const passkeys = pgTable(
  "passkeys",
  {
    /** Credential ID, base64url. */
    id: text("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    publicKey: bytea("public_key").notNull(),
    counter: bigint("counter", { mode: "number" }).notNull(),
    transports: text("transports").array().notNull(),
    deviceType: text("device_type").notNull(),
    backedUp: boolean("backed_up").notNull(),
    /** Whether the authenticator reported WebAuthn PRF support at registration (needed to seal bids). */
    prfEnabled: boolean("prf_enabled").notNull().default(false),
    /**
     * X25519 public key (base64url) derived in the browser from this passkey's
     * PRF secret (public/seal/v1.js): bids are sealed to it. Null until the
     * holder prepares the passkey for sealing.
     */
    openingPublicKey: text("opening_public_key"),
    openingKeyAt: instant("opening_key_at"),
    createdAt: instant("created_at").notNull(),
    lastUsedAt: instant("last_used_at"),
  },
  (t) => [index("passkeys_user_idx").on(t.userId)],
);

/** bid_withdraw / bid_replace: a fresh assertion that the bidder approved withdrawing or replacing a sealed bid just now. */
export const challengePurpose = pgEnum("challenge_purpose", ["passkey_register", "passkey_login", "opening_key", "bid_withdraw", "bid_replace"]);

/** WebAuthn challenges: single-use (deleted when read) and short-lived. */
export const webauthnChallenges = pgTable("webauthn_challenges", {
  challenge: text("challenge").primaryKey(),
  purpose: challengePurpose("purpose").notNull(),
  userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
  expiresAt: instant("expires_at").notNull(),
});

export const usersRelations = relations(users, ({ many }) => ({
  memberships: many(memberships),
  passkeys: many(passkeys),
  sessions: many(sessions),
}));

export type User = typeof users.$inferSelect;
export type Session = typeof sessions.$inferSelect;
export type Passkey = typeof passkeys.$inferSelect;

/**
 * A one-time password reset code (重置码) issued by an official after checking the person's
 * identity (the township supervisor for contractors and villages, the county administrator for
 * experts and supervisors). Only its SHA-256 is kept; it works once, for 24 hours, five tries.
 */
export const resetCodes = pgTable(
  "reset_codes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeSha256: text("code_sha256").notNull(),
    /** The official; null for a code the person asked for themselves (sent to their own channel). */
    issuedBy: uuid("issued_by").references(() => users.id),
    issuedAs: text("issued_as").notNull(),
    /** What the official checked (e.g. 身份证原件、营业执照): kept with the code and in the audit trail. */
    identityCheck: text("identity_check").notNull(),
    createdAt: instant("created_at").notNull(),
    expiresAt: instant("expires_at").notNull(),
    tries: integer("tries").notNull().default(0),
    usedAt: instant("used_at"),
    /** A code the person asked for: the address that asked. A new request voids only the older codes asked from that address (ADR 0034). */
    requestedFrom: text("requested_from"),
    /** What the code was used for: "password" (a reset) or "step_up" (a second factor); null while unused. */
    usedFor: text("used_for"),
    voidedAt: instant("voided_at"),
  },
  (t) => [index("reset_codes_user_idx").on(t.userId, t.createdAt)],
);
