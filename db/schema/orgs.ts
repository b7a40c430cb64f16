import { relations, sql } from "drizzle-orm";
import { boolean, date, index, jsonb, pgEnum, pgTable, text, uuid, unique, uniqueIndex, type AnyPgColumn } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { users } from "./users";

/** agency: a township's tender agent (招标代理); village_company: a village's collective company (强村公司). */
export const orgKind = pgEnum("org_kind", ["county", "township", "village", "company", "agency", "village_company"]);

/**
 * Counties, townships, villages and contractor companies in one tree.
 * county_id / township_id are denormalised so that every permission check is
 * one indexed comparison rather than a walk up the tree.
 */
export const orgs = pgTable(
  "orgs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: orgKind("kind").notNull(),
    name: text("name").notNull(),
    /** Administrative division code (county/township/village) or unified social credit code (company). */
    code: text("code"),
    parentId: uuid("parent_id").references((): AnyPgColumn => orgs.id),
    countyId: uuid("county_id").references((): AnyPgColumn => orgs.id),
    townshipId: uuid("township_id").references((): AnyPgColumn => orgs.id),
    address: text("address"),
    createdAt: instant("created_at").notNull(),
  },
  (t) => [
    index("orgs_parent_idx").on(t.parentId),
    index("orgs_county_idx").on(t.countyId, t.kind),
    // One company per unified social credit code, platform-wide.
    uniqueIndex("orgs_company_code_uniq")
      .on(t.code)
      .where(sql`${t.kind} = 'company'`),
  ],
);

export const memberRole = pgEnum("member_role", ["county_admin", "supervisor", "committee", "contractor", "expert", "agent"]);

/** A user may hold several roles in several organisations; a session acts as one of them at a time. */
export const memberships = pgTable(
  "memberships",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    orgId: uuid("org_id")
      .notNull()
      .references(() => orgs.id),
    role: memberRole("role").notNull(),
    createdAt: instant("created_at").notNull(),
  },
  (t) => [unique("memberships_user_org_role").on(t.userId, t.orgId, t.role), index("memberships_org_idx").on(t.orgId)],
);

/** Evaluation experts belong to a county's pool; issue-specific details (conflicts, credit) extend this row. */
export const experts = pgTable("experts", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  countyId: uuid("county_id")
    .notNull()
    .references(() => orgs.id),
  specialties: text("specialties").array().notNull(),
  employer: text("employer").notNull(),
  /** Declared relations (relatives' employers, companies they are tied to): names, for conflict checks. */
  declaredRelations: text("declared_relations").array().notNull().default([]),
  /** Past employers with the day they left ("YYYY-MM-DD"): someone who worked for a bidder within the county's years is excluded. */
  pastEmployers: jsonb("past_employers").$type<{ employer: string; until: string }[]>().notNull().default([]),
  /** Not drawn while unavailable, or suspended (credit) until this day. */
  available: boolean("available").notNull().default(true),
  suspendedUntil: date("suspended_until", { mode: "string" }),
  createdAt: instant("created_at").notNull(),
});

export const orgsRelations = relations(orgs, ({ one, many }) => ({
  parent: one(orgs, { fields: [orgs.parentId], references: [orgs.id], relationName: "parent" }),
  children: many(orgs, { relationName: "parent" }),
  memberships: many(memberships),
}));

export const membershipsRelations = relations(memberships, ({ one }) => ({
  user: one(users, { fields: [memberships.userId], references: [users.id] }),
  org: one(orgs, { fields: [memberships.orgId], references: [orgs.id] }),
}));

export type Org = typeof orgs.$inferSelect;
export type Membership = typeof memberships.$inferSelect;
export type MemberRole = (typeof memberRole.enumValues)[number];
export type OrgKind = (typeof orgKind.enumValues)[number];
