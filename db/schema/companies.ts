import { relations } from "drizzle-orm";
import { date, index, pgEnum, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { orgs } from "./orgs";
import { files } from "./projects";
import { POOL_MEMBERSHIP_STATUS_VALUES } from "./states";
import { users } from "./users";

/**
 * A contractor company is an org of kind "company" (its unified social credit
 * code in orgs.code, its address in orgs.address); this row holds the rest of
 * what it registers with. One row per company.
 */
export const companyProfiles = pgTable("company_profiles", {
  orgId: uuid("org_id")
    .primaryKey()
    .references(() => orgs.id),
  legalRepresentative: text("legal_representative").notNull(),
  contactName: text("contact_name").notNull(),
  contactPhone: text("contact_phone").notNull(),
  /** The company's basic account (基本存款账户): bid security is paid from and refunded to it. */
  bankName: text("bank_name").notNull(),
  bankAccount: text("bank_account").notNull(),
  bankAccountName: text("bank_account_name").notNull(),
  createdAt: instant("created_at").notNull(),
  updatedAt: instant("updated_at").notNull(),
});

/** A qualification certificate (资质证书), e.g. 建筑工程施工总承包三级, with its scan. */
export const companyQualifications = pgTable(
  "company_qualifications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => orgs.id),
    name: text("name").notNull(),
    certificateNumber: text("certificate_number").notNull(),
    /** Last day of validity (Beijing calendar day). */
    expiresOn: date("expires_on", { mode: "string" }).notNull(),
    fileSha256: text("file_sha256")
      .notNull()
      .references(() => files.sha256),
    fileName: text("file_name").notNull(),
    createdAt: instant("created_at").notNull(),
    /** Removed by the company: kept (a later bid may have relied on it), no longer counted. */
    removedAt: instant("removed_at"),
  },
  (t) => [index("company_qualifications_company_idx").on(t.companyId, t.expiresOn)],
);

/** A project manager (项目经理) a company may name in a bid. The id is what bids will refer to. */
export const projectManagers = pgTable(
  "project_managers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => orgs.id),
    name: text("name").notNull(),
    certificateNumber: text("certificate_number").notNull(),
    fileSha256: text("file_sha256").references(() => files.sha256),
    fileName: text("file_name"),
    createdAt: instant("created_at").notNull(),
    /** Removed by the company: bids that named this manager keep pointing at the row. */
    removedAt: instant("removed_at"),
  },
  (t) => [unique("project_managers_company_certificate").on(t.companyId, t.certificateNumber)],
);

export const poolStatus = pgEnum("pool_status", POOL_MEMBERSHIP_STATUS_VALUES);

/** A company's place in one township's candidate pool (备选库); re-applying reuses the row. */
export const poolMemberships = pgTable(
  "pool_memberships",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => orgs.id),
    townshipId: uuid("township_id")
      .notNull()
      .references(() => orgs.id),
    status: poolStatus("status").notNull(),
    /** The supervisor's reason for a rejection. */
    reason: text("reason"),
    appliedAt: instant("applied_at").notNull(),
    decidedBy: uuid("decided_by").references(() => users.id),
    decidedAt: instant("decided_at"),
  },
  (t) => [unique("pool_memberships_company_township").on(t.companyId, t.townshipId), index("pool_memberships_township_idx").on(t.townshipId, t.status)],
);

export const companyProfilesRelations = relations(companyProfiles, ({ one }) => ({
  org: one(orgs, { fields: [companyProfiles.orgId], references: [orgs.id] }),
}));

export type CompanyProfile = typeof companyProfiles.$inferSelect;
export type CompanyQualification = typeof companyQualifications.$inferSelect;
export type ProjectManager = typeof projectManagers.$inferSelect;
export type PoolMembership = typeof poolMemberships.$inferSelect;
export type PoolStatus = (typeof poolStatus.enumValues)[number];
