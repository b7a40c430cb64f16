// CMS SignedData (RFC 5652), the container of both the PDF signature (CAdES
// detached) and the RFC 3161 timestamp token (TSTInfo attached): building one
// signer's SignerInfo with DER-ordered signed attributes, and reading one back
// for verification.
import { createHash, sign, verify, type KeyObject } from "node:crypto";
import { concatBytes, DerNode, explicit, implicitSetOf, integer, nullValue, octetString, oid, parseDer, readInteger, readOid, sequence, setOf, TAG, tlv } from "./der";
import { OID } from "./oids";
import { parseCertificate, type ParsedCertificate } from "./x509";

export const sha256 = (bytes: Uint8Array) => new Uint8Array(createHash("sha256").update(bytes).digest());

const sha256Algorithm = () => sequence(oid(OID.sha256));

/** Attribute ::= SEQUENCE { attrType OID, attrValues SET OF value }. */
export function attribute(type: string, ...values: Uint8Array[]): Uint8Array {
  return sequence(oid(type), setOf(...values));
}

/**
 * ESS signing-certificate-v2 (RFC 5035): the SHA-256 of the signer's
 * certificate and its issuer/serial, so the certificate cannot be swapped for
 * another with the same key. The hash algorithm is left out because SHA-256 is
 * its DEFAULT (DER omits defaults).
 */
export function signingCertificateV2(cert: ParsedCertificate): Uint8Array {
  const issuerSerial = sequence(sequence(tlv(0xa4, cert.issuerRaw)), cert.serialRaw);
  const essCertIdV2 = sequence(octetString(sha256(cert.der)), issuerSerial);
  return attribute(OID.signingCertificateV2, sequence(sequence(essCertIdV2)));
}

export interface SignerInput {
  cert: ParsedCertificate;
  key: KeyObject;
  /** Encoded Attributes; contentType and messageDigest must be among them. */
  signedAttributes: Uint8Array[];
}

export interface SignedAttributes {
  /** The DER SET OF that the signature covers (tag 0x31). */
  signedAttrs: Uint8Array;
  /** RSA PKCS#1 v1.5 over SHA-256 of `signedAttrs`. */
  signature: Uint8Array;
}

export function signAttributes(input: SignerInput): SignedAttributes {
  const signedAttrs = setOf(...input.signedAttributes);
  return { signedAttrs, signature: new Uint8Array(sign("sha256", signedAttrs, input.key)) };
}

export function signerInfo(cert: ParsedCertificate, signed: SignedAttributes, unsignedAttributes: Uint8Array[] = []): Uint8Array {
  const attrsBody = parseDer(signed.signedAttrs).content;
  return sequence(
    integer(1),
    sequence(cert.issuerRaw, cert.serialRaw),
    sha256Algorithm(),
    tlv(0xa0, attrsBody),
    sequence(oid(OID.rsaEncryption), nullValue()),
    octetString(signed.signature),
    ...(unsignedAttributes.length ? [implicitSetOf(1, unsignedAttributes)] : []),
  );
}

export interface SignedDataInput {
  eContentType: string;
  /** Absent for a detached signature. */
  eContent?: Uint8Array;
  certificates: ParsedCertificate[];
  signerInfo: Uint8Array;
}

/** ContentInfo { signedData, SignedData }, one signer, SHA-256. */
export function signedData(input: SignedDataInput): Uint8Array {
  // RFC 5652 §5.1: version 3 when the content is not id-data, else 1 (issuerAndSerialNumber signers).
  const version = input.eContentType === OID.data ? 1 : 3;
  const encapContentInfo = sequence(oid(input.eContentType), ...(input.eContent ? [explicit(0, octetString(input.eContent))] : []));
  const unique = [...new Map(input.certificates.map((cert) => [Buffer.from(cert.der).toString("base64"), cert.der])).values()];
  const body = sequence(integer(version), setOf(sha256Algorithm()), encapContentInfo, implicitSetOf(0, unique), setOf(input.signerInfo));
  return sequence(oid(OID.signedData), explicit(0, body));
}

// ---------------------------------------------------------------------------
// Reading

export interface ParsedSignerInfo {
  issuerRaw: Uint8Array;
  serialRaw: Uint8Array;
  digestAlgorithm: string;
  /** Signed attributes re-tagged as the SET OF the signature covers. */
  signedAttrs: Uint8Array | null;
  signed: Map<string, DerNode[]>;
  unsigned: Map<string, DerNode[]>;
  signature: Uint8Array;
}

export interface ParsedSignedData {
  eContentType: string;
  eContent: Uint8Array | null;
  certificates: ParsedCertificate[];
  signerInfos: ParsedSignerInfo[];
}

