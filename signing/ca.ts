// The platform's certificate authority and the certificates it issues.
//
// Each signer gets a short-lived RSA certificate whose private key the platform
// holds; what makes the signature the signer's own is their passkey, which
// must approve every signature (see pades.ts). So the signer certificate
// carries the passkey's credential id and COSE public key in a private
// extension: a third party holding only the PDF and the platform CA
// certificate can re-verify each approval offline.
//
// PasskeyBinding ::= SEQUENCE {            -- extnID 2.25.…463.1.1, non-critical
//   version        INTEGER (1),
//   credentialId   OCTET STRING,            -- raw credential id (base64url-decoded)
//   cosePublicKey  OCTET STRING,            -- COSE_Key, as stored by @simplewebauthn
//   rpId           UTF8String OPTIONAL }    -- relying party id the passkey belongs to
//
// Keys are RSA-2048 from node:crypto (forge's pure-JS key generation and
// signing are several times slower). Nothing here reads the clock: callers
// pass `now`.
import { createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { boolean, integer, namedBits, octetString, oid, parseDer, readInteger, readOid, readString, sequence, TAG, tlv, utf8String } from "./der";
import { KEY_USAGE, OID } from "./oids";
import { fromBase64Url, toBase64Url } from "./webauthn";
import { buildCertificate, buildName, derToPem, extension, keyIdentifier, parseCertificate, spkiOf, type NameEntry, type ParsedCertificate } from "./x509";

/** A certificate and its private key, both PEM (PKCS#8 for the key). */
export interface CertificateWithKey {
  certPem: string;
  keyPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function rsaKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync("rsa", { modulusLength: 2048 });
}

/** 127 random bits, positive and without a leading zero byte (RFC 5280 §4.1.2.2: at most 20 octets). */
function randomSerial(): Uint8Array {
  const serial = new Uint8Array(randomBytes(16));
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  return serial;
}

function addYears(date: Date, years: number): Date {
  const out = new Date(date.getTime());
  out.setUTCFullYear(out.getUTCFullYear() + years);
  return out;
}

function checkDate(now: Date): void {
  if (Number.isNaN(now.getTime())) throw new Error("now is not a valid date");
}

interface Issuer {
  cert: ParsedCertificate;
  key: KeyObject;
}

function loadIssuer(ca: CertificateWithKey): Issuer {
  return { cert: parseCertificate(ca.certPem), key: createPrivateKey(ca.keyPem) };
}

function basicConstraints(isCa: boolean): Uint8Array {
  // pathLenConstraint 0: the platform CA issues end-entity certificates only.
  return extension(OID.basicConstraints, true, isCa ? sequence(boolean(true), integer(0)) : sequence());
}

function keyUsage(bits: number[]): Uint8Array {
  return extension(OID.keyUsage, true, namedBits(bits));
}

function extKeyUsage(critical: boolean, purposes: string[]): Uint8Array {
  return extension(OID.extKeyUsage, critical, sequence(...purposes.map(oid)));
}

function keyIdentifiers(spki: Uint8Array, issuer: ParsedCertificate): Uint8Array[] {
  const authorityKeyId = keyIdentifier(issuer.spki);
  return [extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(spki))), extension(OID.authorityKeyIdentifier, false, sequence(tlv(0x80, authorityKeyId)))];
}

/**
 * CRLDistributionPoints with one URI (RFC 5280 §4.2.1.13): where online
 * validators fetch the CA's CRL. Only end-entity certificates get it: a trust
 * anchor is never checked against a CRL (RFC 5280 §6.1), so the CA has none.
 */
function crlDistributionPoint(url: string): Uint8Array {
  if (!/^https?:\/\/[\x21-\x7e]+$/.test(url)) throw new Error("crlUrl must be an http(s) URL in ASCII");
  // DistributionPoint { distributionPoint [0] { fullName [0] { uniformResourceIdentifier [6] IA5String } } }
  return extension(OID.cRLDistributionPoints, false, sequence(sequence(tlv(0xa0, tlv(0xa0, tlv(0x86, new TextEncoder().encode(url)))))));
}

