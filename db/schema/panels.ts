import { integer, jsonb, pgEnum, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { PANEL_MEMBER_STATUS_VALUES } from "./states";
import { tenders } from "./tenders";
import { users } from "./users";

/**
 * The evaluation panel (评审小组) of a tender, drawn after the deadline from
 * the county's expert pool. The random seed is recorded so the draw can be
 * re-run and checked; the exclusions and their reasons are recorded too.
 * Names are shown to nobody outside the panel, the host and the supervisors
 * until the result is published.
 */
export const panels = pgTable("panels", {
  tenderId: uuid("tender_id")
    .primaryKey()
    .references(() => tenders.id),
  specialty: text("specialty"),
  size: integer("size").notNull(),
  reserves: integer("reserves").notNull(),
  /** 32 random bytes (hex): the order is drawOrder(seed, eligible expert ids). */
  seed: text("seed").notNull(),
  exclusions: jsonb("exclusions").$type<{ expertId: string; reason: string; detail: string }[]>().notNull(),
  drawnAt: instant("drawn_at").notNull(),
  drawnBy: uuid("drawn_by").references(() => users.id),
});

export const panelRole = pgEnum("panel_role", ["member", "reserve"]);
export const panelMemberStatus = pgEnum("panel_member_status", PANEL_MEMBER_STATUS_VALUES);

export const panelMembers = pgTable(
  "panel_members",
  {
    tenderId: uuid("tender_id")
      .notNull()
      .references(() => tenders.id),
    expertId: uuid("expert_id")
      .notNull()
      .references(() => users.id),
    /** Place in the draw order (1 = first drawn). */
    position: integer("position").notNull(),
    role: panelRole("role").notNull(),
    status: panelMemberStatus("status").notNull(),
    declaredAt: instant("declared_at"),
    recuseReason: text("recuse_reason"),
  },
  (t) => [primaryKey({ columns: [t.tenderId, t.expertId] })],
);

export type Panel = typeof panels.$inferSelect;
export type PanelMember = typeof panelMembers.$inferSelect;
