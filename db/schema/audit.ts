import { sql } from "drizzle-orm";
import { bigint, bigserial, date, index, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";

/**
 * Append-only audit trail. Each row carries the hash of the previous row, so
 * changing or deleting any row breaks every hash after it. Appends are
 * serialised with an advisory lock (see app/models/audit.server.ts); a trigger
 * refuses UPDATE and DELETE.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: instant("at").notNull(),
    actorUserId: uuid("actor_user_id"),
    actorRole: text("actor_role"),
    action: text("action").notNull(),
    objectType: text("object_type").notNull(),
    objectId: text("object_id"),
    countyId: uuid("county_id"),
    townshipId: uuid("township_id"),
    /** { before?, after?, ... } — a summary of what changed, never secrets. */
    summary: jsonb("summary").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [
    index("audit_object_idx").on(t.objectType, t.objectId),
    index("audit_county_idx").on(t.countyId, t.id),
    index("audit_township_idx").on(t.townshipId, t.id),
    index("audit_at_idx").on(t.at),
    // A person's sign-ins, newest first: an official's password reset looks up the owner's last one (reset-code.server.ts).
    index("audit_login_idx")
      .on(t.actorUserId, t.at)
      .where(sql`action = 'auth.login'`),
  ],
);

/** The chain head at the end of each day (Beijing time), published on a public page. */
export const auditHeads = pgTable("audit_heads", {
  day: date("day", { mode: "string" }).primaryKey(),
  lastId: bigint("last_id", { mode: "number" }).notNull(),
  hash: text("hash").notNull(),
  rowCount: bigint("row_count", { mode: "number" }).notNull(),
  publishedAt: instant("published_at").notNull(),
});

export type AuditRow = typeof auditLog.$inferSelect;
