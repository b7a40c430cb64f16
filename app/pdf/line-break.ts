// Line breaking for Chinese text mixed with Latin words and numbers: a line may
// break between any two CJK characters, Latin words and numbers stay whole
// where they fit, and simple 禁则 keep closing punctuation off the start of a
// line and opening punctuation off its end.

/** Width of a string in points, at the size the lines are for. Must be additive. */
export type MeasureText = (text: string) => number;

export interface BrokenLine {
  text: string;
  width: number;
  /** The last line before a hard line break or the end of the text. */
  endsParagraph: boolean;
}

export interface BreakOptions {
  maxWidth: number;
  /** The first line's width when it differs (a first-line indent). */
  firstLineWidth?: number;
  /** Keep spaces at the start of each source line (preformatted text). */
  keepLeadingSpace?: boolean;
}

// 行首禁则: never at the start of a line.
const NO_LINE_START = new Set("，。、；：？！）」』》〉】〕〗〙〛’”…‥—～·％‰℃°,.;:?!)]}%＂＇．，：；？！）］｝｠｣ゝゞ々〻ー".split(""));
// 行尾禁则: never at the end of a line.
const NO_LINE_END = new Set("（「『《〈【〔〖〘〚‘“([{￥¥$£＄［｛｟｢".split(""));

// Characters that are each a break opportunity of their own.
const WIDE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}\u2010-\u206F\u2E80-\u2FFF\u3000-\u33FF\uFE30-\uFE4F\uFF00-\uFFEF]/u;
const SPACE = /\s/u;
const EPSILON = 0.001;

interface Segment {
  text: string;
  space: boolean;
}

/** Splits text into atoms: one per CJK character, one per Latin word or number, one per run of spaces. */
function atoms(text: string): Segment[] {
  const result: Segment[] = [];
  let run = "";
  let runIsSpace = false;
  const flush = () => {
    if (run) result.push({ text: run, space: runIsSpace });
    run = "";
  };
  for (const char of text) {
    if (SPACE.test(char)) {
      if (!runIsSpace) flush();
      runIsSpace = true;
      run += char;
    } else if (WIDE.test(char)) {
      flush();
      runIsSpace = false;
      result.push({ text: char, space: false });
    } else {
      if (runIsSpace) flush();
      runIsSpace = false;
      run += char;
    }
  }
  flush();
  return result;
}

function firstChar(text: string): string {
  return String.fromCodePoint(text.codePointAt(0) ?? 0);
}

function lastChar(text: string): string {
  return Array.from(text).at(-1) ?? "";
}

/** Joins atoms that must not be separated by a line break (the 禁则). */
function unbreakableSegments(text: string): Segment[] {
  const segments: Segment[] = [];
  for (const atom of atoms(text)) {
    const previous = segments.at(-1);
    const glue = previous && !previous.space && !atom.space && (NO_LINE_START.has(firstChar(atom.text)) || NO_LINE_END.has(lastChar(previous.text)));
    if (glue) previous.text += atom.text;
    else segments.push({ ...atom });
  }
  return segments;
}

/** Cuts a segment wider than a whole line into pieces that fit, character by character. */
function splitOverlong(text: string, measure: MeasureText, widthOf: (piece: number) => number): string[] {
  const pieces: string[] = [];
  let piece = "";
  let pieceWidth = 0;
  for (const char of text) {
    const charWidth = measure(char);
    if (piece && pieceWidth + charWidth > widthOf(pieces.length) + EPSILON) {
      pieces.push(piece);
      piece = "";
      pieceWidth = 0;
    }
    piece += char;
    pieceWidth += charWidth;
  }
  if (piece) pieces.push(piece);
  return pieces;
}

class LineFiller {
  readonly lines: BrokenLine[] = [];
  private text = "";
  private width = 0;
  private trailingSpace = 0;
  private hasWord = false;

  constructor(
    private readonly measure: MeasureText,
    private readonly options: BreakOptions,
  ) {}

  private limit(lineIndex = this.lines.length): number {
    return lineIndex === 0 ? (this.options.firstLineWidth ?? this.options.maxWidth) : this.options.maxWidth;
  }

  get isEmpty(): boolean {
    return this.text === "";
  }

  addSpace(text: string): void {
    const width = this.measure(text);
    this.text += text;
    this.width += width;
    this.trailingSpace += width;
  }

  addWord(text: string): void {
    const width = this.measure(text);
    if (this.hasWord && this.width + width > this.limit() + EPSILON) this.endLine(false);
    if (!this.hasWord && this.width + width > this.limit() + EPSILON) {
      const pieces = splitOverlong(text, this.measure, (n) => this.limit(this.lines.length + n) - (n === 0 ? this.width : 0));
      for (const piece of pieces.slice(0, -1)) {
        this.append(piece, this.measure(piece));
        this.endLine(false);
      }
      const last = pieces.at(-1) ?? "";
      this.append(last, this.measure(last));
      return;
    }
    this.append(text, width);
  }

  private append(text: string, width: number): void {
    this.text += text;
    this.width += width;
    this.trailingSpace = 0;
    this.hasWord = true;
  }

  endLine(endsParagraph: boolean): void {
    const text = this.trailingSpace > 0 ? this.text.trimEnd() : this.text;
    this.lines.push({ text, width: this.width - this.trailingSpace, endsParagraph });
    this.text = "";
    this.width = 0;
    this.trailingSpace = 0;
    this.hasWord = false;
  }
}

/**
 * Breaks text into lines no wider than `maxWidth`. "\n" is a hard break; an
 * empty source line gives an empty line. Spaces at the start of a wrapped line
 * and at the end of any line are dropped.
 */
export function breakLines(text: string, measure: MeasureText, options: BreakOptions): BrokenLine[] {
  const filler = new LineFiller(measure, options);
  for (const sourceLine of text.replace(/\r\n?/g, "\n").split("\n")) {
    let atLineStart = true;
    for (const segment of unbreakableSegments(sourceLine)) {
      if (segment.space) {
        const keep = filler.isEmpty ? atLineStart && options.keepLeadingSpace : true;
        if (keep) filler.addSpace(segment.text);
      } else {
        filler.addWord(segment.text);
      }
      atLineStart = false;
    }
    filler.endLine(true);
  }
  return filler.lines;
}
