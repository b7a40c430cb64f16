import { bigserial, date, index, integer, jsonb, pgEnum, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { orgs } from "./orgs";
import { files, projects } from "./projects";
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
