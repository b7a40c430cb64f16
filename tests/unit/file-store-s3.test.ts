// S3FileStore against a small fake S3 server that checks what a real one
// checks: an AWS4-HMAC-SHA256 signature over the request (recomputed here,
// independently of the client library), a Content-Length on PUT, and that the
// body matches its x-amz-content-sha256.
import { createHash, createHmac } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DomainError } from "~/models/errors";
import { checkPdf } from "~/models/file-store.server";
import { S3FileStore } from "~/models/file-store-s3.server";
import { createFileStore } from "~/utils/context.server";
import { EnvError, parseEnv } from "~/utils/env.server";

const KEY_ID = "AKIDCUNYIZHAO";
const SECRET = "s3cr3t/for+tests";
const REGION = "cn-east-1";
const BUCKET = "cyz-files";

interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
  status: number;
}

/** The fake: objects by path, and a log of every request with the status it got. */
function fakeS3() {
  const objects = new Map<string, Buffer>();
  const log: Seen[] = [];
  const hmac = (key: Buffer | string, s: string) => createHmac("sha256", key).update(s).digest();
  const hex = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

  function verify(req: http.IncomingMessage): string | null {
    const auth = req.headers.authorization ?? "";
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) return "missing or malformed AWS4-HMAC-SHA256 Authorization";
    const [, keyId, date, region, signedHeaders, signature] = m;
    if (keyId !== KEY_ID) return "unknown access key";
    if (region !== REGION) return "wrong region";
    const amzDate = String(req.headers["x-amz-date"] ?? "");
    if (!amzDate.startsWith(date)) return "x-amz-date does not match the credential date";
    const names = signedHeaders.split(";");
    if (!names.includes("host") || !names.includes("x-amz-content-sha256") || !names.includes("x-amz-date")) return "required headers not signed";
    const url = new URL(req.url!, "http://x");
    const query = [...url.searchParams]
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .sort()
      .join("&");
    const headers = names
      .map(
        (n) =>
          `${n}:${String(req.headers[n] ?? "")
            .trim()
            .replace(/\s+/g, " ")}\n`,
      )
      .join("");
    const canonical = [req.method, url.pathname, query, headers, signedHeaders, String(req.headers["x-amz-content-sha256"])].join("\n");
    const scope = `${date}/${region}/s3/aws4_request`;
    const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, hex(canonical)].join("\n");
    const kSigning = hmac(hmac(hmac(hmac(`AWS4${SECRET}`, date), region), "s3"), "aws4_request");
    return hmac(kSigning, toSign).toString("hex") === signature ? null : "SignatureDoesNotMatch";
  }

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const reply = (status: number, data?: Buffer | string) => {
      log.push({ method: req.method!, path: req.url!, authorization: req.headers.authorization, status });
      res.writeHead(status, { "Content-Type": "application/xml" });
      res.end(req.method === "HEAD" ? undefined : data);
    };
    const problem = verify(req);
    if (problem) return reply(403, `<Error><Code>AccessDenied</Code><Message>${problem}</Message></Error>`);
    const key = decodeURIComponent(new URL(req.url!, "http://x").pathname);
    if (req.method === "PUT") {
      if (req.headers["transfer-encoding"] || req.headers["content-length"] === undefined) return reply(411, "<Error><Code>MissingContentLength</Code></Error>");
      if (Number(req.headers["content-length"]) !== body.length) return reply(400, "<Error><Code>IncompleteBody</Code></Error>");
      if (req.headers["x-amz-content-sha256"] !== hex(body)) return reply(400, "<Error><Code>XAmzContentSHA256Mismatch</Code></Error>");
      objects.set(key, body);
      return reply(200);
    }
    const obj = objects.get(key);
    if (req.method === "GET" || req.method === "HEAD") return obj ? reply(200, obj) : reply(404, "<Error><Code>NoSuchKey</Code></Error>");
    reply(405);
  };
  const server = http.createServer((req, res) => void handle(req, res));
  return { server, objects, log };
}

const fake = fakeS3();
let endpoint: string;
let workDir: string;

function store(overrides: Partial<ConstructorParameters<typeof S3FileStore>[0]> = {}) {
  return new S3FileStore({ endpoint, region: REGION, bucket: BUCKET, accessKeyId: KEY_ID, secretAccessKey: SECRET, forcePathStyle: true, workDir, ...overrides });
}

async function* pieces(buf: Buffer, size = 64 * 1024) {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function readAll(s: NodeJS.ReadableStream): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of s) out.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(out);
}

const pdf = (size: number, seed = 1) => {
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = (i * 31 + seed) & 0xff;
  Buffer.from("%PDF-1.7\n").copy(body);
  return body;
};

beforeAll(async () => {
  await new Promise<void>((r) => fake.server.listen(0, "127.0.0.1", r));
  endpoint = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => fake.server.close(() => r())));
beforeEach(() => {
  fake.objects.clear();
  fake.log.length = 0;
  workDir = mkdtempSync(path.join(os.tmpdir(), "cyz-s3-"));
});
afterEach(() => rmSync(workDir, { recursive: true, force: true }));

const spoolLeft = () => {
  try {
    return readdirSync(path.join(workDir, "spool"));
  } catch {
    return [];
  }
};

