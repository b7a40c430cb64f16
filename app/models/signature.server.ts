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
import { fontBytes } from "~/pdf/fonts.server";
import { createPrivateKey, randomInt } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { createPlatformCa, createTsa, issueOrganisationCertificate, issueSignerCertificate, type CertificateWithKey } from "../../signing/ca";
import { createCrl } from "../../signing/crl";
import { makeLongTerm } from "../../signing/ltv";
import { lastSignatureUnchanged, preparePdf, signPrepared, signPreparedAsOrganisation, SigningError, verifyPdf, type ByteRange, type SignatureRect } from "../../signing/pades";
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

// ── Keys at rest ────────────────────────────────────────────────────────
// Private keys are stored as encrypted PKCS#8 (PBES2: PBKDF2 + AES-256-CBC, as
// node:crypto writes it) under the installation's passphrase, set once at
// start-up (utils/key-passphrase.server.ts). Keys stored before encryption
// existed are read as they are.

let keyPassphrase: string | null = null;

export function protectPlatformKeys(passphrase: string) {
  if (passphrase.length < 16) throw new Error("platform key passphrase too short");
  keyPassphrase = passphrase;
}

function sealKey(pem: string): string {
  if (!keyPassphrase) return pem;
  return createPrivateKey(pem).export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: keyPassphrase }).toString();
}

function openKey(pem: string): string {
  if (!pem.includes("ENCRYPTED PRIVATE KEY")) return pem;
  if (!keyPassphrase) throw new Error("platform keys are encrypted but no passphrase is configured");
  return createPrivateKey({ key: pem, format: "pem", passphrase: keyPassphrase }).export({ type: "pkcs8", format: "pem" }).toString();
}

async function platformKey(db: Db, name: "ca" | "tsa" | "seal", make: () => CertificateWithKey, clock: Clock) {
  const [found] = await db.select().from(platformKeys).where(eq(platformKeys.name, name));
  if (found) return { certPem: found.certPem, keyPem: openKey(found.keyPem) };
  const made = make();
  // Two instances starting at once: the first row wins, everyone uses it.
  await db
    .insert(platformKeys)
    .values({ name, certPem: made.certPem, keyPem: sealKey(made.keyPem), createdAt: clock.now() })
    .onConflictDoNothing();
  const [row] = await db.select().from(platformKeys).where(eq(platformKeys.name, name));
  return { certPem: row.certPem, keyPem: openKey(row.keyPem) };
}

/** The platform's own seal (电子印章) certificate: bound to no passkey, used only by the platform (the archive). */
async function platformSealKey(db: Db, clock: Clock) {
  const { ca } = await platformAuthority(db, clock);
  return platformKey(db, "seal", () => issueOrganisationCertificate(ca, { name: PLATFORM_NAME, orgId: "platform", now: notBefore(clock.now()), days: 10 * 365 }), clock);
}

export const PLATFORM_NAME = "村易招平台";

/**
 * The platform seals a document it assembled itself (the project archive):
 * a visible red seal, a PAdES signature by the platform's organisation
 * certificate with a timestamp, then the long-term form (B-LTA).
 */
export async function sealAsPlatform(
  db: Db,
  {
    clock,
    store,
    pdf,
    doc,
  }: { clock: Clock; store: FileStore; pdf: Uint8Array; doc: { fieldName: string; reason: string; rect?: SignatureRect; page?: number; bottomText: string } },
) {
  const seal = await platformSealKey(db, clock);
  const authority = localAuthority(db, clock);
  const prepared = await preparePdf(pdf, {
    fieldName: doc.fieldName,
    signerName: PLATFORM_NAME,
    reason: doc.reason,
    location: "村易招",
    signingTime: clock.now(),
    rect: doc.rect,
    page: doc.page,
    contentsBytes: 16 * 1024,
    appearance: { kind: "seal", organization: PLATFORM_NAME, bottomText: doc.bottomText },
    font: fontBytes("serif"),
  });
  const signed = signPreparedAsOrganisation(prepared.prepared, prepared.byteRange, {
    signerCertPem: seal.certPem,
    signerKeyPem: seal.keyPem,
    caCertPem: await authority.caCertPem(),
    tsa: await authority.tsa(),
  });
  const final = await makeLongTerm(signed, { caCertPem: await authority.caCertPem(), crlDer: await authority.crl(), tsa: await authority.tsa() });
  const stored = await putBytes(store, final);
  await db.insert(files).values({ sha256: stored.sha256, size: stored.size, mime: "application/pdf", createdAt: clock.now() }).onConflictDoNothing();
  return stored;
}

