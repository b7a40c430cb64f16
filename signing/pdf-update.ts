// Appending to a PDF as an incremental update (ISO 32000-1 §7.5.6): new and
// changed objects, a new cross-reference section and a trailer pointing back
// to the previous one (/Prev) are written after the existing bytes, which stay
// untouched. That is what keeps earlier signatures valid: each covers the file
// as it was up to its own revision.
//
// Reading uses pdf-lib, which parses every revision in order so the latest
// definition of each object wins; writing is done here, byte by byte, because
// pdf-lib can only save a whole new file. Only files whose last
// cross-reference section is a classic table are accepted (our renderer saves
// with useObjectStreams:false); appending a table after a cross-reference
// stream would make a hybrid that some readers reject.
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRef, PDFString, type PDFObject } from "pdf-lib";

const latin1 = (text: string) =>
  Uint8Array.from(text, (char) => {
    const code = char.charCodeAt(0);
    if (code > 0xff) throw new Error("PDF syntax must be Latin-1; encode text strings first");
    return code;
  });

const decodeLatin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");

/** The bytes of a pdf-lib object in PDF syntax, as pdf-lib itself would write them. */
export function serialize(object: PDFObject): Uint8Array {
  const out = new Uint8Array(object.sizeInBytes());
  object.copyBytesInto(out, 0);
  return out;
}

/** A PDF text string: a literal for printable ASCII, else UTF-16BE hex with a byte-order mark. */
export function pdfTextString(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return `(${text.replace(/[\\()]/g, (c) => `\\${c}`)})`;
  return PDFHexString.fromText(text).toString();
}

/** A PDF date in UTC, e.g. (D:20261120023000Z). */
export function pdfDate(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new Error("invalid date");
  const iso = date.toISOString();
  return `(D:${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z)`;
}

/** Offset of the last cross-reference section (the number after the last `startxref`). */
export function lastStartxref(bytes: Uint8Array): number {
  const tail = decodeLatin1(bytes.subarray(Math.max(0, bytes.length - 1024)));
  const matches = [...tail.matchAll(/startxref\s+(\d+)\s+%%EOF/g)];
  const last = matches.at(-1);
  if (!last) throw new Error("PDF: no startxref at the end of the file");
  return Number(last[1]);
}

export interface LoadedPdf {
  bytes: Uint8Array;
  doc: PDFDocument;
  startxref: number;
  root: PDFRef;
  info: PDFRef | null;
  id: [PDFHexString, PDFHexString] | null;
}

export async function loadPdf(bytes: Uint8Array): Promise<LoadedPdf> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const { Root, Info, ID } = doc.context.trailerInfo;
  if (!(Root instanceof PDFRef)) throw new Error("PDF: trailer has no /Root reference");
  let id: LoadedPdf["id"] = null;
  if (ID instanceof PDFArray && ID.size() === 2) {
    const [first, second] = [ID.get(0), ID.get(1)];
    if (first instanceof PDFHexString && second instanceof PDFHexString) id = [first, second];
  }
  return { bytes, doc, startxref: lastStartxref(bytes), root: Root, info: Info instanceof PDFRef ? Info : null, id };
}

/** A stream object's body: the dictionary (with /Length added) and the raw data. */
export function streamBody(dictEntries: string, data: Uint8Array): Uint8Array {
  const head = latin1(`<<${dictEntries} /Length ${data.length}>>\nstream\n`);
  const tail = latin1("\nendstream");
  const out = new Uint8Array(head.length + data.length + tail.length);
  out.set(head, 0);
  out.set(data, head.length);
  out.set(tail, head.length + data.length);
  return out;
}

export interface WrittenUpdate {
  bytes: Uint8Array;
  /** Where each object's body (after "N 0 obj\n") starts in `bytes`. */
  bodyOffsets: Map<number, number>;
}

/** Collects objects for one incremental update and writes it after the original bytes. */
export class IncrementalUpdate {
  private readonly objects = new Map<number, Uint8Array>();
  private nextNumber: number;

  constructor(private readonly pdf: LoadedPdf) {
    if (!decodeLatin1(pdf.bytes.subarray(pdf.startxref, pdf.startxref + 4)).startsWith("xref")) {
      throw new Error("PDF: the last cross-reference section is a stream; save the document with useObjectStreams:false");
    }
    if (pdf.doc.context.trailerInfo.Encrypt) throw new Error("PDF: encrypted documents cannot be signed");
    this.nextNumber = pdf.doc.context.largestObjectNumber + 1;
  }

  get context() {
    return this.pdf.doc.context;
  }

  /** Reserves an object number for a new object. */
  allocate(): PDFRef {
    return PDFRef.of(this.nextNumber++);
  }

