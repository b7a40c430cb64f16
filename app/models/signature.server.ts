/**
 * Cloud e-signature (云签章, DOMAIN.md): a person signs a generated PDF by
 * approving its exact digest with their own passkey. The platform prepares
 * the PDF (signing/preparePdf), asks the browser for a WebAuthn assertion
 * whose challenge is the digest, verifies it like a login (origin, rpId,
 * counter, user verification), and only then signs with that signer's
 * certificate (issued by the platform CA, bound to the passkey), adding an
 * RFC 3161 timestamp from the platform TSA. The approval itself goes into the
 * signature as a signed attribute, so the PDF proves it offline.
 */
import { verifyAuthenticationResponse, type AuthenticationResponseJSON, type AuthenticatorTransport as AuthenticatorTransportFuture } from "@simplewebauthn/server";
import { randomInt } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { createPlatformCa, createTsa, issueSignerCertificate, type CertificateWithKey } from "../../signing/ca";
import { preparePdf, signPrepared, SigningError, verifyPdf, type ByteRange, type SignatureRect } from "../../signing/pades";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db } from "~/utils/db.server";
import { DomainError } from "./errors";
import { putBytes, readBytes, type FileStore } from "./file-store.server";
import type { RelyingParty } from "./passkey.server";

const { platformKeys, signerCertificates, signatureRequests, passkeys, users, files } = schema;

const REQUEST_TTL_MS = 10 * 60 * 1000;
const DAY = 24 * 3600 * 1000;

/** Certificates start a day back: validators compare against their own clock, which may lag the server's. */
const notBefore = (now: Date) => new Date(now.getTime() - DAY);

async function platformKey(db: Db, name: "ca" | "tsa", make: () => CertificateWithKey, clock: Clock) {
  const [found] = await db.select().from(platformKeys).where(eq(platformKeys.name, name));
  if (found) return { certPem: found.certPem, keyPem: found.keyPem };
  const made = make();
  // Two instances starting at once: the first row wins, everyone uses it.
  await db.insert(platformKeys).values({ name, certPem: made.certPem, keyPem: made.keyPem, createdAt: clock.now() }).onConflictDoNothing();
  const [row] = await db.select().from(platformKeys).where(eq(platformKeys.name, name));
  return { certPem: row.certPem, keyPem: row.keyPem };
}

/** The platform CA and TSA (created on first use). */
export async function platformAuthority(db: Db, clock: Clock) {
  const ca = await platformKey(db, "ca", () => createPlatformCa({ commonName: "村易招平台 CA", organization: "村易招", now: notBefore(clock.now()), years: 20 }), clock);
  const tsa = await platformKey(db, "tsa", () => createTsa(ca, { now: notBefore(clock.now()), years: 10, commonName: "村易招时间戳服务" }), clock);
  return { ca, tsa };
}

async function signerCertificate(db: Db, clock: Clock, rp: RelyingParty, ca: CertificateWithKey, passkey: typeof passkeys.$inferSelect, name: string) {
  const [found] = await db.select().from(signerCertificates).where(eq(signerCertificates.credentialId, passkey.id));
  if (found) return found;
  const made = issueSignerCertificate(ca, { name, userId: passkey.userId, credentialId: passkey.id, credentialPublicKeyCose: new Uint8Array(passkey.publicKey), rpId: rp.rpID, now: notBefore(clock.now()), days: 3 * 365 });
  await db.insert(signerCertificates).values({ credentialId: passkey.id, userId: passkey.userId, certPem: made.certPem, keyPem: made.keyPem, createdAt: clock.now() }).onConflictDoNothing();
  const [row] = await db.select().from(signerCertificates).where(eq(signerCertificates.credentialId, passkey.id));
  return row;
}

/**
 * Prepare `pdf` for the user's signature. Returns the WebAuthn request
 * options: the challenge is the document digest; only the user's own passkeys
 * are allowed.
 */
export async function requestSignature(
  db: Db,
  clock: Clock,
  store: FileStore,
  rp: RelyingParty,
  userId: string,
  doc: { pdf: Uint8Array; purpose: string; objectId: string; fieldName: string; reason: string; location: string; rect?: SignatureRect; page?: number },
) {
  const mine = await db.select().from(passkeys).where(eq(passkeys.userId, userId));
  if (mine.length === 0) throw new DomainError("errors.signature.noPasskey", { status: 409 });
  const [user] = await db.select({ name: users.name }).from(users).where(eq(users.id, userId));
  const now = clock.now();
  const prepared = await preparePdf(doc.pdf, { fieldName: doc.fieldName, signerName: user.name, reason: doc.reason, location: doc.location, signingTime: now, rect: doc.rect, page: doc.page, contentsBytes: 16 * 1024 });
  const stored = await putBytes(store, prepared.prepared);
  const digest = Buffer.from(prepared.digest).toString("base64url");
  const [req] = await db
    .insert(signatureRequests)
    .values({ userId, purpose: doc.purpose, objectId: doc.objectId, preparedSha256: stored.sha256, byteRange: prepared.byteRange, digest, createdAt: now, expiresAt: new Date(now.getTime() + REQUEST_TTL_MS) })
    .returning();
  return {
    requestId: req.id,
    options: {
      challenge: digest,
      rpId: rp.rpID,
      timeout: 120_000,
      userVerification: "required" as const,
      allowCredentials: mine.map((p) => ({ id: p.id, type: "public-key" as const, transports: p.transports as AuthenticatorTransportFuture[] })),
    },
  };
}

