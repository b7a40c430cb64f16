import { bigint, bigserial, date, doublePrecision, index, integer, jsonb, pgEnum, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { orgs } from "./orgs";
import { files, projects, projectState } from "./projects";
import { tenders } from "./tenders";
import { users } from "./users";

/**
 * Who did what on a tender from which network address and device, kept for
 * the collusion checks (DOMAIN.md "Supervision and risk"): bids submitted,
 * replaced or withdrawn, sign-ins and decryptions. `deviceId` is the
 * long-lived device cookie; `credentialId` the passkey used, when one was.
 */
export const activityTraces = pgTable(
  "activity_traces",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tenderId: uuid("tender_id")
      .notNull()
      .references(() => tenders.id),
    companyId: uuid("company_id")
      .notNull()
      .references(() => orgs.id),
    userId: uuid("user_id").references(() => users.id),
    kind: text("kind").notNull(), // "bid" | "withdraw" | "reseal" | "sign_in" | "decrypt"
    ip: text("ip"),
    deviceId: text("device_id"),
    credentialId: text("credential_id"),
    userAgent: text("user_agent"),
    at: instant("at").notNull(),
  },
  (t) => [index("activity_traces_tender_idx").on(t.tenderId), index("activity_traces_company_idx").on(t.companyId)],
);

export const creditKind = pgEnum("credit_kind", ["warning", "deduction", "suspension", "blacklist"]);
export const creditSubject = pgEnum("credit_subject", ["company", "expert"]);

/**
 * Credit records (信用管理) supervisors keep on contractors and experts:
 * warnings, point deductions, suspensions and blacklisting, each with a
 * reason and (for the last two) an end date. A record can be lifted early
 * with a note; nothing is deleted.
 */
export const creditRecords = pgTable(
  "credit_records",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    countyId: uuid("county_id")
      .notNull()
      .references(() => orgs.id),
    /** The township (or county) whose supervisor recorded it. */
    issuerOrgId: uuid("issuer_org_id")
      .notNull()
      .references(() => orgs.id),
    subject: creditSubject("subject").notNull(),
    companyId: uuid("company_id").references(() => orgs.id),
    expertId: uuid("expert_id").references(() => users.id),
    kind: creditKind("kind").notNull(),
    /** Points deducted (deduction only). */
    points: integer("points"),
    reason: text("reason").notNull(),
    /** The project or tender the record is about, if any. */
    projectId: uuid("project_id").references(() => projects.id),
    startsOn: date("starts_on", { mode: "string" }).notNull(),
    endsOn: date("ends_on", { mode: "string" }),
    recordedBy: uuid("recorded_by")
      .notNull()
      .references(() => users.id),
    recordedAt: instant("recorded_at").notNull(),
    liftedAt: instant("lifted_at"),
    liftedBy: uuid("lifted_by").references(() => users.id),
    liftNote: text("lift_note"),
  },
  (t) => [index("credit_records_company_idx").on(t.companyId), index("credit_records_expert_idx").on(t.expertId), index("credit_records_county_idx").on(t.countyId, t.recordedAt)],
);

/** A supervisor marked a risk flag reviewed, with a note. The flag is recognised by its fingerprint (rule + evidence keys). */
export const riskReviews = pgTable(
  "risk_reviews",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    countyId: uuid("county_id")
      .notNull()
      .references(() => orgs.id),
    rule: text("rule").notNull(),
    fingerprint: text("fingerprint").notNull(),
    note: text("note").notNull(),
    reviewedBy: uuid("reviewed_by")
      .notNull()
      .references(() => users.id),
    reviewedAt: instant("reviewed_at").notNull(),
  },
  (t) => [uniqueIndex("risk_reviews_fingerprint_uniq").on(t.countyId, t.fingerprint)],
);

/**
 * A project's electronic archive (归档): the signed archive PDF (cover,
 * index, every generated document, manifest, audit extract) and the zip
 * package holding it and every original upload.
 */
