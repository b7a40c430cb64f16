/**
 * Uploaded files, stored by the SHA-256 of their content behind a small
 * interface. The default keeps them in a local folder; an S3-compatible
 * store can implement the same three methods. A file is fully written (and
 * renamed into place) before any database row that refers to it commits.
 */
import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { DomainError } from "./errors";

export interface StoredFile {
  sha256: string;
  size: number;
}

/** Looks at every byte of an upload as it streams past; `verdict` is asked once, at the end. */
export interface ContentScan {
  update(chunk: Buffer): void;
  verdict(): string | null;
}

/**
 * A check of an upload's first bytes (an error key, or null), which may also
 * bring a scan of the whole content (`checkPdf` does: polyglots, scripts).
 */
export type ContentCheck = ((head: Buffer) => string | null) & { scan?: () => ContentScan };

export interface FileStore {
  /** Stream bytes in; refuses (and keeps nothing) past maxBytes, or when `check` rejects the first bytes or its scan the whole. */
  put(data: AsyncIterable<Uint8Array>, opts: { maxBytes: number; check?: ContentCheck }): Promise<StoredFile>;
  get(sha256: string): Readable;
  has(sha256: string): Promise<boolean>;
  /** Take a finished file from workDir into the store without copying it, where the store can (the local one). */
  adopt?(file: string, opts: { maxBytes: number; check?: ContentCheck }): Promise<StoredFile>;
  /** A folder on this machine for work in progress (spooling, partial resumable uploads); never served. */
  readonly workDir: string;
}

/**
 * Read an upload through: size limit, the check of its first bytes, its scan, its SHA-256; each
 * chunk is handed to `sink` (to be written somewhere) once it has passed. Throws the refusal.
 */