/** The platform CA and TSA (created on first use). */
export async function platformAuthority(db: Db, clock: Clock) {
  const ca = await platformKey(db, "ca", () => createPlatformCa({ commonName: "村易招平台 CA", organization: "村易招", now: notBefore(clock.now()), years: 20 }), clock);
  const tsa = await platformKey(db, "tsa", () => createTsa(ca, { now: notBefore(clock.now()), years: 10, commonName: "村易招时间戳服务" }), clock);
  return { ca, tsa };
}

async function signerCertificate(db: Db, clock: Clock, rpId: string, ca: CertificateWithKey, passkey: typeof passkeys.$inferSelect, name: string) {
  const [found] = await db.select().from(signerCertificates).where(eq(signerCertificates.credentialId, passkey.id));
  if (found) return { ...found, keyPem: openKey(found.keyPem) };
  const made = issueSignerCertificate(ca, {
    name,
    userId: passkey.userId,
    credentialId: passkey.id,
    credentialPublicKeyCose: new Uint8Array(passkey.publicKey),
    rpId,
    now: notBefore(clock.now()),
    days: 3 * 365,
  });
  await db
    .insert(signerCertificates)
    .values({ credentialId: passkey.id, userId: passkey.userId, certPem: made.certPem, keyPem: sealKey(made.keyPem), createdAt: clock.now() })
    .onConflictDoNothing();
  const [row] = await db.select().from(signerCertificates).where(eq(signerCertificates.credentialId, passkey.id));
  return { ...row, keyPem: openKey(row.keyPem) };
}

/**
 * Prepare `pdf` for the user's signature. Returns the WebAuthn request
 * options: the challenge is the document digest; only the user's own passkeys
 * are allowed.
 */
