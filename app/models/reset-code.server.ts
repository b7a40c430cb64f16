/**
 * Account recovery where no message channel reaches the person (issue 9): an official who has
 * checked the person's identity issues a one-time reset code (重置码) — the township supervisor for
 * the committees and agents of its villages and for the county's contractors, the county
 * administrator for experts, supervisors and anyone else of the county. The person then sets a
 * new password with their phone number and the code; every session they had ends.
 *
 * Only the code's SHA-256 is stored. A code works once, for 24 hours; a new code voids the older
 * ones. Attempts are limited per address and number (five wrong in 15 minutes) and per address,
 * never per number alone, so nobody else's failures lock a person's reset; a code is void after
 * RESET_CODE_TRIES wrong tries in all, from anywhere (login-throttle.server.ts).
 *
 * An official can thus take over an account (issue 18): a reset with an official's code also ends
 * the passkeys registered since the owner's last sign-in, tells the other members of the person's
 * companies at once, and (bid.server.ts) keeps the account from withdrawing or replacing bids for a
 * county-set time (ADR 0033).
 */
import { createHash, randomInt, timingSafeEqual } from "node:crypto";
import { and, count, desc, eq, gt, isNotNull, isNull, lt, ne, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db, type MemberRole } from "~/utils/db.server";
import { maskPhone } from "~/utils/phone";
import { formatBeijing } from "~/utils/time";
import { phoneField } from "~/utils/phone-field";
import { appendAudit, type Actor } from "./audit.server";
import { DomainError } from "./errors";
import { forgetDevices } from "./known-device.server";
import { countAttempt, phoneAccount, settleAttempt } from "./login-throttle.server";
import { notify, usersOfOrgs } from "./notification.server";
import { enqueueCode } from "./outbox.server";
import { hashPassword, PASSWORD_MIN_LENGTH } from "./password.server";

const { resetCodes, users, memberships, orgs, sessions, passkeys, auditLog } = schema;

export const RESET_CODE_TTL_MS = 24 * 3600_000;
/** Wrong tries, from any address, after which a reset code is void (each address may try five in 15 minutes). */
export const RESET_CODE_TRIES = 20;
/** Wrong tries after which a step-up code is void (only the signed-in person can type it). */
export const STEP_UP_TRIES = 5;
/** No 0/O, 1/I/L: read out over the phone or copied from paper without mistakes. */
const ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
/** Case, spaces and dashes do not matter when the code is typed. */
const canonical = (code: string) => code.toUpperCase().replace(/[\s-]/g, "");

function newCode(): string {
  const chars = Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]);
  return `${chars.slice(0, 5).join("")}-${chars.slice(5).join("")}`;
}

export const issueSchema = z.object({
  phone: phoneField,
  identityCheck: z.string({ message: "errors.reset.identityCheck" }).trim().min(4, "errors.reset.identityCheck").max(300, "errors.reset.identityCheck"),
});

export const resetSchema = z
  .object({
    phone: phoneField,
    code: z.string({ message: "errors.reset.badCode" }).trim().min(1, "errors.reset.badCode").max(40, "errors.reset.badCode"),
    password: z.string({ message: "errors.passwordTooShort" }).min(PASSWORD_MIN_LENGTH, "errors.passwordTooShort").max(200, "errors.passwordTooShort"),
    password2: z.string().optional(),
  })
  .refine((v) => v.password === v.password2, { path: ["password2"], message: "errors.reset.passwordsDiffer" });

/** Whether an official in `role` at `orgId` may issue a code for this user (never for themselves). */
export async function mayIssueFor(db: Db, issuer: { userId: string; role: MemberRole; orgId: string }, targetUserId: string): Promise<boolean> {
  if (issuer.userId === targetUserId) return false;
  const [issuerOrg] = await db.select().from(orgs).where(eq(orgs.id, issuer.orgId));
  if (!issuerOrg) return false;
  const held = await db.select({ role: memberships.role, org: orgs }).from(memberships).innerJoin(orgs, eq(orgs.id, memberships.orgId)).where(eq(memberships.userId, targetUserId));
  if (held.length === 0) return false;
  if (issuer.role === "county_admin" && issuerOrg.kind === "county") {
    // The whole county: its experts and supervisors, and anyone whose organisation is in it.
    return held.every((h) => h.org.id === issuerOrg.id || h.org.countyId === issuerOrg.id);
  }
  if (issuer.role === "supervisor" && issuerOrg.kind === "township") {
    // Committees and agents of its own villages; contractors of its county. Not experts, supervisors or administrators.
    return held.every(
      (h) =>
        ((h.role === "committee" || h.role === "agent") && (h.org.townshipId === issuerOrg.id || h.org.parentId === issuerOrg.id)) ||
        (h.role === "contractor" && h.org.kind === "company" && h.org.countyId === issuerOrg.countyId),
    );
  }
  return false;
}

