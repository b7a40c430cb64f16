import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, gt, ne } from "drizzle-orm";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db } from "~/utils/db.server";
import { appendAudit, type Actor } from "./audit.server";
import { DomainError } from "./errors";
import { listMemberships } from "./user.server";

const { sessions, memberships } = schema;

const DAY = 24 * 60 * 60 * 1000;
/** Sliding expiry is renewed at most this often, so an active user does not write on every request. */
const RENEW_AFTER = 60 * 60 * 1000;

export function sessionIdFromToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

export async function startSession(
  db: Db,
  clock: Clock,
  actor: Actor,
  input: { userId: string; method: "password" | "passkey"; days: number },
): Promise<{ token: string; sessionId: string }> {
  // A fresh random token on every login: no session id chosen before login survives it (no fixation).
  const token = randomBytes(32).toString("base64url");
  const id = sessionIdFromToken(token);
  const now = clock.now();
  const [first] = await listMemberships(db, input.userId);
  await db.transaction(async (tx) => {
    await tx.insert(sessions).values({
      id,
      userId: input.userId,
      membershipId: first?.id ?? null,
      method: input.method,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + input.days * DAY),
      ip: actor.ip,
      userAgent: actor.userAgent?.slice(0, 300) ?? null,
    });
    await appendAudit(
      tx,
      clock,
      { ...actor, userId: input.userId },
      {
        action: "auth.login",
        objectType: "session",
        objectId: id.slice(0, 12),
        detail: { method: input.method },
      },
    );
  });
  return { token, sessionId: id };
}

/** The live session for a cookie token, renewed when due; null when unknown or expired. */
export async function resumeSession(db: Db, clock: Clock, token: string, days: number) {
  const id = sessionIdFromToken(token);
  const now = clock.now();
  const [session] = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.id, id), gt(sessions.expiresAt, now)))
    .limit(1);
  if (!session) return null;
  if (now.getTime() - session.lastSeenAt.getTime() > RENEW_AFTER) {
    await db
      .update(sessions)
      .set({ lastSeenAt: now, expiresAt: new Date(now.getTime() + days * DAY) })
      .where(eq(sessions.id, id));
  }
  return session;
}

export async function listSessions(db: Db, clock: Clock, userId: string) {
  return db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, clock.now())))
    .orderBy(desc(sessions.lastSeenAt));
}

export async function endSession(db: Db, { clock, actor, sessionId, reason }: { clock: Clock; actor: Actor; sessionId: string; reason: "logout" | "revoke" }) {
  await db.transaction(async (tx) => {
    const deleted = await tx
      .delete(sessions)
      .where(and(eq(sessions.id, sessionId), eq(sessions.userId, actor.userId ?? "")))
      .returning({ id: sessions.id });
    if (deleted.length === 0) throw new DomainError("errors.notFound", { status: 404 });
    await appendAudit(tx, clock, actor, {
      action: reason === "logout" ? "auth.logout" : "auth.session_revoke",
      objectType: "session",
      objectId: sessionId.slice(0, 12),
    });
  });
}

/** Log out everywhere: every session of the user except, optionally, the current one. */
export async function endAllSessions(db: Db, clock: Clock, actor: Actor, keepSessionId?: string) {
  if (!actor.userId) throw new DomainError("errors.forbidden", { status: 403 });
  const userId = actor.userId;
  return db.transaction(async (tx) => {
    const where = keepSessionId ? and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId)) : eq(sessions.userId, userId);
    const deleted = await tx.delete(sessions).where(where).returning({ id: sessions.id });
    await appendAudit(tx, clock, actor, {
      action: "auth.logout_everywhere",
      objectType: "user",
      objectId: userId,
      detail: { sessionsEnded: deleted.length },
    });
    return deleted.length;
  });
}

/** Act as another of the user's own roles; a membership of someone else is refused. */
export async function switchMembership(db: Db, { clock, actor, sessionId, membershipId }: { clock: Clock; actor: Actor; sessionId: string; membershipId: string }) {
  // Not an id at all (a forged form): refused like someone else's membership, not a database error.
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(membershipId)) throw new DomainError("errors.forbidden", { status: 403 });
  await db.transaction(async (tx) => {
    const [m] = await tx
      .select()
      .from(memberships)
      .where(and(eq(memberships.id, membershipId), eq(memberships.userId, actor.userId ?? "")))
      .limit(1);
    if (!m) throw new DomainError("errors.forbidden", { status: 403 });
    await tx
      .update(sessions)
      .set({ membershipId })
      .where(and(eq(sessions.id, sessionId), eq(sessions.userId, m.userId)));
    await appendAudit(tx, clock, actor, {
      action: "auth.switch_role",
      objectType: "membership",
      objectId: m.id,
      after: { role: m.role, orgId: m.orgId },
    });
  });
}
