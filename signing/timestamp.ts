// RFC 3161 timestamp tokens from the platform's own TSA key. A token proves
// the signature value existed at genTime (PAdES-B-T); the time comes from the
// caller (the platform clock), never read here.
//
// TimeStampToken = ContentInfo { SignedData { eContentType id-ct-TSTInfo,
//   eContent TSTInfo, signed attributes contentType, messageDigest,
//   signing-certificate-v2 (RFC 5816), certificates [TSA certificate] } }.
import { createPrivateKey } from "node:crypto";
import { generalizedTime, integer, octetString, oid, parseDer, readInteger, readOid, readTime, sequence, TAG } from "./der";
import { attribute, checkSignerInfo, parseSignedData, sha256, signAttributes, signedData, signerInfo, signingCertificateV2 } from "./cms";
import { OID } from "./oids";
import { extendedKeyUsage, issuedBy, parseCertificate, validAt, type ParsedCertificate } from "./x509";

export interface TimestampOptions {
  tsaCertPem: string;
  tsaKeyPem: string;
  /** SHA-256 of the timestamped data (for PAdES: of the CMS signature value). */
  messageImprint: Uint8Array;
  /** Unique per token issued by this TSA (e.g. a database sequence). */
  serial: number | bigint;
  genTime: Date;
  nonce?: bigint;
  /** TSA policy OID; default the platform's (see oids.ts). */
  policy?: string;
}

/** A DER TimeStampToken (what goes into id-aa-signatureTimeStampToken). */
export function timestampToken(options: TimestampOptions): Uint8Array {
  if (options.messageImprint.length !== 32) throw new Error("messageImprint must be a SHA-256 digest (32 bytes)");
  if (Number.isNaN(options.genTime.getTime())) throw new Error("genTime is not a valid date");
  const cert = parseCertificate(options.tsaCertPem);
  const tstInfo = sequence(
    integer(1),
    oid(options.policy ?? OID.tsaPolicy),
    sequence(sequence(oid(OID.sha256)), octetString(options.messageImprint)),
    integer(options.serial),
    generalizedTime(options.genTime),
    ...(options.nonce !== undefined ? [integer(options.nonce)] : []),
  );
  const signed = signAttributes({
    cert,
    key: createPrivateKey(options.tsaKeyPem),
    signedAttributes: [attribute(OID.contentType, oid(OID.tstInfo)), attribute(OID.messageDigest, octetString(sha256(tstInfo))), signingCertificateV2(cert)],
  });
  return signedData({ eContentType: OID.tstInfo, eContent: tstInfo, certificates: [cert], signerInfo: signerInfo(cert, signed) });
}

/** Wraps a token in a TimeStampResp with status "granted", as a TSA answers over HTTP (`openssl ts -reply -in`). */
export function timestampResponse(token: Uint8Array): Uint8Array {
  return sequence(sequence(integer(0)), token);
}

export interface TimestampCheck {
  genTime: Date | null;
  serial: bigint | null;
  /** The certificate that signed the token, when found in it. */
  tsaCertificate: ParsedCertificate | null;
  /** The token's messageImprint is SHA-256 of the expected data. */
  imprintOk: boolean;
  /** TSTInfo digest, signature and signing-certificate-v2 all check out. */
  signatureOk: boolean;
  /** The TSA certificate is issued by the CA, valid at genTime, with a critical timeStamping-only EKU. */
  tsaCertificateOk: boolean;
  ok: boolean;
  problems: string[];
}

/** Verifies a TimeStampToken over `messageImprint` against the platform CA. Never throws. */
export function verifyTimestampToken(token: Uint8Array, expected: { messageImprint: Uint8Array; caCertPem: string }): TimestampCheck {
  const result: TimestampCheck = { genTime: null, serial: null, tsaCertificate: null, imprintOk: false, signatureOk: false, tsaCertificateOk: false, ok: false, problems: [] };
  try {
    const sd = parseSignedData(token);
    if (sd.eContentType !== OID.tstInfo || !sd.eContent) throw new Error("not a TSTInfo token");
    const info = sd.signerInfos[0];
    if (!info || sd.signerInfos.length !== 1) throw new Error("a timestamp token has exactly one signer");
    const tst = parseTstInfo(sd.eContent);
    result.genTime = tst.genTime;
    result.serial = tst.serial;
    result.imprintOk = tst.hashAlgorithm === OID.sha256 && Buffer.from(tst.imprint).equals(Buffer.from(expected.messageImprint));
    if (!result.imprintOk) result.problems.push("timestamp is not over this signature");

    const check = checkSignerInfo(info, sd.certificates);
    result.tsaCertificate = check.signer;
    const digestOk = !!check.messageDigest && Buffer.from(check.messageDigest).equals(Buffer.from(sha256(sd.eContent)));
    result.signatureOk = check.signatureOk && check.signingCertificateOk && digestOk && check.contentType === OID.tstInfo;
    if (!result.signatureOk) result.problems.push("timestamp signature does not verify");

    const ca = parseCertificate(expected.caCertPem);
    const eku = check.signer ? extendedKeyUsage(check.signer) : null;
    result.tsaCertificateOk =
      !!check.signer && issuedBy(check.signer, ca) && validAt(check.signer, tst.genTime) && !!eku?.critical && eku.purposes.length === 1 && eku.purposes[0] === OID.kpTimeStamping;
    if (!result.tsaCertificateOk) result.problems.push("TSA certificate is not trusted for timestamping");
  } catch (error) {
    result.problems.push(`timestamp unreadable: ${(error as Error).message}`);
  }
  result.ok = result.imprintOk && result.signatureOk && result.tsaCertificateOk;
  return result;
}

function parseTstInfo(der: Uint8Array): { hashAlgorithm: string; imprint: Uint8Array; serial: bigint; genTime: Date } {
  const fields = parseDer(der).children();
  const imprint = fields[2];
  const serial = fields[3];
  const genTime = fields[4];
  if (!imprint || !serial || !genTime || genTime.tag !== TAG.GENERALIZED_TIME) throw new Error("TSTInfo: missing fields");
  return {
    hashAlgorithm: readOid(imprint.child(0).child(0)),
    imprint: imprint.child(1, TAG.OCTET_STRING).content,
    serial: readInteger(serial),
    genTime: readTime(genTime),
  };
}
