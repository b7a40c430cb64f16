// Resumable uploads (tus 1.0.0) through the real route modules, a real
// database for sessions and county settings, and a local file store.
import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import express from "express";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { directUploadPieces } from "~/utils/tus-direct.server";
import * as createRoute from "~/routes/uploads";
import * as uploadRoute from "~/routes/uploads.$id";
import * as newRoute from "~/routes/projects.new";
import { MAX_OPEN_UPLOADS, purgeExpiredUploads, UPLOAD_TTL_MS } from "~/models/resumable-upload.server";
import { checkPdf, type LocalFileStore } from "~/models/file-store.server";
import { parseUploadForm } from "~/utils/uploads.server";
import type { Database } from "../../db/client";
import { createTestDb } from "../helpers/db";
import { demoCookies, DEMO, makeContext, ORIGIN, run } from "../helpers/app";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let c: Record<keyof typeof DEMO, string>;

const KB = 1024;

/** A PDF of `size` bytes whose content depends on `seed`. */
function pdfBytes(size: number, seed = 1): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 131 + seed * 7) & 0xff;
  Buffer.from("%PDF-1.7\n").copy(b);
  return b;
}
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

type Body = Buffer | string | ReadableStream<Uint8Array>;

function tusRequest(method: string, url: string, cookie: string | null, headers: Record<string, string> = {}, body?: Body | null): Request {
  return new Request(new URL(url, ORIGIN), {
    method,
    headers: { "Tus-Resumable": "1.0.0", Origin: ORIGIN, ...(cookie ? { Cookie: cookie } : {}), ...headers },
    body: Buffer.isBuffer(body) ? new Uint8Array(body) : (body ?? null),
    ...(body ? { duplex: "half" } : {}),
  } as RequestInit);
}

const idOf = (location: string) => location.slice(location.lastIndexOf("/") + 1);

async function create(cookie: string | null, length: number, name = "决议.pdf"): Promise<Response> {
  const meta = `filename ${Buffer.from(name).toString("base64")},filetype ${Buffer.from("application/pdf").toString("base64")}`;
  return (await run(createRoute.action, tusRequest("POST", "/uploads", cookie, { "Upload-Length": String(length), "Upload-Metadata": meta }), ctx)) as Response;
}

async function createOk(cookie: string, length: number, name?: string): Promise<string> {
  const res = await create(cookie, length, name);
  expect(res.status, await res.clone().text()).toBe(201);
  expect(res.headers.get("Tus-Resumable")).toBe("1.0.0");
  return idOf(res.headers.get("Location")!);
}

async function patch(cookie: string | null, id: string, offset: number, body: Body, headers: Record<string, string> = {}): Promise<Response> {
  const req = tusRequest("PATCH", `/uploads/${id}`, cookie, { "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream", ...headers }, body);
  return (await run(uploadRoute.action, req, ctx, { id })) as Response;
}

async function head(cookie: string | null, id: string): Promise<Response> {
  return (await run(uploadRoute.loader, tusRequest("HEAD", `/uploads/${id}`, cookie), ctx, { id })) as Response;
}

async function offsetOf(cookie: string, id: string): Promise<number> {
  const res = await head(cookie, id);
  expect(res.status).toBe(200);
  return Number(res.headers.get("Upload-Offset"));
}

/** Upload `bytes` in pieces of `piece`, checking the offset after each one. */
async function uploadAll(cookie: string, bytes: Buffer, piece: number, name?: string): Promise<string> {
  const id = await createOk(cookie, bytes.length, name);
  for (let at = 0; at < bytes.length; at += piece) {
    const res = await patch(cookie, id, at, bytes.subarray(at, at + piece));
    expect(res.status, await res.clone().text()).toBe(204);
    const next = Math.min(at + piece, bytes.length);
    expect(res.headers.get("Upload-Offset")).toBe(String(next));
    expect(await offsetOf(cookie, id)).toBe(next);
  }
  return id;
}