/** Issue a code after checking the person's identity; returns it once (it is never shown again). */
export async function issueResetCode(
  db: Db,
  { clock, actor, issuerOrgId, raw }: { clock: Clock; actor: Actor & { userId: string; role: MemberRole }; issuerOrgId: string; raw: unknown },
) {
  const parsed = issueSchema.safeParse(raw);
  if (!parsed.success) throw new DomainError(parsed.error.issues[0].message, { field: String(parsed.error.issues[0].path[0] ?? "") });
  const { phone, identityCheck } = parsed.data;
  return db.transaction(async (tx) => {
    const [target] = await tx.select().from(users).where(eq(users.phone, phone)).for("update");
    if (!target) throw new DomainError("errors.reset.noUser", { field: "phone", status: 404 });
    if (!(await mayIssueFor(tx, { userId: actor.userId, role: actor.role, orgId: issuerOrgId }, target.id)))
      throw new DomainError("errors.reset.notYours", { field: "phone", status: 403 });
    const now = clock.now();
    await tx
      .update(resetCodes)
      .set({ voidedAt: now })
      .where(and(eq(resetCodes.userId, target.id), isNull(resetCodes.usedAt), isNull(resetCodes.voidedAt)));
    const code = newCode();
    const expiresAt = new Date(now.getTime() + RESET_CODE_TTL_MS);
    const [row] = await tx
      .insert(resetCodes)
      .values({ userId: target.id, codeSha256: sha256(canonical(code)), issuedBy: actor.userId, issuedAs: actor.role, identityCheck, createdAt: now, expiresAt })
      .returning();
    await appendAudit(tx, clock, actor, {
      action: "auth.reset_code_issue",
      objectType: "user",
      objectId: target.id,
      detail: { resetCodeId: row.id, phone: maskPhone(phone), identityCheck, expiresAt: expiresAt.toISOString(), issuerOrgId },
    });
    return { code, expiresAt, name: target.name, phone: maskPhone(phone) };
  });
}

/** The codes this official issued lately (never the codes themselves). */
export async function issuedBy(db: Db, userId: string, limit = 20) {
  return db
    .select({
      id: resetCodes.id,
      name: users.name,
      phone: users.phone,
      createdAt: resetCodes.createdAt,
      expiresAt: resetCodes.expiresAt,
      usedAt: resetCodes.usedAt,
      voidedAt: resetCodes.voidedAt,
      identityCheck: resetCodes.identityCheck,
    })
    .from(resetCodes)
    .innerJoin(users, eq(users.id, resetCodes.userId))
    .where(eq(resetCodes.issuedBy, userId))
    .orderBy(desc(resetCodes.createdAt))
    .limit(limit);
}

/**
 * Set a new password with a reset code. Every refusal says the same ("the number or the code is
 * wrong or no longer valid"), so the page tells nobody which numbers have a code.
 */
export async function resetPasswordWithCode(db: Db, clock: Clock, actor: Actor, raw: unknown): Promise<{ userId: string }> {
  const parsed = resetSchema.safeParse(raw);
  if (!parsed.success) throw new DomainError(parsed.error.issues[0].message, { field: String(parsed.error.issues[0].path[0] ?? "") });
  const { phone, code, password } = parsed.data;
  // Counted before the code is looked at, per address and number: others' failures never lock this reset.
  const counted = await countAttempt(db, clock, { ip: actor.ip, account: phoneAccount(phone), kind: "reset" });
  if (counted.refusal) throw new DomainError(counted.refusal, { status: 429 });
  const passwordHash = await hashPassword(password);
  const outcome = await db.transaction(async (tx) => {
    const now = clock.now();
    const [user] = await tx.select().from(users).where(eq(users.phone, phone));
    if (!user) return null;
    // An official's code and one the person asked for may both be live: either works.
    const live = await redeem(tx, now, user.id, code, (purpose) => ne(purpose, STEP_UP), "password");
    if (!live) return null;
    await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id));
    const ended = await tx.delete(sessions).where(eq(sessions.userId, user.id)).returning({ id: sessions.id });
    // Devices that knew the old password are strangers again; the one the reset was made on becomes known (the route).
    const devicesForgotten = await forgetDevices(tx, user.id);
    const as = { ...actor, userId: user.id, role: null };
    await appendAudit(tx, clock, as, {
      action: "auth.password_reset",
      objectType: "user",
      objectId: user.id,
      detail: { resetCodeId: live.id, issuedBy: live.issuedBy, sessionsEnded: ended.length, devicesForgotten },
    });
    // An official's code: whoever holds it now holds the account (ADR 0033).
    if (live.issuedBy !== null) await afterOfficialReset(tx, clock, as, user, live.id, now);
    return { userId: user.id };
  });
  await settleAttempt(db, { clock, actor, ticket: counted.ticket, outcome: { failed: outcome === null } });
  if (!outcome) {
    await appendAudit(db, clock, actor, { action: "auth.password_reset_failed", objectType: "user", detail: { phone: maskPhone(phone) } });
    throw new DomainError("errors.reset.badCode", { field: "code", status: 400 });
  }
  return outcome;
}

