// What the revisions after a signature changed. A signature covers its own
// revision only; PAdES-B-LT/B-LTA then appends validation data (the DSS) and
// document timestamps, which must not count as "the document was changed".
// So for a signature whose revision ends at `end` this checks that every
// later revision, taken together, did nothing but:
//
//   - add or extend the catalog's /DSS (new streams, the DSS dictionary and
//     its arrays: objects reachable from the DSS that are new, or were
//     already the DSS's own),
//   - add invisible /DocTimeStamp signature fields (a new widget with a
//     zero-area /Rect, a new /DocTimeStamp value dictionary), appended to
//     the AcroForm's /Fields and the page's /Annots; SigFlags may change.
//
// Everything else (content, pages, metadata, another visible signature) makes
// it false. Objects are compared as pdf-lib re-serialises them, state at
// `end` against the final state. pdf-lib finds objects by scanning the file,
// while other readers follow the cross-reference sections, so those are
// checked too: each later section must be a classic table whose entries point
// into the appended bytes at the object they name (no re-pointing an object
// at an older body, no deleting one), chained back by /Prev to the signed
// revision. A later revision written with a cross-reference stream is
// therefore reported as a change (conservative).
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFRawStream, PDFRef, type PDFObject } from "pdf-lib";
import { formFields, lastStartxref, serialize } from "./pdf-update";

const key = (ref: PDFRef) => ref.toString();
const parseRef = (text: string) => {
  const [number, generation] = text.split(" ").map(Number);
  return PDFRef.of(number!, generation);
};

function same(a: PDFObject | undefined, b: PDFObject | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return Buffer.from(serialize(a)).equals(Buffer.from(serialize(b)));
}

function resolve(doc: PDFDocument, object: PDFObject | undefined): PDFObject | undefined {
  return object instanceof PDFRef ? doc.context.lookup(object) : object;
}

/** Every reference reachable from `start` (dictionaries, arrays, stream dictionaries), depth-limited. */
function reachable(doc: PDFDocument, start: PDFObject | undefined): Set<string> {
  const out = new Set<string>();
  const visit = (object: PDFObject | undefined, depth: number) => {
    if (!object || depth > 8) return;
    if (object instanceof PDFRef) {
      if (out.has(key(object))) return;
      out.add(key(object));
      visit(doc.context.lookup(object), depth + 1);
    } else if (object instanceof PDFDict) {
      for (const [, value] of object.entries()) visit(value, depth + 1);
    } else if (object instanceof PDFArray) {
      for (const value of object.asArray()) visit(value, depth + 1);
    } else if (object instanceof PDFRawStream) {
      visit(object.dict, depth + 1);
    }
  };
  visit(start, 0);
  return out;
}

interface XrefSection {
  entries: { number: number; generation: number; offset: number; inUse: boolean }[];
  prev: number | null;
}

/** A classic cross-reference section and its trailer's /Prev, or null if it is not one. */
function readXrefSection(text: string, offset: number): XrefSection | null {
  const head = /xref[ \t]*\r?\n/y;
  head.lastIndex = offset;
  if (!head.exec(text)) return null;
  let at = head.lastIndex;
  const entries: XrefSection["entries"] = [];
  for (;;) {
    const subsection = /(\d+) (\d+)[ \t]*\r?\n/y;
    subsection.lastIndex = at;
    const match = subsection.exec(text);
    if (!match) break;
    at = subsection.lastIndex;
    const [first, count] = [Number(match[1]), Number(match[2])];
    for (let i = 0; i < count; i++) {
      const entry = /(\d{10}) (\d{5}) ([nf])(?: \r| \n|\r\n)/y;
      entry.lastIndex = at;
      const e = entry.exec(text);
      if (!e) return null;
      at = entry.lastIndex;
      entries.push({ number: first + i, generation: Number(e[2]), offset: Number(e[1]), inUse: e[3] === "n" });
    }
  }
  const trailer = /\s*trailer\s*<</y;
  trailer.lastIndex = at;
  if (!trailer.exec(text)) return null;
  const end = text.indexOf("startxref", trailer.lastIndex);
  if (end < 0) return null;
  const prev = /\/Prev\s+(\d+)/.exec(text.slice(trailer.lastIndex, end));
  return { entries, prev: prev ? Number(prev[1]) : null };
}

