import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport as AuthenticatorTransportFuture,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { and, asc, eq, lte } from "drizzle-orm";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db } from "~/utils/db.server";
import { appendAudit, type Actor } from "./audit.server";
import { DomainError } from "./errors";
import { getUser } from "./user.server";
import { approvalKeySupported, PASSKEY_ALGORITHMS } from "../../signing/webauthn";

const { passkeys, webauthnChallenges } = schema;

const CHALLENGE_TTL_MS = 5 * 60 * 1000;

export interface RelyingParty {
  /** Host name the passkeys are bound to (from PUBLIC_ORIGIN). */
  rpID: string;
  /** Origins a ceremony may come from. */
  origins: string[];
  rpName: string;
}

/** Acts a person approves with a fresh assertion of one of their own passkeys (bid.server.ts). */
export type ApprovalPurpose = "bid_withdraw" | "bid_replace";
type Purpose = "passkey_register" | "passkey_login" | "opening_key" | ApprovalPurpose;

async function storeChallenge(db: Db, clock: Clock, challenge: string, purpose: Purpose, userId: string | null) {
  await db.insert(webauthnChallenges).values({
    challenge,
    purpose,
    userId,
    expiresAt: new Date(clock.now().getTime() + CHALLENGE_TTL_MS),
  });
}

/** Read the challenge the browser signed, then consume it: deleted on read, refused when expired or unknown. */
async function consumeChallenge(db: Db, clock: Clock, clientDataJSON: string, purpose: Purpose, userId: string | null) {
  let challenge: string;
  try {
    challenge = JSON.parse(Buffer.from(clientDataJSON, "base64url").toString("utf8")).challenge;
  } catch {
    throw new DomainError("errors.passkeyFailed");
  }
  if (typeof challenge !== "string") throw new DomainError("errors.passkeyFailed");
  const [row] = await db
    .delete(webauthnChallenges)
    .where(and(eq(webauthnChallenges.challenge, challenge), eq(webauthnChallenges.purpose, purpose)))
    .returning();
  if (!row || row.expiresAt <= clock.now()) throw new DomainError("errors.passkeyChallengeExpired");
  if (userId !== null && row.userId !== userId) throw new DomainError("errors.passkeyFailed");
  return challenge;
}

export async function passkeyRegistrationOptions(db: Db, clock: Clock, rp: RelyingParty, userId: string) {
  const user = await getUser(db, userId);
  if (!user) throw new DomainError("errors.notFound", { status: 404 });
  const existing = await db.select().from(passkeys).where(eq(passkeys.userId, userId));
  const options = await generateRegistrationOptions({
    rpName: rp.rpName,
    rpID: rp.rpID,
    userName: user.phone,
    userDisplayName: user.name,
    userID: new TextEncoder().encode(user.id),
    attestationType: "none",
    excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports as AuthenticatorTransportFuture[] })),
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
    // Only keys whose approvals a signed PDF can carry and anyone can re-verify (signing/webauthn.ts).
    supportedAlgorithmIDs: [...PASSKEY_ALGORITHMS],
    // Ask whether the authenticator can derive PRF secrets: sealed bids need it.
    extensions: { prf: {} } as Record<string, unknown>,
  });
  await storeChallenge(db, clock, options.challenge, "passkey_register", userId);
  return options;
}

