// Long-term validation: PAdES-B-LT and B-LTA (ETSI EN 319 142-1 §5.4-5.5)
// on top of the B-T signatures pades.ts makes.
//
//   B-LT   addValidationData: an incremental update adding (or extending)
//          the catalog's /DSS with the certificates (CA, signers, TSA) and
//          the CA's CRL, so the signatures can be validated when the
//          platform is long gone: no fetching, the CRL proves the signer
//          certificates were not revoked when it was issued.
//   B-LTA  addDocumentTimestamp: another incremental update, an invisible
//          signature field whose value is a /DocTimeStamp with an RFC 3161
//          token over its ByteRange, which covers every signature and the
//          DSS. Before the TSA's key or SHA-256 weakens, a new DSS + document
//          timestamp round renews the proof (call makeLongTerm again).
//
// Each step only appends, so every earlier signature stays valid; verifyPdf
// reports `unchangedAfterSigning` for a signature followed by nothing else.
// No VRI dictionaries: they are optional (EN 319 142-1 §5.4.2.2), validators
// search /Certs and /CRLs anyway, and their keys (SHA-1 of /Contents) are
// read differently by different tools.
import { createHash } from "node:crypto";
import { PDFArray, PDFDict, PDFHexString, PDFName, type PDFObject } from "pdf-lib";
import type { TsaInput } from "./cades";
import { parseSignedData } from "./cms";
import { parseCrl } from "./crl";
import { parseDer } from "./der";
import { readDss } from "./dss";
import { OID } from "./oids";
import { appendSignatureField, embedSignature, SigningError, type ByteRange, type PreparedPdf } from "./pades";
import { formFields, IncrementalUpdate, loadPdf, streamBody } from "./pdf-update";
import { timestampToken } from "./timestamp";
import { derToPem, parseCertificate, pemToDer } from "./x509";

/** Room for a timestamp token: TSTInfo, one signer, the TSA certificate (~2 KB in all). */
export const DEFAULT_TIMESTAMP_CONTENTS_BYTES = 8 * 1024;

