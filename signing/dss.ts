// Reading a document's Document Security Store (ISO 32000-2 §12.8.4.3,
// ETSI EN 319 142-1 §5.4.2): the certificates, CRLs and OCSP responses kept
// in the PDF itself so that its signatures can be validated offline, long
// after the CA's services are gone. ltv.ts writes it; pades.ts reads it.
import { decodePDFRawStream, PDFArray, PDFDict, PDFName, PDFRawStream, PDFRef, type PDFDocument, type PDFObject } from "pdf-lib";

export interface DssEntry {
  /** The array element as found (usually a reference to a stream), to be copied as is. */
  entry: PDFObject;
  /** The stream's decoded bytes (a DER certificate, CRL or OCSP response); null when unreadable. */
  data: Uint8Array | null;
}

export interface DssContents {
  /** The catalog's /DSS value and, when indirect, its reference. */
  dict: PDFDict;
  ref: PDFRef | null;
  certificates: DssEntry[];
  crls: DssEntry[];
  ocsps: DssEntry[];
}

function streamData(doc: PDFDocument, entry: PDFObject): Uint8Array | null {
  const object = entry instanceof PDFRef ? doc.context.lookup(entry) : entry;
  if (!(object instanceof PDFRawStream)) return null;
  try {
    return decodePDFRawStream(object).decode();
  } catch {
    return null;
  }
}

function entries(doc: PDFDocument, dss: PDFDict, key: string): DssEntry[] {
  const array = dss.lookupMaybe(PDFName.of(key), PDFArray);
  return (array?.asArray() ?? []).map((entry) => ({ entry, data: streamData(doc, entry) }));
}

/** The document's DSS, or null when the catalog has none. */
export function readDss(doc: PDFDocument): DssContents | null {
  const value = doc.catalog.get(PDFName.of("DSS"));
  const ref = value instanceof PDFRef ? value : null;
  const dict = ref ? doc.context.lookupMaybe(ref, PDFDict) : value instanceof PDFDict ? value : undefined;
  if (!dict) return null;
  return { dict, ref, certificates: entries(doc, dict, "Certs"), crls: entries(doc, dict, "CRLs"), ocsps: entries(doc, dict, "OCSPs") };
}