/** The organization named in the CA's subject, for the certificates it issues. */
function organizationOf(cert: ParsedCertificate): string | null {
  for (const rdn of parseDer(cert.subjectRaw).children()) {
    for (const attribute of rdn.children()) {
      if (readOid(attribute.child(0)) === OID.organizationName) return readString(attribute.child(1));
    }
  }
  return null;
}

// ---------------------------------------------------------------------------

export interface PlatformCaOptions {
  commonName: string;
  organization: string;
  now: Date;
  years: number;
}

/** A self-signed root for the platform: CA:true (path length 0), keyCertSign and cRLSign. */
export function createPlatformCa(options: PlatformCaOptions): CertificateWithKey {
  checkDate(options.now);
  const { privateKey, publicKey } = rsaKeyPair();
  const spki = spkiOf(publicKey);
  const name = buildName([
    { oid: OID.countryName, value: "CN", printable: true },
    { oid: OID.organizationName, value: options.organization },
    { oid: OID.commonName, value: options.commonName },
  ]);
  const der = buildCertificate({
    serial: randomSerial(),
    issuer: name,
    subject: name,
    notBefore: options.now,
    notAfter: addYears(options.now, options.years),
    spki,
    extensions: [basicConstraints(true), keyUsage([KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign]), extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(spki)))],
    issuerKey: privateKey,
  });
  return { certPem: derToPem(der), keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}

export interface SignerCertificateOptions {
  /** The signer's name as it should appear in validators (subject CN, UTF8String). */
  name: string;
  /** Platform user id; goes into the subject's serialNumber attribute to tell namesakes apart. */
  userId: string;
  /** The passkey's credential id, base64url (as @simplewebauthn reports it). */
  credentialId: string;
  /** The passkey's COSE public key, as stored by @simplewebauthn (`credential.publicKey`). */
  credentialPublicKeyCose: Uint8Array;
  /** Relying party id the passkey is registered for; lets verifiers check authenticatorData's rpIdHash. */
  rpId?: string;
  /** Where the platform publishes the CA's CRL, for online validators (optional: our PDFs carry the CRL in their DSS). */
  crlUrl?: string;
  now: Date;
  days: number;
}

export function encodePasskeyBinding(binding: PasskeyBinding): Uint8Array {
  return sequence(integer(1), octetString(fromBase64Url(binding.credentialId)), octetString(binding.cosePublicKey), ...(binding.rpId ? [utf8String(binding.rpId)] : []));
}

/**
 * An end-entity certificate for one signer and one passkey: digitalSignature +
 * nonRepudiation, EKU emailProtection (what NSS, and so pdfsig, checks for a
 * document signer) and documentSigning (RFC 9336), and the PasskeyBinding extension.
 */
export function issueSignerCertificate(ca: CertificateWithKey, options: SignerCertificateOptions): CertificateWithKey {
  if (!options.name.trim()) throw new Error("signer name is empty");
  return issueDocumentSigner(ca, { ...options, serialNumber: options.userId }, [
    extension(OID.passkeyBinding, false, encodePasskeyBinding({ credentialId: options.credentialId, cosePublicKey: options.credentialPublicKeyCose, rpId: options.rpId ?? null })),
  ]);
}

/**
 * The end-entity certificate both kinds of document signer get: digitalSignature +
 * nonRepudiation, EKU emailProtection (what NSS, and so pdfsig, checks for a
 * document signer) and documentSigning (RFC 9336), the platform's organisation
 * and the name in the subject, the platform id as its serialNumber attribute.
 */
