import { bigint, boolean, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, unique, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { orgs } from "./orgs";
import { files, projects } from "./projects";
import { users } from "./users";

/** The county's standard tender-document templates (示范文本). Every save is a new, immutable version. */
export const templates = pgTable(
  "templates",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    countyId: uuid("county_id")
      .notNull()
      .references(() => orgs.id),
    version: integer("version").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    note: text("note"),
    createdBy: uuid("created_by").references(() => users.id),
    createdAt: instant("created_at").notNull(),
  },
  (t) => [unique("templates_county_version").on(t.countyId, t.version)],
);

export const evaluationMethod = pgEnum("evaluation_method", ["lowest_price", "reasonable_low", "comprehensive", "random_draw"]);

/** A tender notice: one per round of a project. The project's state says where the lifecycle stands. */
export const tenders = pgTable(
  "tenders",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id),
    round: integer("round").notNull(),
    templateId: uuid("template_id")
      .notNull()
      .references(() => templates.id),
    templateVersion: integer("template_version").notNull(),
    qualificationClass: text("qualification_class").notNull(),
    requirePmCertificate: boolean("require_pm_certificate").notNull(),
    requirePoolMember: boolean("require_pool_member").notNull(),
    otherRequirements: text("other_requirements"),
    deadline: instant("deadline").notNull(),
    decryptionWindowMinutes: integer("decryption_window_minutes").notNull(),
    bidSecurityFen: bigint("bid_security_fen", { mode: "number" }).notNull(),
    evaluationMethod: evaluationMethod("evaluation_method").notNull(),
    /** Method parameters, e.g. { coefficientBasisPoints } or { priceWeight }. */
    evaluationParams: jsonb("evaluation_params").notNull(),
    panelSize: integer("panel_size").notNull(),
    /** The documents' text as generated from the template at publication. */
    documentText: text("document_text").notNull(),
    publishedAt: instant("published_at").notNull(),
    publishedBy: uuid("published_by").references(() => users.id),
  },
  (t) => [unique("tenders_project_round").on(t.projectId, t.round), index("tenders_deadline_idx").on(t.deadline)],
);

export const tenderAttachments = pgTable(
  "tender_attachments",
  {
    tenderId: uuid("tender_id")
      .notNull()
      .references(() => tenders.id, { onDelete: "cascade" }),
    fileSha256: text("file_sha256")
      .notNull()
      .references(() => files.sha256),
    fileName: text("file_name").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenderId, t.fileSha256] })],
);

export type Template = typeof templates.$inferSelect;
export type Tender = typeof tenders.$inferSelect;
