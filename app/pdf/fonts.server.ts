// The two CJK faces every generated document uses, and the fontkit that pdf-lib
// embeds them with. pdf-lib's own @pdf-lib/fontkit drops glyphs from small
// TrueType subsets (short loca offsets, pdf-lib #1232/#808), so pdf-lib is given
// fontkit 2.0.4 instead, behind the one adapter it needs (see ADR 0006).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Readable } from "node:stream";
import type { PDFDocument, PDFFont } from "pdf-lib";

const require = createRequire(import.meta.url);

export type FontFace = "serif" | "sansBold";

const FONT_FILES: Record<FontFace, { module: string; file: string }> = {
  serif: { module: "@expo-google-fonts/noto-serif-sc", file: "400Regular/NotoSerifSC_400Regular.ttf" },
  sansBold: { module: "@expo-google-fonts/noto-sans-sc", file: "700Bold/NotoSansSC_700Bold.ttf" },
};

const fontBytesCache = new Map<FontFace, Uint8Array>();

/** The TTF bytes of a face, read from node_modules once per process (10–15 MB each). */
export function fontBytes(face: FontFace): Uint8Array {
  let bytes = fontBytesCache.get(face);
  if (!bytes) {
    const { module, file } = FONT_FILES[face];
    const buffer = readFileSync(require.resolve(`${module}/${file}`));
    bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    fontBytesCache.set(face, bytes);
  }
  return bytes;
}

type PdfLibFontkit = Parameters<PDFDocument["registerFontkit"]>[0];
type PdfLibFont = ReturnType<PdfLibFontkit["create"]>;

/** The parts of fontkit 2 this module touches. */
interface Fontkit2Subset {
  includeGlyph(glyph: number | { id: number }): number;
  encode(): Uint8Array;
}
interface Fontkit2Font {
  unitsPerEm: number;
  createSubset(): Fontkit2Subset;
  layout(text: string): { glyphs: { id: number; advanceWidth: number }[] };
  hasGlyphForCodePoint(codePoint: number): boolean;
}
interface Fontkit2 {
  create(bytes: Uint8Array, postscriptName?: string): Fontkit2Font;
}

const fontkit2 = require("fontkit") as Fontkit2;

// pdf-lib parses the font again on every embedFont (~25 ms a face warm, ~70 ms
// cold, plus its layout tables). A parsed font is only read from (each subset
// is a new object) and fontkit is synchronous, so one instance serves every
// document, and measuring (charWidth) uses the very font pdf-lib draws with.
const parsedFonts = new WeakMap<Uint8Array, Fontkit2Font>();

function parseFont(bytes: Uint8Array, postscriptName?: string): Fontkit2Font {
  if (postscriptName) return fontkit2.create(bytes, postscriptName);
  let font = parsedFonts.get(bytes);
  if (!font) {
    font = fontkit2.create(bytes);
    parsedFonts.set(bytes, font);
  }
  return font;
}

/** pdf-lib reads a subset through `encodeStream()` events; fontkit 2 only has `encode()`. */
function withEncodeStream(subset: Fontkit2Subset) {
  return Object.assign(subset, {
    encodeStream: () => Readable.from([subset.encode()], { objectMode: true }),
  });
}

function withStreamingSubsets(font: Fontkit2Font): Fontkit2Font {
  return new Proxy(font, {
    get(target, property, receiver) {
      if (property === "createSubset") return () => withEncodeStream(target.createSubset());
      return Reflect.get(target, property, receiver);
    },
  });
}

/** fontkit 2.0.4 shaped like the fontkit pdf-lib 1.17 was written for. */
export const fontkitForPdfLib: PdfLibFontkit = {
  create: (bytes, postscriptName) => withStreamingSubsets(parseFont(bytes, postscriptName)) as unknown as PdfLibFont,
};

const charWidthCache: Record<FontFace, Map<string, number>> = { serif: new Map(), sansBold: new Map() };

/**
 * Advance width of one character at 1 pt: the width pdf-lib writes into the
 * font's /W array for its glyph, so lines measured with it fit when drawn.
 */
export function charWidth(face: FontFace, char: string): number {
  const cache = charWidthCache[face];
  let width = cache.get(char);
  if (width === undefined) {
    const font = parseFont(fontBytes(face));
    width = font.layout(char).glyphs.reduce((sum, glyph) => sum + glyph.advanceWidth, 0) / font.unitsPerEm;
    cache.set(char, width);
  }
  return width;
}

/** Whether the face has a glyph for the character (if not, readers show a box). */
export function faceHasChar(face: FontFace, char: string): boolean {
  return parseFont(fontBytes(face)).hasGlyphForCodePoint(char.codePointAt(0) ?? 0);
}

export type DocumentFonts = Record<FontFace, PDFFont>;

const POSTSCRIPT_NAMES: Record<FontFace, string> = { serif: "NotoSerifSC-Regular", sansBold: "NotoSansSC-Bold" };

/**
 * Six capital letters for the subset prefix ("ABCDEF+Name"). Readers use the
 * prefix to tell subsets apart (pdffonts reports "sub" only with one); pdf-lib
 * would name the font "NotoSerifSC-Regular-1234" instead. Deriving the tag from
 * the document's content keeps the bytes reproducible.
 */
export function subsetTag(seed: string, face: FontFace): string {
  const digest = createHash("sha256").update(`${face}\0${seed}`).digest();
  return Array.from(digest.subarray(0, 6), (byte) => String.fromCharCode(65 + (byte % 26))).join("");
}

/** Registers the adapter and embeds both faces as subsets named from `seed`. */
export async function embedDocumentFonts(doc: PDFDocument, seed: string): Promise<DocumentFonts> {
  doc.registerFontkit(fontkitForPdfLib);
  const embed = (face: FontFace) => doc.embedFont(fontBytes(face), { subset: true, customName: `${subsetTag(seed, face)}+${POSTSCRIPT_NAMES[face]}` });
  // One after the other: object numbers are handed out in embedding order.
  const serif = await embed("serif");
  const sansBold = await embed("sansBold");
  return { serif, sansBold };
}