/**
 * Check the passkey's approval of the digest and sign. Returns the signed
 * PDF (stored) and the request it answered; the caller records it in its own
 * transaction. A request is used once and expires after ten minutes.
 */
export async function completeSignature(db: Db, clock: Clock, store: FileStore, rp: RelyingParty, userId: string, requestId: unknown, response: AuthenticationResponseJSON) {
  if (typeof requestId !== "string" || !/^[0-9a-f-]{36}$/.test(requestId)) throw new DomainError("errors.signature.expired", { status: 409 });
  const now = clock.now();
  const [req] = await db
    .update(signatureRequests)
    .set({ usedAt: now })
    .where(and(eq(signatureRequests.id, requestId), eq(signatureRequests.userId, userId), isNull(signatureRequests.usedAt)))
    .returning();
  if (!req || req.expiresAt <= now) throw new DomainError("errors.signature.expired", { status: 409 });
  const [passkey] = await db.select().from(passkeys).where(and(eq(passkeys.id, String(response?.id ?? "")), eq(passkeys.userId, userId)));
  if (!passkey) throw new DomainError("errors.passkeyUnknown", { status: 400 });
  let verified;
  try {
    verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: req.digest,
      expectedOrigin: rp.origins,
      expectedRPID: rp.rpID,
      credential: { id: passkey.id, publicKey: new Uint8Array(passkey.publicKey), counter: passkey.counter, transports: passkey.transports as AuthenticatorTransportFuture[] },
      requireUserVerification: true,
    });
  } catch {
    throw new DomainError("errors.passkeyFailed", { status: 400 });
  }
  if (!verified.verified) throw new DomainError("errors.passkeyFailed", { status: 400 });
  await db.update(passkeys).set({ counter: verified.authenticationInfo.newCounter, lastUsedAt: now }).where(eq(passkeys.id, passkey.id));
  const { ca, tsa } = await platformAuthority(db, clock);
  const [user] = await db.select({ name: users.name }).from(users).where(eq(users.id, userId));
  const signer = await signerCertificate(db, clock, rp, ca, passkey, user.name);
  const prepared = new Uint8Array(await readBytes(store, req.preparedSha256));
  let signed: Uint8Array;
  try {
    signed = signPrepared(prepared, req.byteRange as ByteRange, {
      signerCertPem: signer.certPem,
      signerKeyPem: signer.keyPem,
      caCertPem: ca.certPem,
      passkeyApproval: { credentialId: passkey.id, authenticatorData: response.response.authenticatorData, clientDataJSON: response.response.clientDataJSON, signature: response.response.signature },
      tsa: { certPem: tsa.certPem, keyPem: tsa.keyPem, serial: BigInt(now.getTime()) * 1000n + BigInt(randomInt(1000)), genTime: now },
    });
  } catch (e) {
    if (e instanceof SigningError) throw new DomainError("errors.passkeyFailed", { status: 400 });
    throw e;
  }
  const stored = await putBytes(store, signed);
  await db.insert(files).values({ sha256: stored.sha256, size: stored.size, mime: "application/pdf", createdAt: now }).onConflictDoNothing();
  return { request: req, signed: stored };
}

export const VERIFY_MAX_BYTES = 30 * 1024 * 1024;

/**
 * Check a PDF someone uploads on the public verify page: every signature,
 * the chain to the platform CA, the timestamp and the embedded passkey
 * approval; and whether the file was changed after its last signature.
 */
export async function verifySignedPdf(db: Db, clock: Clock, bytes: Uint8Array) {
  if (bytes.length === 0) throw new DomainError("errors.verify.noFile", { field: "file" });
  if (bytes.length > VERIFY_MAX_BYTES) throw new DomainError("errors.upload.tooLarge", { field: "file", status: 413 });
  if (Buffer.from(bytes.subarray(0, 5)).toString("latin1") !== "%PDF-") throw new DomainError("errors.upload.notPdf", { field: "file" });
  const { ca } = await platformAuthority(db, clock);
  let reports;
  try {
    reports = await verifyPdf(bytes, { caCertPem: ca.certPem });
  } catch {
    throw new DomainError("errors.verify.unreadable", { field: "file" });
  }
  return reports.map((r, i) => ({
    signer: r.signerName,
    signedAt: r.timestamp?.genTime ?? r.signingTime,
    timestamped: Boolean(r.timestamp?.ok),
    intact: r.digestOk && r.signatureOk,
    trusted: r.chainOk,
    passkey: Boolean(r.approval?.challengeMatchesDigest && r.approval.passkeySignatureOk),
    // Only the last signature covers the whole file; a change after it shows as "changed since".
    unchangedSince: i === reports.length - 1 ? r.byteRangeCoversWholeFileExceptContents : true,
    problems: r.problems,
  }));
}
