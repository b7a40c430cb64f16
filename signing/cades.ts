// The CAdES detached signature that goes into a PDF's /Contents (PAdES
// baseline, SubFilter ETSI.CAdES.detached):
//
//   signed attributes   contentType id-data, messageDigest (SHA-256 of the
//                       PDF byte ranges), signing-certificate-v2, and the
//                       passkey approval (private attribute, below)
//   certificates        signer and platform CA
//   unsigned attribute  id-aa-signatureTimeStampToken over the signature value
//                       (PAdES-B-T), when a TSA is given
//
// No signing-time attribute: PAdES puts the claimed time in the signature
// dictionary's /M instead (ETSI EN 319 142-1 §5.4).
//
// The approval is a SIGNED attribute so that it cannot be stripped or swapped
// without breaking the signature:
//
// PasskeyApproval ::= SEQUENCE {      -- attrType 2.25.…463.1.2
//   version            INTEGER (1),
//   credentialId       OCTET STRING,
//   authenticatorData  OCTET STRING,
//   clientDataJSON     OCTET STRING,  -- its challenge is base64url(messageDigest)
//   signature          OCTET STRING } -- over authenticatorData ‖ SHA-256(clientDataJSON)
import { createPrivateKey } from "node:crypto";
import { DerNode, integer, octetString, oid, readInteger, sequence, TAG } from "./der";
import { attribute, sha256, signAttributes, signedData, signerInfo, signingCertificateV2 } from "./cms";
import { OID } from "./oids";
import { timestampToken } from "./timestamp";
import { fromBase64Url, toBase64Url, type PasskeyApproval } from "./webauthn";
import { parseCertificate } from "./x509";

export function encodePasskeyApproval(approval: PasskeyApproval): Uint8Array {
  return sequence(
    integer(1),
    octetString(fromBase64Url(approval.credentialId)),
    octetString(fromBase64Url(approval.authenticatorData)),
    octetString(fromBase64Url(approval.clientDataJSON)),
    octetString(fromBase64Url(approval.signature)),
  );
}

export function decodePasskeyApproval(node: DerNode): PasskeyApproval {
  const [version, credentialId, authenticatorData, clientDataJSON, signature] = node.children();
  if (!version || readInteger(version) !== 1n) throw new Error("passkey approval: unknown version");
  const bytes = (part: DerNode | undefined) => {
    if (part?.tag !== TAG.OCTET_STRING) throw new Error("passkey approval: malformed");
    return toBase64Url(part.content);
  };
  return {
    credentialId: bytes(credentialId),
    authenticatorData: bytes(authenticatorData),
    clientDataJSON: bytes(clientDataJSON),
    signature: bytes(signature),
  };
}

export interface TsaInput {
  certPem: string;
  keyPem: string;
  /** Unique per token from this TSA. */
  serial: number | bigint;
  genTime: Date;
}

export interface CadesOptions {
  /** SHA-256 over the PDF's ByteRange. */
  digest: Uint8Array;
  signerCertPem: string;
  signerKeyPem: string;
  caCertPem: string;
  /** A person's signature carries their passkey's approval; an organisation's seal (platform, archive) has none. */
  passkeyApproval?: PasskeyApproval;
  tsa?: TsaInput;
}

/** DER ContentInfo(SignedData), detached. Does not check the approval: see signPrepared. */
export function cadesDetachedSignature(options: CadesOptions): Uint8Array {
  if (options.digest.length !== 32) throw new Error("digest must be SHA-256 (32 bytes)");
  const signer = parseCertificate(options.signerCertPem);
  const ca = parseCertificate(options.caCertPem);
  const signed = signAttributes({
    cert: signer,
    key: createPrivateKey(options.signerKeyPem),
    signedAttributes: [
      attribute(OID.contentType, oid(OID.data)),
      attribute(OID.messageDigest, octetString(options.digest)),
      signingCertificateV2(signer),
      ...(options.passkeyApproval ? [attribute(OID.passkeyApproval, encodePasskeyApproval(options.passkeyApproval))] : []),
    ],
  });
  const unsigned = options.tsa
    ? [
        attribute(
          OID.signatureTimeStampToken,
          timestampToken({
            tsaCertPem: options.tsa.certPem,
            tsaKeyPem: options.tsa.keyPem,
            messageImprint: sha256(signed.signature),
            serial: options.tsa.serial,
            genTime: options.tsa.genTime,
          }),
        ),
      ]
    : [];
  return signedData({ eContentType: OID.data, certificates: [signer, ca], signerInfo: signerInfo(signer, signed, unsigned) });
}
