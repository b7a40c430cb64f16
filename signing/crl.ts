// Certificate revocation lists (RFC 5280 §5) from the platform CA.
//
// A CRL rather than OCSP: one file signed by the CA, checkable offline with
// the CA certificate alone, that fits in a PDF's DSS (ltv.ts) so a verifier
// years from now needs no responder. The platform publishes a new one when it
// revokes a signer (lost passkey, left the committee) and before archiving a
// document; the caller passes the times and the CRL number (no clock here).
//
// CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue BIT STRING }
// TBSCertList ::= SEQUENCE {
//   version INTEGER (1),                     -- v2, needed for extensions
//   signature AlgorithmIdentifier,           -- sha256WithRSAEncryption
//   issuer Name,                             -- the CA's subject, byte for byte
//   thisUpdate Time, nextUpdate Time,
//   revokedCertificates SEQUENCE OF SEQUENCE { userCertificate INTEGER, revocationDate Time,
//                                              crlEntryExtensions (reasonCode) OPTIONAL } OPTIONAL,
//   crlExtensions [0] EXPLICIT Extensions }  -- authorityKeyIdentifier, cRLNumber
import { createPrivateKey, sign, verify } from "node:crypto";
import {
  bitString,
  certificateTime,
  explicit,
  integer,
  nullValue,
  oid,
  parseDer,
  readBitStringBytes,
  readInteger,
  readOid,
  readTime,
  sequence,
  TAG,
  tlv,
  type DerNode,
} from "./der";
import type { CertificateWithKey } from "./ca";
import { OID } from "./oids";
import { extension, keyIdentifier, parseCertificate, publicKeyOf, type ParsedCertificate } from "./x509";

/** CRLReason codes (RFC 5280 §5.3.1) that apply to our certificates; "unspecified" is written as no reason at all. */
export const CRL_REASONS = {
  keyCompromise: 1,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  privilegeWithdrawn: 9,
} as const;
export type CrlReason = keyof typeof CRL_REASONS;

export interface RevokedCertificate {
  /** The certificate's serial number: a bigint, or its unsigned big-endian bytes (ParsedCertificate.serial). */
  serial: bigint | Uint8Array;
  revokedAt: Date;
  reason?: CrlReason;
}

export interface CrlOptions {
  thisUpdate: Date;
  /** When the next CRL will be out; verifiers treat this one as stale after it. */
  nextUpdate: Date;
  /** Monotonically increasing per CA (RFC 5280 §5.2.3), e.g. a database sequence. */
  crlNumber: bigint;
  revoked: RevokedCertificate[];
}

const serialValue = (serial: bigint | Uint8Array): bigint => (typeof serial === "bigint" ? serial : serial.reduce((value, byte) => (value << 8n) | BigInt(byte), 0n));

const checkDate = (date: Date, what: string) => {
  if (Number.isNaN(date.getTime())) throw new Error(`${what} is not a valid date`);
};

/** A DER X.509 v2 CRL signed by the CA (sha256WithRSAEncryption) with authorityKeyIdentifier and cRLNumber. */
export function createCrl(ca: CertificateWithKey, options: CrlOptions): Uint8Array {
  checkDate(options.thisUpdate, "thisUpdate");
  checkDate(options.nextUpdate, "nextUpdate");
  // Times are written in whole seconds; compare them that way.
  if (Math.floor(options.nextUpdate.getTime() / 1000) <= Math.floor(options.thisUpdate.getTime() / 1000)) throw new Error("nextUpdate must be after thisUpdate");
  if (options.crlNumber < 0n || options.crlNumber >= 1n << 159n) throw new Error("crlNumber must be a non-negative integer of at most 20 octets");
  const cert = parseCertificate(ca.certPem);
  const key = createPrivateKey(ca.keyPem);

  const seen = new Set<bigint>();
  const entries = options.revoked.map((entry) => {
    checkDate(entry.revokedAt, "revokedAt");
    if (entry.revokedAt.getTime() > options.thisUpdate.getTime()) throw new Error("a revocation cannot be later than the CRL's thisUpdate");
    const serial = serialValue(entry.serial);
    if (serial <= 0n) throw new Error("serial numbers are positive");
    if (seen.has(serial)) throw new Error(`serial ${serial.toString(16)} listed twice`);
    seen.add(serial);
    const reason = entry.reason ? [sequence(extension(OID.cRLReason, false, tlv(0x0a, Uint8Array.of(CRL_REASONS[entry.reason]))))] : [];
    return sequence(integer(serial), certificateTime(entry.revokedAt), ...reason);
  });

  // The AKI repeats the CA's own subjectKeyIdentifier so validators pick the right CA key.
  const ski = cert.extensions.get(OID.subjectKeyIdentifier);
  const keyId = ski ? parseDer(ski.value).content : keyIdentifier(cert.spki);
  const algorithm = sequence(oid(OID.sha256WithRSAEncryption), nullValue());
  const tbs = sequence(
    integer(1),
    algorithm,
    cert.subjectRaw,
    certificateTime(options.thisUpdate),
    certificateTime(options.nextUpdate),
    // RFC 5280 §5.1.2.6: an empty list is left out, not written empty.
    ...(entries.length ? [sequence(...entries)] : []),
    explicit(0, sequence(extension(OID.authorityKeyIdentifier, false, sequence(tlv(0x80, keyId))), extension(OID.cRLNumber, false, integer(options.crlNumber)))),
  );
  return sequence(tbs, algorithm, bitString(new Uint8Array(sign("sha256", tbs, key))));
}

