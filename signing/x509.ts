// X.509 certificates: building them from exact DER, and reading the few fields
// the signing code needs. node:crypto's X509Certificate checks signatures and
// issuance; the DER is read here because CMS must copy the issuer name and
// serial number byte for byte (re-encoding a Chinese name is what breaks
// forge-built signatures, see STACK.md).
import { createHash, createPublicKey, sign, X509Certificate, type KeyObject } from "node:crypto";
import {
  bitString,
  boolean,
  certificateTime,
  DerNode,
  explicit,
  integer,
  nullValue,
  octetString,
  oid,
  parseDer,
  printableString,
  readBitStringBytes,
  readBoolean,
  readOid,
  readString,
  readTime,
  sequence,
  setOf,
  TAG,
  utf8String,
} from "./der";
import { OID } from "./oids";

// ---------------------------------------------------------------------------
// PEM

export function pemToDer(pem: string, label = "CERTIFICATE"): Uint8Array {
  const match = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  if (!match) throw new Error(`no PEM ${label} block`);
  return new Uint8Array(Buffer.from(match[1]!.replace(/\s+/g, ""), "base64"));
}

export function derToPem(der: Uint8Array, label = "CERTIFICATE"): string {
  const lines =
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

// ---------------------------------------------------------------------------
// Building

export interface NameEntry {
  oid: string;
  value: string;
  /** PrintableString for country codes; everything else is UTF8String (RFC 5280 §4.1.2.6). */
  printable?: boolean;
}

/** A distinguished name, one attribute per RDN, in the given order. */
export function buildName(entries: readonly NameEntry[]): Uint8Array {
  return sequence(...entries.map((entry) => setOf(sequence(oid(entry.oid), entry.printable ? printableString(entry.value) : utf8String(entry.value)))));
}

export function extension(extnId: string, critical: boolean, value: Uint8Array): Uint8Array {
  return sequence(oid(extnId), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** The key identifier of RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits. */
export function keyIdentifier(spkiDer: Uint8Array): Uint8Array {
  const publicKeyBits = readBitStringBytes(parseDer(spkiDer).child(1, TAG.BIT_STRING));
  return new Uint8Array(createHash("sha1").update(publicKeyBits).digest());
}

export function spkiOf(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ type: "spki", format: "der" }));
}

export interface CertificateFields {
  serial: Uint8Array;
  /** DER Name, copied from the issuer certificate's subject when there is one. */
  issuer: Uint8Array;
  subject: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  spki: Uint8Array;
  extensions: Uint8Array[];
  /** RSA key that signs the certificate (sha256WithRSAEncryption). */
  issuerKey: KeyObject;
}

export function buildCertificate(fields: CertificateFields): Uint8Array {
  if (!(fields.notAfter > fields.notBefore)) throw new Error("certificate notAfter must be after notBefore");
  const algorithm = sequence(oid(OID.sha256WithRSAEncryption), nullValue());
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(fields.serial),
    algorithm,
    fields.issuer,
    sequence(certificateTime(fields.notBefore), certificateTime(fields.notAfter)),
    fields.subject,
    fields.spki,
    explicit(3, sequence(...fields.extensions)),
  );
  const signature = sign("sha256", tbs, fields.issuerKey);
  return sequence(tbs, algorithm, bitString(new Uint8Array(signature)));
}

// ---------------------------------------------------------------------------
// Reading

export interface CertificateExtension {
  critical: boolean;
  /** The extnValue's content: the DER of the extension itself. */
  value: Uint8Array;
}

export interface ParsedCertificate {
  der: Uint8Array;
  /** Exact encodings, for IssuerAndSerialNumber and ESS IssuerSerial. */
  serialRaw: Uint8Array;
  issuerRaw: Uint8Array;
  subjectRaw: Uint8Array;
  /** Serial number as unsigned big-endian bytes. */
  serial: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  spki: Uint8Array;
  commonName: string | null;
  extensions: Map<string, CertificateExtension>;
  x509: X509Certificate;
}

function nameAttribute(name: DerNode, attributeOid: string): string | null {
  for (const rdn of name.children()) {
    for (const attribute of rdn.children()) {
      if (readOid(attribute.child(0)) === attributeOid) return readString(attribute.child(1));
    }
  }
  return null;
}

export function parseCertificate(input: Uint8Array | string): ParsedCertificate {
  const der = typeof input === "string" ? pemToDer(input) : input;
  const certificate = parseDer(der);
  const fields = certificate.child(0, TAG.SEQUENCE).children();
  const at = fields[0]?.tag === 0xa0 ? 1 : 0;
  const [serial, , issuer, validity, subject, spki] = fields.slice(at);
  if (!serial || !issuer || !validity || !subject || !spki) throw new Error("certificate: missing fields");
  const extensions = new Map<string, CertificateExtension>();
  const wrapped = fields.find((field) => field.tag === 0xa3);
  for (const ext of wrapped ? wrapped.child(0).children() : []) {
    const parts = ext.children();
    const critical = parts.length === 3 ? readBoolean(parts[1]!) : false;
    extensions.set(readOid(parts[0]!), { critical, value: parts.at(-1)!.content });
  }
  return {
    der: certificate.raw,
    serialRaw: serial.raw,
    issuerRaw: issuer.raw,
    subjectRaw: subject.raw,
    serial: serial.content,
    notBefore: readTime(validity.child(0)),
    notAfter: readTime(validity.child(1)),
    spki: spki.raw,
    commonName: nameAttribute(subject, OID.commonName),
    extensions,
    x509: new X509Certificate(certificate.raw),
  };
}

/** Extended key usage purposes, or null when the extension is absent. */
export function extendedKeyUsage(cert: ParsedCertificate): { critical: boolean; purposes: string[] } | null {
  const ext = cert.extensions.get(OID.extKeyUsage);
  if (!ext) return null;
  return { critical: ext.critical, purposes: parseDer(ext.value).children().map(readOid) };
}

/** Whether `cert` names `issuer` as its issuer and carries a valid signature by it. */
export function issuedBy(cert: ParsedCertificate, issuer: ParsedCertificate): boolean {
  if (Buffer.compare(Buffer.from(cert.issuerRaw), Buffer.from(issuer.subjectRaw)) !== 0) return false;
  try {
    return cert.x509.checkIssued(issuer.x509) && cert.x509.verify(issuer.x509.publicKey);
  } catch {
    return false;
  }
}

export const validAt = (cert: ParsedCertificate, time: Date) => cert.notBefore <= time && time <= cert.notAfter;

export const publicKeyOf = (cert: ParsedCertificate) => createPublicKey({ key: Buffer.from(cert.spki), format: "der", type: "spki" });