export async function requestSignature(
  db: Db,
  {
    clock,
    store,
    rp,
    userId,
    doc,
  }: {
    clock: Clock;
    store: FileStore;
    rp: RelyingParty;
    userId: string;
    doc: {
      pdf: Uint8Array;
      purpose: string;
      objectId: string;
      fieldName: string;
      reason: string;
      location: string;
      rect?: SignatureRect;
      page?: number;
      /** An organisation's signature: drawn as its red seal (电子印章) instead of the signer's box. */
      seal?: { organization: string; bottomText?: string };
    };
  },
) {
  const mine = await db.select().from(passkeys).where(eq(passkeys.userId, userId));
  if (mine.length === 0) throw new DomainError("errors.signature.noPasskey", { status: 409 });
  const [user] = await db.select({ name: users.name }).from(users).where(eq(users.id, userId));
  const now = clock.now();
  const prepared = await preparePdf(doc.pdf, {
    fieldName: doc.fieldName,
    signerName: user.name,
    reason: doc.reason,
    location: doc.location,
    signingTime: now,
    rect: doc.rect,
    page: doc.page,
    contentsBytes: 16 * 1024,
    appearance: doc.seal ? { kind: "seal", organization: doc.seal.organization, bottomText: doc.seal.bottomText } : undefined,
    font: fontBytes("serif"),
  });
  const stored = await putBytes(store, prepared.prepared);
  const digest = Buffer.from(prepared.digest).toString("base64url");
  const [req] = await db
    .insert(signatureRequests)
    .values({
      userId,
      purpose: doc.purpose,
      objectId: doc.objectId,
      preparedSha256: stored.sha256,
      byteRange: prepared.byteRange,
      digest,
      createdAt: now,
      expiresAt: new Date(now.getTime() + REQUEST_TTL_MS),
    })
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
/** What every "the signer's passkey approved the digest" step receives: the request it answers and the authenticator's response. */
export interface PasskeyApproval {
  clock: Clock;
  store: FileStore;
  rp: RelyingParty;
  requestId: unknown;
  response: AuthenticationResponseJSON;
}

export async function completeSignature(
  db: Db,
  { clock, store, rp, userId, requestId, response, authority = localAuthority(db, clock) }: PasskeyApproval & { userId: string; authority?: SigningAuthority },
) {
  if (typeof requestId !== "string" || !/^[0-9a-f-]{36}$/.test(requestId)) throw new DomainError("errors.signature.expired", { status: 409 });
  const now = clock.now();
  const [req] = await db
    .update(signatureRequests)
    .set({ usedAt: now })
    .where(and(eq(signatureRequests.id, requestId), eq(signatureRequests.userId, userId), isNull(signatureRequests.usedAt)))
    .returning();
  if (!req || req.expiresAt <= now) throw new DomainError("errors.signature.expired", { status: 409 });
  const [passkey] = await db
    .select()
    .from(passkeys)
    .where(and(eq(passkeys.id, String(response?.id ?? "")), eq(passkeys.userId, userId)));
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
  const [user] = await db.select({ name: users.name }).from(users).where(eq(users.id, userId));
  const signer = await authority.signerFor(passkey, user.name, rp.rpID);
  const prepared = new Uint8Array(await readBytes(store, req.preparedSha256));
  let signed: Uint8Array;
  try {
    signed = signPrepared(prepared, req.byteRange as ByteRange, {
      signerCertPem: signer.certPem,
      signerKeyPem: signer.keyPem,
      caCertPem: await authority.caCertPem(),
      passkeyApproval: {
        credentialId: passkey.id,
        authenticatorData: response.response.authenticatorData,
        clientDataJSON: response.response.clientDataJSON,
        signature: response.response.signature,
      },
      tsa: await authority.tsa(),
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
  const unchanged = lastSignatureUnchanged(reports);
  const signatures = reports.filter((r) => r.kind === "signature");
  const stamps = reports.filter((r) => r.kind === "documentTimestamp");
  return {
    signatures: signatures.map((r, i) => ({
      signer: r.signerName,
      signedAt: r.timestamp?.genTime ?? r.signingTime,
      timestamped: Boolean(r.timestamp?.ok),
      intact: r.digestOk && r.signatureOk,
      trusted: r.chainOk,
      revoked: r.revoked,
      passkey: Boolean(r.approval?.challengeMatchesDigest && r.approval.passkeySignatureOk),
      /** An organisation's seal applied by the platform (no person, so no passkey). */
      organisation: r.organisation,
      // Only what follows the last signature can change the signed content unseen; validation data and document timestamps cannot.
      unchangedSince: i === signatures.length - 1 ? unchanged === true : true,
      problems: r.problems,
    })),
    /** PAdES-B-LTA: document timestamps over everything, with the certificates and CRLs needed to check it years later. */
    longTerm: stamps.map((r) => ({ at: r.timestamp?.genTime ?? null, ok: Boolean(r.timestamp?.ok) && r.digestOk, crl: r.ltv.crl, problems: r.problems })),
  };
}

/**
 * The certificate authority behind every signature: the platform's own CA and
 * TSA by default. A county that buys a licensed CA or a cloud-signing service
 * plugs it in here (issue a signer certificate bound to a passkey, timestamp,
 * publish revocation); callers never touch the keys.
 */
export interface SigningAuthority {
  caCertPem(): Promise<string>;
  /** The signer's certificate (and the key the platform holds for it), bound to this passkey credential. */
  signerFor(passkey: typeof passkeys.$inferSelect, name: string, rpId: string): Promise<{ certPem: string; keyPem: string }>;
  /** The current certificate revocation list (DER). */
  crl(): Promise<Uint8Array>;
  tsa(): Promise<{ certPem: string; keyPem: string; serial: bigint; genTime: Date }>;
}

export function localAuthority(db: Db, clock: Clock): SigningAuthority {
  return {
    caCertPem: async () => (await platformAuthority(db, clock)).ca.certPem,
    signerFor: async (passkey, name, rpId) => signerCertificate(db, clock, rpId, (await platformAuthority(db, clock)).ca, passkey, name),
    async crl() {
      const { ca } = await platformAuthority(db, clock);
      const now = clock.now();
      // Nothing is revoked yet (no revocation workflow): an empty, signed list still proves that to a validator years later.
      return createCrl(ca, { thisUpdate: now, nextUpdate: new Date(now.getTime() + 7 * DAY), crlNumber: BigInt(now.getTime()), revoked: [] });
    },
    async tsa() {
      const { tsa } = await platformAuthority(db, clock);
      const now = clock.now();
      return { certPem: tsa.certPem, keyPem: tsa.keyPem, serial: BigInt(now.getTime()) * 1000n + BigInt(randomInt(1000)), genTime: now };
    },
  };
}

/**
 * A finished document's long-term form (PAdES-B-LTA): the chain and the CA's
 * CRL in the document's DSS, then a document timestamp over everything — so
 * its signatures still verify after the certificates expire, within the
 * 15-year retention. Returns the stored result.
 */
export async function longTermForm(
  db: Db,
  { clock, store, sha256, authority = localAuthority(db, clock) }: { clock: Clock; store: FileStore; sha256: string; authority?: SigningAuthority },
) {
  const bytes = new Uint8Array(await readBytes(store, sha256));
  const out = await makeLongTerm(bytes, { caCertPem: await authority.caCertPem(), crlDer: await authority.crl(), tsa: await authority.tsa() });
  const stored = await putBytes(store, out);
  await db.insert(files).values({ sha256: stored.sha256, size: stored.size, mime: "application/pdf", createdAt: clock.now() }).onConflictDoNothing();
  return stored;
}
