// Renders a typed document description (tender document, opening record,
// evaluation report…) to an A4 PDF in Chinese. The output is a pure function of
// the spec: the bytes are later signed and hashed, so nothing in them may
// depend on the clock, randomness or the machine.
import { createHash } from "node:crypto";
import { PDFDocument, PDFHexString, popGraphicsState, pushGraphicsState, rgb, setCharacterSpacing, type Color, type PDFPage } from "pdf-lib";
import { canonicalJson } from "~/utils/canonical-json";
import { charWidth, embedDocumentFonts, faceHasChar, type DocumentFonts, type FontFace } from "./fonts.server";
import { breakLines, type BrokenLine, type MeasureText } from "./line-break";

// ---------------------------------------------------------------------------
// The spec

export interface MetaEntry {
  label: string;
  value: string;
}

export interface TableColumn {
  label: string;
  /** Relative to the other columns' widths. */
  width: number;
  align?: "left" | "center" | "right";
}

export type DocumentBlock =
  | { kind: "paragraph"; text: string }
  /** Keeps the source's line breaks and leading spaces; wraps lines that are too long. */
  | { kind: "preformatted"; text: string }
  | { kind: "table"; columns: TableColumn[]; rows: string[][] }
  | { kind: "signatureLines"; labels: string[] };

export interface DocumentSection {
  heading?: string;
  blocks: DocumentBlock[];
}

/** Plain data (no functions), so a spec can be stored and rendered again to the same bytes. */
export interface DocumentSpec {
  title: string;
  subtitle?: string;
  /** Running header on every page, e.g. platform name and document number. */
  header?: string;
  /** Key/value block under the title. */
  meta?: MetaEntry[];
  sections: DocumentSection[];
  /** Small print above the page number on every page. */
  footerNote?: string;
  /** Becomes the PDF's creation and modification date. */
  createdAt: Date;
  author?: string;
  subject?: string;
  keywords?: string[];
  /** Footer page label; "{page}" and "{pages}" are replaced. Default "第 {page} 页 / 共 {pages} 页". */
  pageLabel?: string;
}