export async function registerPasskey(
  db: Db,
  { clock, rp, actor, input }: { clock: Clock; rp: RelyingParty; actor: Actor & { userId: string }; input: { response: RegistrationResponseJSON; name: string } },
) {
  const expectedChallenge = await consumeChallenge(db, clock, input.response.response?.clientDataJSON ?? "", "passkey_register", actor.userId);
  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.rpID,
      requireUserVerification: true,
    });
  } catch {
    throw new DomainError("errors.passkeyFailed");
  }
  if (!verification.verified || !verification.registrationInfo) throw new DomainError("errors.passkeyFailed");
  const { credential, credentialDeviceType, credentialBackedUp } = verification.registrationInfo;
  // A key of another algorithm could sign in but never sign a document: refuse it now, not at the first signature.
  if (!approvalKeySupported(credential.publicKey)) throw new DomainError("errors.passkeyAlgorithm");
  const prf = (input.response.clientExtensionResults as { prf?: { enabled?: boolean } })?.prf;
  const name = input.name.trim().slice(0, 60) || "通行密钥";
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(passkeys)
      .values({
        id: credential.id,
        userId: actor.userId,
        name,
        publicKey: Buffer.from(credential.publicKey),
        counter: credential.counter,
        transports: credential.transports ?? [],
        deviceType: credentialDeviceType,
        backedUp: credentialBackedUp,
        prfEnabled: prf?.enabled === true,
        createdAt: clock.now(),
      })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new DomainError("errors.passkeyAlreadyRegistered");
    await appendAudit(tx, clock, actor, {
      action: "passkey.register",
      objectType: "passkey",
      objectId: row.id,
      after: { name: row.name, deviceType: row.deviceType, prfEnabled: row.prfEnabled },
    });
    return row;
  });
}

export async function passkeyLoginOptions(db: Db, clock: Clock, rp: RelyingParty) {
  // Discoverable credentials: the authenticator offers the user's passkeys, no phone number needed.
  const options = await generateAuthenticationOptions({ rpID: rp.rpID, userVerification: "required", allowCredentials: [] });
  await storeChallenge(db, clock, options.challenge, "passkey_login", null);
  return options;
}

/** Check an assertion against the stored passkey and move its counter on; returns the passkey. */
async function verifyAssertion(db: Db, clock: Clock, rp: RelyingParty, response: AuthenticationResponseJSON, expectedChallenge: string) {
  const [passkey] = await db
    .select()
    .from(passkeys)
    .where(eq(passkeys.id, String(response.id)))
    .limit(1);
  if (!passkey) throw new DomainError("errors.passkeyUnknown");
  let verification;
  try {
    verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.rpID,
      credential: {
        id: passkey.id,
        publicKey: new Uint8Array(passkey.publicKey),
        counter: passkey.counter,
        transports: passkey.transports as AuthenticatorTransportFuture[],
      },
      requireUserVerification: true,
    });
  } catch {
    throw new DomainError("errors.passkeyFailed");
  }
  if (!verification.verified) throw new DomainError("errors.passkeyFailed");
  await db.update(passkeys).set({ counter: verification.authenticationInfo.newCounter, lastUsedAt: clock.now() }).where(eq(passkeys.id, passkey.id));
  return passkey;
}

/** Verify a login assertion; returns the user id it proves. */
export async function authenticateWithPasskey(db: Db, clock: Clock, rp: RelyingParty, response: AuthenticationResponseJSON) {
  const expectedChallenge = await consumeChallenge(db, clock, response?.response?.clientDataJSON ?? "", "passkey_login", null);
  return (await verifyAssertion(db, clock, rp, response, expectedChallenge)).userId;
}

/**
 * Preparing passkeys for sealed bids: the browser evaluates the passkey's PRF
 * (public/seal/v1.js), derives an X25519 key pair from it and sends only the
 * public key, with an assertion proving the holder did it just now. The PRF
 * secret and the private key never leave the browser.
 */
export async function openingKeyOptions(db: Db, clock: Clock, rp: RelyingParty, userId: string) {
  // Every passkey of the user is offered: some authenticators only reveal PRF support when asked to evaluate it.
  const own = await db.select({ id: passkeys.id }).from(passkeys).where(eq(passkeys.userId, userId));
  if (own.length === 0) throw new DomainError("errors.bid.noPrfPasskey", { status: 409 });
  const options = await generateAuthenticationOptions({ rpID: rp.rpID, userVerification: "required", allowCredentials: own.map((p) => ({ id: p.id })) });
  await storeChallenge(db, clock, options.challenge, "opening_key", userId);
  return { challenge: options.challenge, rpId: rp.rpID, credentialIds: own.map((p) => p.id) };
}

