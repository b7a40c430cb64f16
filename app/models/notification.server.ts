/**
 * The in-app notification centre. notify() is called inside the transaction
 * of the event it reports, so a notice exists exactly when its event does;
 * the same transaction writes the messages out of the app (outbox.server.ts).
 */
import { and, count, desc, eq, inArray, isNull } from "drizzle-orm";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db, type MemberRole } from "~/utils/db.server";
import { enqueueNotification } from "./outbox.server";

const { notifications, memberships } = schema;

export const NOTIFICATION_KINDS = [
  "tender.amended",
  "tender.deadlineMoved",
  "tender.answered",
  "tender.question",
  "project.agentAppointed",
  "panel.assigned",
  "evaluation.revealSecret",
  "evaluation.failed",
  "evaluation.explain",
  "evaluation.opinion",
  "evaluation.sign",
  "evaluation.clarify",
  "publicity.started",
  "publicity.objection",
  "publicity.complaint",
  "award.decided",
  "award.approval",
  "award.won",
  "award.lost",
  "auth.locked",
  "opening.soon",
  "opening.decryption",
  "company.qualificationExpiring",
  "company.memberReset",
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export async function notify(
  db: Db,
  { clock, userIds, kind, params, link }: { clock: Clock; userIds: Iterable<string>; kind: NotificationKind; params: Record<string, string>; link: string | null },
) {
  const unique = [...new Set(userIds)];
  if (!unique.length) return 0;
  const now = clock.now();
  await db.insert(notifications).values(unique.map((userId) => ({ userId, kind, params, link, createdAt: now })));
  await enqueueNotification(db, { clock, userIds: unique, kind, params, link });
  return unique.length;
}

/** Users holding a role in any of these organisations. */
export async function usersOfOrgs(db: Db, orgIds: string[], roles?: MemberRole[]): Promise<string[]> {
  if (!orgIds.length) return [];
  const rows = await db
    .selectDistinct({ userId: memberships.userId })
    .from(memberships)
    .where(roles ? and(inArray(memberships.orgId, orgIds), inArray(memberships.role, roles)) : inArray(memberships.orgId, orgIds));
  return rows.map((r) => r.userId);
}

export async function unreadCount(db: Db, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
  return row?.n ?? 0;
}

export async function listNotifications(db: Db, userId: string, limit = 100) {
  return db.select().from(notifications).where(eq(notifications.userId, userId)).orderBy(desc(notifications.createdAt)).limit(limit);
}

/** Mark one (or, without an id, all) of the user's own notifications read. Other users' rows are never touched. */
export async function markRead(db: Db, clock: Clock, userId: string, id?: string) {
  const mine = and(eq(notifications.userId, userId), isNull(notifications.readAt));
  if (id !== undefined && !/^[0-9a-f-]{36}$/.test(id)) return 0;
  const rows = await db
    .update(notifications)
    .set({ readAt: clock.now() })
    .where(id ? and(mine, eq(notifications.id, id)) : mine)
    .returning({ id: notifications.id });
  return rows.length;
}