/**
 * Use a live code of this user that matches; a wrong code counts one try against every live code
 * of the kind (RESET_CODE_TRIES for a password reset, STEP_UP_TRIES for a step-up, and they are
 * void). Returns the used code, or null.
 */
async function redeem(tx: Db, now: Date, userId: string, code: string, purpose: (column: AnyPgColumn) => SQL, usedFor: "password" | "step_up") {
  const live = await tx
    .select()
    .from(resetCodes)
    .where(and(eq(resetCodes.userId, userId), isNull(resetCodes.usedAt), isNull(resetCodes.voidedAt), gt(resetCodes.expiresAt, now), purpose(resetCodes.issuedAs)))
    .orderBy(desc(resetCodes.createdAt))
    .for("update");
  const given = Buffer.from(sha256(canonical(code)), "hex");
  const match = live.find((c) => timingSafeEqual(given, Buffer.from(c.codeSha256, "hex")));
  if (!match) {
    for (const c of live) {
      const tries = c.tries + 1;
      await tx
        .update(resetCodes)
        .set({ tries, ...(tries >= (usedFor === "password" ? RESET_CODE_TRIES : STEP_UP_TRIES) ? { voidedAt: now } : {}) })
        .where(eq(resetCodes.id, c.id));
    }
    return null;
  }
  await tx.update(resetCodes).set({ usedAt: now, usedFor }).where(eq(resetCodes.id, match.id));
  return match;
}

// ── What an official's reset brings with it ────────────────────────────

/**
 * When the account's password was last reset with an official's code, or null. Bids stay out of
 * this account's reach for a while after it (bid.server.ts withdrawBlockEnd).
 */
export async function lastOfficialResetAt(db: Db, userId: string): Promise<Date | null> {
  const [row] = await db
    .select({ at: resetCodes.usedAt })
    .from(resetCodes)
    .where(and(eq(resetCodes.userId, userId), isNotNull(resetCodes.issuedBy), eq(resetCodes.usedFor, "password")))
    .orderBy(desc(resetCodes.usedAt))
    .limit(1);
  return row?.at ?? null;
}

/**
 * Passkeys registered after this instant do not survive an official's reset. It is the owner's last
 * sign-in before the reset — and, when an official reset the password before (whoever held that
 * code chose the password, so later sign-ins may not be the owner's), the last sign-in before that
 * earlier reset. Without any sign-in on record, the earlier reset (or this one) itself.
 */
async function ownerTrustedUntil(tx: Db, userId: string, resetCodeId: string, now: Date): Promise<Date> {
  const [earlier] = await tx
    .select({ at: resetCodes.usedAt })
    .from(resetCodes)
    .where(and(eq(resetCodes.userId, userId), isNotNull(resetCodes.issuedBy), eq(resetCodes.usedFor, "password"), ne(resetCodes.id, resetCodeId), isNotNull(resetCodes.usedAt)))
    .orderBy(desc(resetCodes.usedAt))
    .limit(1);
  const boundary = earlier?.at ?? now;
  const [signIn] = await tx
    .select({ at: auditLog.at })
    .from(auditLog)
    .where(and(eq(auditLog.action, "auth.login"), eq(auditLog.actorUserId, userId), lt(auditLog.at, boundary)))
    .orderBy(desc(auditLog.at))
    .limit(1);
  return signIn?.at ?? boundary;
}

/**
 * In the reset's transaction: end the passkeys registered since the owner's last sign-in (each
 * removal audited), and tell the other members of the person's companies at once. The notice names
 * no tender and no bid: officials may read the messages that leave the app.
 */