export interface ValidationData {
  certificatesPem: string[];
  crlsDer: Uint8Array[];
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/**
 * Adds the certificates and CRLs to the document's DSS (creating it if
 * needed) in an incremental update. Items already there (same bytes) are not
 * repeated; when nothing is new the PDF is returned as is.
 */
export async function addValidationData(pdfBytes: Uint8Array, data: ValidationData): Promise<Uint8Array> {
  // Refuse what would not parse as what it claims to be: the DSS is read by validators.
  const certificates = data.certificatesPem.map((pem) => {
    const der = pemToDer(pem);
    parseCertificate(der);
    return der;
  });
  const crls = data.crlsDer.map((der) => {
    parseCrl(der);
    return parseDer(der).raw;
  });

  const pdf = await loadPdf(pdfBytes);
  const update = new IncrementalUpdate(pdf);
  const context = update.context;
  const existing = readDss(pdf.doc);
  const dict = existing?.dict ?? context.obj({});
  let added = 0;

  const extend = (key: "Certs" | "CRLs", have: { entry: PDFObject; data: Uint8Array | null }[], items: Uint8Array[]) => {
    const array = PDFArray.withContext(context);
    for (const { entry } of have) array.push(entry);
    const known = have.flatMap(({ data }) => (data ? [data] : []));
    for (const item of items) {
      if (known.some((other) => sameBytes(other, item))) continue;
      known.push(item);
      const ref = update.allocate();
      update.set(ref, streamBody("", item));
      array.push(ref);
      added++;
    }
    if (array.size() > 0) dict.set(PDFName.of(key), array);
  };
  extend("Certs", existing?.certificates ?? [], certificates);
  extend("CRLs", existing?.crls ?? [], crls);
  if (added === 0) return pdfBytes;

  if (existing?.ref) {
    update.set(existing.ref, dict);
  } else {
    const ref = update.allocate();
    dict.set(PDFName.of("Type"), PDFName.of("DSS"));
    update.set(ref, dict);
    const catalog = context.lookup(pdf.root, PDFDict);
    catalog.set(PDFName.of("DSS"), ref);
    update.set(pdf.root, catalog);
  }
  const secondId = createHash("sha256").update(pdfBytes).update("\0DSS").digest().subarray(0, 16);
  return update.write(secondId).bytes;
}

// ---------------------------------------------------------------------------
// Document timestamp

export interface DocumentTimestampField {
  /** Unique among the document's fields, e.g. "doc-timestamp-1". */
  fieldName: string;
  /** Placeholder size; default DEFAULT_TIMESTAMP_CONTENTS_BYTES. */
  contentsBytes?: number;
  /** Zero-based page the (invisible) widget is attached to; default 0. */
  page?: number;
}

/** Appends an invisible /DocTimeStamp field with an empty /Contents; `digest` is the imprint to timestamp. */
export function prepareDocumentTimestamp(pdfBytes: Uint8Array, options: DocumentTimestampField): Promise<PreparedPdf> {
  return appendSignatureField(pdfBytes, {
    fieldName: options.fieldName,
    // ISO 32000-2 §12.8.5: no /M, /Name or /Reason; the token carries the time.
    head: `/Type /DocTimeStamp\n/Filter /Adobe.PPKLite\n/SubFilter /ETSI.RFC3161\n`,
    tail: "",
    contentsBytes: options.contentsBytes ?? DEFAULT_TIMESTAMP_CONTENTS_BYTES,
    page: options.page ?? 0,
    idSalt: `${options.fieldName}\0DocTimeStamp`,
  });
}

/** Writes a DER TimeStampToken (e.g. from a third-party TSA) into a prepared document timestamp. */
export function embedDocumentTimestamp(prepared: Uint8Array, byteRange: ByteRange, token: Uint8Array): Uint8Array {
  const sd = parseSignedData(token);
  if (sd.eContentType !== OID.tstInfo) throw new SigningError("not a TimeStampToken (eContentType is not id-ct-TSTInfo)");
  return embedSignature(prepared, byteRange, token);
}

export interface DocumentTimestampOptions extends DocumentTimestampField {
  /** The platform TSA; genTime is the caller's clock. */
  tsa: TsaInput;
}

/** prepareDocumentTimestamp + a token from the given TSA over the ByteRange's SHA-256 + embed. */
export async function addDocumentTimestamp(pdfBytes: Uint8Array, options: DocumentTimestampOptions): Promise<Uint8Array> {
  const { prepared, byteRange, digest } = await prepareDocumentTimestamp(pdfBytes, options);
  const token = timestampToken({
    tsaCertPem: options.tsa.certPem,
    tsaKeyPem: options.tsa.keyPem,
    messageImprint: digest,
    serial: options.tsa.serial,
    genTime: options.tsa.genTime,
  });
  return embedDocumentTimestamp(prepared, byteRange, token);
}

// ---------------------------------------------------------------------------

/** Every certificate inside the document's signatures and their timestamp tokens (signers, CA, TSAs), as DER. */
async function certificatesInSignatures(pdfBytes: Uint8Array): Promise<Uint8Array[]> {
  const { doc } = await loadPdf(pdfBytes);
  const out: Uint8Array[] = [];
  const add = (der: Uint8Array) => {
    if (!out.some((other) => sameBytes(other, der))) out.push(der);
  };
  for (const field of formFields(doc)) {
    const contents = field.type === "Sig" ? field.dict.lookupMaybe(PDFName.of("V"), PDFDict)?.get(PDFName.of("Contents")) : undefined;
    if (!(contents instanceof PDFHexString)) continue;
    try {
      // A document timestamp's token is a SignedData too: its TSA certificate is collected the same way.
      const cms = parseSignedData(contents.asBytes());
      for (const cert of cms.certificates) add(cert.der);
      for (const info of cms.signerInfos) {
        for (const token of info.unsigned.get(OID.signatureTimeStampToken) ?? []) for (const cert of parseSignedData(token.raw).certificates) add(cert.der);
      }
    } catch {
      // not ours to judge here; verifyPdf reports it
    }
  }
  return out;
}

export interface LongTermOptions {
  caCertPem: string;
  /** A current CRL from the CA (createCrl), issued after the signatures' times. */
  crlDer: Uint8Array;
  /** Added to the certificates found in the signatures (signers, CA, TSA). */
  extraCertificatesPem?: string[];
  tsa: TsaInput;
  /** Default "doc-timestamp-<n>", n one more than the document timestamps already there. */
  fieldName?: string;
}

/**
 * PAdES-B-LTA in two incremental updates: the DSS (every certificate in the
 * signatures, the CA, the document TSA, `extraCertificatesPem`, the CRL),
 * then a document timestamp over all of it.
 */
export async function makeLongTerm(pdfBytes: Uint8Array, options: LongTermOptions): Promise<Uint8Array> {
  const found = await certificatesInSignatures(pdfBytes);
  const certificatesPem = [options.caCertPem, options.tsa.certPem, ...(options.extraCertificatesPem ?? [])];
  const withData = await addValidationData(pdfBytes, {
    certificatesPem: [...certificatesPem, ...found.map((der) => derToPem(der))],
    crlsDer: [options.crlDer],
  });
  let fieldName = options.fieldName;
  if (!fieldName) {
    const names = new Set(formFields((await loadPdf(withData)).doc).map((field) => field.name));
    let n = 1;
    while (names.has(`doc-timestamp-${n}`)) n++;
    fieldName = `doc-timestamp-${n}`;
  }
  return addDocumentTimestamp(withData, { fieldName, tsa: options.tsa });
}
