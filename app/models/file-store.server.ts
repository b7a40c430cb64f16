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

export interface FileStore {
  /** Stream bytes in; refuses (and keeps nothing) past maxBytes or when `check` rejects the first bytes. */
  put(data: AsyncIterable<Uint8Array>, opts: { maxBytes: number; check?: (head: Buffer) => string | null }): Promise<StoredFile>;
  get(sha256: string): Readable;
  has(sha256: string): Promise<boolean>;
  /** A folder on this machine for work in progress (spooling, partial resumable uploads); never served. */
  readonly workDir: string;
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

  async put(data: AsyncIterable<Uint8Array>, opts: { maxBytes: number; check?: (head: Buffer) => string | null }): Promise<StoredFile> {
    const tmpDir = path.join(this.dir, "tmp");
    await mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, randomUUID());
    const hash = createHash("sha256");
    const out = createWriteStream(tmp);
    let size = 0;
    let head = Buffer.alloc(0);
    try {
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
        hash.update(chunk);
        if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
      }
      if (size === 0) throw new DomainError("errors.upload.empty", { status: 400 });
      if (opts.check && head.length < 5) {
        const problem = opts.check(head);
        if (problem) throw new DomainError(problem, { status: 415 });
      }
      await new Promise<void>((resolve, reject) => {
        out.once("error", reject);
        out.end(() => resolve());
      });
      // Make the bytes durable before anyone can refer to them.
      const fh = await open(tmp, "r");
      await fh.sync();
      await fh.close();
      const sha256 = hash.digest("hex");
      const final = this.pathOf(sha256);
      await mkdir(path.dirname(final), { recursive: true });
      await rename(tmp, final);
      return { sha256, size };
    } catch (e) {
      out.destroy();
      await rm(tmp, { force: true });
      throw e;
    }
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

/** A PDF starts with "%PDF-": the name and the browser's content type prove nothing. */
export function checkPdf(head: Buffer): string | null {
  return head.subarray(0, 5).toString("latin1") === "%PDF-" ? null : "errors.upload.notPdf";
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