describe("S3FileStore", () => {
  it("stores a file under sha/ab/cd/<sha256>, signed, and streams the same bytes back", async () => {
    const body = pdf(1_300_000);
    const sha = createHash("sha256").update(body).digest("hex");
    const s = store();
    const stored = await s.put(pieces(body), { maxBytes: 50 * 1024 * 1024, check: checkPdf });
    expect(stored).toEqual({ sha256: sha, size: body.length });
    expect([...fake.objects.keys()]).toEqual([`/${BUCKET}/sha/${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}`]);
    expect((await readAll(s.get(sha))).equals(body)).toBe(true);
    expect(await s.has(sha)).toBe(true);
    // Every request was signed and accepted; nothing is left in the spool.
    expect(fake.log.length).toBeGreaterThanOrEqual(3);
    for (const r of fake.log) expect(r.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDCUNYIZHAO\/\d{8}\/cn-east-1\/s3\/aws4_request/);
    expect(fake.log.filter((r) => r.status === 403)).toEqual([]);
    expect(spoolLeft()).toEqual([]);
  });

  it("refuses a file that is not a PDF and sends nothing", async () => {
    const s = store();
    const err = await s.put(pieces(Buffer.from("MZ\x90\x00 this is a program, not a PDF")), { maxBytes: 1024, check: checkPdf }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).key).toBe("errors.upload.notPdf");
    expect(fake.objects.size).toBe(0);
    expect(fake.log.filter((r) => r.method === "PUT")).toEqual([]);
    expect(spoolLeft()).toEqual([]);
  });

  it("refuses a file over the size limit and sends nothing", async () => {
    const s = store();
    const err = await s.put(pieces(pdf(200_000)), { maxBytes: 100_000, check: checkPdf }).catch((e: unknown) => e);
    expect((err as DomainError).key).toBe("errors.upload.tooLarge");
    expect(fake.objects.size).toBe(0);
    expect(spoolLeft()).toEqual([]);
  });

  it("says no for an unknown hash, and a missing object is an error when read", async () => {
    const s = store();
    const unknown = "0".repeat(64);
    expect(await s.has(unknown)).toBe(false);
    await expect(readAll(s.get(unknown))).rejects.toMatchObject({ code: "ENOENT" });
    expect(() => s.get("../../etc/passwd")).toThrow(DomainError);
  });

  it("stores the same content once", async () => {
    const s = store();
    const body = pdf(70_000, 7);
    const a = await s.put(pieces(body), { maxBytes: 1 << 20, check: checkPdf });
    const b = await s.put(pieces(body, 1000), { maxBytes: 1 << 20, check: checkPdf });
    expect(b).toEqual(a);
    expect(fake.objects.size).toBe(1);
    expect(fake.log.filter((r) => r.method === "PUT")).toHaveLength(1);
  });

  it("fails loudly, and keeps nothing, when the signature is wrong", async () => {
    const s = store({ secretAccessKey: "not-the-secret" });
    await expect(s.put(pieces(pdf(1000)), { maxBytes: 1 << 20, check: checkPdf })).rejects.toThrow(/HTTP 403/);
    expect(fake.objects.size).toBe(0);
    expect(fake.log.every((r) => r.status === 403)).toBe(true);
    expect(spoolLeft()).toEqual([]);
  });

  it("addresses the bucket as a host name when path style is off", async () => {
    // No DNS for bucket.127.0.0.1 here: look at the URL the store would use.
    const s = store({ forcePathStyle: false, endpoint: "https://oss-cn-hangzhou.aliyuncs.com" });
    const sha = "ab".repeat(32);
    expect((s as unknown as { urlOf(x: string): string }).urlOf(sha)).toBe(`https://cyz-files.oss-cn-hangzhou.aliyuncs.com/sha/ab/ab/${sha}`);
  });
});

describe("FILES_BACKEND environment", () => {
  const s3env = { FILES_BACKEND: "s3", S3_ENDPOINT: "http://127.0.0.1:9000", S3_BUCKET: "cyz-files", S3_ACCESS_KEY_ID: "a", S3_SECRET_ACCESS_KEY: "b" };

  it("keeps files in a local folder unless told otherwise", () => {
    const env = parseEnv({});
    expect(env.FILES_BACKEND).toBe("local");
    expect(createFileStore(env).constructor.name).toBe("LocalFileStore");
  });

  it("uses S3 with path-style addresses and us-east-1 by default", () => {
    const env = parseEnv(s3env);
    expect(env.S3_REGION).toBe("us-east-1");
    expect(env.S3_FORCE_PATH_STYLE).toBe(true);
    expect(parseEnv({ ...s3env, S3_FORCE_PATH_STYLE: "false" }).S3_FORCE_PATH_STYLE).toBe(false);
    const files = createFileStore(env);
    expect(files).toBeInstanceOf(S3FileStore);
    expect(files.workDir).toBe(path.resolve("./data/files"));
  });

  it("stops with a message naming each missing S3 setting", () => {
    expect(() => parseEnv({ FILES_BACKEND: "s3" })).toThrow(EnvError);
    const message = (() => {
      try {
        parseEnv({ FILES_BACKEND: "s3", S3_ENDPOINT: "http://minio:9000" });
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message).toMatch(/S3_BUCKET: required when FILES_BACKEND=s3/);
    expect(message).toMatch(/S3_ACCESS_KEY_ID: required when FILES_BACKEND=s3/);
    expect(message).toMatch(/S3_SECRET_ACCESS_KEY: required when FILES_BACKEND=s3/);
    expect(message).not.toMatch(/S3_ENDPOINT/);
    expect(() => parseEnv({ FILES_BACKEND: "ftp" })).toThrow(/FILES_BACKEND: must be local or s3/);
    expect(() => parseEnv({ ...s3env, S3_BUCKET: "Bad_Bucket" })).toThrow(/S3_BUCKET: must be a bucket name/);
    expect(() => parseEnv({ ...s3env, S3_ENDPOINT: "minio:9000/x y" })).toThrow(/S3_ENDPOINT: must be a URL/);
  });
});
