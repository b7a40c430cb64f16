import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, unique, uniqueIndex, uuid } from "drizzle-orm/pg-core";
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
    /** The generated tender documents (招标文件) as a PDF in the file store. */
    documentPdfSha256: text("document_pdf_sha256").references(() => files.sha256),
    /** SHA-256 commitment to the supervision's draw secret (draw_secrets), printed in the notice. Null for notices published before it existed. */
    drawCommitment: text("draw_commitment"),
    publishedAt: instant("published_at").notNull(),
    publishedBy: uuid("published_by").references(() => users.id),
  },
  (t) => [
    unique("tenders_project_round").on(t.projectId, t.round),
    index("tenders_deadline_idx").on(t.deadline),
    // The public notice list, newest first: read in index order, stop after a page (bench/page-weight.ts).
    index("tenders_published_idx").on(t.publishedAt),
  ],
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

/**
 * An agent acting for the village committee on one project: a township tender
 * agent or the village's 强村公司. At most one active appointment per project.
 */
export const projectAgents = pgTable(
  "project_agents",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id),
    agentOrgId: uuid("agent_org_id")
      .notNull()
      .references(() => orgs.id),
    appointedBy: uuid("appointed_by").references(() => users.id),
    appointedAt: instant("appointed_at").notNull(),
    revokedBy: uuid("revoked_by").references(() => users.id),
    revokedAt: instant("revoked_at"),
  },
  (t) => [
    uniqueIndex("project_agents_one_active")
      .on(t.projectId)
      .where(sql`revoked_at is null`),
    index("project_agents_org_idx").on(t.agentOrgId),
  ],
);

/**
 * Questions about a tender (答疑). The asking company is known to the system
 * only (to tell it when the answer is out) and is never shown to anyone.
 */
export const tenderQuestions = pgTable(
  "tender_questions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenderId: uuid("tender_id")
      .notNull()
      .references(() => tenders.id),
    companyId: uuid("company_id")
      .notNull()
      .references(() => orgs.id),
    askedBy: uuid("asked_by").references(() => users.id),
    body: text("body").notNull(),
    askedAt: instant("asked_at").notNull(),
    answer: text("answer"),
    answeredBy: uuid("answered_by").references(() => users.id),
    answeredAt: instant("answered_at"),
  },
  (t) => [index("tender_questions_tender_idx").on(t.tenderId, t.askedAt)],
);

/** Amendments (澄清/修改) to a published tender, numbered per tender; the deadline before and after is kept. */
export const tenderAmendments = pgTable(
  "tender_amendments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenderId: uuid("tender_id")
      .notNull()
      .references(() => tenders.id),
    seq: integer("seq").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    affectsPreparation: boolean("affects_preparation").notNull(),
    deadlineBefore: instant("deadline_before").notNull(),
    deadlineAfter: instant("deadline_after").notNull(),
    /** True when the late-amendment rule (not the committee) moved the deadline. */
    autoExtended: boolean("auto_extended").notNull(),
    createdBy: uuid("created_by").references(() => users.id),
    createdAt: instant("created_at").notNull(),
  },
  (t) => [unique("tender_amendments_seq").on(t.tenderId, t.seq)],
);

/**
 * Which companies downloaded a tender's documents or registered (报名) for it.
 * Known to the system only — to notify them of amendments and answers — and
 * never shown to any person before the opening (招标投标法 §22).
 */
export const tenderInterest = pgTable(
  "tender_interest",
  {
    tenderId: uuid("tender_id")
      .notNull()
      .references(() => tenders.id),
    companyId: uuid("company_id")
      .notNull()
      .references(() => orgs.id),
    registeredAt: instant("registered_at"),
    registeredBy: uuid("registered_by").references(() => users.id),
    firstDownloadAt: instant("first_download_at"),
  },
  (t) => [primaryKey({ columns: [t.tenderId, t.companyId] })],
);

export type Template = typeof templates.$inferSelect;
export type Tender = typeof tenders.$inferSelect;
export type ProjectAgent = typeof projectAgents.$inferSelect;
export type TenderQuestion = typeof tenderQuestions.$inferSelect;
export type TenderAmendment = typeof tenderAmendments.$inferSelect;
