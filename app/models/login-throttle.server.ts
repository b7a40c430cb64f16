/**
 * Limits on sign-in and on asking for codes, counted in the database so that every instance of the
 * app sees the same attempts (ADR 0021; the scheme is ADR 0034).
 *
 * Count first, then check. An attempt is written — as a failure until shown otherwise — before the
 * password or the code is looked at, in one transaction that first takes a row lock on each of its
 * buckets (`throttle_buckets`, one INSERT … ON CONFLICT DO UPDATE in a fixed order). Parallel
 * attempts on one account therefore queue for the count, and no more of them reach the check than
 * the limit allows. Refused attempts write nothing.
 *
 * Whose attempts count where — a lock must hurt the guesser, not the owner:
 * - a password typed on a device the account signed in from before (its known-device cookie,
 *   known-device.server.ts) is counted on that device alone: 10 wrong in 15 minutes pause that
 *   device, 20 attempts in 15 minutes at most;
 * - any other password is counted per address (60 wrong in 15 minutes, whatever the account), per
 *   address and number (5 wrong pause that address for that number) and per number (10 wrong pause
 *   the number for every device it has not used before, with a notice to the holder; 20 attempts);
 * - a reset code is counted per address (the same 60) and per address and number (5 wrong), never
 *   per number: nobody else's failures lock a person's reset;
 * - asking for a code sent to one's channel: 3 an hour per address and number, 10 per address, and
 *   5 per number from devices it has not used before (a known device has its own 3);
 * - passkey steps: per address (with the failures above), per credential or per user (20).
 * Locks end by time (the injectable clock), never by an operator. A number nobody uses is counted
 * the same way, so nothing here tells which numbers have accounts.
 */
import { and, count, eq, gt, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db } from "~/utils/db.server";
import { maskPhone } from "~/utils/phone";
import { formatBeijing } from "~/utils/time";
import { appendAudit, type Actor } from "./audit.server";
import { notify } from "./notification.server";

const { loginAttempts, accountLocks, throttleBuckets, users, knownDevices } = schema;

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
export const THROTTLE = {
  windowMs: 15 * MINUTE,
  /** Per address: wrong passwords and codes, and every passkey step (a village office behind one address signs many people in; their correct passwords do not count). */
  perIp: 60,
  /** Per number (from devices it has not used before), per known device, per passkey credential or user: attempts of any outcome. */
  perAccount: 20,
  /** Wrong passwords for one number from devices it has not used before: the number is paused for them. */
  failuresToLock: 10,
  /** Wrong passwords for one number from one address: that address is paused for that number. */
  failuresPerAddress: 5,
  /** Wrong passwords on one known device: that device is paused. */
  failuresPerDevice: 10,
  /** Wrong reset codes for one number from one address, in the window. */
  resetFailuresPerAddress: 5,
  lockMs: 15 * MINUTE,
  /** Rows older than this are of no use to any limit. */
  keepMs: 24 * 60 * MINUTE,
} as const;

/** Asking for a code sent to one's own channel (reset-code.server.ts), per hour. */
export const CODE_REQUESTS = { perAddressAndNumber: 3, perIp: 10, perNumber: 5, perDevice: 3, stepUpPerUser: 3, windowMs: HOUR } as const;

/** reset: a reset code typed on /reset-password; reset_request and step_up: a code sent to the person's channel. */
export type AuthAttemptKind = "password" | "reset" | "passkey_options" | "passkey_verify" | "passkey_register" | "reset_request" | "step_up";
export type ThrottleRefusal = "errors.auth.throttled" | "errors.auth.locked";

export interface AttemptSubject {
  ip: string | null;
  /** `account:<phone>`, `credential:<id>` or `user:<id>`; null when the step names no account (passkey options). */
  account: string | null;
  kind: AuthAttemptKind;
  /** The account's known device this browser proved (known-device.server.ts), if any: its attempts count on it alone. */
  device?: string | null;
}

type LockScope = "address" | "account" | "device";

interface Rule {
  bucket: string;
  /** Which of the bucket's rows count. */
  counts: SQL;
  max: number;
  windowMs: number;
  /** Reaching `max` with a failure pauses the bucket for THROTTLE.lockMs (refused as errors.auth.locked while paused). */
  lock?: LockScope;
}

/** An attempt that was counted and may go ahead; settle it with its outcome. */
export interface AttemptTicket {
  subject: AttemptSubject;
  ids: string[];
  rules: Rule[];
  at: Date;
}

export const phoneAccount = (phone: string) => `account:${phone}`;
const phoneOf = (account: string | null) => (account?.startsWith("account:") ? account.slice("account:".length) : null);

/** Attempts whose outcome is known only after the check: counted as failures until settled. */
const PENDING_KINDS: ReadonlySet<AuthAttemptKind> = new Set(["password", "reset", "passkey_verify"]);
const PASSKEY_STEPS: AuthAttemptKind[] = ["passkey_options", "passkey_verify", "passkey_register"];

