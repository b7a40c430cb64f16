import { bigint, date, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { PROJECT_STATE_VALUES } from "./states";
import { orgs } from "./orgs";
import { users } from "./users";

export const projectType = pgEnum("project_type", ["works", "goods", "services"]);
export const selectionMethod = pgEnum("selection_method", ["direct_award", "self_build", "open_selection", "open_tender"]);
export const projectState = pgEnum("project_state", PROJECT_STATE_VALUES);

/** A village project, from the committee's registration on. State changes only through the writer in app/models/lifecycle.server.ts. */
export const projects = pgTable(
  "projects",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    villageId: uuid("village_id")
      .notNull()
      .references(() => orgs.id),
    townshipId: uuid("township_id")
      .notNull()
      .references(() => orgs.id),
    countyId: uuid("county_id")
      .notNull()
      .references(() => orgs.id),
    name: text("name").notNull(),
    type: projectType("type").notNull(),
    location: text("location").notNull(),
    scope: text("scope").notNull(),
    estimateFen: bigint("estimate_fen", { mode: "number" }).notNull(),
    ceilingFen: bigint("ceiling_fen", { mode: "number" }).notNull(),
    fundingSource: text("funding_source").notNull(),
    durationDays: integer("duration_days").notNull(),
    method: selectionMethod("method").notNull(),
    state: projectState("state").notNull(),
    /** The state to go back to when a cancellation request is rejected. */
    stateBeforeCancel: projectState("state_before_cancel"),
    /** Likely splitting found at submission: related projects, combined value, the limit crossed. */
    splitting: jsonb("splitting"),
    splittingJustification: text("splitting_justification"),
    returnReason: text("return_reason"),
    cancelReason: text("cancel_reason"),
    createdBy: uuid("created_by").references(() => users.id),
    createdAt: instant("created_at").notNull(),
    updatedAt: instant("updated_at").notNull(),
    submittedAt: instant("submitted_at"),
    decidedAt: instant("decided_at"),
    decidedBy: uuid("decided_by").references(() => users.id),
  },
  (t) => [
    index("projects_village_idx").on(t.villageId, t.type, t.createdAt),
    index("projects_township_state_idx").on(t.townshipId, t.state),
    // The dashboard's year list and a year of a county (ADR 0020).
    index("projects_county_created_idx").on(t.countyId, t.createdAt),
  ],
);

export const decisionStep = pgEnum("decision_step", ["proposal", "discussion", "party_meeting", "villagers_meeting", "resolution_notice"]);

/** Evidence of 四议两公开: each step's date and document (and, for the villagers' meeting, attendance and votes). */
export const projectDecisions = pgTable(
  "project_decisions",
  {
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    step: decisionStep("step").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    fileSha256: text("file_sha256")
      .notNull()
      .references(() => files.sha256),
    fileName: text("file_name").notNull(),
    /** Villagers' (representative) meeting only. */
    eligible: integer("eligible"),
    attended: integer("attended"),
    votesFor: integer("votes_for"),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.step] })],
);

/** Every stored upload, by content hash; the bytes live in the file store (app/models/file-store.server.ts). */
export const files = pgTable("files", {
  sha256: text("sha256").primaryKey(),
  size: bigint("size", { mode: "number" }).notNull(),
  mime: text("mime").notNull(),
  createdAt: instant("created_at").notNull(),
});

export type Project = typeof projects.$inferSelect;
export type ProjectDecision = typeof projectDecisions.$inferSelect;