  /** Sets the body of a new object or replaces an existing one (generation 0 only). */
  set(ref: PDFRef, body: Uint8Array | string | PDFObject): void {
    if (ref.generationNumber !== 0) throw new Error("PDF: cannot update objects with a non-zero generation");
    const bytes = typeof body === "string" ? latin1(body) : body instanceof Uint8Array ? body : serialize(body);
    this.objects.set(ref.objectNumber, bytes);
  }

  /** Writes the update; `secondId` becomes the second half of the trailer /ID (the first never changes). */
  write(secondId: Uint8Array): WrittenUpdate {
    const base = this.pdf.bytes;
    const parts: Uint8Array[] = [base];
    let length = base.length;
    const push = (bytes: Uint8Array) => {
      parts.push(bytes);
      length += bytes.length;
    };
    if (base[base.length - 1] !== 0x0a) push(latin1("\n"));

    const numbers = [...this.objects.keys()].sort((a, b) => a - b);
    const objectOffsets = new Map<number, number>();
    const bodyOffsets = new Map<number, number>();
    for (const number of numbers) {
      objectOffsets.set(number, length);
      push(latin1(`${number} 0 obj\n`));
      bodyOffsets.set(number, length);
      push(this.objects.get(number)!);
      push(latin1("\nendobj\n"));
    }

    // Subsections of consecutive object numbers; each entry exactly 20 bytes.
    const xrefOffset = length;
    let xref = "xref\n";
    for (let i = 0; i < numbers.length;) {
      let j = i;
      while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++;
      xref += `${numbers[i]} ${j - i + 1}\n`;
      for (let k = i; k <= j; k++) xref += `${String(objectOffsets.get(numbers[k]!)).padStart(10, "0")} 00000 n\r\n`;
      i = j + 1;
    }
    const size = Math.max(this.context.largestObjectNumber + 1, this.nextNumber);
    const id = this.pdf.id ? `/ID [${this.pdf.id[0].toString()} <${Buffer.from(secondId).toString("hex").toUpperCase()}>]\n` : "";
    const info = this.pdf.info ? `/Info ${this.pdf.info.toString()}\n` : "";
    xref += `trailer\n<<\n/Size ${size}\n/Root ${this.pdf.root.toString()}\n${info}${id}/Prev ${this.pdf.startxref}\n>>\nstartxref\n${xrefOffset}\n%%EOF\n`;
    push(latin1(xref));

    const bytes = new Uint8Array(length);
    let offset = 0;
    for (const part of parts) {
      bytes.set(part, offset);
      offset += part.length;
    }
    return { bytes, bodyOffsets };
  }
}

// ---------------------------------------------------------------------------
// Reading the form

export interface FormField {
  /** Fully qualified name (partial names joined with "."). */
  name: string;
  /** Field type (/FT), inherited from ancestors when the field itself has none. */
  type: string | null;
  ref: PDFRef | null;
  dict: PDFDict;
}

/** The text of a PDF string object (literal or hex, PDFDocEncoding or UTF-16), else null. */
export function pdfObjectText(object: PDFObject | undefined): string | null {
  return object instanceof PDFString || object instanceof PDFHexString ? object.decodeText() : null;
}

/** Every terminal field of the AcroForm, depth first, with its qualified name. */
export function formFields(doc: PDFDocument): FormField[] {
  const acroForm = doc.catalog.lookupMaybe(PDFName.of("AcroForm"), PDFDict);
  const fields = acroForm?.lookupMaybe(PDFName.of("Fields"), PDFArray);
  const out: FormField[] = [];
  const visit = (entry: PDFObject, prefix: string, inheritedType: string | null, depth: number) => {
    if (depth > 32) return;
    const ref = entry instanceof PDFRef ? entry : null;
    const dict = ref ? doc.context.lookupMaybe(ref, PDFDict) : entry instanceof PDFDict ? entry : undefined;
    if (!dict) return;
    const partial = pdfObjectText(dict.get(PDFName.of("T")));
    const name = partial === null ? prefix : prefix ? `${prefix}.${partial}` : partial;
    const ownType = dict.get(PDFName.of("FT"));
    const type = ownType instanceof PDFName ? ownType.decodeText() : inheritedType;
    // Kids with a /T are fields; kids without are this field's widgets.
    const kidFields = (dict.lookupMaybe(PDFName.of("Kids"), PDFArray)?.asArray() ?? []).filter((kid) => {
      const kidDict = kid instanceof PDFRef ? doc.context.lookupMaybe(kid, PDFDict) : kid instanceof PDFDict ? kid : undefined;
      return kidDict?.has(PDFName.of("T")) ?? false;
    });
    if (kidFields.length > 0) {
      for (const kid of kidFields) visit(kid, name, type, depth + 1);
    } else {
      out.push({ name, type, ref, dict });
    }
  };
  for (const entry of fields?.asArray() ?? []) visit(entry, "", null, 0);
  return out;
}