const ofKinds = (kinds: AuthAttemptKind[]) => inArray(loginAttempts.kind, kinds);
const failuresOf = (kinds: AuthAttemptKind[]) => and(ofKinds(kinds), eq(loginAttempts.failed, true))!;
const everyOf = (kinds: AuthAttemptKind[]) => ofKinds(kinds);

/** The limits one attempt is counted against (ADR 0034). */
function rulesFor(s: AttemptSubject): Rule[] {
  const address = s.ip ?? "unknown";
  const w = THROTTLE.windowMs;
  // Per address: wrong passwords and codes, and every passkey step, across accounts.
  const perIp: Rule = { bucket: `ip:${address}`, counts: or(failuresOf(["password", "reset"]), everyOf(PASSKEY_STEPS))!, max: THROTTLE.perIp, windowMs: w };
  switch (s.kind) {
    case "password": {
      if (s.device) {
        const device = `device:${s.device}`;
        return [
          { bucket: device, counts: failuresOf(["password"]), max: THROTTLE.failuresPerDevice, windowMs: w, lock: "device" },
          { bucket: device, counts: everyOf(["password"]), max: THROTTLE.perAccount, windowMs: w },
        ];
      }
      const phone = phoneOf(s.account) ?? s.account ?? "";
      return [
        perIp,
        { bucket: `pair:${address}|${phone}`, counts: failuresOf(["password"]), max: THROTTLE.failuresPerAddress, windowMs: w, lock: "address" },
        { bucket: `account:${phone}`, counts: failuresOf(["password"]), max: THROTTLE.failuresToLock, windowMs: w, lock: "account" },
        { bucket: `account:${phone}`, counts: everyOf(["password"]), max: THROTTLE.perAccount, windowMs: w },
      ];
    }
    case "reset": {
      const phone = phoneOf(s.account) ?? s.account ?? "";
      return [perIp, { bucket: `reset:${address}|${phone}`, counts: failuresOf(["reset"]), max: THROTTLE.resetFailuresPerAddress, windowMs: w }];
    }
    case "passkey_options":
      return [perIp];
    case "passkey_verify":
    case "passkey_register":
      return s.account ? [perIp, { bucket: s.account, counts: everyOf([s.kind]), max: THROTTLE.perAccount, windowMs: w }] : [perIp];
    case "reset_request": {
      const phone = phoneOf(s.account) ?? s.account ?? "";
      const h = CODE_REQUESTS.windowMs;
      const asks = everyOf(["reset_request"]);
      return [
        { bucket: `ask:${address}|${phone}`, counts: asks, max: CODE_REQUESTS.perAddressAndNumber, windowMs: h },
        { bucket: `ip:${address}`, counts: asks, max: CODE_REQUESTS.perIp, windowMs: h },
        s.device
          ? { bucket: `device:${s.device}`, counts: asks, max: CODE_REQUESTS.perDevice, windowMs: h }
          : { bucket: `account:${phone}`, counts: asks, max: CODE_REQUESTS.perNumber, windowMs: h },
      ];
    }
    case "step_up":
      return s.account ? [{ bucket: s.account, counts: everyOf(["step_up"]), max: CODE_REQUESTS.stepUpPerUser, windowMs: CODE_REQUESTS.windowMs }] : [];
  }
}

/** Row locks on the buckets, taken in one statement in a fixed order (so two attempts never wait for each other in a circle). */
async function lockBuckets(tx: Db, buckets: string[], now: Date) {
  if (!buckets.length) return;
  await tx
    .insert(throttleBuckets)
    .values(buckets.map((bucket) => ({ bucket, touchedAt: now })))
    .onConflictDoUpdate({ target: throttleBuckets.bucket, set: { touchedAt: sql`excluded.touched_at` } });
}

const bucketsOf = (rules: Rule[]) => [...new Set(rules.map((r) => r.bucket))].sort();

async function countIn(tx: Db, rule: Rule, now: Date): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(loginAttempts)
    .where(and(eq(loginAttempts.bucket, rule.bucket), gt(loginAttempts.at, new Date(now.getTime() - rule.windowMs)), rule.counts));
  return row?.n ?? 0;
}

/**
 * Count an attempt before it is made. Either a refusal (nothing is written: a paused bucket or a
 * full one), or a ticket: the attempt is on record — as a failure, for a password or a code, until
 * settleAttempt says otherwise — and may go ahead.
 */