/** Where a signature line is drawn: the area just above it, in PDF points from the page's bottom-left. */
export interface SignatureSlot {
  label: string;
  pageIndex: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface RenderedDocument {
  bytes: Uint8Array;
  pageCount: number;
  signatureSlots: SignatureSlot[];
  /** Characters the fonts do not have (shown as empty boxes); callers may want to warn. */
  missingCharacters: string[];
}

// ---------------------------------------------------------------------------
// Page geometry and type styles (points; A4 portrait)

const PAGE_WIDTH = 595.28;
const PAGE_HEIGHT = 841.89;
const MARGIN_X = 62;
const CONTENT_TOP = PAGE_HEIGHT - 72;
const MIN_CONTENT_BOTTOM = 68;
const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X;
const RUNNING_HEADER_BASELINE = PAGE_HEIGHT - 44;
const PAGE_LABEL_BASELINE = 34;

const INK = rgb(0.1, 0.1, 0.1);
const GREY_INK = rgb(0.4, 0.4, 0.4);
const RULE = rgb(0.35, 0.35, 0.35);
const HEADER_FILL = rgb(0.92, 0.92, 0.92);
const LABEL_FILL = rgb(0.96, 0.96, 0.96);

interface TextStyle {
  face: FontFace;
  size: number;
  lineHeight: number;
  color: Color;
}

const STYLE = {
  title: { face: "sansBold", size: 18, lineHeight: 28, color: INK },
  subtitle: { face: "serif", size: 12, lineHeight: 19, color: INK },
  heading: { face: "sansBold", size: 12, lineHeight: 20, color: INK },
  body: { face: "serif", size: 10.5, lineHeight: 18.5, color: INK },
  preformatted: { face: "serif", size: 10, lineHeight: 16, color: INK },
  cell: { face: "serif", size: 9.5, lineHeight: 14, color: INK },
  cellHeader: { face: "sansBold", size: 9.5, lineHeight: 14, color: INK },
  meta: { face: "serif", size: 10, lineHeight: 15, color: INK },
  runningHeader: { face: "serif", size: 8.5, lineHeight: 12, color: GREY_INK },
  pageLabel: { face: "serif", size: 9, lineHeight: 12, color: INK },
  footerNote: { face: "serif", size: 8, lineHeight: 11, color: GREY_INK },
} satisfies Record<string, TextStyle>;

const PARAGRAPH_INDENT_EMS = 2;
// Letter-spacing that justifies a line is only applied when it stays invisible;
// a line left short by a long Latin word stays ragged instead.
const MAX_JUSTIFY_SPACING_EMS = 0.06;
const CELL_PAD_X = 4;
const CELL_PAD_Y = 3.5;
const BORDER_WIDTH = 0.5;
const SIGNATURE_ROW_HEIGHT = 42;
const SIGNATURE_AREA_HEIGHT = 30;

const DEFAULT_PAGE_LABEL = "第 {page} 页 / 共 {pages} 页";
const PRODUCER = "村易招";

// ---------------------------------------------------------------------------
// Drawing primitives

interface RenderContext {
  fonts: DocumentFonts;
  missing: Set<string>;
  signatureSlots: SignatureSlot[];
}

interface Canvas {
  page: PDFPage;
  pageIndex: number;
}

function measureFor(style: TextStyle): MeasureText {
  return (text) => {
    let width = 0;
    for (const char of text) width += charWidth(style.face, char);
    return width * style.size;
  };
}

function widthOf(text: string, style: TextStyle): number {
  return measureFor(style)(text);
}

function wrap(text: string, style: TextStyle, maxWidth: number, firstLineWidth?: number): BrokenLine[] {
  return breakLines(text, measureFor(style), { maxWidth, firstLineWidth });
}

/** Baseline that centres the CJK em box (−0.12 em … 0.88 em) in a line box starting at `top`. */
function baselineIn(top: number, style: TextStyle): number {
  return top - style.lineHeight / 2 - 0.38 * style.size;
}

function noteMissingGlyphs(ctx: RenderContext, text: string, face: FontFace): void {
  for (const char of text) if (!/\s/u.test(char) && !faceHasChar(face, char)) ctx.missing.add(char);
}

function drawText(ctx: RenderContext, canvas: Canvas, text: string, x: number, baseline: number, style: TextStyle, letterSpacing = 0): void {
  if (!text) return;
  noteMissingGlyphs(ctx, text, style.face);
  const options = { x, y: baseline, size: style.size, font: ctx.fonts[style.face], color: style.color };
  if (letterSpacing === 0) {
    canvas.page.drawText(text, options);
    return;
  }
  canvas.page.pushOperators(pushGraphicsState(), setCharacterSpacing(letterSpacing));
  canvas.page.drawText(text, options);
  canvas.page.pushOperators(popGraphicsState());
}

function alignedX(left: number, width: number, textWidth: number, align: TableColumn["align"]): number {
  if (align === "right") return left + width - textWidth;
  if (align === "center") return left + (width - textWidth) / 2;
  return left;
}

function justifySpacing(line: BrokenLine, available: number, style: TextStyle): number {
  if (line.endsParagraph) return 0;
  const gaps = Array.from(line.text).length - 1;
  if (gaps <= 0) return 0;
  const spacing = (available - line.width) / gaps;
  return spacing > 0 && spacing <= MAX_JUSTIFY_SPACING_EMS * style.size ? spacing : 0;
}

// ---------------------------------------------------------------------------
// Slices: the vertical units pages are filled with

interface Slice {
  height: number;
  /** Dropped when the slice starts a page. */
  spaceBefore: number;
  /** Must land on the same page as the next slice (headings, orphans, widows, signature blocks). */
  keepWithNext: boolean;
  /** Drawn first when this slice has to start a new page (a table's header row). */
  repeatHeader?: Slice;
  /**
   * For slices that may be taller than a page (table rows): the least of it
   * worth starting on a page, and how to cut it to fit the `available` height.
   */
  minHeight?: number;
  split?(available: number): [Slice, Slice] | undefined;
  draw(canvas: Canvas, top: number): void;
}

function slice(height: number, draw: Slice["draw"], options: Partial<Omit<Slice, "height" | "draw">> = {}): Slice {
  return { height, draw, spaceBefore: 0, keepWithNext: false, ...options };
}

/** Text lines each as a slice, first `spaceBefore`, keeping two lines together at either end of the block. */
function lineSlices(lines: BrokenLine[], style: TextStyle, drawLine: (canvas: Canvas, line: BrokenLine, index: number, baseline: number) => void, spaceBefore: number): Slice[] {
  const last = lines.length - 1;
  return lines.map((line, index) =>
    slice(style.lineHeight, (canvas, top) => drawLine(canvas, line, index, baselineIn(top, style)), {
      spaceBefore: index === 0 ? spaceBefore : 0,
      keepWithNext: index < last && (index === 0 || index === last - 1),
    }),
  );
}

function centredLinesSlices(ctx: RenderContext, text: string, style: TextStyle, spaceBefore: number): Slice[] {
  const lines = wrap(text, style, CONTENT_WIDTH);
  return lines.map((line, index) =>
    slice(style.lineHeight, (canvas, top) => drawText(ctx, canvas, line.text, MARGIN_X + (CONTENT_WIDTH - line.width) / 2, baselineIn(top, style), style), {
      spaceBefore: index === 0 ? spaceBefore : 0,
      keepWithNext: true,
    }),
  );
}

function titleSlices(ctx: RenderContext, spec: DocumentSpec): Slice[] {
  const slices = centredLinesSlices(ctx, spec.title, STYLE.title, 0);
  if (spec.subtitle) slices.push(...centredLinesSlices(ctx, spec.subtitle, STYLE.subtitle, 4));
  return slices;
}

function headingSlices(ctx: RenderContext, heading: string): Slice[] {
  const style = STYLE.heading;
  return wrap(heading, style, CONTENT_WIDTH).map((line, index) =>
    slice(style.lineHeight, (canvas, top) => drawText(ctx, canvas, line.text, MARGIN_X, baselineIn(top, style), style), {
      spaceBefore: index === 0 ? 14 : 0,
      keepWithNext: true,
    }),
  );
}

function paragraphSlices(ctx: RenderContext, text: string): Slice[] {
  const style = STYLE.body;
  const indent = PARAGRAPH_INDENT_EMS * style.size;
  // Each source line is its own indented paragraph; indentation typed into the text is replaced by ours.
  return text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((paragraph) => paragraph.replace(/^\s+/u, ""))
    .filter((paragraph) => paragraph !== "")
    .flatMap((paragraph) => {
      const lines = wrap(paragraph, style, CONTENT_WIDTH, CONTENT_WIDTH - indent);
      return lineSlices(
        lines,
        style,
        (canvas, line, index, baseline) => {
          const x = MARGIN_X + (index === 0 ? indent : 0);
          const available = CONTENT_WIDTH - (index === 0 ? indent : 0);
          drawText(ctx, canvas, line.text, x, baseline, style, justifySpacing(line, available, style));
        },
        6,
      );
    });
}

function preformattedSlices(ctx: RenderContext, text: string): Slice[] {
  const style = STYLE.preformatted;
  const lines = breakLines(text.replace(/\t/g, "    "), measureFor(style), { maxWidth: CONTENT_WIDTH, keepLeadingSpace: true });
  return lineSlices(lines, style, (canvas, line, _index, baseline) => drawText(ctx, canvas, line.text, MARGIN_X, baseline, style), 6);
}

// ---------------------------------------------------------------------------
// Tables (and the meta block, which is a two-column table without a header)

interface GridColumn {
  x: number;
  width: number;
  align: TableColumn["align"];
  fill?: Color;
}

interface GridRow {
  cells: BrokenLine[][];
  style: TextStyle;
  fill?: Color;
}

function gridColumns(relativeWidths: number[]): GridColumn[] {
  if (relativeWidths.some((w) => !(w > 0))) throw new Error("table column widths must be positive");
  const total = relativeWidths.reduce((sum, w) => sum + w, 0);
  let x = MARGIN_X;
  return relativeWidths.map((w) => {
    const column = { x, width: (w / total) * CONTENT_WIDTH, align: "left" as const };
    x += column.width;
    return column;
  });
}

function gridRowHeight(row: GridRow): number {
  const lines = Math.max(1, ...row.cells.map((cell) => cell.length));
  return lines * row.style.lineHeight + 2 * CELL_PAD_Y;
}

function drawGridRow(ctx: RenderContext, canvas: Canvas, columns: GridColumn[], row: GridRow, top: number, height: number): void {
  columns.forEach((column, index) => {
    const fill = row.fill ?? column.fill;
    canvas.page.drawRectangle({
      x: column.x,
      y: top - height,
      width: column.width,
      height,
      borderColor: RULE,
      borderWidth: BORDER_WIDTH,
      ...(fill ? { color: fill } : {}),
    });
    const innerWidth = column.width - 2 * CELL_PAD_X;
    (row.cells[index] ?? []).forEach((line, lineIndex) => {
      const lineTop = top - CELL_PAD_Y - lineIndex * row.style.lineHeight;
      const x = alignedX(column.x + CELL_PAD_X, innerWidth, line.width, column.align);
      drawText(ctx, canvas, line.text, x, baselineIn(lineTop, row.style), row.style);
    });
  });
}

function sliceRowLines(row: GridRow, from: number, to?: number): GridRow {
  return { ...row, cells: row.cells.map((cell) => cell.slice(from, to)) };
}

/**
 * A row moves to the next page whole when it does not fit; only a row taller
 * than a whole page is cut, between lines, and continues under a repeated header.
 */
function gridRowSlice(ctx: RenderContext, columns: GridColumn[], row: GridRow, options: Partial<Slice> = {}): Slice {
  const height = gridRowHeight(row);
  const lineCount = Math.max(1, ...row.cells.map((cell) => cell.length));
  return slice(height, (canvas, top) => drawGridRow(ctx, canvas, columns, row, top, height), {
    ...options,
    minHeight: Math.min(2, lineCount) * row.style.lineHeight + 2 * CELL_PAD_Y,
    split: (available) => {
      const fit = Math.floor((available - 2 * CELL_PAD_Y) / row.style.lineHeight);
      if (fit < 1 || fit >= lineCount) return undefined;
      return [
        gridRowSlice(ctx, columns, sliceRowLines(row, 0, fit), { ...options, keepWithNext: false }),
        gridRowSlice(ctx, columns, sliceRowLines(row, fit), { ...options, spaceBefore: 0 }),
      ];
    },
  });
}

function wrapCells(texts: string[], columns: GridColumn[], style: TextStyle): BrokenLine[][] {
  return columns.map((column, index) => wrap(texts[index] ?? "", style, column.width - 2 * CELL_PAD_X));
}

function tableSlices(ctx: RenderContext, block: Extract<DocumentBlock, { kind: "table" }>): Slice[] {
  const columns = gridColumns(block.columns.map((c) => c.width)).map((column, index) => ({
    ...column,
    align: block.columns[index]?.align ?? "left",
  }));
  const tooWide = block.rows.findIndex((row) => row.length > columns.length);
  if (tooWide >= 0) throw new Error(`table row ${tooWide} has ${block.rows[tooWide]?.length} cells for ${columns.length} columns`);

  const headerRow: GridRow = {
    cells: wrapCells(
      block.columns.map((c) => c.label),
      columns,
      STYLE.cellHeader,
    ),
    style: STYLE.cellHeader,
    fill: HEADER_FILL,
  };
  const headerHeight = gridRowHeight(headerRow);
  const header = slice(headerHeight, (canvas, top) => drawGridRow(ctx, canvas, columns, headerRow, top, headerHeight), {
    spaceBefore: 8,
    keepWithNext: block.rows.length > 0,
  });
  const rows = block.rows.map((cells) => gridRowSlice(ctx, columns, { cells: wrapCells(cells, columns, STYLE.cell), style: STYLE.cell }, { repeatHeader: header }));
  return [header, ...rows];
}

function metaSlices(ctx: RenderContext, meta: MetaEntry[]): Slice[] {
  const style = STYLE.meta;
  const widestLabel = Math.max(...meta.map((entry) => widthOf(entry.label, style)));
  const labelWidth = Math.min(Math.max(widestLabel + 2 * CELL_PAD_X + 2, 0.18 * CONTENT_WIDTH), 0.35 * CONTENT_WIDTH);
  const columns: GridColumn[] = [
    { x: MARGIN_X, width: labelWidth, align: "left", fill: LABEL_FILL },
    { x: MARGIN_X + labelWidth, width: CONTENT_WIDTH - labelWidth, align: "left" },
  ];
  return meta.map((entry, index) => gridRowSlice(ctx, columns, { cells: wrapCells([entry.label, entry.value], columns, style), style }, { spaceBefore: index === 0 ? 12 : 0 }));
}

// ---------------------------------------------------------------------------
// Signature lines

function signatureSlices(ctx: RenderContext, labels: string[]): Slice[] {
  const style = STYLE.body;
  const gutter = 24;
  const halfWidth = (CONTENT_WIDTH - gutter) / 2;
  const perRow = labels.length > 1 && labels.every((label) => widthOf(label, style) <= halfWidth * 0.5) ? 2 : 1;
  const cellWidth = perRow === 2 ? halfWidth : CONTENT_WIDTH;
  const minLineLength = 96;

  const rows: string[][] = [];
  for (let i = 0; i < labels.length; i += perRow) rows.push(labels.slice(i, i + perRow));

  return rows.map((row, rowIndex) => {
    const cells = row.map((label) => wrap(label, style, cellWidth - minLineLength));
    const extraLines = Math.max(...cells.map((lines) => lines.length)) - 1;
    const height = SIGNATURE_ROW_HEIGHT + extraLines * style.lineHeight;
    return slice(
      height,
      (canvas, top) =>
        cells.forEach((lines, column) => {
          const left = MARGIN_X + column * (cellWidth + gutter);
          const lastBaseline = top - height + 8;
          lines.forEach((line, index) => drawText(ctx, canvas, line.text, left, lastBaseline + (lines.length - 1 - index) * style.lineHeight, style));
          const lineStart = left + (lines.at(-1)?.width ?? 0) + 6;
          const lineEnd = left + cellWidth;
          const lineY = lastBaseline - 3;
          canvas.page.drawLine({ start: { x: lineStart, y: lineY }, end: { x: lineEnd, y: lineY }, thickness: BORDER_WIDTH, color: INK });
          ctx.signatureSlots.push({
            label: row[column] ?? "",
            pageIndex: canvas.pageIndex,
            x: lineStart,
            y: lineY + 1,
            width: lineEnd - lineStart,
            height: SIGNATURE_AREA_HEIGHT,
          });
        }),
      { spaceBefore: rowIndex === 0 ? 18 : 0, keepWithNext: rowIndex < rows.length - 1 },
    );
  });
}

// ---------------------------------------------------------------------------
// Pagination

interface Frame {
  top: number;
  bottom: number;
}

/** Of a slice, what must fit on the page it starts on. */
function startHeight(current: Slice, frameHeight: number): number {
  return current.split && current.minHeight !== undefined && current.height > frameHeight ? current.minHeight : current.height;
}

/** Height needed to start slice `index` together with the slices it must keep with. */
function keptHeight(slices: Slice[], index: number, frameHeight: number): number {
  const own = startHeight(slices[index]!, frameHeight);
  let height = own;
  for (let i = index; slices[i]?.keepWithNext && i + 1 < slices.length; i++) {
    const next = slices[i + 1]!;
    height += next.spaceBefore + startHeight(next, frameHeight);
  }
  // A chain longer than a page cannot be kept together; place what fits.
  return height > frameHeight ? own : height;
}

function paginate(slices: Slice[], frame: Frame, addPage: () => Canvas): void {
  const frameHeight = frame.top - frame.bottom;
  const queue = [...slices];
  let canvas = addPage();
  let y = frame.top;
  let pageIsEmpty = true;
  for (let index = 0; index < queue.length; index++) {
    let current = queue[index]!;
    const spaceBefore = pageIsEmpty ? 0 : current.spaceBefore;
    if (!pageIsEmpty && y - spaceBefore - keptHeight(queue, index, frameHeight) < frame.bottom) {
      canvas = addPage();
      y = frame.top;
      if (current.repeatHeader) {
        current.repeatHeader.draw(canvas, y);
        y -= current.repeatHeader.height;
      }
    } else {
      y -= spaceBefore;
    }
    if (y - current.height < frame.bottom) {
      const pieces = current.split?.(y - frame.bottom);
      if (pieces) {
        current = pieces[0];
        queue.splice(index + 1, 0, pieces[1]);
      }
    }
    current.draw(canvas, y);
    y -= current.height;
    pageIsEmpty = false;
  }
}

// ---------------------------------------------------------------------------
// Running header and footer

function truncateToWidth(text: string, style: TextStyle, maxWidth: number): string {
  if (widthOf(text, style) <= maxWidth) return text;
  const chars = Array.from(text);
  while (chars.length > 0 && widthOf(`${chars.join("")}…`, style) > maxWidth) chars.pop();
  return `${chars.join("")}…`;
}

function drawRunningHeader(ctx: RenderContext, canvas: Canvas, header: string): void {
  const style = STYLE.runningHeader;
  drawText(ctx, canvas, truncateToWidth(header, style, CONTENT_WIDTH), MARGIN_X, RUNNING_HEADER_BASELINE, style);
  const ruleY = RUNNING_HEADER_BASELINE - 6;
  canvas.page.drawLine({ start: { x: MARGIN_X, y: ruleY }, end: { x: PAGE_WIDTH - MARGIN_X, y: ruleY }, thickness: BORDER_WIDTH, color: RULE });
}

function footerNoteLines(footerNote: string | undefined): BrokenLine[] {
  return footerNote ? wrap(footerNote, STYLE.footerNote, CONTENT_WIDTH) : [];
}

/** Baseline of the footer note's line `index` (counted from the top) out of `count`. */
function footerNoteBaseline(index: number, count: number): number {
  return PAGE_LABEL_BASELINE + 15 + (count - 1 - index) * STYLE.footerNote.lineHeight;
}

function contentBottom(noteLines: BrokenLine[]): number {
  if (noteLines.length === 0) return MIN_CONTENT_BOTTOM;
  return Math.max(MIN_CONTENT_BOTTOM, footerNoteBaseline(0, noteLines.length) + STYLE.footerNote.size + 14);
}

function drawFooter(ctx: RenderContext, canvas: Canvas, label: string, noteLines: BrokenLine[]): void {
  const labelStyle = STYLE.pageLabel;
  drawText(ctx, canvas, label, MARGIN_X + (CONTENT_WIDTH - widthOf(label, labelStyle)) / 2, PAGE_LABEL_BASELINE, labelStyle);
  noteLines.forEach((line, index) => {
    const x = MARGIN_X + (CONTENT_WIDTH - line.width) / 2;
    drawText(ctx, canvas, line.text, x, footerNoteBaseline(index, noteLines.length), STYLE.footerNote);
  });
}

function pageLabel(template: string, page: number, pages: number): string {
  return template.replaceAll("{page}", String(page)).replaceAll("{pages}", String(pages));
}

// ---------------------------------------------------------------------------
// The document

function blockSlices(ctx: RenderContext, block: DocumentBlock): Slice[] {
  switch (block.kind) {
    case "paragraph":
      return paragraphSlices(ctx, block.text);
    case "preformatted":
      return preformattedSlices(ctx, block.text);
    case "table":
      return tableSlices(ctx, block);
    case "signatureLines":
      return signatureSlices(ctx, block.labels);
  }
}

function documentSlices(ctx: RenderContext, spec: DocumentSpec): Slice[] {
  const slices = titleSlices(ctx, spec);
  if (spec.meta?.length) slices.push(...metaSlices(ctx, spec.meta));
  for (const section of spec.sections) {
    if (section.heading) slices.push(...headingSlices(ctx, section.heading));
    for (const block of section.blocks) slices.push(...blockSlices(ctx, block));
  }
  // The document's last slice has nothing to keep with.
  const last = slices.at(-1);
  if (last) last.keepWithNext = false;
  return slices;
}

// Control characters other than line breaks and tabs have no glyphs and only confuse extraction.
function cleanSpec(spec: DocumentSpec): DocumentSpec {
  const clean = (value: unknown): unknown => {
    if (typeof value === "string") return value.replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, "");
    if (value instanceof Date || value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.map(clean);
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, clean(v)]));
  };
  return clean(spec) as DocumentSpec;
}

