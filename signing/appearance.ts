// The visible part of a signature: a small red-bordered box with the signer's
// name and the signing time (Beijing time), drawn in the signature slot the
// renderer left above a signature line.
//
// Chinese text needs a font, and the appearance is written into an
// incremental update, so pdf-lib's embedding cannot be used. The font is
// embedded here directly: a TrueType subset of Noto Serif SC holding only the
// glyphs drawn (a few KB), as a Type0/CIDFontType2 font with Identity
// encoding (codes = subset glyph ids) and a ToUnicode map so the text can be
// copied and searched. fontkit 2.0.4 makes the subset (the @pdf-lib/fontkit
// fork loses glyphs in small subsets, see STACK.md).
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { deflateSync } from "node:zlib";
import type { PDFRef } from "pdf-lib";
import { fontBytes } from "../app/pdf/fonts.server";
import { streamBody, type IncrementalUpdate } from "./pdf-update";

const require = createRequire(import.meta.url);

interface FontkitGlyph {
  id: number;
  advanceWidth: number;
}
interface FontkitFont {
  postscriptName: string;
  unitsPerEm: number;
  ascent: number;
  descent: number;
  capHeight: number;
  bbox: { minX: number; minY: number; maxX: number; maxY: number };
  glyphForCodePoint(codePoint: number): FontkitGlyph;
  createSubset(): { includeGlyph(glyph: FontkitGlyph | number): number; encode(): Uint8Array };
}
const fontkit = require("fontkit") as { create(bytes: Uint8Array): FontkitFont };

let cachedFont: FontkitFont | undefined;
function serifFont(): FontkitFont {
  cachedFont ??= fontkit.create(fontBytes("serif"));
  return cachedFont;
}

const SEAL_RED = "0.75 0.08 0.08";
const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, "0");
const num = (n: number) => (Math.round(n * 100) / 100).toString();

/** Beijing time (UTC+8, no daylight saving), e.g. "2026-11-20 10:30:00". */
export function beijingTime(date: Date): string {
  return new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace("T", " ");
}

interface EmbeddedText {
  fontRef: PDFRef;
  /** Hex string of glyph codes for a text, and its width at 1 pt. */
  encode(text: string): { hex: string; width: number };
}

/** Embeds the subset of Noto Serif SC needed for `texts` and returns how to draw them. */
function embedFontFor(update: IncrementalUpdate, texts: string[]): EmbeddedText {
  const font = serifFont();
  const subset = font.createSubset();
  const scale = 1000 / font.unitsPerEm;
  const codes = new Map<number, { gid: number; width: number }>();
  for (const char of new Set(texts.join(""))) {
    const codePoint = char.codePointAt(0)!;
    const glyph = font.glyphForCodePoint(codePoint);
    codes.set(codePoint, { gid: subset.includeGlyph(glyph), width: Math.round(glyph.advanceWidth * scale) });
  }
  const program = subset.encode();

  const tag = Array.from(createHash("sha256").update(texts.join("\n")).digest().subarray(0, 6), (b) => String.fromCharCode(65 + (b % 26))).join("");
  const baseFont = `/${tag}+${font.postscriptName}`;

  const fontFile = update.allocate();
  update.set(fontFile, streamBody(` /Filter /FlateDecode /Length1 ${program.length}`, deflateSync(program)));

  const descriptor = update.allocate();
  const { minX, minY, maxX, maxY } = font.bbox;
  update.set(
    descriptor,
    `<< /Type /FontDescriptor /FontName ${baseFont} /Flags 4 /FontBBox [${[minX, minY, maxX, maxY].map((v) => Math.round(v * scale)).join(" ")}]` +
      ` /ItalicAngle 0 /Ascent ${Math.round(font.ascent * scale)} /Descent ${Math.round(font.descent * scale)}` +
      ` /CapHeight ${Math.round(font.capHeight * scale)} /StemV 80 /FontFile2 ${fontFile.toString()} >>`,
  );

  const entries = [...codes.entries()].sort((a, b) => a[1].gid - b[1].gid);
  const widths = entries.map(([, { gid, width }]) => `${gid} [${width}]`).join(" ");
  const cidFont = update.allocate();
  update.set(
    cidFont,
    `<< /Type /Font /Subtype /CIDFontType2 /BaseFont ${baseFont} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>` +
      ` /FontDescriptor ${descriptor.toString()} /DW 1000 /W [${widths}] /CIDToGIDMap /Identity >>`,
  );

  const bfchars: string[] = [];
  for (let i = 0; i < entries.length; i += 100) {
    const chunk = entries.slice(i, i + 100);
    const lines = chunk.map(([codePoint, { gid }]) => {
      const units = String.fromCodePoint(codePoint);
      const target = Array.from({ length: units.length }, (_, k) => hex4(units.charCodeAt(k))).join("");
      return `<${hex4(gid)}> <${target}>`;
    });
    bfchars.push(`${chunk.length} beginbfchar\n${lines.join("\n")}\nendbfchar`);
  }
  const cmap = [
    "/CIDInit /ProcSet findresource begin",
    "12 dict begin",
    "begincmap",
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
    "/CMapName /Adobe-Identity-UCS def",
    "/CMapType 2 def",
    "1 begincodespacerange",
    "<0000> <FFFF>",
    "endcodespacerange",
    ...bfchars,
    "endcmap",
    "CMapName currentdict /CMap defineresource pop",
    "end",
    "end",
  ].join("\n");
  const toUnicode = update.allocate();
  update.set(toUnicode, streamBody("", new TextEncoder().encode(cmap)));

  const fontRef = update.allocate();
  update.set(
    fontRef,
    `<< /Type /Font /Subtype /Type0 /BaseFont ${baseFont} /Encoding /Identity-H /DescendantFonts [${cidFont.toString()}] /ToUnicode ${toUnicode.toString()} >>`,
  );

  return {
    fontRef,
    encode(text) {
      let hex = "";
      let width = 0;
      for (const char of text) {
        const code = codes.get(char.codePointAt(0)!)!;
        hex += hex4(code.gid);
        width += code.width / 1000;
      }
      return { hex, width };
    },
  };
}