export async function countAttempt(
  db: Db,
  clock: Clock,
  subject: AttemptSubject,
): Promise<{ refusal: ThrottleRefusal; ticket?: never } | { refusal: null; ticket: AttemptTicket }> {
  const rules = rulesFor(subject);
  const buckets = bucketsOf(rules);
  const now = clock.now();
  if (!buckets.length) return { refusal: null, ticket: { subject, ids: [], rules, at: now } };
  return db.transaction(async (tx) => {
    await lockBuckets(tx, buckets, now);
    // Each statement below sees every attempt committed by whoever held these locks before us.
    const lockable = [...new Set(rules.filter((r) => r.lock).map((r) => r.bucket))];
    if (lockable.length) {
      const [paused] = await tx
        .select({ account: accountLocks.account })
        .from(accountLocks)
        .where(and(inArray(accountLocks.account, lockable), gt(accountLocks.lockedUntil, now)))
        .limit(1);
      if (paused) return { refusal: "errors.auth.locked" as const };
    }
    for (const rule of rules) {
      // Full (attempts still being checked count as failures): refused without a pause being recorded.
      if ((await countIn(tx, rule, now)) >= rule.max) return { refusal: "errors.auth.throttled" as const };
    }
    const rows = await tx
      .insert(loginAttempts)
      .values(buckets.map((bucket) => ({ bucket, kind: subject.kind, failed: PENDING_KINDS.has(subject.kind), at: now })))
      .returning({ id: loginAttempts.id });
    return { refusal: null, ticket: { subject, ids: rows.map((r) => r.id), rules, at: now } };
  });
}

/**
 * The outcome of a counted attempt. A failure that fills a bucket with a lock pauses it for
 * THROTTLE.lockMs: the pause and its audit row are written together, with a notice to the
 * holder when the number as a whole is paused.
 */
export async function settleAttempt(
  db: Db,
  { clock, actor, ticket, outcome }: { clock: Clock; actor: Actor; ticket: AttemptTicket; outcome: { failed: boolean } },
): Promise<{ locked: boolean }> {
  if (!ticket.ids.length) return { locked: false };
  if (!outcome.failed || !ticket.rules.some((r) => r.lock)) {
    await db.update(loginAttempts).set({ failed: outcome.failed }).where(inArray(loginAttempts.id, ticket.ids));
    return { locked: false };
  }
  return db.transaction(async (tx) => {
    const now = clock.now();
    await tx.update(loginAttempts).set({ failed: true }).where(inArray(loginAttempts.id, ticket.ids));
    const lockRules = ticket.rules.filter((r): r is Rule & { lock: LockScope } => Boolean(r.lock));
    await lockBuckets(tx, bucketsOf(lockRules), now);
    let locked = false;
    for (const rule of lockRules) {
      const failures = await countIn(tx, rule, now);
      if (failures < rule.max) continue;
      const [already] = await tx
        .select()
        .from(accountLocks)
        .where(and(eq(accountLocks.account, rule.bucket), gt(accountLocks.lockedUntil, now)));
      if (already) continue;
      locked = true;
      const lockedUntil = new Date(now.getTime() + THROTTLE.lockMs);
      await tx
        .insert(accountLocks)
        .values({ account: rule.bucket, lockedAt: now, lockedUntil })
        .onConflictDoUpdate({ target: accountLocks.account, set: { lockedAt: now, lockedUntil } });
      await recordLock(tx, clock, actor, ticket, rule.lock, failures, lockedUntil);
    }
    return { locked };
  });
}

async function recordLock(tx: Db, clock: Clock, actor: Actor, ticket: AttemptTicket, scope: LockScope, failures: number, lockedUntil: Date) {
  const phone = phoneOf(ticket.subject.account);
  let holder: { id: string } | undefined;
  if (scope === "device" && ticket.subject.device) [holder] = await tx.select({ id: knownDevices.userId }).from(knownDevices).where(eq(knownDevices.id, ticket.subject.device));
  else if (phone) [holder] = await tx.select({ id: users.id }).from(users).where(eq(users.phone, phone)).limit(1);
  await appendAudit(tx, clock, actor, {
    action: "auth.locked",
    objectType: "user",
    objectId: holder?.id ?? null,
    detail: { scope, phone: phone ? maskPhone(phone) : null, failures, lockedUntil: lockedUntil.toISOString() },
  });
  // A pause of one address or one known device hurts only whoever types there; the holder hears of the number being paused.
  if (holder && scope === "account") {
    await notify(tx, { clock, userIds: [holder.id], kind: "auth.locked", params: { failures: String(failures), until: formatBeijing(lockedUntil) }, link: "/account" });
  }
}

/** Rows no limit looks at any more (a scheduled job: sign-in attempts, bucket rows, ended pauses). */
export async function purgeThrottle(db: Db, clock: Clock) {
  const cut = new Date(clock.now().getTime() - THROTTLE.keepMs);
  await db.delete(loginAttempts).where(lt(loginAttempts.at, cut));
  await db.delete(throttleBuckets).where(lt(throttleBuckets.touchedAt, cut));
  await db.delete(accountLocks).where(lt(accountLocks.lockedUntil, cut));
}
