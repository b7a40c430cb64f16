// Object identifiers used by the signing code, public and private.
//
// The private ones live under a UUID-derived arc (ITU-T X.667 / RFC 4122 §4.1:
// "2.25.<UUID as a decimal integer>"). Such an arc needs no registration and
// cannot collide with anyone else's, unlike a guessed enterprise number
// (1.3.6.1.4.1.99999 may belong to somebody). The UUID is
// b145196f-203f-4ad8-829e-8143ff47d44f, generated once for 村易招; the
// sub-arcs below are ours to allocate and are documented in signing/README.md.
// Never renumber them: signed PDFs in the archive carry them.

/** 2.25.<b145196f-203f-4ad8-829e-8143ff47d44f>: the platform's private arc. */
export const PRIVATE_ARC = "2.25.235632139601715179075391843993502864463";

export const OID = {
  // Private (see README): certificate extension binding a signer certificate to a passkey.
  passkeyBinding: `${PRIVATE_ARC}.1.1`,
  // Private: CMS signed attribute carrying the WebAuthn assertion that approved the signature.
  passkeyApproval: `${PRIVATE_ARC}.1.2`,
  // Private: the TSA policy named in every timestamp the platform's TSA issues.
  tsaPolicy: `${PRIVATE_ARC}.1.3`,

  // Algorithms
  sha1: "1.3.14.3.2.26",
  sha256: "2.16.840.1.101.3.4.2.1",
  rsaEncryption: "1.2.840.113549.1.1.1",
  sha256WithRSAEncryption: "1.2.840.113549.1.1.11",

  // Names
  countryName: "2.5.4.6",
  organizationName: "2.5.4.10",
  organizationalUnitName: "2.5.4.11",
  commonName: "2.5.4.3",

  // Certificate extensions and key purposes
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  basicConstraints: "2.5.29.19",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  cRLNumber: "2.5.29.20",
  cRLReason: "2.5.29.21",
  cRLDistributionPoints: "2.5.29.31",
  kpEmailProtection: "1.3.6.1.5.5.7.3.4",
  kpTimeStamping: "1.3.6.1.5.5.7.3.8",
  /** id-kp-documentSigning (RFC 9336). */
  kpDocumentSigning: "1.3.6.1.5.5.7.3.36",

  // CMS (RFC 5652) and ESS (RFC 5035)
  data: "1.2.840.113549.1.7.1",
  signedData: "1.2.840.113549.1.7.2",
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingCertificateV2: "1.2.840.113549.1.9.16.2.47",
  /** id-aa-signatureTimeStampToken (RFC 3161 appendix A). */
  signatureTimeStampToken: "1.2.840.113549.1.9.16.2.14",
  /** id-ct-TSTInfo (RFC 3161). */
  tstInfo: "1.2.840.113549.1.9.16.1.4",
} as const;

/** Key usage bit numbers (RFC 5280 §4.2.1.3). */
export const KEY_USAGE = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyCertSign: 5,
  cRLSign: 6,
} as const;
