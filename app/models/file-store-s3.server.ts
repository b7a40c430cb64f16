/**
 * Uploaded files in S3-compatible object storage (AWS S3, MinIO, Aliyun OSS,
 * Tencent COS…), for a county that runs several app instances or wants the
 * files off the app server. Same contract as LocalFileStore: content-addressed
 * by SHA-256, refused files leave nothing behind, and put() resolves only once
 * the object is completely written.
 *
 * The bytes are first spooled to a private local folder through a
 * LocalFileStore, so the hashing, size limit and magic-byte check are the very
 * same code, and the object is then sent in one PUT with its Content-Length —
 * streamed from disk, never held in memory. The PUT carries the content's
 * SHA-256 as x-amz-content-sha256, so the storage service itself refuses
 * bytes that were altered on the way.
 */
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { AwsClient } from "aws4fetch";
import { DomainError } from "./errors";
import { LocalFileStore, SHA, type ContentCheck, type FileStore, type StoredFile } from "./file-store.server";

export interface S3Options {
  /** e.g. https://s3.cn-north-1.amazonaws.com.cn, https://oss-cn-hangzhou.aliyuncs.com, http://127.0.0.1:9000 */
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** true: endpoint/bucket/key (MinIO and most self-hosted); false: bucket.endpoint/key (Aliyun OSS, Tencent COS). */
  forcePathStyle: boolean;
  /** Local folder for spooling uploads before they are sent. */
  workDir: string;
}

const PUT_ATTEMPTS = 3;

export class S3FileStore implements FileStore {
  private readonly client: AwsClient;

  constructor(private readonly opts: S3Options) {
    // aws4fetch retries 5xx and 429 with back-off; the PUT retries on its own because its body is a stream.
    this.client = new AwsClient({
      accessKeyId: opts.accessKeyId,
      secretAccessKey: opts.secretAccessKey,
      service: "s3",
      region: opts.region,
      retries: 3,
    });
  }

  get workDir() {
    return this.opts.workDir;
  }

  /** Object key: sha/ab/cd/<sha256>, so listings stay small and the name proves the content. */
  static keyOf(sha256: string): string {
    if (!SHA.test(sha256)) throw new DomainError("errors.notFound", { status: 404 });
    return `sha/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
  }

  private urlOf(sha256: string): string {
    const key = S3FileStore.keyOf(sha256);
    const base = new URL(this.opts.endpoint);
    const prefix = base.pathname.replace(/\/+$/, "");
    if (this.opts.forcePathStyle) {
      base.pathname = `${prefix}/${this.opts.bucket}/${key}`;
    } else {
      base.hostname = `${this.opts.bucket}.${base.hostname}`;
      base.pathname = `${prefix}/${key}`;
    }
    return base.toString();
  }

  async put(data: AsyncIterable<Uint8Array>, opts: { maxBytes: number; check?: ContentCheck }): Promise<StoredFile> {
    // A folder of its own for each put, so two uploads of the same content never share a spool file.
    const spoolDir = path.join(this.opts.workDir, "spool", randomUUID());
    try {
      const spool = new LocalFileStore(spoolDir);
      const stored = await spool.put(data, opts);
      // Same content → same key, stored once.
      if (!(await this.has(stored.sha256))) await this.send(spool, stored);
      return stored;
    } finally {
      await rm(spoolDir, { recursive: true, force: true });
    }
  }

  private async send(spool: LocalFileStore, stored: StoredFile): Promise<void> {
    const url = this.urlOf(stored.sha256);
    for (let attempt = 1; ; attempt++) {
      let res: Response | null = null;
      let failure: unknown = null;
      try {
        const signed = await this.client.sign(url, {
          method: "PUT",
          headers: {
            "Content-Length": String(stored.size),
            "Content-Type": "application/octet-stream",
            "X-Amz-Content-Sha256": stored.sha256,
          },
          body: Readable.toWeb(spool.get(stored.sha256)) as ReadableStream<Uint8Array>,
          // Node's fetch needs this to send a streamed body.
          ...({ duplex: "half" } as object),
        });
        res = await fetch(signed);
        await res.body?.cancel();
      } catch (e) {
        failure = e;
      }
      if (res?.ok) return;
      const retryable = failure !== null || (res !== null && (res.status >= 500 || res.status === 429));
      if (!retryable || attempt >= PUT_ATTEMPTS) {
        throw new Error(`S3 PUT ${S3FileStore.keyOf(stored.sha256)} failed: ${res ? `HTTP ${res.status}` : String(failure)}`, { cause: failure });
      }
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
  }

  get(sha256: string): Readable {
    const url = this.urlOf(sha256);
    const client = this.client;
    async function* body() {
      const res = await client.fetch(url);
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        // Same shape as a missing local file, so callers need not know which store they have.
        throw Object.assign(new Error(`S3 GET ${S3FileStore.keyOf(sha256)}: HTTP ${res.status}`), { code: res.status === 404 ? "ENOENT" : "EIO" });
      }
      const reader = res.body.getReader();
      try {
        for (let r = await reader.read(); !r.done; r = await reader.read()) yield r.value;
      } finally {
        // A reader that stopped early must not leave the connection open.
        await reader.cancel().catch(() => {});
      }
    }
    return Readable.from(body(), { objectMode: false });
  }

  async has(sha256: string): Promise<boolean> {
    const res = await this.client.fetch(this.urlOf(sha256), { method: "HEAD" });
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    // AWS answers 403 for a missing key when the credentials may not list the bucket: that is a configuration error.
    throw new Error(`S3 HEAD ${S3FileStore.keyOf(sha256)}: HTTP ${res.status} (check S3_* settings and that the key may read and list the bucket)`);
  }
}
