// PAdES signatures on our PDFs, in two steps around the signer's passkey:
//
//   1. preparePdf appends (incremental update) a signature field, its widget
//      and a /Sig dictionary whose /Contents is a zero-filled placeholder, and
//      returns the SHA-256 of the bytes the signature will cover (the
//      ByteRange: everything but the placeholder). That digest is the WebAuthn
//      challenge: the signer's passkey approves these exact bytes.
//   2. signPrepared checks the approval, builds the CAdES signature around it
//      (cades.ts) and writes it into the placeholder. Nothing else moves, so
//      the ByteRange and digest stay right.
//
// verifyPdf re-checks every signature from the file alone plus the platform
// CA certificate: digest, CMS signature, chain, passkey approval, timestamp.
// Poppler's pdfsig and Adobe Reader check the same PDFs the standard way; the
// approval check is ours (they ignore the private attribute).
import { createHash, createPublicKey, createPrivateKey } from "node:crypto";
import { PDFArray, PDFDict, PDFName, PDFNumber, PDFRef, PDFString } from "pdf-lib";
import { writeSealAppearance, writeSignatureAppearance } from "./appearance";
import { cadesDetachedSignature, decodePasskeyApproval, type TsaInput } from "./cades";
import { readPasskeyBinding } from "./ca";
import { checkSignerInfo, parseSignedData, sha256 } from "./cms";
import { crlIssuedBy, isRevoked, parseCrl, type ParsedCrl } from "./crl";
import { parseDer } from "./der";
import { readDss, type DssContents } from "./dss";
import { OID } from "./oids";
import { formFields, IncrementalUpdate, loadPdf, pdfDate, pdfObjectText, pdfTextString } from "./pdf-update";
import { onlyValidationDataAfter } from "./revisions";
import { verifyTimestampToken } from "./timestamp";
import { checkApproval, type ApprovalCheck, type PasskeyApproval } from "./webauthn";
import { issuedBy, parseCertificate, validAt, type ParsedCertificate } from "./x509";

export type ByteRange = [number, number, number, number];

/** Room for the CMS: two or three certificates (~1 KB each), the approval, a timestamp token with its TSA certificate. */
export const DEFAULT_CONTENTS_BYTES = 24 * 1024;

export class SigningError extends Error {
  override name = "SigningError";
}

const BYTE_RANGE_WIDTH = 48;

function rangesDigest(bytes: Uint8Array, range: ByteRange): Uint8Array {
  const [a, b, c, d] = range;
  return new Uint8Array(
    createHash("sha256")
      .update(bytes.subarray(a, a + b))
      .update(bytes.subarray(c, c + d))
      .digest(),
  );
}

// ---------------------------------------------------------------------------
// 1. Prepare

