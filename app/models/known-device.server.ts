/**
 * Devices an account has signed in from (ADR 0034): after a correct password (or a reset with a
 * code) the browser gets a random token in an HttpOnly cookie, and the account keeps the token's
 * SHA-256. A password typed on such a device is counted on that device alone, so wrong passwords
 * typed by others elsewhere never keep the owner out of their usual phone or office computer.
 *
 * One browser holds one token, shared by the accounts that signed in on it (a village office's
 * computer). Only a token this server issued is reused; anything else a browser sends is replaced.
 */
import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt } from "drizzle-orm";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db } from "~/utils/db.server";
import { appendAudit, type Actor } from "./audit.server";

const { knownDevices, users } = schema;

export const KNOWN_DEVICE_COOKIE = "cyz_known";
/** A device not signed in from for this long is no longer known (the cookie lives as long). */
export const KNOWN_DEVICE_DAYS = 365;

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const since = (clock: Clock) => new Date(clock.now().getTime() - KNOWN_DEVICE_DAYS * 24 * 3600_000);

/** The known device of the account with this phone that the browser's token names, or null. */
export async function knownDeviceFor(db: Db, clock: Clock, token: string | null, phone: string): Promise<string | null> {
  if (!token || !TOKEN.test(token) || phone.length > 20) return null;
  const [row] = await db
    .select({ id: knownDevices.id })
    .from(knownDevices)
    .innerJoin(users, eq(users.id, knownDevices.userId))
    .where(and(eq(users.phone, phone), eq(knownDevices.tokenSha256, sha256(token)), gt(knownDevices.lastUsedAt, since(clock))))
    .limit(1);
  return row?.id ?? null;
}

/**
 * Remember this browser for the user after a correct password or a reset: the token to put in
 * its cookie (the browser's own, when this server issued it; otherwise a new one).
 */
export async function rememberDevice(db: Db, { clock, actor, userId, presented }: { clock: Clock; actor: Actor; userId: string; presented: string | null }): Promise<string> {
  const now = clock.now();
  let token = presented && TOKEN.test(presented) ? presented : null;
  if (token) {
    const [issued] = await db
      .select({ id: knownDevices.id })
      .from(knownDevices)
      .where(eq(knownDevices.tokenSha256, sha256(token)))
      .limit(1);
    if (!issued) token = null;
  }
  token ??= randomBytes(32).toString("base64url");
  const tokenSha256 = sha256(token);
  await db.transaction(async (tx) => {
    const [row] = await tx.insert(knownDevices).values({ userId, tokenSha256, createdAt: now, lastUsedAt: now }).onConflictDoNothing().returning({ id: knownDevices.id });
    if (!row) {
      await tx
        .update(knownDevices)
        .set({ lastUsedAt: now })
        .where(and(eq(knownDevices.userId, userId), eq(knownDevices.tokenSha256, tokenSha256)));
      return;
    }
    await appendAudit(tx, clock, { ...actor, userId }, { action: "auth.device_known", objectType: "user", objectId: userId, detail: { knownDeviceId: row.id } });
  });
  return token;
}

/** Forget every device of the user (a password reset: whoever knew the old password is a stranger again). Returns how many. */
export async function forgetDevices(tx: Db, userId: string): Promise<number> {
  const gone = await tx.delete(knownDevices).where(eq(knownDevices.userId, userId)).returning({ id: knownDevices.id });
  return gone.length;
}