function attributes(set: DerNode | undefined): Map<string, DerNode[]> {
  const map = new Map<string, DerNode[]>();
  for (const attr of set?.children() ?? []) map.set(readOid(attr.child(0, TAG.OID)), attr.child(1, TAG.SET).children());
  return map;
}

/** Parses a DER ContentInfo holding SignedData; trailing bytes (zero padding) are ignored. */
export function parseSignedData(bytes: Uint8Array): ParsedSignedData {
  const contentInfo = parseDer(bytes);
  if (readOid(contentInfo.child(0)) !== OID.signedData) throw new Error("CMS: not SignedData");
  const body = contentInfo.child(1, 0xa0).child(0, TAG.SEQUENCE).children();
  const encap = body[2];
  if (!encap) throw new Error("CMS: no encapContentInfo");
  const eContent = encap.children()[1];
  const certificates = body.find((node) => node.tag === 0xa0);
  const signerInfos = body.at(-1);
  if (signerInfos?.tag !== TAG.SET) throw new Error("CMS: no signerInfos");
  return {
    eContentType: readOid(encap.child(0)),
    eContent: eContent ? eContent.child(0, TAG.OCTET_STRING).content : null,
    certificates: (certificates?.children() ?? []).filter((node) => node.tag === TAG.SEQUENCE).map((node) => parseCertificate(node.raw)),
    signerInfos: signerInfos.children().map((info) => {
      const parts = info.children();
      const sid = parts[1];
      if (!sid || sid.tag !== TAG.SEQUENCE) throw new Error("CMS: only issuerAndSerialNumber signer ids are supported");
      const signedSet = parts.find((node) => node.tag === 0xa0);
      const signature = parts.find((node) => node.tag === TAG.OCTET_STRING);
      if (!signature) throw new Error("CMS: no signature value");
      return {
        issuerRaw: sid.child(0).raw,
        serialRaw: sid.child(1, TAG.INTEGER).raw,
        digestAlgorithm: readOid(info.child(2).child(0)),
        signedAttrs: signedSet ? concatBytes([Uint8Array.of(TAG.SET), signedSet.raw.subarray(1)]) : null,
        signed: attributes(signedSet),
        unsigned: attributes(parts.find((node) => node.tag === 0xa1)),
        signature: signature.content,
      };
    }),
  };
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

export interface SignerCheck {
  signer: ParsedCertificate | null;
  /** messageDigest attribute (null when absent). */
  messageDigest: Uint8Array | null;
  contentType: string | null;
  /** The signature over the signed attributes verifies with the signer certificate's key. */
  signatureOk: boolean;
  /** signing-certificate-v2 is present and names exactly this signer certificate. */
  signingCertificateOk: boolean;
}

/** Finds the signer's certificate among `certificates` and checks its signature over the signed attributes. */
export function checkSignerInfo(info: ParsedSignerInfo, certificates: ParsedCertificate[]): SignerCheck {
  const signer = certificates.find((cert) => same(cert.issuerRaw, info.issuerRaw) && same(cert.serialRaw, info.serialRaw)) ?? null;
  const digestNode = info.signed.get(OID.messageDigest)?.[0];
  const typeNode = info.signed.get(OID.contentType)?.[0];
  let signatureOk = false;
  if (signer && info.signedAttrs && info.digestAlgorithm === OID.sha256) {
    try {
      signatureOk = verify("sha256", info.signedAttrs, signer.x509.publicKey, info.signature);
    } catch {
      signatureOk = false;
    }
  }
  let signingCertificateOk = false;
  const ess = info.signed.get(OID.signingCertificateV2)?.[0];
  if (signer && ess) {
    try {
      const first = ess.child(0, TAG.SEQUENCE).child(0, TAG.SEQUENCE).children();
      const hasAlgorithm = first[0]?.tag === TAG.SEQUENCE;
      const algorithm = hasAlgorithm ? readOid(first[0]!.child(0)) : OID.sha256;
      const hash = first[hasAlgorithm ? 1 : 0];
      const issuerSerial = first[hasAlgorithm ? 2 : 1];
      const serialMatches = !issuerSerial || readInteger(issuerSerial.child(1)) === readInteger(parseDer(signer.serialRaw));
      signingCertificateOk = algorithm === OID.sha256 && !!hash && same(hash.content, sha256(signer.der)) && serialMatches;
    } catch {
      signingCertificateOk = false;
    }
  }
  return {
    signer,
    messageDigest: digestNode?.tag === TAG.OCTET_STRING ? digestNode.content : null,
    contentType: typeNode ? readOid(typeNode) : null,
    signatureOk,
    signingCertificateOk,
  };
}