export interface AppearanceContent {
  signerName: string;
  signingTime: Date;
}

/**
 * Writes the appearance form XObject for a widget of `width` × `height`
 * points: the signer's name large on the first line, the time below, both
 * shrunk to fit. Returns the XObject's reference for the widget's /AP /N.
 */
export function writeSignatureAppearance(update: IncrementalUpdate, box: { width: number; height: number }, content: AppearanceContent): PDFRef {
  const { width, height } = box;
  if (!(width > 0 && height > 0)) throw new Error("appearance box must have a positive size");
  const name = content.signerName.trim();
  const time = `${beijingTime(content.signingTime)}（北京时间）`;
  const font = embedFontFor(update, [name, time]);

  const pad = Math.min(4, width * 0.05, height * 0.1);
  // The slot sits on the signature line; the border stays clear of it.
  const lift = Math.min(2, height * 0.06);
  const innerWidth = width - 2 * pad;
  const encodedName = font.encode(name);
  const encodedTime = font.encode(time);
  const nameSize = Math.max(1, Math.min((height - lift) * 0.46, innerWidth / Math.max(encodedName.width, 0.01)));
  const timeSize = Math.max(1, Math.min((height - lift) * 0.2, innerWidth / Math.max(encodedTime.width, 0.01)));
  // Name baseline at the top, time at the bottom, each with its em box inside the padding.
  const nameBaseline = height - pad - 0.88 * nameSize;
  const timeBaseline = lift + pad + 0.12 * timeSize;

  const stream = [
    "q",
    `${SEAL_RED} RG 0.8 w`,
    `0.4 ${num(lift + 0.4)} ${num(width - 0.8)} ${num(height - lift - 0.8)} re S`,
    `${SEAL_RED} rg`,
    `BT /F1 ${num(nameSize)} Tf ${num(pad)} ${num(nameBaseline)} Td <${encodedName.hex}> Tj ET`,
    `BT /F1 ${num(timeSize)} Tf ${num(pad)} ${num(timeBaseline)} Td <${encodedTime.hex}> Tj ET`,
    "Q",
  ].join("\n");

  const xobject = update.allocate();
  update.set(
    xobject,
    streamBody(
      ` /Type /XObject /Subtype /Form /BBox [0 0 ${num(width)} ${num(height)}] /Resources << /Font << /F1 ${font.fontRef.toString()} >> >>`,
      new TextEncoder().encode(stream),
    ),
  );
  return xobject;
}