// ---------------------------------------------------------------------------
// Reading

export interface CrlEntry {
  serial: bigint;
  revokedAt: Date;
  reason: CrlReason | null;
}

export interface ParsedCrl {
  der: Uint8Array;
  /** The signed part, exactly as encoded. */
  tbs: Uint8Array;
  issuerRaw: Uint8Array;
  thisUpdate: Date;
  nextUpdate: Date | null;
  crlNumber: bigint | null;
  authorityKeyId: Uint8Array | null;
  revoked: CrlEntry[];
  signatureAlgorithm: string;
  signature: Uint8Array;
}

/** Extensions (a SEQUENCE of Extension) by OID, each value parsed. */
function extensionsOf(list: DerNode | undefined): Map<string, DerNode> {
  const map = new Map<string, DerNode>();
  for (const ext of list?.children() ?? []) {
    const parts = ext.children();
    map.set(readOid(parts[0]!), parseDer(parts.at(-1)!.content));
  }
  return map;
}

const isTime = (node: DerNode | undefined) => node?.tag === TAG.UTC_TIME || node?.tag === TAG.GENERALIZED_TIME;

/** Parses a DER CRL (throws on malformed input). */
export function parseCrl(der: Uint8Array): ParsedCrl {
  const list = parseDer(der);
  const [tbsNode, algorithmNode, signatureNode] = list.children();
  if (!tbsNode || !algorithmNode || !signatureNode) throw new Error("CRL: missing fields");
  const fields = tbsNode.children();
  let i = fields[0]?.tag === TAG.INTEGER ? 1 : 0;
  // RFC 5280 §5.1.1.2: the signed copy of the algorithm must be the outer one.
  const innerAlgorithm = fields[i++];
  if (!innerAlgorithm || !Buffer.from(innerAlgorithm.raw).equals(Buffer.from(algorithmNode.raw))) throw new Error("CRL: signature algorithms differ");
  const issuer = fields[i++];
  const thisUpdate = fields[i++];
  if (issuer?.tag !== TAG.SEQUENCE || !isTime(thisUpdate)) throw new Error("CRL: missing issuer or thisUpdate");
  const nextUpdate = isTime(fields[i]) ? fields[i++]! : null;
  const revokedNode = fields[i]?.tag === TAG.SEQUENCE ? fields[i++]! : null;
  const extensions = extensionsOf(fields[i]?.tag === 0xa0 ? fields[i]!.child(0, TAG.SEQUENCE) : undefined);

  const reasonNames = new Map<number, CrlReason>(Object.entries(CRL_REASONS).map(([name, code]) => [code, name as CrlReason]));
  const revoked = (revokedNode?.children() ?? []).map((entry): CrlEntry => {
    const [serial, date, entryExtensions] = entry.children();
    if (!serial || !isTime(date)) throw new Error("CRL: malformed entry");
    const reasonNode = extensionsOf(entryExtensions).get(OID.cRLReason);
    return { serial: readInteger(serial), revokedAt: readTime(date!), reason: reasonNode ? (reasonNames.get(reasonNode.content[0] ?? 0) ?? null) : null };
  });
  const aki = extensions.get(OID.authorityKeyIdentifier);
  const crlNumber = extensions.get(OID.cRLNumber);
  return {
    der: list.raw,
    tbs: tbsNode.raw,
    issuerRaw: issuer.raw,
    thisUpdate: readTime(thisUpdate!),
    nextUpdate: nextUpdate ? readTime(nextUpdate) : null,
    crlNumber: crlNumber ? readInteger(crlNumber) : null,
    authorityKeyId: aki?.children().find((node) => node.tag === 0x80)?.content ?? null,
    revoked,
    signatureAlgorithm: readOid(algorithmNode.child(0)),
    signature: readBitStringBytes(signatureNode),
  };
}

/** Whether the CRL names the CA as issuer and carries its valid signature. */
export function crlIssuedBy(crl: ParsedCrl, ca: ParsedCertificate): boolean {
  if (!Buffer.from(crl.issuerRaw).equals(Buffer.from(ca.subjectRaw))) return false;
  if (crl.signatureAlgorithm !== OID.sha256WithRSAEncryption) return false;
  try {
    return verify("sha256", crl.tbs, publicKeyOf(ca), crl.signature);
  } catch {
    return false;
  }
}

/** The CRL's entry for a certificate serial number, or null when it is not listed. */
export function isRevoked(crl: ParsedCrl, serial: bigint | Uint8Array): CrlEntry | null {
  const value = serialValue(serial);
  return crl.revoked.find((entry) => entry.serial === value) ?? null;
}