function laterSectionsAreAppendOnly(bytes: Uint8Array, end: number): boolean {
  const text = Buffer.from(bytes).toString("latin1");
  if (!/%%EOF\s*$/.test(text.slice(-32))) return false;
  const signedXref = lastStartxref(bytes.subarray(0, end));
  const seen = new Set<number>();
  for (let offset = lastStartxref(bytes); offset !== signedXref;) {
    if (offset < end || offset >= bytes.length || seen.has(offset)) return false;
    seen.add(offset);
    const section = readXrefSection(text, offset);
    if (!section || section.prev === null) return false;
    for (const entry of section.entries) {
      if (!entry.inUse) {
        if (entry.number !== 0) return false;
        continue;
      }
      if (entry.offset < end || entry.offset >= bytes.length) return false;
      if (!text.startsWith(`${entry.number} ${entry.generation} obj`, entry.offset)) return false;
    }
    offset = section.prev;
  }
  return true;
}

function isZeroArea(rect: PDFArray | undefined): boolean {
  const values = rect?.asArray().map((value) => (value instanceof PDFNumber ? value.asNumber() : NaN)) ?? [];
  return values.length === 4 && values.every(Number.isFinite) && (values[0] === values[2] || values[1] === values[3]);
}

/**
 * Whether everything appended after byte `end` (the end of a signed
 * revision) is validation data or document timestamps; see the top of the
 * file. `latest` is the whole file as pdf-lib loaded it.
 */