export const archives = pgTable(
  "archives",
  {
    projectId: uuid("project_id")
      .primaryKey()
      .references(() => projects.id),
    countyId: uuid("county_id")
      .notNull()
      .references(() => orgs.id),
    townshipId: uuid("township_id")
      .notNull()
      .references(() => orgs.id),
    villageId: uuid("village_id")
      .notNull()
      .references(() => orgs.id),
    /** The project's state when it was archived: completed, failed or cancelled. */
    finalState: text("final_state").notNull(),
    year: integer("year").notNull(),
    pdfSha256: text("pdf_sha256")
      .notNull()
      .references(() => files.sha256),
    zipSha256: text("zip_sha256")
      .notNull()
      .references(() => files.sha256),
    zipSize: integer("zip_size").notNull(),
    /** [{ path, sha256, size, kind }] — every file in the package. */
    manifest: jsonb("manifest").$type<{ path: string; sha256: string; size: number; kind: string }[]>().notNull(),
    createdAt: instant("created_at").notNull(),
    retainUntil: date("retain_until", { mode: "string" }).notNull(),
  },
  (t) => [index("archives_township_idx").on(t.townshipId, t.year), index("archives_county_idx").on(t.countyId, t.year)],
);

export type CreditRecord = typeof creditRecords.$inferSelect;
export type Archive = typeof archives.$inferSelect;
export type ActivityTrace = typeof activityTraces.$inferSelect;

/**
 * Each project's contribution to the supervision dashboard (ADR 0023): its
 * tender rounds, openings, failed evaluations and signed awards summed once,
 * so the dashboard adds up one narrow row per project instead of joining five
 * tables of a county's history on every view. Derived data only: the
 * dashboard refreshes the projects in `project_figures_queue` before it reads
 * (refreshProjectFigures), and the queue is filled by statement triggers on
 * projects, tenders, openings, evaluations and awards in the writing
 * transaction itself (migration 0016), so no write path can forget it.
 */
export const projectFigures = pgTable(
  "project_figures",
  {
    projectId: uuid("project_id")
      .primaryKey()
      .references(() => projects.id, { onDelete: "cascade" }),
    countyId: uuid("county_id"),
    townshipId: uuid("township_id"),
    state: projectState("state"),
    createdAt: instant("created_at"),
    ceilingFen: bigint("ceiling_fen", { mode: "number" }),
    /** Rows the dashboard counts as the project: 1 (no tender yet) or its first-round tenders. */
    projects: integer("projects").notNull().default(0),
    /** The latest deadline of its tenders (a published project whose deadline is ahead is bidding). */
    latestDeadline: instant("latest_deadline"),
    tendered: integer("tendered").notNull().default(0),
    tenders: integer("tenders").notNull().default(0),
    opened: integer("opened").notNull().default(0),
    bids: integer("bids").notNull().default(0),
    lt3: integer("lt3").notNull().default(0),
    b3: integer("b3").notNull().default(0),
    b4to5: integer("b4to5").notNull().default(0),
    b6to9: integer("b6to9").notNull().default(0),
    b10plus: integer("b10plus").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    awarded: integer("awarded").notNull().default(0),
    awardedFen: bigint("awarded_fen", { mode: "number" }).notNull().default(0),
    /** Σ (ceiling − award) × 10 000 / ceiling over its signed awards (the mean of the reductions is taken on the dashboard). */
    reductionSumBp: doublePrecision("reduction_sum_bp"),
    /** Seconds from approval to each signed award (the medians are taken on the dashboard). */
    awardSeconds: doublePrecision("award_seconds").array(),
  },
  (t) => [index("project_figures_county_idx").on(t.countyId, t.townshipId)],
);

/** Projects whose figures are out of date: appended by the triggers, consumed by refreshProjectFigures. */
export const projectFiguresQueue = pgTable("project_figures_queue", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  projectId: uuid("project_id").notNull(),
});