async function afterOfficialReset(tx: Db, clock: Clock, actor: Actor, user: typeof users.$inferSelect, resetCodeId: string, now: Date) {
  const trustedUntil = await ownerTrustedUntil(tx, user.id, resetCodeId, now);
  const removed = await tx
    .delete(passkeys)
    .where(and(eq(passkeys.userId, user.id), gt(passkeys.createdAt, trustedUntil)))
    .returning();
  for (const p of removed) {
    await appendAudit(tx, clock, actor, {
      action: "passkey.remove_after_reset",
      objectType: "passkey",
      objectId: p.id,
      before: { name: p.name, createdAt: p.createdAt.toISOString() },
      detail: { userId: user.id, resetCodeId, registeredAfter: trustedUntil.toISOString() },
    });
  }
  const companies = await tx
    .select({ id: orgs.id, name: orgs.name })
    .from(memberships)
    .innerJoin(orgs, eq(orgs.id, memberships.orgId))
    .where(and(eq(memberships.userId, user.id), eq(memberships.role, "contractor"), eq(orgs.kind, "company")));
  for (const company of companies) {
    const others = (await usersOfOrgs(tx, [company.id])).filter((id) => id !== user.id);
    await notify(tx, { clock, userIds: others, kind: "company.memberReset", params: { name: user.name, company: company.name, at: formatBeijing(now) }, link: "/company" });
  }
}

// ── Codes sent to the person's own channel ─────────────────────────────

/** A code the person asked for: six digits, 15 minutes, once. */
export const SELF_CODE_TTL_MS = 15 * 60_000;
const SELF = "self";
const STEP_UP = "step_up";
/** A second factor proved by a session lasts this long. */
export const STEP_UP_MS = 15 * 60_000;

const sixDigits = () => String(randomInt(1_000_000)).padStart(6, "0");

/**
 * A new six-digit code of `purpose` for the user, sent to every channel that reaches them; it voids
 * their older codes of that purpose (never an official's) — for a reset code, only those asked for
 * from the same address (`from`), so a request from elsewhere never voids the owner's code.
 * Returns the row, the code's messages.
 */
async function issueChannelCode(tx: Db, clock: Clock, userId: string, purpose: typeof SELF | typeof STEP_UP, link: (code: string) => string | null, from: string | null = null) {
  const now = clock.now();
  await tx
    .update(resetCodes)
    .set({ voidedAt: now })
    .where(
      and(
        eq(resetCodes.userId, userId),
        eq(resetCodes.issuedAs, purpose),
        isNull(resetCodes.usedAt),
        isNull(resetCodes.voidedAt),
        purpose === SELF ? (from === null ? isNull(resetCodes.requestedFrom) : eq(resetCodes.requestedFrom, from)) : undefined,
      ),
    );
  const code = sixDigits();
  const expiresAt = new Date(now.getTime() + SELF_CODE_TTL_MS);
  const [row] = await tx
    .insert(resetCodes)
    .values({
      userId,
      codeSha256: sha256(code),
      issuedBy: null,
      issuedAs: purpose,
      identityCheck: "channel",
      createdAt: now,
      expiresAt,
      requestedFrom: purpose === SELF ? from : null,
    })
    .returning();
  const kind = purpose === SELF ? "auth.resetCode" : "auth.stepUpCode";
  const messages = await enqueueCode(tx, { clock, userId, kind, code, params: { minutes: String(SELF_CODE_TTL_MS / 60_000) }, link: link(code) });
  return { row, messages };
}

export const forgotSchema = z.object({ phone: phoneField });

/**
 * 忘记密码: send a six-digit code (and a link that carries it) to every channel that reaches the
 * account. The answer is the same whether or not the number is registered or reachable, so the
 * page tells nobody which numbers have accounts; the audit trail keeps what happened.
 * Limits (login-throttle.server.ts, CODE_REQUESTS): per address and number, per address, and per
 * number from devices the account has not used before — `device`, the known device the browser
 * proved, is counted on its own, so others' requests never use up the owner's.
 */