export async function enrollOpeningKey(
  db: Db,
  { clock, rp, actor, input }: { clock: Clock; rp: RelyingParty; actor: Actor & { userId: string }; input: { response: AuthenticationResponseJSON; publicKey: string } },
) {
  if (typeof input.publicKey !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(input.publicKey)) throw new DomainError("errors.invalidInput");
  const expectedChallenge = await consumeChallenge(db, clock, input.response?.response?.clientDataJSON ?? "", "opening_key", actor.userId);
  const passkey = await verifyAssertion(db, clock, rp, input.response, expectedChallenge);
  if (passkey.userId !== actor.userId) throw new DomainError("errors.passkeyFailed");
  return db.transaction(async (tx) => {
    await tx.update(passkeys).set({ openingPublicKey: input.publicKey, openingKeyAt: clock.now(), prfEnabled: true }).where(eq(passkeys.id, passkey.id));
    await appendAudit(tx, clock, actor, {
      action: "passkey.opening_key",
      objectType: "passkey",
      objectId: passkey.id,
      after: { name: passkey.name, openingPublicKey: input.publicKey },
    });
    return { id: passkey.id, name: passkey.name };
  });
}

/**
 * A single-use challenge for the signed-in user to approve one act (`purpose`) with one of their own
 * passkeys, user verification required. Refused when they have none (they prove a code instead).
 */
export async function approvalOptions(db: Db, { clock, rp, userId, purpose }: { clock: Clock; rp: RelyingParty; userId: string; purpose: ApprovalPurpose }) {
  const own = await db.select({ id: passkeys.id, transports: passkeys.transports }).from(passkeys).where(eq(passkeys.userId, userId));
  if (own.length === 0) throw new DomainError("errors.bid.proofNoPasskey", { status: 409 });
  const options = await generateAuthenticationOptions({
    rpID: rp.rpID,
    userVerification: "required",
    allowCredentials: own.map((p) => ({ id: p.id, transports: p.transports as AuthenticatorTransportFuture[] })),
  });
  await storeChallenge(db, clock, options.challenge, purpose, userId);
  return options;
}

/**
 * Check an approval: the challenge was issued to this user for this purpose (used up here, whatever
 * the outcome), the passkey is theirs and verified the user. Returns the passkey.
 */
export async function verifyApproval(
  db: Db,
  { clock, rp, userId, purpose, response }: { clock: Clock; rp: RelyingParty; userId: string; purpose: ApprovalPurpose; response: unknown },
) {
  if (!response || typeof response !== "object") throw new DomainError("errors.passkeyFailed");
  const r = response as AuthenticationResponseJSON;
  const expectedChallenge = await consumeChallenge(db, clock, typeof r.response?.clientDataJSON === "string" ? r.response.clientDataJSON : "", purpose, userId);
  const passkey = await verifyAssertion(db, clock, rp, r, expectedChallenge);
  if (passkey.userId !== userId) throw new DomainError("errors.passkeyFailed");
  return passkey;
}

export async function listPasskeys(db: Db, userId: string) {
  return db.select().from(passkeys).where(eq(passkeys.userId, userId)).orderBy(asc(passkeys.createdAt));
}

export async function removePasskey(db: Db, clock: Clock, actor: Actor & { userId: string }, passkeyId: string) {
  await db.transaction(async (tx) => {
    // Ownership is part of the where clause: another user's passkey simply is not found.
    const deleted = await tx
      .delete(passkeys)
      .where(and(eq(passkeys.id, passkeyId), eq(passkeys.userId, actor.userId)))
      .returning();
    if (deleted.length === 0) throw new DomainError("errors.notFound", { status: 404 });
    await appendAudit(tx, clock, actor, {
      action: "passkey.remove",
      objectType: "passkey",
      objectId: passkeyId,
      before: { name: deleted[0].name },
    });
  });
}

/** Expired challenges are useless; the scheduler sweeps them. */
export async function purgeExpiredChallenges(db: Db, clock: Clock): Promise<number> {
  const rows = await db.delete(webauthnChallenges).where(lte(webauthnChallenges.expiresAt, clock.now())).returning({ c: webauthnChallenges.challenge });
  return rows.length;
}