function setMetadata(doc: PDFDocument, spec: DocumentSpec, fingerprint: Buffer): void {
  doc.setTitle(spec.title, { showInWindowTitleBar: true });
  if (spec.author) doc.setAuthor(spec.author);
  if (spec.subject) doc.setSubject(spec.subject);
  if (spec.keywords?.length) doc.setKeywords(spec.keywords);
  doc.setProducer(PRODUCER);
  doc.setCreator(PRODUCER);
  doc.setCreationDate(spec.createdAt);
  doc.setModificationDate(spec.createdAt);
  doc.setLanguage("zh-CN");
  // pdf-lib writes no file identifier; signature tools want one, and it must not be random.
  const id = PDFHexString.of(fingerprint.subarray(0, 16).toString("hex"));
  doc.context.trailerInfo.ID = doc.context.obj([id, id]);
}

/** Renders the spec and reports where things landed (pages, signature lines, missing glyphs). */
export async function renderDocument(input: DocumentSpec): Promise<RenderedDocument> {
  if (Number.isNaN(input.createdAt.getTime())) throw new Error("createdAt is not a valid date");
  const spec = cleanSpec(input);
  const fingerprint = createHash("sha256").update(canonicalJson(spec)).digest();

  const doc = await PDFDocument.create({ updateMetadata: false });
  setMetadata(doc, spec, fingerprint);
  const ctx: RenderContext = {
    fonts: await embedDocumentFonts(doc, fingerprint.toString("hex")),
    missing: new Set(),
    signatureSlots: [],
  };

  const noteLines = footerNoteLines(spec.footerNote);
  const frame = { top: CONTENT_TOP, bottom: contentBottom(noteLines) };
  const canvases: Canvas[] = [];
  const addPage = (): Canvas => {
    const canvas = { page: doc.addPage([PAGE_WIDTH, PAGE_HEIGHT]), pageIndex: canvases.length };
    canvases.push(canvas);
    if (spec.header) drawRunningHeader(ctx, canvas, spec.header);
    return canvas;
  };
  paginate(documentSlices(ctx, spec), frame, addPage);

  const template = spec.pageLabel ?? DEFAULT_PAGE_LABEL;
  for (const canvas of canvases) drawFooter(ctx, canvas, pageLabel(template, canvas.pageIndex + 1, canvases.length), noteLines);

  // Without object streams, so a signature can later be appended as an incremental update.
  const bytes = await doc.save({ useObjectStreams: false });
  return {
    bytes,
    pageCount: canvases.length,
    signatureSlots: ctx.signatureSlots,
    missingCharacters: [...ctx.missing].sort(),
  };
}

/** The PDF bytes of the spec; the same spec always gives the same bytes. */
export async function renderDocumentPdf(spec: DocumentSpec): Promise<Uint8Array> {
  return (await renderDocument(spec)).bytes;
}