/** Every content file in the store (not work in progress). */
function storedFiles(): string[] {
  const root = (ctx.files as LocalFileStore).dir;
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((f) => {
      const p = path.join(d, f);
      if (statSync(p).isDirectory()) return ["tmp", "partial", "spool"].includes(f) && d === root ? [] : walk(p);
      return [path.basename(p)];
    });
  return walk(root);
}

const partials = () => readdirSync(path.join(ctx.files.workDir, "partial"));

async function json(res: Response) {
  return (await res.json()) as { error: string };
}

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  c = await demoCookies(ctx);
});
afterAll(async () => {
  await database?.close();
});

describe("tus protocol", () => {
  it("advertises version 1.0.0 and its extensions on OPTIONS", async () => {
    const res = (await run(createRoute.loader, new Request(new URL("/uploads", ORIGIN), { method: "OPTIONS" }), ctx)) as Response;
    expect(res.status).toBe(204);
    expect(res.headers.get("Tus-Version")).toBe("1.0.0");
    expect(res.headers.get("Tus-Extension")).toBe("creation,expiration,termination");
  });

  it("creates, takes three pieces, reports offsets and stores the file under its SHA-256", async () => {
    const bytes = pdfBytes(3 * 512 * KB - 1000);
    const id = await uploadAll(c.committeeA1, bytes, 512 * KB, "青山村/../议事记录.pdf");
    const res = await head(c.committeeA1, id);
    expect(res.headers.get("Upload-Length")).toBe(String(bytes.length));
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(new Date(res.headers.get("Upload-Expires")!).getTime()).toBeGreaterThan(ctx.clock.now().getTime());
    expect(await ctx.files.has(sha256(bytes))).toBe(true);
    const back: Buffer[] = [];
    for await (const chunk of ctx.files.get(sha256(bytes))) back.push(chunk as Buffer);
    expect(Buffer.concat(back).equals(bytes)).toBe(true);
    // The partial is gone once the file is in the store; the record stays for the form.
    expect(partials()).toContain(`${id}.json`);
    expect(partials()).not.toContain(`${id}.part`);
  });

  it("answers a wrong offset with 409 and the server's offset", async () => {
    const bytes = pdfBytes(100 * KB, 2);
    const id = await createOk(c.committeeA1, bytes.length);
    expect((await patch(c.committeeA1, id, 0, bytes.subarray(0, 40 * KB))).status).toBe(204);
    const wrong = await patch(c.committeeA1, id, 10 * KB, bytes.subarray(10 * KB, 50 * KB));
    expect(wrong.status).toBe(409);
    expect(wrong.headers.get("Upload-Offset")).toBe(String(40 * KB));
    expect(await offsetOf(c.committeeA1, id)).toBe(40 * KB);
  });

  it("keeps what arrived before a connection dropped, and goes on from the server's offset", async () => {
    const bytes = pdfBytes(1200 * KB, 3);
    const id = await createOk(c.committeeA1, bytes.length);
    expect((await patch(c.committeeA1, id, 0, bytes.subarray(0, 512 * KB))).status).toBe(204);
    // The second piece: 200 KB get through, then the connection breaks.
    let pulls = 0;
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulls++ === 0) controller.enqueue(new Uint8Array(bytes.subarray(512 * KB, 712 * KB)));
        else controller.error(new Error("ECONNRESET"));
      },
    });
    await patch(c.committeeA1, id, 512 * KB, broken);
    const resumeAt = await offsetOf(c.committeeA1, id);
    expect(resumeAt).toBe(712 * KB);
    // Resending the whole piece from where the client thought it was is refused…
    expect((await patch(c.committeeA1, id, 512 * KB, bytes.subarray(512 * KB, 1024 * KB))).status).toBe(409);
    // …and continuing from the server's offset completes the file.
    for (let at = resumeAt; at < bytes.length; at += 512 * KB) expect((await patch(c.committeeA1, id, at, bytes.subarray(at, at + 512 * KB))).status).toBe(204);
    expect(await offsetOf(c.committeeA1, id)).toBe(bytes.length);
    expect(await ctx.files.has(sha256(bytes))).toBe(true);
  });

  it("lets a retry take over from a request that stalled", async () => {
    const bytes = pdfBytes(300 * KB, 4);
    const id = await createOk(c.committeeA1, bytes.length);
    let pulls = 0;
    const stalled = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulls++ === 0) controller.enqueue(new Uint8Array(bytes.subarray(0, 100 * KB)));
        return new Promise(() => {}); // then nothing, ever
      },
    });
    const first = patch(c.committeeA1, id, 0, stalled);
    for (let i = 0; i < 100 && (await offsetOf(c.committeeA1, id)) < 100 * KB; i++) await new Promise((r) => setTimeout(r, 10));
    const second = await patch(c.committeeA1, id, 100 * KB, bytes.subarray(100 * KB));
    expect(second.status).toBe(204);
    expect(second.headers.get("Upload-Offset")).toBe(String(bytes.length));
    expect((await first).headers.get("Upload-Offset")).toBe(String(100 * KB));
    expect(await ctx.files.has(sha256(bytes))).toBe(true);
  });

  it("refuses another user, and anyone not signed in", async () => {
    const bytes = pdfBytes(50 * KB, 5);
    const id = await createOk(c.committeeA1, bytes.length);
    expect((await patch(c.committeeA1, id, 0, bytes.subarray(0, 10 * KB))).status).toBe(204);
    // Another user cannot see it, add to it or delete it: it does not exist for them.
    expect((await head(c.committeeB1, id)).status).toBe(404);
    const foreign = await patch(c.committeeB1, id, 10 * KB, bytes.subarray(10 * KB));
    expect(foreign.status).toBe(404);
    expect((await json(foreign)).error).toBe("errors.upload.unknown");
    const del = (await run(uploadRoute.action, tusRequest("DELETE", `/uploads/${id}`, c.contractor1), ctx, { id })) as Response;
    expect(del.status).toBe(404);
    // Nobody signed in: no upload can be made or touched.
    const anon = await create(null, 1000);
    expect(anon.status).toBe(401);
    expect((await json(anon)).error).toBe("errors.upload.signIn");
    expect((await head(null, id)).status).toBe(401);
    expect((await patch(null, id, 10 * KB, bytes.subarray(10 * KB))).status).toBe(401);
    expect(await offsetOf(c.committeeA1, id)).toBe(10 * KB);
  });

  it("refuses a declared length above the county's limit", async () => {
    await database.query(
      `INSERT INTO county_settings (county_id, values, updated_at) SELECT county_id, '{"uploadMaxMegabytes": 1}', now() FROM orgs WHERE kind = 'village' LIMIT 1 ON CONFLICT (county_id) DO UPDATE SET values = '{"uploadMaxMegabytes": 1}'`,
    );
    try {
      const res = await create(c.committeeA1, 1024 * 1024 + 1);
      expect(res.status).toBe(413);
      expect((await json(res)).error).toBe("errors.upload.tooLarge");
      expect((await create(c.committeeA1, 1024 * 1024)).status).toBe(201);
    } finally {
      await database.query(`DELETE FROM county_settings`);
    }
    const empty = await create(c.committeeA1, 0);
    expect((await json(empty)).error).toBe("errors.upload.empty");
    const bad = (await run(createRoute.action, tusRequest("POST", "/uploads", c.committeeA1, { "Upload-Length": "-5" }), ctx)) as Response;
    expect(bad.status).toBe(400);
  });

  it("refuses a file that is not a PDF by its first bytes, and keeps nothing", async () => {
    const before = storedFiles();
    const exe = Buffer.alloc(2 * 512 * KB, 0x41);
    Buffer.from("MZ\x90\x00").copy(exe);
    const id = await createOk(c.committeeA1, exe.length, "决议.pdf");
    const res = await patch(c.committeeA1, id, 0, exe.subarray(0, 512 * KB));
    expect(res.status).toBe(415);
    expect((await json(res)).error).toBe("errors.upload.notPdf");
    expect(storedFiles()).toEqual(before);
    expect(partials().some((f) => f === `${id}.part`)).toBe(false);
    // A short non-PDF sent whole is refused the same way.
    const small = Buffer.from("<html>not a pdf</html>");
    const id2 = await createOk(c.committeeA1, small.length);
    expect((await json(await patch(c.committeeA1, id2, 0, small))).error).toBe("errors.upload.notPdf");
    expect(storedFiles()).toEqual(before);
  });

  it("scans the whole file when its last piece arrives: a PDF with a script in its second piece is refused and nothing is kept", async () => {
    const before = storedFiles();
    const bytes = pdfBytes(2 * 512 * KB, 3);
    Buffer.from("\n<script>alert(1)</script>\n").copy(bytes, 512 * KB + 100);
    const id = await createOk(c.committeeA1, bytes.length, "看似正常.pdf");
    expect((await patch(c.committeeA1, id, 0, bytes.subarray(0, 512 * KB))).status).toBe(204);
    const last = await patch(c.committeeA1, id, 512 * KB, bytes.subarray(512 * KB));
    expect(last.status).toBe(415);
    expect((await json(last)).error).toMatch(/^errors\.upload\./);
    expect(storedFiles()).toEqual(before);
    expect(partials()).not.toContain(`${id}.part`);
  });

  it("refuses more bytes than declared, a missing protocol header and a wrong content type", async () => {
    const id = await createOk(c.committeeA1, 10);
    const over = await patch(c.committeeA1, id, 0, Buffer.from("%PDF-1.7 and far too long"));
    expect(over.status).toBe(400);
    expect((await json(over)).error).toBe("errors.upload.length");
    const noVersion = (await run(
      uploadRoute.action,
      new Request(new URL(`/uploads/${id}`, ORIGIN), {
        method: "PATCH",
        headers: { Cookie: c.committeeA1, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream" },
        body: "x",
      }),
      ctx,
      { id },
    )) as Response;
    expect(noVersion.status).toBe(412);
    expect(noVersion.headers.get("Tus-Version")).toBe("1.0.0");
    expect((await patch(c.committeeA1, id, 0, "%PDF-", { "Content-Type": "application/pdf" })).status).toBe(415);
  });

  it("limits how many unfinished uploads one user holds", async () => {
    const ids: string[] = [];
    for (let made = 0; ; made++) {
      const res = await create(c.supervisorA, 1000);
      if (res.status !== 201) {
        expect(res.status).toBe(429);
        expect((await json(res)).error).toBe("errors.upload.tooMany");
        expect(made).toBe(MAX_OPEN_UPLOADS);
        break;
      }
      ids.push(idOf(res.headers.get("Location")!));
    }
    const del = (await run(uploadRoute.action, tusRequest("DELETE", `/uploads/${ids[0]}`, c.supervisorA), ctx, { id: ids[0] })) as Response;
    expect(del.status).toBe(204);
    expect((await head(c.supervisorA, ids[0])).status).toBe(404);
    expect((await patch(c.supervisorA, ids[0], 0, "%PDF-")).status).toBe(404);
    expect((await create(c.supervisorA, 1000)).status).toBe(201);
  });

  it("forgets an upload left idle for 24 hours", async () => {
    const bytes = pdfBytes(20 * KB, 6);
    const id = await createOk(c.committeeA1, bytes.length);
    await patch(c.committeeA1, id, 0, bytes.subarray(0, 5 * KB));
    ctx.clock.advance(UPLOAD_TTL_MS - 60_000);
    await purgeExpiredUploads(ctx.files, ctx.clock);
    expect(await offsetOf(c.committeeA1, id)).toBe(5 * KB);
    // Activity moves the expiry on.
    await patch(c.committeeA1, id, 5 * KB, bytes.subarray(5 * KB, 6 * KB));
    ctx.clock.advance(UPLOAD_TTL_MS - 60_000);
    await purgeExpiredUploads(ctx.files, ctx.clock);
    expect(await offsetOf(c.committeeA1, id)).toBe(6 * KB);
    ctx.clock.advance(120_000);
    expect((await head(c.committeeA1, id)).status).toBe(404);
    expect(await purgeExpiredUploads(ctx.files, ctx.clock)).toBeGreaterThanOrEqual(1);
    expect(partials().filter((f) => f.startsWith(id))).toEqual([]);
  });
});