export interface SignatureRect {
  /** PDF points from the page's bottom-left, like the renderer's SignatureSlot. */
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What the visible widget shows. */
export type AppearanceOption =
  /** The default: a red box with the signer's name and the time. */
  | { kind: "signer" }
  /**
   * An organisation's round red seal (电子印章), centred on `rect`: the name along the
   * upper arc, a star, `bottomText` (e.g. "评标专用") below it. The widget becomes a
   * square of `diameter` points (default 42 mm, capped at the rect's width).
   */
  | { kind: "seal"; organization: string; bottomText?: string; diameter?: number };

export interface PrepareOptions {
  /** Unique among the document's fields, e.g. "sig-expert-3". */
  fieldName: string;
  signerName: string;
  reason: string;
  location: string;
  /** Claimed signing time, written as /M (a timestamp, if any, is the proven one). */
  signingTime: Date;
  /** Where to show the signature; without it the widget is invisible. */
  rect?: SignatureRect;
  /** Zero-based page index for the widget; default 0. */
  page?: number;
  /** Placeholder size in bytes; default DEFAULT_CONTENTS_BYTES. */
  contentsBytes?: number;
  /** Only used with `rect`; default `{ kind: "signer" }`. */
  appearance?: AppearanceOption;
  /** The TrueType face a visible appearance is drawn with; required with `rect` (signing reads no files itself). */
  font?: Uint8Array;
}

export interface PreparedPdf {
  prepared: Uint8Array;
  byteRange: ByteRange;
  /** SHA-256 over the ByteRange: the WebAuthn challenge, and later the CMS messageDigest. */
  digest: Uint8Array;
}

/** 42 mm, the usual diameter of an organisation's official seal. */
const SEAL_DIAMETER = (42 / 25.4) * 72;

/** The seal's square widget, centred on the slot. */
function sealRect(slot: SignatureRect, diameter: number | undefined): SignatureRect {
  const size = diameter ?? Math.min(SEAL_DIAMETER, slot.width);
  if (!(size > 0)) throw new SigningError("seal diameter must be positive");
  return { x: slot.x + (slot.width - size) / 2, y: slot.y + (slot.height - size) / 2, width: size, height: size };
}

/** Appends an empty signature field as an incremental update; earlier bytes (and signatures) are untouched. */
export async function preparePdf(pdfBytes: Uint8Array, options: PrepareOptions): Promise<PreparedPdf> {
  if (Number.isNaN(options.signingTime.getTime())) throw new SigningError("signingTime is not a valid date");
  const look = options.appearance ?? { kind: "signer" };
  if (look.kind === "seal" && !look.organization.trim()) throw new SigningError("seal needs the organisation's name");
  const rect = options.rect && look.kind === "seal" ? sealRect(options.rect, look.diameter) : options.rect;
  const font = options.font;
  if (rect && !font) throw new SigningError("a visible signature needs the font to draw it with");
  return appendSignatureField(pdfBytes, {
    fieldName: options.fieldName,
    head: `/Type /Sig\n/Filter /Adobe.PPKLite\n/SubFilter /ETSI.CAdES.detached\n`,
    tail:
      `/M ${pdfDate(options.signingTime)}\n/Name ${pdfTextString(options.signerName)}\n` +
      `/Reason ${pdfTextString(options.reason)}\n/Location ${pdfTextString(options.location)}\n`,
    contentsBytes: options.contentsBytes ?? DEFAULT_CONTENTS_BYTES,
    page: options.page ?? 0,
    rect,
    appearance: (update, box) =>
      look.kind === "seal"
        ? writeSealAppearance(update, box, { organization: look.organization, bottomText: look.bottomText, font: font! })
        : writeSignatureAppearance(update, box, { signerName: options.signerName, signingTime: options.signingTime, font: font! }),
    idSalt: `${options.fieldName}\0${options.signingTime.toISOString()}`,
  });
}

/** A signature field to append: the /Sig (or /DocTimeStamp) dictionary around the placeholders, and the widget. */
export interface FieldSpec {
  fieldName: string;
  /** Dictionary entries before /ByteRange, each ending in "\n". */
  head: string;
  /** Entries after /Contents. */
  tail: string;
  contentsBytes: number;
  page: number;
  /** Without it the widget is invisible (/Rect [0 0 0 0]) and has no appearance. */
  rect?: SignatureRect;
  appearance?: (update: IncrementalUpdate, box: { width: number; height: number }) => PDFRef;
  /** Makes the new trailer /ID half differ per field. */
  idSalt: string;
}

/**
 * The incremental update shared by signatures and document timestamps
 * (ltv.ts): the value dictionary with a zero-filled /Contents and a
 * fixed-width /ByteRange, a widget that is also the field, the page's /Annots
 * and the AcroForm's /Fields extended, SigFlags 3.
 */
export async function appendSignatureField(pdfBytes: Uint8Array, spec: FieldSpec): Promise<PreparedPdf> {
  if (!spec.fieldName || /[.\u0000]/.test(spec.fieldName)) throw new SigningError("field name must be non-empty, without dots");
  const contentsBytes = spec.contentsBytes;
  if (!Number.isInteger(contentsBytes) || contentsBytes < 1024) throw new SigningError("contentsBytes must be an integer of at least 1024");
  const pdf = await loadPdf(pdfBytes);
  const { doc } = pdf;
  const update = new IncrementalUpdate(pdf);
  const context = update.context;

  if (formFields(doc).some((field) => field.name === spec.fieldName)) throw new SigningError(`field ${spec.fieldName} already exists`);
  const page = doc.getPages()[spec.page];
  if (!page) throw new SigningError(`no page ${spec.page}`);

  // The value dictionary, with fixed-width placeholders filled in below.
  const sigRef = update.allocate();
  const sigBody = `<<\n${spec.head}/ByteRange ${" ".repeat(BYTE_RANGE_WIDTH)}\n/Contents <${"0".repeat(contentsBytes * 2)}>\n${spec.tail}>>`;
  update.set(sigRef, sigBody);

  // Field and widget in one dictionary.
  const widgetRef = update.allocate();
  const rect = spec.rect;
  const rectText = rect ? [rect.x, rect.y, rect.x + rect.width, rect.y + rect.height].map((v) => Math.round(v * 100) / 100).join(" ") : "0 0 0 0";
  const appearance = rect && spec.appearance ? spec.appearance(update, rect) : null;
  update.set(
    widgetRef,
    `<<\n/Type /Annot\n/Subtype /Widget\n/FT /Sig\n/T ${pdfTextString(spec.fieldName)}\n/V ${sigRef.toString()}\n` +
      `/F 132\n/P ${page.ref.toString()}\n/Rect [${rectText}]\n${appearance ? `/AP << /N ${appearance.toString()} >>\n` : ""}>>`,
  );

  // The page's /Annots gets the widget.
  const annots = page.node.get(PDFName.of("Annots"));
  if (annots instanceof PDFRef) {
    const array = context.lookup(annots, PDFArray);
    array.push(widgetRef);
    update.set(annots, array);
  } else {
    const array = annots instanceof PDFArray ? annots : context.obj([]);
    array.push(widgetRef);
    page.node.set(PDFName.of("Annots"), array);
    update.set(page.ref, page.node);
  }

  // The AcroForm gets the field, and SigFlags 3 (SignaturesExist | AppendOnly).
  const catalog = context.lookup(pdf.root, PDFDict);
  const acroFormEntry = catalog.get(PDFName.of("AcroForm"));
  const acroForm = acroFormEntry instanceof PDFRef ? context.lookup(acroFormEntry, PDFDict) : acroFormEntry instanceof PDFDict ? acroFormEntry : context.obj({});
  const fieldsEntry = acroForm.get(PDFName.of("Fields"));
  if (fieldsEntry instanceof PDFRef) {
    const fields = context.lookup(fieldsEntry, PDFArray);
    fields.push(widgetRef);
    update.set(fieldsEntry, fields);
  } else {
    const fields = fieldsEntry instanceof PDFArray ? fieldsEntry : context.obj([]);
    fields.push(widgetRef);
    acroForm.set(PDFName.of("Fields"), fields);
  }
  acroForm.set(PDFName.of("SigFlags"), PDFNumber.of(3));
  if (acroFormEntry instanceof PDFRef) {
    update.set(acroFormEntry, acroForm);
  } else if (acroFormEntry instanceof PDFDict) {
    update.set(pdf.root, catalog);
  } else {
    const acroFormRef = update.allocate();
    update.set(acroFormRef, acroForm);
    catalog.set(PDFName.of("AcroForm"), acroFormRef);
    update.set(pdf.root, catalog);
  }

  // A file identifier's second half changes with every revision (ISO 32000-1 §14.4); derived, not random.
  const secondId = createHash("sha256").update(pdfBytes).update(`\0${spec.idSalt}`).digest().subarray(0, 16);
  const { bytes, bodyOffsets } = update.write(secondId);

  const sigStart = bodyOffsets.get(sigRef.objectNumber)!;
  const contentsStart = sigStart + sigBody.indexOf("/Contents <") + "/Contents ".length;
  const contentsEnd = contentsStart + contentsBytes * 2 + 2;
  const byteRange: ByteRange = [0, contentsStart, contentsEnd, bytes.length - contentsEnd];
  const rangeText = `[${byteRange.join(" ")}]`.padEnd(BYTE_RANGE_WIDTH, " ");
  if (rangeText.length > BYTE_RANGE_WIDTH) throw new SigningError("file too large for the ByteRange placeholder");
  bytes.set(new TextEncoder().encode(rangeText), sigStart + sigBody.indexOf("/ByteRange ") + "/ByteRange ".length);

  return { prepared: bytes, byteRange, digest: rangesDigest(bytes, byteRange) };
}

// ---------------------------------------------------------------------------
// 2. Sign

function checkPlaceholder(prepared: Uint8Array, byteRange: ByteRange): void {
  const [a, b, c, d] = byteRange;
  if (a !== 0 || !(b > 0 && c > b + 1) || c + d !== prepared.length) throw new SigningError("byte range does not fit the prepared PDF");
  if (prepared[b] !== 0x3c || prepared[c - 1] !== 0x3e) throw new SigningError("byte range gap is not the /Contents hex string");
}

/** Writes a DER CMS signature into the placeholder (for callers that build the CMS themselves). */
export function embedSignature(prepared: Uint8Array, byteRange: ByteRange, cms: Uint8Array): Uint8Array {
  checkPlaceholder(prepared, byteRange);
  const [, b, c] = byteRange;
  const room = c - b - 2;
  const hex = Buffer.from(cms).toString("hex").toUpperCase();
  if (hex.length > room) throw new SigningError(`signature needs ${hex.length / 2} bytes, the placeholder holds ${room / 2}`);
  for (let i = b + 1; i < c - 1; i++) if (prepared[i] !== 0x30) throw new SigningError("placeholder is not empty (already signed?)");
  const out = new Uint8Array(prepared);
  out.set(new TextEncoder().encode(hex), b + 1);
  return out;
}

export interface SignOptions {
  signerCertPem: string;
  signerKeyPem: string;
  caCertPem: string;
  /** The passkey's assertion over the prepared digest (base64url fields, as the browser returns them). */
  passkeyApproval: PasskeyApproval;
  /** Adds an RFC 3161 timestamp over the signature value (PAdES-B-T). */
  tsa?: TsaInput;
}

/**
 * Signs a prepared PDF. Refuses (SigningError) unless the approval is the
 * signer's passkey (the one bound to the certificate), user-verified, over
 * this very digest; and unless the certificate comes from the CA and matches
 * the key. The platform must still verify the live ceremony (origin, rpId,
 * counter) with @simplewebauthn before calling this.
 */
export function signPrepared(prepared: Uint8Array, byteRange: ByteRange, options: SignOptions): Uint8Array {
  checkPlaceholder(prepared, byteRange);
  const digest = rangesDigest(prepared, byteRange);
  const signer = parseCertificate(options.signerCertPem);
  const ca = parseCertificate(options.caCertPem);
  if (!issuedBy(signer, ca)) throw new SigningError("signer certificate is not issued by the CA");
  const keySpki = createPublicKey(createPrivateKey(options.signerKeyPem)).export({ type: "spki", format: "der" });
  if (!Buffer.from(signer.spki).equals(keySpki)) throw new SigningError("signer key does not match the certificate");
  const binding = readPasskeyBinding(signer);
  if (!binding) throw new SigningError("signer certificate is not bound to a passkey");
  const check = checkApproval(options.passkeyApproval, { digest, credentialId: binding.credentialId, cosePublicKey: binding.cosePublicKey, rpId: binding.rpId });
  const required = ["challengeMatchesDigest", "passkeySignatureOk", "credentialMatchesCertificate", "userPresent", "userVerified"] as const;
  const failed: string[] = required.filter((key) => !check[key]);
  if (check.rpIdHashOk === false) failed.push("rpIdHashOk");
  if (failed.length) throw new SigningError(`passkey approval rejected: ${failed.join(", ")}`);
  const cms = cadesDetachedSignature({ ...options, digest });
  return embedSignature(prepared, byteRange, cms);
}

export interface OrganisationSignOptions {
  signerCertPem: string;
  signerKeyPem: string;
  caCertPem: string;
  tsa?: TsaInput;
}

/**
 * An organisation's seal (电子印章) applied by the platform itself, e.g. to a
 * project's archive: the certificate must be the CA's and bound to no passkey
 * (so a person's certificate can never be used without their approval).
 */
export function signPreparedAsOrganisation(prepared: Uint8Array, byteRange: ByteRange, options: OrganisationSignOptions): Uint8Array {
  checkPlaceholder(prepared, byteRange);
  const digest = rangesDigest(prepared, byteRange);
  const signer = parseCertificate(options.signerCertPem);
  const ca = parseCertificate(options.caCertPem);
  if (!issuedBy(signer, ca)) throw new SigningError("signer certificate is not issued by the CA");
  const keySpki = createPublicKey(createPrivateKey(options.signerKeyPem)).export({ type: "spki", format: "der" });
  if (!Buffer.from(signer.spki).equals(keySpki)) throw new SigningError("signer key does not match the certificate");
  if (readPasskeyBinding(signer)) throw new SigningError("a person's certificate needs their passkey's approval");
  return embedSignature(prepared, byteRange, cadesDetachedSignature({ ...options, digest }));
}

// ---------------------------------------------------------------------------
// Verify

export interface SignatureReport {
  /**
   * "documentTimestamp" for a /DocTimeStamp field (PAdES-B-LTA): its /Contents
   * is an RFC 3161 token over the ByteRange; there is no signer, /M or approval.
   */
  kind: "signature" | "documentTimestamp";
  fieldName: string;
  /** Common name of the signer certificate (falls back to the dictionary's /Name); for a document timestamp the TSA's. */
  signerName: string | null;
  /** The claimed time (/M); null for a document timestamp (its time is `timestamp.genTime`). */
  signingTime: Date | null;
  subFilter: string | null;
  byteRange: ByteRange | null;
  /** True for the last entry of an unmodified file; earlier ones cover their own revision only. */
  byteRangeCoversWholeFileExceptContents: boolean;
  /**
   * True when every revision appended after this one only added validation
   * data (/DSS) or invisible document timestamps (revisions.ts): the content
   * this entry covers is the content shown. For the last entry it equals
   * `byteRangeCoversWholeFileExceptContents`.
   */
  unchangedAfterSigning: boolean;
  /** SHA-256 of the byte ranges equals the signed messageDigest (document timestamp: the token's messageImprint). */
  digestOk: boolean;
  /** CMS signature over the signed attributes verifies with the signer certificate, signing-certificate-v2 names it, contentType is data (document timestamp: the token's signature). */
  signatureOk: boolean;
  /** Signer certificate issued by the CA and valid at the signing time (timestamp's if any, else /M); document timestamp: the TSA certificate, valid at genTime, timeStamping only. */
  chainOk: boolean;
  approval: ApprovalCheck | null;
  /** An organisation's seal (certificate bound to no passkey), applied by the platform without a person's approval. */
  organisation: boolean;
  /** The signature's timestamp; for a document timestamp, the token itself. */
  timestamp: { genTime: Date | null; ok: boolean } | null;
  /**
   * Whether a CRL from the CA in the document's DSS lists the signer's (document
   * timestamp: the TSA's) certificate: true if one does; false if none does and
   * one was issued at or after the signing time; null when there is no such CRL.
   */
  revoked: boolean | null;
  /** The earliest revocation date listed, when revoked. */
  revokedAt: Date | null;
  /** Long-term validation material, the same for every entry of a file. */
  ltv: {
    /** The catalog has a /DSS. */
    dss: boolean;
    /** The DSS holds a CRL signed by the CA. */
    crl: boolean;
    /** genTime of the first intact document timestamp appended after this entry (B-LTA), else null. */
    timestampedAt: Date | null;
  };
  /** Human-readable reasons for every false above (and for a revocation that the signing time does not predate). */
  problems: string[];
}

/** The last signature (not document timestamp) is followed by nothing but DSS and document timestamp updates; null without signatures. */
export function lastSignatureUnchanged(reports: readonly SignatureReport[]): boolean | null {
  const last = reports.filter((report) => report.kind === "signature").at(-1);
  return last ? last.unchangedAfterSigning : null;
}

function readByteRange(dict: PDFDict): ByteRange | null {
  const array = dict.lookupMaybe(PDFName.of("ByteRange"), PDFArray);
  if (!array || array.size() !== 4) return null;
  const values = array.asArray().map((value) => (value instanceof PDFNumber ? value.asNumber() : NaN));
  return values.every((v) => Number.isSafeInteger(v) && v >= 0) ? (values as ByteRange) : null;
}

function contentsFromGap(bytes: Uint8Array, range: ByteRange): Uint8Array | null {
  const [a, b, c, d] = range;
  if (a !== 0 || c <= b + 1 || c + d > bytes.length || bytes[b] !== 0x3c || bytes[c - 1] !== 0x3e) return null;
  const hex = Buffer.from(bytes.subarray(b + 1, c - 1)).toString("latin1");
  if (!/^[0-9A-Fa-f]*$/.test(hex) || hex.length % 2) return null;
  return new Uint8Array(Buffer.from(hex, "hex"));
}

/** A report and what the document-level checks need from it. */
interface Checked {
  report: SignatureReport;
  /** Signer (or TSA) certificate, for the revocation check. */
  cert: ParsedCertificate | null;
  /** The time the certificate had to be valid at, and whether a timestamp proves it. */
  at: Date | null;
  provenTime: boolean;
}

function emptyReport(kind: SignatureReport["kind"], fieldName: string, sig: PDFDict, bytes: Uint8Array): SignatureReport {
  const m = sig.get(PDFName.of("M"));
  let signingTime: Date | null;
  try {
    signingTime = m instanceof PDFString ? m.decodeDate() : null;
  } catch {
    signingTime = null;
  }
  const byteRange = readByteRange(sig);
  return {
    kind,
    fieldName,
    signerName: pdfObjectText(sig.get(PDFName.of("Name"))),
    signingTime,
    subFilter: sig.lookupMaybe(PDFName.of("SubFilter"), PDFName)?.decodeText() ?? null,
    byteRange,
    byteRangeCoversWholeFileExceptContents: byteRange !== null && byteRange[2] + byteRange[3] === bytes.length,
    unchangedAfterSigning: false,
    digestOk: false,
    signatureOk: false,
    chainOk: false,
    approval: null,
    organisation: false,
    timestamp: null,
    revoked: null,
    revokedAt: null,
    ltv: { dss: false, crl: false, timestampedAt: null },
    problems: [],
  };
}

function verifyOne(bytes: Uint8Array, fieldName: string, sig: PDFDict, ca: ParsedCertificate, caCertPem: string): Checked {
  const report = emptyReport("signature", fieldName, sig, bytes);
  const { problems, subFilter, signingTime } = report;
  const checked: Checked = { report, cert: null, at: signingTime, provenTime: false };
  const range = report.byteRange;
  const contents = range ? contentsFromGap(bytes, range) : null;
  if (!range || !contents) {
    report.byteRangeCoversWholeFileExceptContents = false;
    problems.push("ByteRange is malformed or its gap is not the /Contents string");
    return checked;
  }
  if (subFilter !== "ETSI.CAdES.detached" && subFilter !== "adbe.pkcs7.detached") problems.push(`unsupported SubFilter ${subFilter}`);

  try {
    const cms = parseSignedData(contents);
    const info = cms.signerInfos[0];
    if (!info || cms.signerInfos.length !== 1) throw new Error("expected exactly one SignerInfo");
    if (cms.eContent) throw new Error("signature is not detached");
    const digest = rangesDigest(bytes, range);
    const check = checkSignerInfo(info, cms.certificates);
    const signer = check.signer;
    checked.cert = signer;
    if (signer?.commonName) report.signerName = signer.commonName;

    report.digestOk = !!check.messageDigest && Buffer.from(check.messageDigest).equals(Buffer.from(digest));
    if (!report.digestOk) problems.push("document digest does not match: the signed bytes were changed");
    report.signatureOk = check.signatureOk && check.signingCertificateOk && check.contentType === OID.data;
    if (!check.signatureOk) problems.push("CMS signature does not verify");
    if (!check.signingCertificateOk) problems.push("signing-certificate-v2 missing or names another certificate");

    const token = info.unsigned.get(OID.signatureTimeStampToken)?.[0];
    if (token) {
      const ts = verifyTimestampToken(token.raw, { messageImprint: sha256(info.signature), caCertPem });
      report.timestamp = { genTime: ts.genTime, ok: ts.ok };
      problems.push(...ts.problems);
    }

    const proven = report.timestamp?.ok && report.timestamp.genTime ? report.timestamp.genTime : null;
    const at = proven ?? signingTime;
    checked.at = at;
    checked.provenTime = proven !== null;
    report.chainOk = !!signer && issuedBy(signer, ca) && (at === null || (validAt(signer, at) && validAt(ca, at)));
    if (!report.chainOk) problems.push("signer certificate is not from the platform CA or was not valid at the signing time");

    const approvalNode = info.signed.get(OID.passkeyApproval)?.[0];
    if (approvalNode) {
      const binding = signer ? readPasskeyBinding(signer) : null;
      report.approval = checkApproval(decodePasskeyApproval(approvalNode), {
        digest,
        credentialId: binding?.credentialId ?? "",
        cosePublicKey: binding?.cosePublicKey ?? new Uint8Array(),
        rpId: binding?.rpId ?? null,
      });
      if (!binding) problems.push("signer certificate carries no passkey binding");
      if (!report.approval.challengeMatchesDigest) problems.push("passkey approved other content than these bytes");
      if (!report.approval.passkeySignatureOk) problems.push("passkey signature does not verify with the certificate's passkey key");
      if (!report.approval.credentialMatchesCertificate) problems.push("approval is from another passkey than the certificate's");
    } else if (signer && readPasskeyBinding(signer)) {
      problems.push("no passkey approval in the signature");
    } else {
      // An organisation's seal: no person, so no passkey approval to check.
      report.organisation = true;
    }
  } catch (error) {
    problems.push(`signature unreadable: ${(error as Error).message}`);
  }
  return checked;
}

/** A /DocTimeStamp: the token's imprint must be the SHA-256 of the ByteRange, its TSA certified by the CA. */
function verifyDocumentTimestamp(bytes: Uint8Array, fieldName: string, sig: PDFDict, ca: ParsedCertificate, caCertPem: string): Checked {
  const report = emptyReport("documentTimestamp", fieldName, sig, bytes);
  const { problems } = report;
  const checked: Checked = { report, cert: null, at: null, provenTime: true };
  const range = report.byteRange;
  const contents = range ? contentsFromGap(bytes, range) : null;
  if (!range || !contents) {
    report.byteRangeCoversWholeFileExceptContents = false;
    problems.push("ByteRange is malformed or its gap is not the /Contents string");
    return checked;
  }
  if (report.subFilter !== "ETSI.RFC3161") problems.push(`unsupported SubFilter ${report.subFilter} for a document timestamp`);
  try {
    // The placeholder's zero padding follows the token; parseDer stops at its end.
    const token = parseDer(contents).raw;
    const ts = verifyTimestampToken(token, { messageImprint: rangesDigest(bytes, range), caCertPem });
    checked.cert = ts.tsaCertificate;
    checked.at = ts.genTime;
    if (ts.tsaCertificate?.commonName) report.signerName = ts.tsaCertificate.commonName;
    report.timestamp = { genTime: ts.genTime, ok: ts.ok };
    report.digestOk = ts.imprintOk;
    report.signatureOk = ts.signatureOk;
    report.chainOk = ts.tsaCertificateOk && ts.genTime !== null && validAt(ca, ts.genTime);
    if (!report.digestOk) problems.push("document digest does not match: the timestamped bytes were changed");
    if (!report.signatureOk) problems.push("document timestamp signature does not verify");
    if (!report.chainOk) problems.push("document timestamp's TSA certificate is not from the platform CA, not valid at genTime or not for timestamping");
    if (ts.problems.some((problem) => problem.startsWith("timestamp unreadable"))) problems.push(...ts.problems);
  } catch (error) {
    problems.push(`document timestamp unreadable: ${(error as Error).message}`);
  }
  return checked;
}

const isDocumentTimestamp = (sig: PDFDict) =>
  sig.get(PDFName.of("Type"))?.toString() === "/DocTimeStamp" || sig.lookupMaybe(PDFName.of("SubFilter"), PDFName)?.decodeText() === "ETSI.RFC3161";

/** The CRLs in the DSS that the CA signed (others are ignored: anyone can put a CRL in a PDF). */
function caCrls(dss: DssContents | null, ca: ParsedCertificate): ParsedCrl[] {
  const out: ParsedCrl[] = [];
  for (const { data } of dss?.crls ?? []) {
    if (!data) continue;
    try {
      const crl = parseCrl(data);
      if (crlIssuedBy(crl, ca)) out.push(crl);
    } catch {
      // unreadable: not evidence of anything
    }
  }
  return out;
}

function checkRevocation({ report, cert, at, provenTime }: Checked, crls: ParsedCrl[]): void {
  if (!cert || crls.length === 0) return;
  const listed = crls.map((crl) => isRevoked(crl, cert.serial)).filter((entry) => entry !== null);
  if (listed.length === 0) {
    // A CRL older than the signature says nothing about the certificate at signing time.
    report.revoked = crls.some((crl) => at === null || crl.thisUpdate >= at) ? false : null;
    return;
  }
  const earliest = listed.reduce((a, b) => (b.revokedAt < a.revokedAt ? b : a));
  report.revoked = true;
  report.revokedAt = earliest.revokedAt;
  // A signature proven (by a timestamp) to predate the revocation stays valid, unless the key was compromised.
  const predates = provenTime && at !== null && at < earliest.revokedAt && !listed.some((entry) => entry.reason === "keyCompromise");
  if (!predates) {
    const whose = report.kind === "signature" ? "signer" : "TSA";
    report.problems.push(
      `${whose} certificate is revoked (${earliest.revokedAt.toISOString()}${earliest.reason ? `, ${earliest.reason}` : ""}) and the signature is not proven to predate it`,
    );
  }
}

/**
 * Checks every signature field of a PDF, signatures and document timestamps,
 * in signing order (by the end of their byte ranges), plus the DSS's CRLs
 * and what later revisions changed. Never throws on bad signatures.
 */
export async function verifyPdf(pdfBytes: Uint8Array, options: { caCertPem: string }): Promise<SignatureReport[]> {
  const { doc } = await loadPdf(pdfBytes);
  const ca = parseCertificate(options.caCertPem);
  const checked: Checked[] = [];
  for (const field of formFields(doc)) {
    const value = field.dict.lookupMaybe(PDFName.of("V"), PDFDict);
    if (field.type !== "Sig" || !value) continue;
    const verify = isDocumentTimestamp(value) ? verifyDocumentTimestamp : verifyOne;
    checked.push(verify(pdfBytes, field.name, value, ca, options.caCertPem));
  }
  const end = (report: SignatureReport) => (report.byteRange ? report.byteRange[2] + report.byteRange[3] : Infinity);
  checked.sort((x, y) => end(x.report) - end(y.report));

  const dss = readDss(doc);
  const crls = caCrls(dss, ca);
  for (const entry of checked) {
    const { report } = entry;
    const intactTimestamp = checked.find(
      ({ report: later }) => later.kind === "documentTimestamp" && end(later) > end(report) && later.digestOk && later.signatureOk && later.chainOk,
    );
    report.ltv = { dss: dss !== null, crl: crls.length > 0, timestampedAt: intactTimestamp?.report.timestamp?.genTime ?? null };
    checkRevocation(entry, crls);
    report.unchangedAfterSigning = report.byteRange !== null && contentsFromGap(pdfBytes, report.byteRange) !== null && (await onlyValidationDataAfter(pdfBytes, end(report), doc));
  }
  return checked.map(({ report }) => report);
}
