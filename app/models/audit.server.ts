import { createHash } from "node:crypto";
import { and, asc, desc, eq, gt, lt, lte, sql, type SQL } from "drizzle-orm";
import { canonicalJson } from "~/utils/canonical-json";
import type { Clock } from "~/utils/clock.server";
import { schema, type AuditRow, type Db, type MemberRole } from "~/utils/db.server";
import { addDays, beijingDay, startOfBeijingDay } from "~/utils/time";
import { DomainError } from "./errors";
import { sealedActShownSql } from "./reveal";

const { auditLog, auditHeads } = schema;

export const GENESIS_HASH = "0".repeat(64);
/** Advisory lock key that serialises appends, so concurrent writers never fork the chain. */
const AUDIT_APPEND_LOCK = 7_311_002;

/** Who did something, from where. Built from the request by app/utils/auth.server.ts. */
export interface Actor {
  userId: string | null;
  /** The role the session acts in; "system" for the scheduler and the platform itself; null for a signed-in person without one. */
  role: MemberRole | "system" | null;
  ip: string | null;
  userAgent?: string | null;
  /** The long-lived device cookie (cyz_device), kept for the collusion checks. */
  deviceId?: string | null;
}

export const SYSTEM_ACTOR: Actor = { userId: null, role: "system", ip: null, userAgent: null };

/**
 * The member role a person acts in. Only a signed-in person with a role takes
 * an act that asks for one: anyone else (the system, a person without a
 * membership) is refused here (403), before any table is asked.
 */
export function memberRoleOf(actor: Actor): MemberRole {
  if (actor.role === null || actor.role === "system") throw new DomainError("errors.forbidden", { status: 403 });
  return actor.role;
}

export interface AuditEntry {
  action: string;
  objectType: string;
  objectId?: string | null;
  countyId?: string | null;
  townshipId?: string | null;
  before?: unknown;
  after?: unknown;
  /** Anything else worth keeping (reasons, counts); never secrets. */
  detail?: Record<string, unknown>;
}

type HashedFields = Pick<AuditRow, "at" | "actorUserId" | "actorRole" | "action" | "objectType" | "objectId" | "countyId" | "townshipId" | "summary" | "ip" | "userAgent">;

export function auditRowHash(prevHash: string, row: HashedFields): string {
  const body = canonicalJson({
    at: row.at.toISOString(),
    actorUserId: row.actorUserId,
    actorRole: row.actorRole,
    action: row.action,
    objectType: row.objectType,
    objectId: row.objectId,
    countyId: row.countyId,
    townshipId: row.townshipId,
    summary: row.summary,
    ip: row.ip,
    userAgent: row.userAgent,
  });
  return createHash("sha256").update(prevHash).update("\n").update(body).digest("hex");
}

/**
 * Append one row to the audit trail, inside the caller's transaction when
 * there is one (drizzle turns the nested call into a savepoint). The advisory
 * lock is held until the outer transaction ends: two writers can never read
 * the same head, so the chain never forks, and a rolled-back change leaves no
 * audit row behind.
 */
