// The visible part of a signature: a small red-bordered box with the signer's
// name and the signing time (Beijing time), drawn in the signature slot the
// renderer left above a signature line; or, for an organisation, its round
// red seal (writeSealAppearance, below).
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

// Parsing a 10–15 MB face takes a while: once per face the caller hands in.
const parsedFaces = new WeakMap<Uint8Array, FontkitFont>();
function parsedFace(face: Uint8Array): FontkitFont {
  let font = parsedFaces.get(face);
  if (!font) {
    font = fontkit.create(face);
    parsedFaces.set(face, font);
  }
  return font;
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

/** Embeds the subset of the face (TrueType bytes, e.g. Noto Serif SC) needed for `texts` and returns how to draw them. */
function embedFontFor(update: IncrementalUpdate, face: Uint8Array, texts: string[]): EmbeddedText {
  const font = parsedFace(face);
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
  update.set(fontRef, `<< /Type /Font /Subtype /Type0 /BaseFont ${baseFont} /Encoding /Identity-H /DescendantFonts [${cidFont.toString()}] /ToUnicode ${toUnicode.toString()} >>`);

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
  /** The TrueType face to draw with (the caller reads it; signing reads no files). */
  font: Uint8Array;
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
  const font = embedFontFor(update, content.font, [name, time]);

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

// ---------------------------------------------------------------------------
// Organisation seal (电子印章)

export interface SealContent {
  /** The organisation's full name, set along the upper arc. */
  organization: string;
  /** A short horizontal line under the star, e.g. "评标专用"; default none. */
  bottomText?: string;
  /** The TrueType face to draw with. */
  font: Uint8Array;
}

/** Largest arc the name may take, centred on the top (real seals: 210–250°). */
const SEAL_MAX_ARC = (240 * Math.PI) / 180;
/** Bézier handle length for a quarter circle. */
const KAPPA = 0.5523;

function circlePath(cx: number, cy: number, r: number): string {
  const k = KAPPA * r;
  return [
    `${num(cx + r)} ${num(cy)} m`,
    `${num(cx + r)} ${num(cy + k)} ${num(cx + k)} ${num(cy + r)} ${num(cx)} ${num(cy + r)} c`,
    `${num(cx - k)} ${num(cy + r)} ${num(cx - r)} ${num(cy + k)} ${num(cx - r)} ${num(cy)} c`,
    `${num(cx - r)} ${num(cy - k)} ${num(cx - k)} ${num(cy - r)} ${num(cx)} ${num(cy - r)} c`,
    `${num(cx + k)} ${num(cy - r)} ${num(cx + r)} ${num(cy - k)} ${num(cx + r)} ${num(cy)} c`,
  ].join("\n");
}

/** A five-pointed star, one point up. */
function starPath(cx: number, cy: number, outer: number): string {
  const inner = outer * 0.382; // the regular star's ratio, sin 18° / sin 54°
  const points = Array.from({ length: 10 }, (_, i) => {
    const angle = Math.PI / 2 + (i * Math.PI) / 5;
    const r = i % 2 === 0 ? outer : inner;
    return `${num(cx + r * Math.cos(angle))} ${num(cy + r * Math.sin(angle))}`;
  });
  return `${points[0]} m\n${points
    .slice(1)
    .map((p) => `${p} l`)
    .join("\n")}\nh`;
}

/**
 * Writes a round red seal filling the largest circle in `box`: a ring, the
 * organisation's name along the upper arc (each character upright towards the
 * rim, evenly spaced over at most 240°, squeezed horizontally and then made
 * smaller when the name is long, as seal engravers do), a star in the centre
 * and `bottomText` below it. Drawn with the Multiply blend mode and slight
 * transparency so text under the seal stays legible, as with stamp ink.
 */
export function writeSealAppearance(update: IncrementalUpdate, box: { width: number; height: number }, content: SealContent): PDFRef {
  const { width, height } = box;
  if (!(width > 0 && height > 0)) throw new Error("appearance box must have a positive size");
  const name = [...content.organization.trim()];
  if (name.length === 0) throw new Error("seal needs the organisation's name");
  const bottom = content.bottomText?.trim() ?? "";
  const font = embedFontFor(update, content.font, [name.join(""), bottom]);

  const R = Math.min(width, height) / 2;
  const [cx, cy] = [width / 2, height / 2];
  const ringWidth = 0.07 * R;
  const textOuter = R - ringWidth - 0.06 * R;

  // The name: character size s, centres on radius textOuter - s/2, baseline a bit lower.
  let size = 0.34 * R;
  let squeeze = 1;
  let step = 0;
  for (let i = 0; i < 8; i++) {
    const centre = textOuter - size / 2;
    const natural = (size * 1.15) / centre; // angle a full-width character and a small gap take
    step = Math.min(SEAL_MAX_ARC / name.length, natural * 1.5);
    squeeze = Math.min(1, step / natural);
    if (squeeze >= 0.6) break;
    size *= squeeze / 0.6;
  }
  const centreRadius = textOuter - size / 2;
  const baselineRadius = centreRadius - 0.38 * size;
  const strokeWidth = num(0.035 * size);

  const ops = [
    "q",
    `${SEAL_RED} RG ${SEAL_RED} rg`,
    `${num(ringWidth)} w`,
    circlePath(cx, cy, R - ringWidth / 2 - 0.3),
    "S",
    starPath(cx, cy, 0.32 * R),
    "f",
    // Fill and stroke the glyphs: a heavier line, like an engraved seal.
    `${strokeWidth} w 1 j`,
  ];
  name.forEach((char, i) => {
    const angle = Math.PI / 2 + ((name.length - 1) / 2 - i) * step;
    const [sin, cos] = [Math.sin(angle), Math.cos(angle)];
    const glyph = font.encode(char);
    const half = (glyph.width * size * squeeze) / 2;
    // Text x axis along the tangent (clockwise), y axis pointing outwards.
    const x = cx + baselineRadius * cos - half * sin;
    const y = cy + baselineRadius * sin + half * cos;
    ops.push(`BT /F1 ${num(size)} Tf ${num(squeeze * 100)} Tz 2 Tr ${[sin, -cos, cos, sin].map((v) => v.toFixed(4)).join(" ")} ${num(x)} ${num(y)} Tm <${glyph.hex}> Tj ET`);
  });
  if (bottom) {
    const encoded = font.encode(bottom);
    const count = [...bottom].length;
    let bottomSize = 0.19 * R;
    const spacing = 0.12; // letter spacing, in em, as on engraved seals
    const widthAt = (s: number) => (encoded.width + spacing * (count - 1)) * s;
    if (widthAt(bottomSize) > 1.1 * R) bottomSize = (1.1 * R) / (encoded.width + spacing * (count - 1));
    const baseline = cy - 0.32 * R - 0.12 * R - 0.88 * bottomSize;
    ops.push(`BT /F1 ${num(bottomSize)} Tf ${num(spacing * bottomSize)} Tc 2 Tr ${num(cx - widthAt(bottomSize) / 2)} ${num(baseline)} Td <${encoded.hex}> Tj ET`);
  }
  ops.push("Q");

  // The drawing is an isolated transparency group, composited onto the page as a whole
  // (Multiply, 90 %): otherwise where the glyphs' fill and stroke overlap the red would darken.
  const bbox = `/BBox [0 0 ${num(width)} ${num(height)}]`;
  const group = update.allocate();
  update.set(
    group,
    streamBody(
      ` /Type /XObject /Subtype /Form ${bbox} /Group << /S /Transparency /CS /DeviceRGB /I true >> /Resources << /Font << /F1 ${font.fontRef.toString()} >> >>`,
      new TextEncoder().encode(ops.join("\n")),
    ),
  );
  const xobject = update.allocate();
  update.set(
    xobject,
    streamBody(
      ` /Type /XObject /Subtype /Form ${bbox}` +
        ` /Resources << /XObject << /Seal ${group.toString()} >> /ExtGState << /GS1 << /Type /ExtGState /BM /Multiply /CA 0.9 /ca 0.9 >> >> >>`,
      new TextEncoder().encode("q /GS1 gs /Seal Do Q"),
    ),
  );
  return xobject;
}