function issueDocumentSigner(
  ca: CertificateWithKey,
  options: { name: string; serialNumber: string; crlUrl?: string; now: Date; days: number },
  extra: Uint8Array[],
): CertificateWithKey {
  checkDate(options.now);
  if (!options.name.trim()) throw new Error("name is empty");
  if (!(options.days > 0)) throw new Error("days must be positive");
  const issuer = loadIssuer(ca);
  const { privateKey, publicKey } = rsaKeyPair();
  const spki = spkiOf(publicKey);
  const organization = organizationOf(issuer.cert);
  const subject: NameEntry[] = [
    ...(organization ? [{ oid: OID.organizationName, value: organization }] : []),
    { oid: OID.commonName, value: options.name },
    { oid: "2.5.4.5", value: options.serialNumber, printable: true },
  ];
  const der = buildCertificate({
    serial: randomSerial(),
    issuer: issuer.cert.subjectRaw,
    subject: buildName(subject),
    notBefore: options.now,
    notAfter: new Date(options.now.getTime() + options.days * DAY_MS),
    spki,
    extensions: [
      basicConstraints(false),
      keyUsage([KEY_USAGE.digitalSignature, KEY_USAGE.nonRepudiation]),
      extKeyUsage(false, [OID.kpEmailProtection, OID.kpDocumentSigning]),
      ...keyIdentifiers(spki, issuer.cert),
      ...extra,
      ...(options.crlUrl ? [crlDistributionPoint(options.crlUrl)] : []),
    ],
    issuerKey: issuer.key,
  });
  return { certPem: derToPem(der), keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}

export interface TsaOptions {
  now: Date;
  /** Default 10. */
  years?: number;
  /** Default "村易招时间戳服务". */
  commonName?: string;
  /** As for signer certificates. */
  crlUrl?: string;
}

/**
 * The platform's timestamp authority certificate. The extended key usage is
 * timeStamping only and critical: RFC 3161 §2.3 requires it, and
 * `openssl ts -verify` refuses a TSA certificate without it.
 */
export function createTsa(ca: CertificateWithKey, options: TsaOptions): CertificateWithKey {
  checkDate(options.now);
  const issuer = loadIssuer(ca);
  const { privateKey, publicKey } = rsaKeyPair();
  const spki = spkiOf(publicKey);
  const organization = organizationOf(issuer.cert);
  const der = buildCertificate({
    serial: randomSerial(),
    issuer: issuer.cert.subjectRaw,
    subject: buildName([...(organization ? [{ oid: OID.organizationName, value: organization }] : []), { oid: OID.commonName, value: options.commonName ?? "村易招时间戳服务" }]),
    notBefore: options.now,
    notAfter: addYears(options.now, options.years ?? 10),
    spki,
    extensions: [
      basicConstraints(false),
      keyUsage([KEY_USAGE.digitalSignature, KEY_USAGE.nonRepudiation]),
      extKeyUsage(true, [OID.kpTimeStamping]),
      ...keyIdentifiers(spki, issuer.cert),
      ...(options.crlUrl ? [crlDistributionPoint(options.crlUrl)] : []),
    ],
    issuerKey: issuer.key,
  });
  return { certPem: derToPem(der), keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}

// ---------------------------------------------------------------------------

export interface PasskeyBinding {
  /** base64url */
  credentialId: string;
  cosePublicKey: Uint8Array;
  rpId: string | null;
}

/** The passkey a signer certificate is bound to, or null if it carries no (readable) binding. */
export function readPasskeyBinding(cert: ParsedCertificate | string): PasskeyBinding | null {
  const parsed = typeof cert === "string" ? parseCertificate(cert) : cert;
  const ext = parsed.extensions.get(OID.passkeyBinding);
  if (!ext) return null;
  try {
    const [version, credentialId, cosePublicKey, rpId] = parseDer(ext.value).children();
    if (!version || readInteger(version) !== 1n || credentialId?.tag !== TAG.OCTET_STRING || cosePublicKey?.tag !== TAG.OCTET_STRING) return null;
    return {
      credentialId: toBase64Url(credentialId.content),
      cosePublicKey: new Uint8Array(cosePublicKey.content),
      rpId: rpId?.tag === TAG.UTF8_STRING ? readString(rpId) : null,
    };
  } catch {
    return null;
  }
}

export interface OrganisationCertificateOptions {
  /** The organisation's name as validators show it (subject CN), e.g. "村易招平台". */
  name: string;
  /** Platform org id (subject serialNumber). */
  orgId: string;
  crlUrl?: string;
  now: Date;
  days: number;
}

/**
 * An organisation's seal certificate (电子印章): like a signer's, but bound to
 * no passkey — the platform applies it itself, e.g. to the archive. Verifiers
 * tell the two apart by the missing PasskeyBinding extension.
 */
export function issueOrganisationCertificate(ca: CertificateWithKey, options: OrganisationCertificateOptions): CertificateWithKey {
  if (!options.name.trim()) throw new Error("organisation name is empty");
  return issueDocumentSigner(ca, { ...options, serialNumber: options.orgId }, []);
}