describe("the server's direct path for upload pieces (server.mjs, app/utils/tus-direct.server.ts)", () => {
  it("answers PATCH pieces over real HTTP with the route's own code: stored by hash, another user's upload unknown, other requests passed on", async () => {
    const app = express();
    app.use(directUploadPieces(async () => ctx));
    app.use((_req, res) => res.status(418).end("router"));
    const server = await new Promise<http.Server>((ok) => {
      const s = app.listen(0, "127.0.0.1", () => ok(s));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const bytes = pdfBytes(2 * 512 * KB - 7, 9);
      const id = await createOk(c.committeeA1, bytes.length, "直传.pdf");
      const send = (cookie: string, offset: number, body: Buffer) =>
        fetch(`${base}/uploads/${id}`, {
          method: "PATCH",
          headers: { "Tus-Resumable": "1.0.0", Cookie: cookie, "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream" },
          body: new Uint8Array(body),
        });
      const first = await send(c.committeeA1, 0, bytes.subarray(0, 512 * KB));
      expect([first.status, first.headers.get("Upload-Offset"), first.headers.get("Tus-Resumable")]).toEqual([204, String(512 * KB), "1.0.0"]);
      const stranger = await send(c.contractor1, 512 * KB, bytes.subarray(512 * KB));
      expect([stranger.status, ((await stranger.json()) as { error: string }).error]).toEqual([404, "errors.upload.unknown"]);
      const wrongOffset = await send(c.committeeA1, 7, bytes.subarray(7, 100));
      expect([wrongOffset.status, wrongOffset.headers.get("Upload-Offset")]).toEqual([409, String(512 * KB)]);
      const last = await send(c.committeeA1, 512 * KB, bytes.subarray(512 * KB));
      expect(last.status).toBe(204);
      expect(await ctx.files.has(sha256(bytes))).toBe(true);
      // HEAD, POST and anything else go on to the router.
      expect((await fetch(`${base}/uploads/${id}`, { method: "HEAD" })).status).toBe(418);
      expect((await fetch(`${base}/uploads`, { method: "POST" })).status).toBe(418);
    } finally {
      await new Promise<void>((ok) => server.close(() => ok()));
    }
  });
});

describe("forms that refer to a resumable upload", () => {
  function formRequest(fields: Record<string, string | File>, cookie: string, urlPath = "/projects/new") {
    const f = new FormData();
    for (const [k, v] of Object.entries(fields)) f.append(k, v);
    return new Request(new URL(urlPath, ORIGIN), { method: "POST", body: f, headers: { Cookie: cookie, Origin: ORIGIN } });
  }
  const opts = (owner?: string) => ({ maxBytes: 50 * 1024 * 1024, check: checkPdf, owner });
  let ownerA: string;
  let ownerB: string;

  beforeAll(async () => {
    const ids = await database.query<{ id: string; phone: string }>("SELECT id, phone FROM users WHERE phone IN ($1, $2)", [DEMO.committeeA1, DEMO.committeeB1]);
    ownerA = ids.find((u) => u.phone === DEMO.committeeA1)!.id;
    ownerB = ids.find((u) => u.phone === DEMO.committeeB1)!.id;
  });

  it("maps the user's own finished upload, with the server's hash, size and name", async () => {
    const bytes = pdfBytes(700 * KB, 8);
    const id = await uploadAll(c.committeeA1, bytes, 512 * KB, "村民代表会议决议.pdf");
    const { form, uploads, errors } = await parseUploadForm(formRequest({ name: "x", "proposal.file__upload": id }, c.committeeA1), ctx.files, opts(ownerA));
    expect(errors).toEqual({});
    expect(uploads.get("proposal.file")).toEqual({ sha256: sha256(bytes), size: bytes.length, name: "村民代表会议决议.pdf" });
    // The reference is consumed: the rest of the form sees only its own fields.
    expect(form.has("proposal.file__upload")).toBe(false);
    expect(form.get("name")).toBe("x");
  });

  it("refuses another user's upload, an unfinished one, a refused one and an unknown id", async () => {
    const mine = await uploadAll(c.committeeA1, pdfBytes(10 * KB, 9), 10 * KB);
    const unfinished = await createOk(c.committeeA1, 10 * KB);
    const gif = Buffer.from("GIF89a this is a gif.");
    const notPdf = await createOk(c.committeeA1, gif.length);
    expect((await patch(c.committeeA1, notPdf, 0, gif)).status).toBe(415);
    const { uploads, errors } = await parseUploadForm(
      formRequest({ a__upload: mine, b__upload: unfinished, c__upload: notPdf, d__upload: "AAAAAAAAAAAAAAAAAAAAAA", e__upload: "../../etc/passwd" }, c.committeeB1),
      ctx.files,
      opts(ownerB),
    );
    expect(uploads.size).toBe(0);
    expect(errors).toEqual({
      a: "errors.upload.unknown",
      b: "errors.upload.unknown",
      c: "errors.upload.unknown",
      d: "errors.upload.unknown",
      e: "errors.upload.unknown",
    });
    // Its owner gets the real reasons.
    const own = await parseUploadForm(formRequest({ b__upload: unfinished, c__upload: notPdf }, c.committeeA1), ctx.files, opts(ownerA));
    expect(own.errors).toEqual({ b: "errors.upload.incomplete", c: "errors.upload.notPdf" });
    // Without an owner no reference is honoured.
    const none = await parseUploadForm(formRequest({ a__upload: mine }, c.committeeA1), ctx.files, opts());
    expect(none.errors).toEqual({ a: "errors.upload.unknown" });
  });

  it("applies the route's own size limit to a finished upload", async () => {
    const bytes = pdfBytes(30 * KB, 10);
    const id = await uploadAll(c.committeeA1, bytes, 30 * KB);
    const { errors } = await parseUploadForm(formRequest({ f__upload: id }, c.committeeA1), ctx.files, { maxBytes: 20 * KB, check: checkPdf, owner: ownerA });
    expect(errors).toEqual({ f: "errors.upload.tooLarge" });
  });

  it("registers a project whose decision document came by the resumable path", async () => {
    const steps = ["proposal", "discussion", "party_meeting", "villagers_meeting", "resolution_notice"];
    const resumable = pdfBytes(600 * KB, 11);
    const id = await uploadAll(c.committeeA1, resumable, 512 * KB, "提议.pdf");
    const fields: Record<string, string | File> = {
      intent: "save",
      name: "青山村便民桥维修",
      type: "works",
      location: "青山村北",
      scope: "桥面修复",
      estimate: "300000",
      ceiling: "290000",
      fundingSource: "村集体",
      durationDays: "30",
      method: "open_selection",
      "villagers_meeting.eligible": "45",
      "villagers_meeting.attended": "36",
      "villagers_meeting.votesFor": "33",
      "proposal.file__upload": id,
    };
    steps.forEach((s, i) => {
      fields[`${s}.day`] = `2026-10-${String(12 + i * 2).padStart(2, "0")}`;
      if (s !== "proposal") fields[`${s}.file`] = new File([`%PDF-1.4\n% ${s}\n%%EOF\n`], `${s}.pdf`, { type: "application/pdf" });
    });
    const res = (await run(newRoute.action, formRequest(fields, c.committeeA1), ctx)) as Response;
    expect(res.status).toBe(302);
    const projectId = res.headers
      .get("Location")!
      .replace(/^\/projects\//, "")
      .replace(/\?.*/, "");
    const [doc] = await database.query<{ file_sha256: string }>("SELECT file_sha256 FROM project_decisions WHERE project_id = $1 AND step = 'proposal'", [projectId]);
    expect(doc.file_sha256).toBe(sha256(resumable));
  });
});

describe("the browser script's upload loop", () => {
  // The script's own code, run against the route modules through a stand-in
  // for XMLHttpRequest that can break a connection half-way through a body.
  let cookie = "";
  let breakNext: ((method: string, url: string) => number | null) | null = null;
  const sent: { method: string; url: string; bytes: number; offset: string | null }[] = [];
  const storage = new Map<string, string>();

  class FakeXHR {
    status = 0;
    responseText = "";
    upload: { onprogress: ((e: { loaded: number; total: number }) => void) | null } = { onprogress: null };
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    onabort: (() => void) | null = null;
    ontimeout: (() => void) | null = null;
    private method = "GET";
    private url = "";
    private headers: Record<string, string> = {};
    private reply = new Headers();
    private aborted = false;
    open(method: string, url: string) {
      this.method = method;
      this.url = url;
    }
    setRequestHeader(k: string, v: string) {
      this.headers[k] = v;
    }
    getResponseHeader(n: string) {
      return this.reply.get(n);
    }
    abort() {
      this.aborted = true;
      this.onabort?.();
    }
    async send(body: Blob | null) {
      const bytes = body ? Buffer.from(await body.arrayBuffer()) : null;
      const cut = breakNext?.(this.method, this.url) ?? null;
      if (cut !== null) breakNext = null;
      let pulls = 0;
      const payload =
        cut === null
          ? bytes
          : new ReadableStream<Uint8Array>({
              pull(controller) {
                if (pulls++ === 0) controller.enqueue(new Uint8Array(bytes!.subarray(0, cut)));
                else controller.error(new Error("ECONNRESET"));
              },
            });
      sent.push({ method: this.method, url: this.url, bytes: cut ?? bytes?.length ?? 0, offset: this.headers["Upload-Offset"] ?? null });
      const req = tusRequest(this.method, this.url, cookie, this.headers, payload && (cut !== null || bytes!.length) ? payload : null);
      const id = this.url.split("/")[2];
      const handler = this.url === "/uploads" ? createRoute.action : this.method === "HEAD" ? uploadRoute.loader : uploadRoute.action;
      const res = (await run(handler as never, req, ctx, id ? { id } : {})) as Response;
      if (this.aborted) return;
      if (cut !== null) return this.onerror?.(); // the phone never hears back
      this.upload.onprogress?.({ loaded: bytes?.length ?? 0, total: bytes?.length ?? 0 });
      this.status = res.status;
      this.reply = res.headers;
      this.responseText = await res.text();
      this.onload?.();
    }
  }

  beforeAll(() => {
    vi.stubGlobal("XMLHttpRequest", FakeXHR);
    vi.stubGlobal("location", { href: ORIGIN + "/projects/new" });
    vi.stubGlobal("localStorage", {
      getItem: (k: string) => storage.get(k) ?? null,
      setItem: (k: string, v: string) => void storage.set(k, v),
      removeItem: (k: string) => void storage.delete(k),
    });
    // Back-off waits end when the phone is back online: here, at once.
    vi.stubGlobal("window", {
      setTimeout: (f: () => void, ms: number) => setTimeout(f, ms),
      addEventListener: (type: string, f: () => void) => type === "online" && queueMicrotask(f),
      removeEventListener: () => {},
    });
  });
  afterAll(() => vi.unstubAllGlobals());
  beforeEach(() => {
    cookie = c.committeeA1;
    sent.length = 0;
    storage.clear();
  });

  const asFile = (b: Buffer, name = "会议纪要.pdf") => new File([new Uint8Array(b)], name, { type: "application/pdf", lastModified: 1_790_000_000_000 });

  it("sends 512 KB pieces, survives a dropped connection and resumes from the server's offset", async () => {
    const { upload } = await import("~/components/resumable-uploads.client");
    const bytes = pdfBytes(1300 * KB, 12);
    // The second PATCH loses its connection after 100 KB.
    let patches = 0;
    breakNext = (method) => (method === "PATCH" && ++patches === 2 ? 100 * KB : null);
    const said: [number, number | undefined][] = [];
    const id = await upload(asFile(bytes), new AbortController().signal, (p, retry) => said.push([p, retry]));
    expect(await finishedSha(id)).toBe(sha256(bytes));
    const patchesSent = sent.filter((r) => r.method === "PATCH");
    expect(patchesSent.map((r) => r.offset)).toEqual(["0", String(512 * KB), String(612 * KB), String(1124 * KB)]);
    expect(sent.filter((r) => r.method === "HEAD")).toHaveLength(1);
    expect(said.some(([, retry]) => retry !== undefined)).toBe(true);
    expect(said.at(-1)).toEqual([100, undefined]);
    expect(storage.size).toBe(0);
  });

  it("picks up an upload left unfinished on an earlier visit", async () => {
    const { upload } = await import("~/components/resumable-uploads.client");
    const bytes = pdfBytes(1100 * KB, 13);
    const file = asFile(bytes, "图纸.pdf");
    const stop = new AbortController();
    await expect(
      upload(file, stop.signal, (p) => {
        if (p >= 40) stop.abort(); // the page is closed after the first piece
      }),
    ).rejects.toThrow();
    expect(storage.size).toBe(1);
    sent.length = 0;
    const id = await upload(file, new AbortController().signal, () => {});
    expect(sent[0].method).toBe("HEAD");
    expect(sent.filter((r) => r.method === "POST")).toHaveLength(0);
    expect(sent.filter((r) => r.method === "PATCH").reduce((n, r) => n + r.bytes, 0)).toBe(bytes.length - 512 * KB);
    expect(await finishedSha(id)).toBe(sha256(bytes));
  });

  it("stops at once, naming the reason, when the server refuses the file", async () => {
    const { upload, Refusal } = await import("~/components/resumable-uploads.client");
    const exe = Buffer.alloc(900 * KB, 0x20);
    const notPdf = await upload(asFile(exe, "x.pdf"), new AbortController().signal, () => {}).catch((e: unknown) => e);
    expect(notPdf).toBeInstanceOf(Refusal);
    expect(notPdf).toMatchObject({ key: "errors.upload.notPdf" });
    expect((notPdf as { id: string | null }).id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(sent.filter((r) => r.method === "PATCH")).toHaveLength(1);
    cookie = "";
    const anon = await upload(asFile(pdfBytes(10 * KB)), new AbortController().signal, () => {}).catch((e: unknown) => e);
    expect(anon).toMatchObject({ key: "errors.upload.signIn", id: null });
  });

  async function finishedSha(id: string) {
    const [owner] = await database.query<{ id: string }>("SELECT id FROM users WHERE phone = $1", [DEMO.committeeA1]);
    const { finishedUpload } = await import("~/models/resumable-upload.server");
    const found = await finishedUpload(ctx.files, id, owner.id);
    return found.ok ? found.upload.sha256 : found.error;
  }
});