export async function inspect(data: AsyncIterable<Uint8Array>, opts: { maxBytes: number; check?: ContentCheck }, sink: (chunk: Uint8Array) => Promise<void>): Promise<StoredFile> {
  const hash = createHash("sha256");
  let size = 0;
  let head = Buffer.alloc(0);
  const scan = opts.check?.scan?.();
  for await (const chunk of data) {
    size += chunk.byteLength;
    if (size > opts.maxBytes) throw new DomainError("errors.upload.tooLarge", { status: 413 });
    if (head.length < 8) {
      head = Buffer.concat([head, Buffer.from(chunk)]).subarray(0, 8);
      if (head.length >= 5 && opts.check) {
        const problem = opts.check(head);
        if (problem) throw new DomainError(problem, { status: 415 });
      }
    }
    scan?.update(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    hash.update(chunk);
    await sink(chunk);
  }
  if (size === 0) throw new DomainError("errors.upload.empty", { status: 400 });
  if (opts.check && head.length < 5) {
    const problem = opts.check(head);
    if (problem) throw new DomainError(problem, { status: 415 });
  }
  const found = scan?.verdict();
  if (found) throw new DomainError(found, { status: 415 });
  return { sha256: hash.digest("hex"), size };
}

/** A lower-case hex SHA-256, the only kind of name a stored file has. */
export const SHA = /^[0-9a-f]{64}$/;

export class LocalFileStore implements FileStore {
  constructor(readonly dir: string) {}

  get workDir() {
    return this.dir;
  }

  private pathOf(sha256: string) {
    if (!SHA.test(sha256)) throw new DomainError("errors.notFound", { status: 404 });
    return path.join(this.dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(data: AsyncIterable<Uint8Array>, opts: { maxBytes: number; check?: ContentCheck }): Promise<StoredFile> {
    const tmpDir = path.join(this.dir, "tmp");
    await mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, randomUUID());
    const out = createWriteStream(tmp);
    try {
      const found = await inspect(data, opts, async (chunk) => {
        if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
      });
      await new Promise<void>((resolve, reject) => {
        out.once("error", reject);
        out.end(() => resolve());
      });
      return await this.settle(tmp, found);
    } catch (e) {
      out.destroy();
      await rm(tmp, { force: true });
      throw e;
    }
  }

  /**
   * A file already on this disk (a finished resumable upload): checked and hashed as put() would,
   * then moved into place rather than copied. On refusal the file is left where it was.
   */
  async adopt(file: string, opts: { maxBytes: number; check?: ContentCheck }): Promise<StoredFile> {
    return this.settle(file, await inspect(createReadStream(file), opts, async () => {}));
  }

  /** Make the bytes durable before anyone can refer to them, then give them their name. */
  private async settle(file: string, found: StoredFile): Promise<StoredFile> {
    const fh = await open(file, "r");
    await fh.sync();
    await fh.close();
    const final = this.pathOf(found.sha256);
    await mkdir(path.dirname(final), { recursive: true });
    await rename(file, final);
    return found;
  }

  get(sha256: string): Readable {
    return createReadStream(this.pathOf(sha256));
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await stat(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * A PDF starts with "%PDF-": the name and the browser's content type prove
 * nothing. The whole file is then scanned (PdfScan): files served back from
 * this site must not also be web pages, archives or scripted documents.
 */
export const checkPdf: ContentCheck = Object.assign((head: Buffer): string | null => (head.subarray(0, 5).toString("latin1") === "%PDF-" ? null : "errors.upload.notPdf"), {
  scan: () => new PdfScan(),
});

/** Markup a browser would run if it ever sniffed the file as HTML (or SVG). */
const HTML_MARKUP = /<(?:script|html|body|iframe|svg|object|embed|!doctype\s+html)[\s>/]/i;
/** An HTML element with an event handler (`<img src=x onerror=…>`), in any case and spacing. */
const HTML_HANDLER =
  /<(?:img|image|video|audio|source|track|input|button|form|select|textarea|details|marquee|frameset|frame|style|link|meta|base|math|table|td|div|span|a|p)[\s/][^<>]*?(?<=[\s/"'])on[a-z]+\s*=/i;
/** A page that sends the browser elsewhere by itself (`<meta http-equiv=refresh …>`), in any case and spacing. */
const META_REFRESH = /<meta[\s/][^<>]*?http-equiv\s*=\s*["']?\s*refresh/i;
/** A ZIP local file header (signature, then a plausible "version needed" of at most 6.3). */
const ZIP_ENTRY = /PK\x03\x04[\x00-\x3f]\x00/;
/** PDF name objects (#xx escapes allowed) followed by a delimiter. */
const PDF_NAME = /\/([^\s()<>[\]{}/%\x00]+)(?=[\s()<>[\]{}/%\x00])/g;
/**
 * Names that make a PDF do something by itself, and the refusal each earns: run JavaScript, launch
 * programs, play embedded Flash/media; send or fetch form data; carry other files inside it.
 */
const ACTIVE_NAMES = new Map([
  ["JavaScript", "errors.upload.pdfScript"],
  ["JS", "errors.upload.pdfScript"],
  ["Launch", "errors.upload.pdfScript"],
  ["RichMedia", "errors.upload.pdfScript"],
  ["SubmitForm", "errors.upload.pdfAction"],
  ["ImportData", "errors.upload.pdfAction"],
  ["EmbeddedFiles", "errors.upload.pdfEmbedded"],
  ["EmbeddedFile", "errors.upload.pdfEmbedded"],
  ["FileAttachment", "errors.upload.pdfEmbedded"],
  ["GoToE", "errors.upload.pdfEmbedded"],
]);
/** Every scan refusal (each answered 415). */
export const SCAN_REFUSALS = ["errors.upload.polyglot", "errors.upload.pdfScript", "errors.upload.pdfAction", "errors.upload.pdfEmbedded"];
/** A ZIP's end-of-central-directory record sits within the last 64 KiB + 22 bytes, where unzip looks for it. */
const ZIP_TAIL = 65_557;
const ZIP_END = Buffer.from("PK\x05\x06", "latin1");
/** Enough overlap between chunks for any marker above to be seen whole. */
const OVERLAP = 128;
/** Overlap for the action tokens below (an inline /OpenAction dictionary is looked into this far). */
const ACTION_OVERLAP = 1024;
/** A character that may continue a PDF name (anything but white space and delimiters). */
const NAME_CHAR = "[^\\s()<>[\\]{}\\/%\\x00]";
/**
 * What makes a PDF open a web address by itself: object headers and ends (which object a token is
 * in), a URI action (/S /URI), /OpenAction naming an object or holding an action inline, and
 * additional actions (/AA: on opening a page, entering a field…) naming objects or holding actions.
 */
const ACTION_TOKENS = new RegExp(
  [
    String.raw`(\d+)\s+\d+\s+obj\b`,
    String.raw`\bendobj\b`,
    String.raw`\/S\s*\/URI(?!${NAME_CHAR})`,
    String.raw`\/OpenAction\s*(\d+)\s+\d+\s+R\b`,
    String.raw`\/OpenAction\s*<<`,
    String.raw`\/AA\s*<<([^<>]{0,512})>>`,
    String.raw`\/AA(?!${NAME_CHAR})`,
  ].join("|"),
  "g",
);
const INLINE_URI = new RegExp(String.raw`^\/OpenAction\s*<<(?:(?!>>)[\s\S]){0,${ACTION_OVERLAP - 64}}?\/S\s*\/URI(?!${NAME_CHAR})`);
const REF = /(\d+)\s+\d+\s+R\b/g;
/** A name with #xx escapes, spelled out (so "/Open#41ction" is seen as /OpenAction). */
const ESCAPED_NAME = new RegExp(String.raw`\/${NAME_CHAR}*#[0-9a-fA-F]{2}${NAME_CHAR}*`, "g");
const unescapeNames = (text: string) => text.replace(ESCAPED_NAME, (n) => n.replace(/#([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))));

/**
 * Refuses a "PDF" that is also something else: HTML markup (scripts, elements
 * with event handlers, a meta refresh), a ZIP archive (local entries anywhere,
 * or a central directory at the end), PDF actions that run code, send or fetch
 * form data or open a web address by themselves (an /OpenAction or /AA whose
 * action is a URI; a link the reader clicks is fine), or embedded files.
 * Streams: only small overlaps, the last 64 KiB and the numbers of a few
 * objects are kept. Names inside compressed object streams are not inflated
 * and so not seen; the browser's PDF viewer and the CSP are the next line there.
 */
export class PdfScan implements ContentScan {
  private carry = "";
  private actionCarry = "";
  private tail = Buffer.alloc(0);
  private problem: string | null = null;
  /** Objects that are URI actions; objects /OpenAction and /AA name; the object being read. */
  private uriActions = new Set<string>();
  private triggered = new Set<string>();
  private current: { id: string | null; aa: boolean; uri: boolean } = { id: null, aa: false, uri: false };

  update(chunk: Buffer): void {
    this.tail = Buffer.concat([this.tail, chunk]);
    if (this.tail.length > ZIP_TAIL) this.tail = this.tail.subarray(this.tail.length - ZIP_TAIL);
    if (this.problem) return;
    const latin = chunk.toString("latin1");
    const text = this.carry + latin;
    this.problem = problemIn(text);
    this.carry = text.slice(-OVERLAP);
    if (this.problem) return;
    const actions = this.actionCarry + latin;
    this.problem = this.actionsIn(unescapeNames(actions));
    this.actionCarry = actions.slice(-ACTION_OVERLAP);
  }

  verdict(): string | null {
    if (this.problem) return this.problem;
    // The last bytes, with nothing after them to end a name.
    const last = problemIn(this.carry + " ") ?? this.actionsIn(unescapeNames(this.actionCarry + " "));
    if (last) return last;
    for (const id of this.triggered) if (this.uriActions.has(id)) return "errors.upload.pdfAction";
    return this.tail.includes(ZIP_END) ? "errors.upload.polyglot" : null;
  }

  /** Read the action tokens in order (text seen before is read again: every step is idempotent). */
  private actionsIn(text: string): string | null {
    for (const m of text.matchAll(ACTION_TOKENS)) {
      const token = m[0];
      if (m[1] !== undefined) this.current = { id: m[1], aa: false, uri: false };
      else if (token === "endobj") this.current = { id: null, aa: false, uri: false };
      else if (token.startsWith("/S")) {
        if (this.current.id !== null) this.uriActions.add(this.current.id);
        this.current.uri = true;
        if (this.current.aa) return "errors.upload.pdfAction";
      } else if (m[2] !== undefined) this.triggered.add(m[2]);
      else if (token.startsWith("/OpenAction")) {
        if (INLINE_URI.test(text.slice(m.index))) return "errors.upload.pdfAction";
      } else {
        // /AA: the actions it names, and any inline URI action in the same object.
        for (const r of (m[3] ?? "").matchAll(REF)) this.triggered.add(r[1]);
        this.current.aa = true;
        if (this.current.uri) return "errors.upload.pdfAction";
      }
    }
    return null;
  }
}

function problemIn(text: string): string | null {
  if (HTML_MARKUP.test(text) || HTML_HANDLER.test(text) || META_REFRESH.test(text) || ZIP_ENTRY.test(text)) return "errors.upload.polyglot";
  for (const m of text.matchAll(PDF_NAME)) {
    const name = m[1].replace(/#([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    const refusal = ACTIVE_NAMES.get(name);
    if (refusal) return refusal;
  }
  return null;
}

/** Store bytes already in memory (a rendered or decrypted PDF, a signed file). */
export function putBytes(store: FileStore, bytes: Uint8Array, opts: { check?: (head: Buffer) => string | null } = {}): Promise<StoredFile> {
  return store.put(
    (async function* () {
      yield bytes;
    })(),
    { maxBytes: bytes.length + 1, ...opts },
  );
}

/** A stored file, whole, in memory (for files the caller knows to be small: sealed bids, signed PDFs). */
export async function readBytes(store: FileStore, sha256: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of store.get(sha256)) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}
