/**
 * Limits on sign-in, counted in the database so that every instance of the
 * app sees the same attempts:
 * - per client address, every attempt at any sign-in step (password,
 *   passkey options and verification, passkey registration);
 * - per account (the phone typed, the passkey's credential id, or the
 *   signed-in user registering a passkey), every attempt;
 * - repeated wrong passwords for one phone lock password sign-in for that
 *   phone for a while. Passkeys still work: a password guesser cannot use
 *   them, and the real holder gets in.
 * Time comes from the application clock, so tests move it.
 */
import { and, count, eq, gt, inArray, lt, ne, or, type SQL } from "drizzle-orm";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db } from "~/utils/db.server";
import { maskPhone } from "~/utils/phone";
import { formatBeijing } from "~/utils/time";
import { appendAudit, type Actor } from "./audit.server";
import { notify } from "./notification.server";

const { loginAttempts, accountLocks, users } = schema;

const MINUTE = 60 * 1000;
export const THROTTLE = {
  windowMs: 15 * MINUTE,
  /** Per address: failed passwords and passkey steps (a village office behind one address signs many people in; their correct passwords do not count). */
  perIp: 60,
  perAccount: 20,
  failuresToLock: 10,
  lockMs: 15 * MINUTE,
  /** Rows older than this are of no use to any limit. */
  keepMs: 24 * 60 * MINUTE,
} as const;

/** reset_request and step_up: a code sent to the person's channel (reset-code.server.ts). */
export type AuthAttemptKind = "password" | "passkey_options" | "passkey_verify" | "passkey_register" | "reset_request" | "step_up";
export type ThrottleRefusal = "errors.auth.throttled" | "errors.auth.locked";

export interface AttemptSubject {
  ip: string | null;
  /** `account:<phone>`, `credential:<id>` or `user:<id>`; null when the step names no account (passkey options). */
  account: string | null;
  kind: AuthAttemptKind;
}

const ipBucket = (ip: string) => `ip:${ip}`;
export const phoneAccount = (phone: string) => `account:${phone}`;

async function countAttempts(db: Db, bucket: string, since: Date, also?: SQL): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(loginAttempts)
    .where(and(eq(loginAttempts.bucket, bucket), gt(loginAttempts.at, since), also));
  return row?.n ?? 0;
}

/**
 * Asking for a code sent to one's own channel (reset-code.server.ts): at most `perAccount` of this
 * kind per account, and `perIp` per address, within `windowMs`. Looks only; recordAuthAttempt counts.
 */
export async function codeRequestRefusal(
  db: Db,
  clock: Clock,
  subject: AttemptSubject & { kind: "reset_request" | "step_up" },
  limits: { perAccount: number; perIp: number; windowMs: number },
): Promise<ThrottleRefusal | null> {
  const since = new Date(clock.now().getTime() - limits.windowMs);
  const ofKind = eq(loginAttempts.kind, subject.kind);
  if (subject.account && (await countAttempts(db, subject.account, since, ofKind)) >= limits.perAccount) return "errors.auth.throttled";
  if (subject.ip && (await countAttempts(db, ipBucket(subject.ip), since, ofKind)) >= limits.perIp) return "errors.auth.throttled";
  return null;
}

/** Whether this attempt may go ahead; a refusal key when it may not. Looks only, writes nothing. */
export async function authAttemptRefusal(db: Db, clock: Clock, subject: AttemptSubject): Promise<ThrottleRefusal | null> {
  const now = clock.now();
  if (subject.kind === "password" && subject.account) {
    const [lock] = await db
      .select()
      .from(accountLocks)
      .where(and(eq(accountLocks.account, subject.account), gt(accountLocks.lockedUntil, now)))
      .limit(1);
    if (lock) return "errors.auth.locked";
  }
  const since = new Date(now.getTime() - THROTTLE.windowMs);
  // Per address, people who typed their password right do not use up the office's allowance.
  const attempts = (bucket: string, exceptGoodPasswords = false) => countAttempts(db, bucket, since, exceptGoodPasswords ? or(ne(loginAttempts.kind, "password"), eq(loginAttempts.failed, true)) : undefined);
  if (subject.ip && (await attempts(ipBucket(subject.ip), true)) >= THROTTLE.perIp) return "errors.auth.throttled";
  if (subject.account && (await attempts(subject.account)) >= THROTTLE.perAccount) return "errors.auth.throttled";
  return null;
}

/**
 * Count one attempt. A wrong password that makes the tenth within the window
 * locks the phone: the lock, its audit row and a notice to the account's
 * holder (if the phone is a user's) are written together.
 */
export async function recordAuthAttempt(
  db: Db,
  clock: Clock,
  actor: Actor,
  subject: AttemptSubject & { failed: boolean },
): Promise<{ locked: boolean }> {
  const now = clock.now();
  const buckets = [subject.ip ? ipBucket(subject.ip) : null, subject.account].filter((b): b is string => b !== null);
  if (!buckets.length) return { locked: false };
  return db.transaction(async (tx) => {
    await tx.delete(loginAttempts).where(and(inArray(loginAttempts.bucket, buckets), lt(loginAttempts.at, new Date(now.getTime() - THROTTLE.keepMs))));
    await tx.insert(loginAttempts).values(buckets.map((bucket) => ({ bucket, kind: subject.kind, failed: subject.failed, at: now })));
    if (subject.kind !== "password" || !subject.account) return { locked: false };
    if (!subject.failed) {
      // A correct password ends the run of wrong ones (the attempts still count against the rate limit).
      await tx
        .update(loginAttempts)
        .set({ failed: false })
        .where(and(eq(loginAttempts.bucket, subject.account), eq(loginAttempts.kind, "password"), eq(loginAttempts.failed, true)));
      return { locked: false };
    }
    const since = new Date(now.getTime() - THROTTLE.windowMs);
    const [row] = await tx
      .select({ n: count() })
      .from(loginAttempts)
      .where(and(eq(loginAttempts.bucket, subject.account), eq(loginAttempts.kind, "password"), eq(loginAttempts.failed, true), gt(loginAttempts.at, since)));
    if ((row?.n ?? 0) < THROTTLE.failuresToLock) return { locked: false };
    const lockedUntil = new Date(now.getTime() + THROTTLE.lockMs);
    await tx
      .insert(accountLocks)
      .values({ account: subject.account, lockedAt: now, lockedUntil })
      .onConflictDoUpdate({ target: accountLocks.account, set: { lockedAt: now, lockedUntil } });
    // The failures that caused this lock do not cause another one when it ends.
    await tx
      .update(loginAttempts)
      .set({ failed: false })
      .where(and(eq(loginAttempts.bucket, subject.account), eq(loginAttempts.kind, "password"), eq(loginAttempts.failed, true)));
    const phone = subject.account.startsWith("account:") ? subject.account.slice("account:".length) : null;
    const [holder] = phone ? await tx.select({ id: users.id }).from(users).where(eq(users.phone, phone)).limit(1) : [];
    await appendAudit(tx, clock, actor, {
      action: "auth.locked",
      objectType: "user",
      objectId: holder?.id ?? null,
      detail: { phone: phone ? maskPhone(phone) : null, failures: row?.n ?? 0, lockedUntil: lockedUntil.toISOString() },
    });
    if (holder) {
      await notify(tx, clock, [holder.id], "auth.locked", {
        failures: String(row?.n ?? 0),
        until: formatBeijing(lockedUntil),
      }, "/account");
    }
    return { locked: true };
  });
}
