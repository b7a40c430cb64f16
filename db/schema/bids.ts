import { bigint, index, integer, pgEnum, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { BID_STATUS_VALUES } from "./states";
import { orgs } from "./orgs";
import { projectManagers } from "./companies";
import { files } from "./projects";
import { tenders } from "./tenders";
import { users } from "./users";

export const bidStatus = pgEnum("bid_status", BID_STATUS_VALUES);
export const bidVersionKind = pgEnum("bid_version_kind", ["sealed", "withdrawal"]);
export const bidWrapKind = pgEnum("bid_wrap_kind", ["passkey", "backup"]);

/**
 * A company's bid on one tender. Before the deadline the platform knows who
 * bid, when and how many bytes — never the price or a file: those are inside
 * the ciphertext of the current version, sealed in the bidder's browser.
 */
export const bids = pgTable(
  "bids",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenderId: uuid("tender_id")
      .notNull()
      .references(() => tenders.id),
    companyId: uuid("company_id")
      .notNull()
      .references(() => orgs.id),
    status: bidStatus("status").notNull(),
    /** The version that counts: the last one received before the deadline. */
    currentVersion: integer("current_version").notNull(),
    createdAt: instant("created_at").notNull(),
    updatedAt: instant("updated_at").notNull(),
    /** Filled at the opening (decrypted project manager) and at the award; read by the 在建 rule. */
    openedProjectManagerId: uuid("opened_project_manager_id").references(() => projectManagers.id),
    awardedAt: instant("awarded_at"),
  },
  (t) => [unique("bids_tender_company").on(t.tenderId, t.companyId)],
);

/**
 * Every submission, replacement and withdrawal, each with its own receipt
 * (回执). Rows are never changed: a replacement is a new version.
 */
export const bidVersions = pgTable(
  "bid_versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    bidId: uuid("bid_id")
      .notNull()
      .references(() => bids.id),
    seq: integer("seq").notNull(),
    kind: bidVersionKind("kind").notNull(),
    /** Chosen by the browser per attempt: a repeated submit returns the first receipt (idempotency key). */
    submissionId: uuid("submission_id").notNull().unique(),
    /** The sealed container in the file store; null for a withdrawal. */
    ciphertextSha256: text("ciphertext_sha256").references(() => files.sha256),
    ciphertextSize: bigint("ciphertext_size", { mode: "number" }),
    /** SHA-256 of the sealed manifest (price, file hashes, bidder's nonce): checkable only after opening. */
    plaintextHash: text("plaintext_hash"),
    commitment: text("commitment").notNull(),
    sealingScriptVersion: text("sealing_script_version"),
    sealingScriptSha256: text("sealing_script_sha256"),
    receivedAt: instant("received_at").notNull(),
    submittedBy: uuid("submitted_by")
      .notNull()
      .references(() => users.id),
  },
  (t) => [unique("bid_versions_bid_seq").on(t.bidId, t.seq)],
);

/** The data key of one sealed version, wrapped for a member's passkey or under the backup key. */
export const bidKeyWraps = pgTable(
  "bid_key_wraps",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    versionId: uuid("version_id")
      .notNull()
      .references(() => bidVersions.id),
    kind: bidWrapKind("kind").notNull(),
    /** The passkey this wrap is sealed to (no foreign key: the passkey may be removed later, the wrap stays). */
    credentialId: text("credential_id"),
    /** The member who holds that passkey. */
    userId: uuid("user_id").references(() => users.id),
    /** Ephemeral X25519 public key (passkey wraps), AES-GCM IV and wrapped key, base64url. */
    epk: text("epk"),
    iv: text("iv").notNull(),
    wrapped: text("wrapped").notNull(),
    /** A wrapped key can serve one submission only: replays are refused by this unique hash. */
    wrappedSha256: text("wrapped_sha256").notNull().unique(),
    /** Set when the bidder re-sealed this version's key to other passkeys (the passkey was being removed). */
    retiredAt: instant("retired_at"),
  },
  (t) => [index("bid_key_wraps_version_idx").on(t.versionId), index("bid_key_wraps_credential_idx").on(t.credentialId)],
);

export type Bid = typeof bids.$inferSelect;
export type BidVersion = typeof bidVersions.$inferSelect;
export type BidKeyWrap = typeof bidKeyWraps.$inferSelect;