export async function requestResetByChannel(
  db: Db,
  { clock, actor, raw, opts = {} }: { clock: Clock; actor: Actor; raw: unknown; opts?: { device?: string | null } },
): Promise<{ messages: number }> {
  const parsed = forgotSchema.safeParse(raw);
  if (!parsed.success) throw new DomainError(parsed.error.issues[0].message, { field: "phone" });
  const { phone } = parsed.data;
  const counted = await countAttempt(db, clock, { ip: actor.ip, account: phoneAccount(phone), kind: "reset_request", device: opts.device ?? null });
  if (counted.refusal) throw new DomainError(counted.refusal, { status: 429 });
  return db.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.phone, phone)).for("update");
    if (!user) {
      await appendAudit(tx, clock, actor, { action: "auth.reset_request", objectType: "user", detail: { phone: maskPhone(phone), registered: false } });
      return { messages: 0 };
    }
    // A new code voids the person's older ones asked from this address (not an official's: that one was given after checking identity).
    const { row, messages } = await issueChannelCode(tx, clock, user.id, SELF, (code) => `/reset-password?${new URLSearchParams({ phone, code })}`, actor.ip);
    await appendAudit(
      tx,
      clock,
      { ...actor, userId: actor.userId ?? null },
      {
        action: "auth.reset_request",
        objectType: "user",
        objectId: user.id,
        detail: { phone: maskPhone(phone), registered: true, resetCodeId: row.id, messages, expiresAt: row.expiresAt.toISOString() },
      },
    );
    return { messages };
  });
}

// ── Second factor for changing passkeys after a password sign-in ───────

export interface StepUpState {
  /** The session was opened with a password and the user has passkeys: changing them needs a code. */
  needed: boolean;
  /** The session proved a code within STEP_UP_MS. */
  proved: boolean;
}

export async function stepUpState(db: Db, clock: Clock, session: { id: string; userId: string; method: string; stepUpAt: Date | null }): Promise<StepUpState> {
  const proved = session.stepUpAt !== null && clock.now().getTime() - session.stepUpAt.getTime() < STEP_UP_MS;
  if (session.method === "passkey") return { needed: false, proved };
  const [row] = await db.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, session.userId));
  return { needed: (row?.n ?? 0) > 0, proved };
}

/** Refuses a passkey change that needs a second factor this session has not proved. */
export async function assertMayChangePasskeys(db: Db, clock: Clock, session: { id: string; userId: string; method: string; stepUpAt: Date | null }) {
  const state = await stepUpState(db, clock, session);
  if (state.needed && !state.proved) throw new DomainError("errors.stepUp.required", { status: 403 });
}

/**
 * A session that was allowed to register a passkey (its first, or after proving a code) keeps
 * that standing for STEP_UP_MS from now, so the page does not lock right after the new passkey.
 */
export async function renewStepUp(db: Db, clock: Clock, sessionId: string) {
  await db.update(sessions).set({ stepUpAt: clock.now() }).where(eq(sessions.id, sessionId));
}

/** Send a six-digit code to the signed-in user's channels; three an hour. */
export async function requestStepUpCode(db: Db, clock: Clock, actor: Actor & { userId: string }): Promise<{ messages: number }> {
  const counted = await countAttempt(db, clock, { ip: null, account: `user:${actor.userId}`, kind: "step_up" });
  if (counted.refusal) throw new DomainError(counted.refusal, { status: 429 });
  return db.transaction(async (tx) => {
    const { row, messages } = await issueChannelCode(tx, clock, actor.userId, STEP_UP, () => null);
    if (messages === 0) throw new DomainError("errors.stepUp.noChannel", { status: 409 });
    await appendAudit(tx, clock, actor, { action: "auth.step_up_request", objectType: "user", objectId: actor.userId, detail: { resetCodeId: row.id, messages } });
    return { messages };
  });
}

/** Check the code; the session may then change passkeys for STEP_UP_MS. */
export async function confirmStepUp(db: Db, { clock, actor, sessionId, code }: { clock: Clock; actor: Actor & { userId: string }; sessionId: string; code: string }) {
  const ok = await db.transaction(async (tx) => {
    const now = clock.now();
    // A step-up code from the person's channel, or a reset code an official issued after checking identity (for someone no channel reaches).
    const used = await redeem(tx, now, actor.userId, String(code ?? "").slice(0, 40), (purpose) => ne(purpose, SELF), "step_up");
    if (!used) return false;
    await tx
      .update(sessions)
      .set({ stepUpAt: now })
      .where(and(eq(sessions.id, sessionId), eq(sessions.userId, actor.userId)));
    await appendAudit(tx, clock, actor, { action: "auth.step_up", objectType: "session", objectId: sessionId.slice(0, 12), detail: { resetCodeId: used.id } });
    return true;
  });
  if (!ok) {
    await appendAudit(db, clock, actor, { action: "auth.step_up_failed", objectType: "user", objectId: actor.userId });
    throw new DomainError("errors.stepUp.badCode", { field: "code", status: 400 });
  }
}