export async function onlyValidationDataAfter(bytes: Uint8Array, end: number, latest: PDFDocument): Promise<boolean> {
  if (end === bytes.length) return true;
  if (!(end > 0 && end < bytes.length)) return false;
  try {
    if (!laterSectionsAreAppendOnly(bytes, end)) return false;
    const signed = await PDFDocument.load(bytes.subarray(0, end), { updateMetadata: false });
    const signedRoot = signed.context.trailerInfo.Root;
    const latestRoot = latest.context.trailerInfo.Root;
    if (!(signedRoot instanceof PDFRef) || !(latestRoot instanceof PDFRef) || key(signedRoot) !== key(latestRoot)) return false;
    if (latest.context.trailerInfo.Encrypt) return false;

    const existed = (ref: PDFRef) => signed.context.lookup(ref) !== undefined;
    const changed = new Set<string>();
    for (const [ref, object] of latest.context.enumerateIndirectObjects()) {
      if (!same(signed.context.lookup(ref), object)) changed.add(key(ref));
    }
    const accounted = new Set<string>();

    // New document timestamp fields: invisible widgets whose value is a new /DocTimeStamp.
    const signedFieldNames = new Set(formFields(signed).map((field) => field.name));
    const timestampWidgets = new Set<string>();
    for (const field of formFields(latest)) {
      if (signedFieldNames.has(field.name)) continue;
      const value = field.dict.get(PDFName.of("V"));
      const valueDict = value instanceof PDFRef ? latest.context.lookupMaybe(value, PDFDict) : undefined;
      const ok =
        field.ref !== null &&
        !existed(field.ref) &&
        field.type === "Sig" &&
        value instanceof PDFRef &&
        !existed(value) &&
        valueDict?.get(PDFName.of("Type"))?.toString() === "/DocTimeStamp" &&
        isZeroArea(field.dict.lookupMaybe(PDFName.of("Rect"), PDFArray));
      if (!ok) return false;
      timestampWidgets.add(key(field.ref!));
      accounted.add(key(field.ref!)).add(key(value as PDFRef));
      // Some writers give even an invisible widget an (empty) appearance.
      for (const ref of reachable(latest, field.dict.get(PDFName.of("AP")))) if (!existed(parseRef(ref))) accounted.add(ref);
    }

    // An array that only gained document timestamp widgets at its end.
    const extendedWithWidgets = (before: PDFObject | undefined, after: PDFObject | undefined): boolean => {
      const old = resolve(signed, before);
      const now = resolve(latest, after);
      const oldItems = old instanceof PDFArray ? old.asArray() : old === undefined ? [] : null;
      const newItems = now instanceof PDFArray ? now.asArray() : now === undefined ? [] : null;
      if (!oldItems || !newItems || newItems.length < oldItems.length) return false;
      if (!oldItems.every((item, i) => same(item, newItems[i]))) return false;
      return newItems.slice(oldItems.length).every((item) => item instanceof PDFRef && timestampWidgets.has(key(item)));
    };
    /** Same dictionary except for `free` keys. */
    const sameExcept = (a: PDFDict | undefined, b: PDFDict | undefined, free: string[]): boolean => {
      if (!a || !b) return false;
      const names = new Map([...a.keys(), ...b.keys()].map((name) => [name.asString(), name]));
      return [...names].every(([text, name]) => free.includes(text) || same(a.get(name), b.get(name)));
    };
    const account = (object: PDFObject | undefined) => {
      if (object instanceof PDFRef) accounted.add(key(object));
    };

    // Catalog: only /DSS and the AcroForm's /Fields and /SigFlags.
    const signedCatalog = signed.context.lookupMaybe(signedRoot, PDFDict);
    const latestCatalog = latest.context.lookupMaybe(latestRoot, PDFDict);
    if (!sameExcept(signedCatalog, latestCatalog, ["/DSS", "/AcroForm"])) return false;
    accounted.add(key(latestRoot));
    const acroFormBefore = signedCatalog!.get(PDFName.of("AcroForm"));
    const acroFormAfter = latestCatalog!.get(PDFName.of("AcroForm"));
    const formBefore = resolve(signed, acroFormBefore);
    const formAfter = resolve(latest, acroFormAfter);
    if (formBefore !== undefined || formAfter !== undefined) {
      if (!(formAfter instanceof PDFDict)) return false;
      const before = formBefore instanceof PDFDict ? formBefore : PDFDict.withContext(signed.context);
      if (!sameExcept(before, formAfter, ["/Fields", "/SigFlags"])) return false;
      if (!extendedWithWidgets(before.get(PDFName.of("Fields")), formAfter.get(PDFName.of("Fields")))) return false;
      account(acroFormAfter);
      account(formAfter.get(PDFName.of("Fields")));
    }

    // Pages: the same tree; a page may only gain widgets in /Annots.
    const signedPages = signed.getPages();
    const latestPages = latest.getPages();
    if (signedPages.length !== latestPages.length) return false;
    for (let i = 0; i < latestPages.length; i++) {
      const [before, after] = [signedPages[i]!, latestPages[i]!];
      if (key(before.ref) !== key(after.ref)) return false;
      if (!sameExcept(before.node, after.node, ["/Annots"])) return false;
      if (!extendedWithWidgets(before.node.get(PDFName.of("Annots")), after.node.get(PDFName.of("Annots")))) return false;
      accounted.add(key(after.ref));
      account(after.node.get(PDFName.of("Annots")));
    }

    // The DSS: new objects, or objects that already belonged to the DSS.
    const dssBefore = reachable(signed, signedCatalog!.get(PDFName.of("DSS")));
    for (const ref of reachable(latest, latestCatalog!.get(PDFName.of("DSS")))) {
      if (!existed(parseRef(ref)) || dssBefore.has(ref)) accounted.add(ref);
    }

    return [...changed].every((ref) => accounted.has(ref));
  } catch {
    return false;
  }
}