export async function appendAudit(db: Db, clock: Clock, actor: Actor, entry: AuditEntry): Promise<AuditRow> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_APPEND_LOCK})`);
    const [head] = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
    const prevHash = head?.hash ?? GENESIS_HASH;
    const summary: Record<string, unknown> = {};
    if (entry.before !== undefined) summary.before = entry.before;
    if (entry.after !== undefined) summary.after = entry.after;
    if (entry.detail) Object.assign(summary, entry.detail);
    // Round-trip through JSON so the hash is computed over exactly what jsonb will give back.
    const fields: HashedFields = {
      at: clock.now(),
      actorUserId: actor.userId,
      actorRole: actor.role,
      action: entry.action,
      objectType: entry.objectType,
      objectId: entry.objectId ?? null,
      countyId: entry.countyId ?? null,
      townshipId: entry.townshipId ?? null,
      summary: JSON.parse(JSON.stringify(summary)),
      ip: actor.ip,
      userAgent: actor.userAgent ?? null,
    };
    const hash = auditRowHash(prevHash, fields);
    const [row] = await tx
      .insert(auditLog)
      .values({ ...fields, prevHash, hash })
      .returning();
    return row;
  });
}

export interface ChainReport {
  ok: boolean;
  checked: number;
  headHash: string;
  firstBrokenId: number | null;
  reason: "hash_mismatch" | "link_mismatch" | "published_head_mismatch" | "published_head_missing_row" | null;
  headsChecked: number;
}

/** Recompute the whole chain in id order, in batches, and compare it with the published daily heads. */
export async function verifyAuditChain(db: Db, batchSize = 2000): Promise<ChainReport> {
  const heads = await db.select().from(auditHeads).orderBy(asc(auditHeads.lastId));
  // A quiet day publishes the same head as the day before, so several days can share one row.
  const headsByLastId = new Map<number, (typeof heads)[number][]>();
  for (const h of heads) headsByLastId.set(h.lastId, [...(headsByLastId.get(h.lastId) ?? []), h]);
  let prevHash = GENESIS_HASH;
  let lastId = 0;
  let checked = 0;
  const seenHeadIds = new Set<number>();
  const broken = (id: number, reason: ChainReport["reason"]): ChainReport => ({
    ok: false,
    checked,
    headHash: prevHash,
    firstBrokenId: id,
    reason,
    headsChecked: heads.filter((h) => seenHeadIds.has(h.lastId)).length,
  });
  for (;;) {
    const rows = await db.select().from(auditLog).where(gt(auditLog.id, lastId)).orderBy(asc(auditLog.id)).limit(batchSize);
    if (rows.length === 0) break;
    for (const row of rows) {
      if (row.prevHash !== prevHash) return broken(row.id, "link_mismatch");
      if (auditRowHash(prevHash, row) !== row.hash) return broken(row.id, "hash_mismatch");
      const published = headsByLastId.get(row.id);
      if (published) {
        if (published.some((h) => h.hash !== row.hash)) return broken(row.id, "published_head_mismatch");
        seenHeadIds.add(row.id);
      }
      prevHash = row.hash;
      lastId = row.id;
      checked++;
    }
  }
  // A published head whose row has vanished means rows were deleted from the end.
  const missing = heads.find((h) => !seenHeadIds.has(h.lastId));
  if (missing) return broken(missing.lastId, "published_head_missing_row");
  return { ok: true, checked, headHash: prevHash, firstBrokenId: null, reason: null, headsChecked: heads.length };
}

/**
 * Publish the chain head at the end of every finished Beijing day that has
 * none yet. Idempotent: safe to run from several instances or repeatedly.
 */
export async function publishAuditHeads(db: Db, clock: Clock): Promise<number> {
  const today = beijingDay(clock.now());
  const [latest] = await db.select().from(auditHeads).orderBy(desc(auditHeads.day)).limit(1);
  let day: string;
  if (latest) {
    day = addDays(latest.day, 1);
  } else {
    const [first] = await db.select({ at: auditLog.at }).from(auditLog).orderBy(asc(auditLog.id)).limit(1);
    if (!first) return 0;
    day = beijingDay(first.at);
  }
  let published = 0;
  for (; day < today; day = addDays(day, 1)) {
    const endOfDay = startOfBeijingDay(addDays(day, 1));
    const [last] = await db.select({ id: auditLog.id, hash: auditLog.hash }).from(auditLog).where(lt(auditLog.at, endOfDay)).orderBy(desc(auditLog.id)).limit(1);
    if (!last) continue;
    const [{ count }] = await db
      .select({ count: sql<number>`count(*)::int` })
      .from(auditLog)
      .where(lte(auditLog.id, last.id));
    const inserted = await db.insert(auditHeads).values({ day, lastId: last.id, hash: last.hash, rowCount: count, publishedAt: clock.now() }).onConflictDoNothing().returning();
    published += inserted.length;
  }
  return published;
}

export async function listAuditHeads(db: Db, limit = 90) {
  return db.select().from(auditHeads).orderBy(desc(auditHeads.day)).limit(limit);
}

export interface AuditQuery {
  countyId?: string;
  townshipId?: string;
  objectType?: string;
  objectId?: string;
  beforeId?: number;
  limit?: number;
}

/**
 * Audit rows, newest first, within a county or township scope, with the actor's name.
 * A contractor's act on a tender before its deadline (download, 报名, question,
 * bid) is recorded in full but left out of the page until that tender's
 * current deadline (招标投标法 §22: neither the names nor the number of
 * potential bidders may be revealed): such rows carry `sealedTender` (reveal.ts).
 */
export async function listAudit(db: Db, q: AuditQuery, now: Date) {
  const conditions: SQL[] = [];
  if (q.townshipId) conditions.push(eq(auditLog.townshipId, q.townshipId));
  else if (q.countyId) conditions.push(eq(auditLog.countyId, q.countyId));
  if (q.objectType) conditions.push(eq(auditLog.objectType, q.objectType));
  if (q.objectId) conditions.push(eq(auditLog.objectId, q.objectId));
  if (q.beforeId) conditions.push(lt(auditLog.id, q.beforeId));
  conditions.push(sealedActShownSql(auditLog.summary, now));
  const rows = await db
    .select({ row: auditLog, actorName: schema.users.name })
    .from(auditLog)
    .leftJoin(schema.users, eq(schema.users.id, auditLog.actorUserId))
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(Math.min(q.limit ?? 50, 500));
  return rows.map((r) => ({ ...r.row, actorName: r.actorName }));
}
