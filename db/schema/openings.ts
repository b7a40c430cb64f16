import { bigint, bigserial, boolean, index, integer, jsonb, pgEnum, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { BID_OPENING_STATUS_VALUES, OPENING_STATE_VALUES } from "./states";
import { bids } from "./bids";
import { orgs } from "./orgs";
import { files } from "./projects";
import { tenders } from "./tenders";
import { users } from "./users";

export const openingState = pgEnum("opening_state", OPENING_STATE_VALUES);

/**
 * The remote opening (不见面开标) of one tender: from the deadline, the host
 * starts decryption, bidders decrypt their own bids within the window, the
 * prices are read out (唱标), bidders confirm or object, the host closes it —
 * or the tender fails (流标) with the reason recorded.
 */
export const openings = pgTable("openings", {
  tenderId: uuid("tender_id")
    .primaryKey()
    .references(() => tenders.id),
  state: openingState("state").notNull(),
  hostUserId: uuid("host_user_id").references(() => users.id),
  /** Sealed bids in force at the deadline. */
  bidCount: integer("bid_count"),
  /** Their companies' ids, sorted and joined by commas: the risk scan compares tenders' bidder sets by it. */
  bidderSet: text("bidder_set"),
  decryptionStartedAt: instant("decryption_started_at"),
  windowEndsAt: instant("window_ends_at"),
  extendedAt: instant("extended_at"),
  extendReason: text("extend_reason"),
  readingStartedAt: instant("reading_started_at"),
  confirmEndsAt: instant("confirm_ends_at"),
  closedAt: instant("closed_at"),
  failReason: text("fail_reason"),
  /** The opening record (开标记录) PDF, once generated. */
  recordPdfSha256: text("record_pdf_sha256").references(() => files.sha256),
  /** Set once the host has signed the record: recordPdfSha256 is then the signed PDF, and it is public. */
  recordSignedAt: instant("record_signed_at"),
  recordSignedBy: uuid("record_signed_by").references(() => users.id),
  createdAt: instant("created_at").notNull(),
});

/** 签到: a bidding company present in the hall before the deadline (shown to nobody until then). */
export const openingSignins = pgTable(
  "opening_signins",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenderId: uuid("tender_id")
      .notNull()
      .references(() => tenders.id),
    companyId: uuid("company_id")
      .notNull()
      .references(() => orgs.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    at: instant("at").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
  },
  (t) => [unique("opening_signins_tender_company").on(t.tenderId, t.companyId)],
);

export const bidOpeningStatus = pgEnum("bid_opening_status", BID_OPENING_STATUS_VALUES);
export const bidConfirmation = pgEnum("bid_confirmation", ["pending", "confirmed", "objected", "silent"]);

/** Each bid at the opening: its decryption result and, once decrypted, what it says. */
export const bidOpenings = pgTable(
  "bid_openings",
  {
    bidId: uuid("bid_id")
      .primaryKey()
      .references(() => bids.id),
    tenderId: uuid("tender_id")
      .notNull()
      .references(() => tenders.id),
    status: bidOpeningStatus("status").notNull(),
    decryptedAt: instant("decrypted_at"),
    decryptedBy: uuid("decrypted_by").references(() => users.id),
    /** As sealed: any whole number within 2^53 (an out-of-bounds value is read out as submitted, with its reason). */
    priceFen: bigint("price_fen", { mode: "number" }),
    durationDays: bigint("duration_days", { mode: "number" }),
    projectManagerId: uuid("project_manager_id"),
    projectManagerName: text("project_manager_name"),
    projectManagerCertificate: text("project_manager_certificate"),
    quality: text("quality"),
    /** The bid security as declared in the sealed bid, and whether it meets the tender's requirement. */
    security: jsonb("security"),
    securityOk: boolean("security_ok"),
    /** The bidder's random nonce from the sealed manifest (feeds the verifiable draw). */
    nonce: text("nonce"),
    /** The decrypted bid files: [{ name, size, sha256 }], each in the file store. */
    files: jsonb("files"),
    /** Why a decrypted bid is not valid (over the ceiling…), or why it did not open. */
    reason: text("reason"),
    confirmation: bidConfirmation("confirmation").notNull(),
    confirmedAt: instant("confirmed_at"),
  },
  (t) => [index("bid_openings_tender_idx").on(t.tenderId)],
);

/**
 * Everything that happens in an opening hall, in order: the live stream
 * (server-sent events) replays from here by id, so a phone that dropped off
 * the network misses nothing. Who and from where is kept for collusion checks.
 */
export const hallEvents = pgTable(
  "hall_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tenderId: uuid("tender_id")
      .notNull()
      .references(() => tenders.id),
    at: instant("at").notNull(),
    kind: text("kind").notNull(),
    actorUserId: uuid("actor_user_id").references(() => users.id),
    actorRole: text("actor_role"),
    companyId: uuid("company_id").references(() => orgs.id),
    ip: text("ip"),
    userAgent: text("user_agent"),
    /** What everyone in the hall may see of this event. */
    payload: jsonb("payload").notNull(),
  },
  (t) => [index("hall_events_tender_idx").on(t.tenderId, t.id)],
);

export type Opening = typeof openings.$inferSelect;
export type BidOpening = typeof bidOpenings.$inferSelect;
export type HallEvent = typeof hallEvents.$inferSelect;
