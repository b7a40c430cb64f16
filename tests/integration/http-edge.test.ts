// The HTTP edge (issue 18, finding 9 and the Low items): the real server (startServer, what
// server.mjs runs) in a child process on its own embedded database, attacked over raw sockets.
// - A 200 MB urlencoded post to /set-text-size — streamed chunked, with a true, a lying or a huge
//   Content-Length — is answered 413 as soon as it passes 1 MB, and the server's memory stays put.
// - A body no action can read (JSON or text to a form, a form to a JSON endpoint, no type, a broken
//   multipart or JSON) is answered 400/415 for every action route — never 5xx, never logged.
// - A GET to a post-only route is answered 405 with Allow: POST, and nothing is logged.
// - Forms with files still go through, up to the county's file limits; /verify is held to its own.
// - DEV_MAILBOX or TEST_CLOCK on an origin others reach stops the server at start.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerBuild } from "@remix-run/node";
import { FILE_FORMS, JSON_ROUTES, SMALL_BODY_BYTES, TUS_ROUTES, actionOnly } from "~/utils/http-edge.server";
import { VERIFY_MAX_BYTES } from "~/models/signature.server";
import { startServerProcess, type ServerProcess } from "../helpers/server-process";
import { sourceBuild } from "../helpers/source-build";

const MB = 1024 * 1024;
let server: ServerProcess;
let build: ServerBuild;

beforeAll(async () => {
  [server, build] = await Promise.all([startServerProcess(), sourceBuild()]);
}, 180_000);
afterAll(async () => {
  await server?.stop();
});

/** What came back on a raw connection: the status line's code (null if none came), and how many body bytes the client got out. */
interface Flood {
  status: number | null;
  head: string;
  sent: number;
}

/**
 * Send a request head, then body bytes as fast as the socket takes them, until `total` are sent, an
 * answer arrives, or the connection is closed. `chunked` frames the body in 64 KB chunks;
 * `end: false` leaves the body unfinished (no terminating chunk) and waits `waitMs` for an answer.
 */
function flood(opts: {
  path: string;
  headers: Record<string, string>;
  total: number;
  chunked: boolean;
  end?: boolean;
  waitMs?: number;
  then?: Buffer;
  method?: string;
}): Promise<Flood> {
  return new Promise((resolve) => {
    const socket = net.connect(server.port, "127.0.0.1");
    let head = "";
    let sent = 0;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      const m = /^HTTP\/1\.1 (\d{3})/.exec(head);
      resolve({ status: m ? Number(m[1]) : null, head, sent });
    };
    const timer = setTimeout(finish, opts.waitMs ?? 60_000);
    socket.on("data", (d) => {
      head += d.toString("latin1");
      if (head.includes("\r\n\r\n")) finish();
    });
    socket.on("error", () => setTimeout(finish, 200));
    socket.on("close", () => setTimeout(finish, 200));
    const piece = Buffer.alloc(64 * 1024, "a");
    socket.write(
      `${opts.method ?? "POST"} ${opts.path} HTTP/1.1\r\nHost: localhost:${server.port}\r\n${Object.entries(opts.headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join("")}\r\n`,
    );
    const pump = () => {
      while (!finished && sent < opts.total) {
        const n = Math.min(piece.length, opts.total - sent);
        const chunk = piece.subarray(0, n);
        const frame = opts.chunked ? Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]) : chunk;
        sent += n;
        if (!socket.write(frame)) return socket.once("drain", pump);
      }
      if (finished) return;
      if (opts.then) socket.write(opts.chunked ? Buffer.concat([Buffer.from(`${opts.then.length.toString(16)}\r\n`), opts.then, Buffer.from("\r\n")]) : opts.then);
      if (opts.end !== false && opts.chunked) socket.write("0\r\n\r\n");
    };
    socket.once("connect", pump);
  });
}

const form = { "Content-Type": "application/x-www-form-urlencoded" };

describe("request bodies are limited before the app reads them (server.mjs)", () => {
  it("answers a 200 MB form post 413 as soon as it passes 1 MB, however it is framed, and the server's memory stays put", async () => {
    // Warm up: the page's code, a normal switch, and one refusal, so what follows measures only the attack.
    for (let i = 0; i < 3; i++) {
      const ok = await flood({
        path: "/set-text-size",
        headers: { ...form, "Content-Length": "32" },
        total: 0,
        chunked: false,
        then: Buffer.from("size=large&redirectTo=/notices&x"),
      });
      expect(ok.status).toBe(302);
      expect(ok.head).toMatch(/\r\nLocation: \/notices\r\n/i);
      expect((await flood({ path: "/set-text-size", headers: { ...form, "Transfer-Encoding": "chunked" }, total: 2 * MB, chunked: true })).status).toBe(413);
    }
    await new Promise((r) => setTimeout(r, 500));
    const before = server.rss();

    // Streamed in chunks, no length announced.
    const chunked = await flood({ path: "/set-text-size", headers: { ...form, "Transfer-Encoding": "chunked" }, total: 200 * MB, chunked: true });
    expect(chunked.status).toBe(413);
    // The client could not push the 200 MB through: the server stopped reading.
    expect(chunked.sent).toBeLessThan(64 * MB);
    // Announced and true: refused on the header alone.
    const announced = await flood({ path: "/set-text-size", headers: { ...form, "Content-Length": String(200 * MB) }, total: 200 * MB, chunked: false });
    expect(announced.status).toBe(413);
    expect(announced.sent).toBeLessThan(64 * MB);
    // A lying length: the server reads what was announced and takes the rest for a broken next request (Node answers 400 and closes).
    const lying = await flood({ path: "/set-text-size", headers: { ...form, "Content-Length": "100" }, total: 200 * MB, chunked: false });
    // (When the server closes with bytes still arriving, the kernel's reset can discard its answer before the client reads it.)
    expect(lying.status === null || lying.status < 500).toBe(true);
    expect(lying.sent).toBeLessThan(64 * MB);
    // A small announced length with chunks after it is the same lie, told differently.
    const both = await flood({ path: "/set-text-size", headers: { ...form, "Content-Length": "10", "Transfer-Encoding": "chunked" }, total: 200 * MB, chunked: true });
    expect(both.status === null || both.status < 500).toBe(true);

    await new Promise((r) => setTimeout(r, 500));
    const grown = server.rss() - before;
    expect(grown, `RSS grew ${(grown / MB).toFixed(1)} MB`).toBeLessThan(20 * MB);
  }, 120_000);

  it("answers exactly when the limit is passed: 1 MB is waited for, one byte more is refused at once", async () => {
    const atLimit = await flood({ path: "/set-text-size", headers: { ...form, "Transfer-Encoding": "chunked" }, total: SMALL_BODY_BYTES, chunked: true, end: false, waitMs: 1500 });
    expect(atLimit.status).toBeNull();
    const over = await flood({
      path: "/set-text-size",
      headers: { ...form, "Transfer-Encoding": "chunked" },
      total: SMALL_BODY_BYTES,
      chunked: true,
      end: false,
      waitMs: 5000,
      then: Buffer.from("b"),
    });
    expect(over.status).toBe(413);
  }, 30_000);

  it("lets a form with files through up to the county's file limits, and refuses more", async () => {
    // 2 files × the default 50 MB + 1 MB of text: a 3 MB multipart form passes the edge (the route judges its fields).
    const boundary = "----cyz-edge-test";
    const pdf = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(3 * MB, " "), Buffer.from("\n%%EOF\n")]);
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\n测试企业\r\n--${boundary}\r\nContent-Disposition: form-data; name="qualFile"; filename="q.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
      ),
      pdf,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await fetch(`${server.url}/register/company`, { method: "POST", headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` }, body });
    expect(res.status).toBeLessThan(500);
    expect(res.status).not.toBe(413);
    expect(await res.text()).toContain("<html");
    // Past 2 × 50 MB + 1 MB: refused on the header, or as it streams.
    const limit = FILE_FORMS["routes/register.company"] * 50 * MB + SMALL_BODY_BYTES;
    const declared = await flood({
      path: "/register/company",
      headers: { "Content-Type": `multipart/form-data; boundary=${boundary}`, "Content-Length": String(limit + 1) },
      total: 0,
      chunked: false,
      waitMs: 5000,
    });
    expect(declared.status).toBe(413);
    const streamed = await flood({
      path: "/register/company",
      headers: { "Content-Type": `multipart/form-data; boundary=${boundary}`, "Transfer-Encoding": "chunked" },
      total: limit + MB,
      chunked: true,
    });
    expect(streamed.status).toBe(413);
    // Resumable uploads keep their own protocol: pieces (PATCH) go to the upload code, which counts them against the upload's length.
    const piece = await fetch(`${server.url}/uploads/AAAAAAAAAAAAAAAAAAAAAA`, {
      method: "PATCH",
      headers: { "Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream" },
      body: new Uint8Array(10),
    });
    expect([piece.status, ((await piece.json()) as { error: string }).error]).toEqual([401, "errors.upload.signIn"]);
    const create = await fetch(`${server.url}/uploads`, { method: "POST", headers: { "Tus-Resumable": "1.0.0", "Upload-Length": "10" } });
    expect(create.status).toBe(401);
    // /verify is held to the signature check's own limit, chunked too (it used to look at Content-Length only).
    const verify = await flood({
      path: "/verify",
      headers: { "Content-Type": `multipart/form-data; boundary=${boundary}`, "Transfer-Encoding": "chunked" },
      total: VERIFY_MAX_BYTES + MB,
      chunked: true,
    });
    expect(verify.status).toBe(413);
  }, 120_000);
});

describe("a form with files holds at most 1 MB of text, however many fields it has", () => {
  it("keeps the first fields up to the budget and drops the rest unread into memory", async () => {
    const { parseUploadForm } = await import("~/utils/uploads.server");
    const { LocalFileStore } = await import("~/models/file-store.server");
    const { mkdtempSync } = await import("node:fs");
    const os = await import("node:os");
    const path = await import("node:path");
    const boundary = "----cyz-fields";
    const parts: string[] = [];
    for (let i = 0; i < 60_000; i++) parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\n${"x".repeat(40)}\r\n`);
    const body = `${parts.join("")}--${boundary}--\r\n`;
    expect(body.length).toBeGreaterThan(5 * MB);
    const request = new Request("http://localhost:3000/register/company", { method: "POST", headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` }, body });
    const { form } = await parseUploadForm(request, new LocalFileStore(mkdtempSync(path.join(os.tmpdir(), "cyz-files-"))), { maxBytes: MB });
    const kept = [...form.entries()];
    expect(kept[0]).toEqual(["f0", "x".repeat(40)]);
    expect(kept.reduce((n, [k, v]) => n + k.length + String(v).length, 0)).toBeLessThanOrEqual(SMALL_BODY_BYTES + 64 * 1024);
    expect(kept.length).toBeLessThan(60_000);
  });
});

/** A path for a route pattern: every parameter a plausible value. */
function pathOf(pattern: string): string {
  return (
    "/" +
    pattern
      .replace(/\[(.*?)\]/g, "$1")
      .replace(/:sha\b/g, "a".repeat(64))
      .replace(/:step\b/g, "proposal")
      .replace(/:kind\b/g, "record")
      .replace(/:fingerprint\b/g, "f".repeat(64))
      .replace(/:id\b/g, "00000000-0000-4000-8000-000000000000")
  );
}

/** Every route with an action, with its full path (parents' paths joined). */
function actionRoutes(): { id: string; path: string }[] {
  const full = (id: string): string => {
    const r = build.routes[id];
    const parent = r.parentId ? full(r.parentId) : "";
    return [parent, r.path ?? ""].filter(Boolean).join("/");
  };
  return Object.values(build.routes)
    .filter((r) => (r.module as { action?: unknown }).action)
    .map((r) => ({ id: r.id, path: pathOf(full(r.id)) }));
}

describe("bodies no action can read are refused at the edge", () => {
  it("answers 400/415 — never 5xx — to JSON, text, XML or untyped bodies on every action route, and logs nothing", async () => {
    const routes = actionRoutes();
    expect(routes.length).toBeGreaterThan(40);
    const logged = server.output().length;
    const bodies: { type: string | null; body: string }[] = [
      { type: "application/json", body: '{"intent":"x","a":[1,2,3]}' },
      { type: "text/plain", body: "intent=x" },
      { type: "application/xml", body: "<a/>" },
      { type: null, body: "intent=x" },
    ];
    const seen: string[] = [];
    for (const route of routes) {
      for (const b of bodies) {
        const res = await fetch(`${server.url}${route.path}`, {
          method: "POST",
          headers: b.type ? { "Content-Type": b.type } : {},
          body: new TextEncoder().encode(b.body),
          redirect: "manual",
        });
        await res.arrayBuffer();
        seen.push(`${route.id} ${b.type}: ${res.status}`);
        expect(res.status, `${route.id} ${route.path} ${b.type}`).toBeLessThan(500);
        if (TUS_ROUTES.has(route.id)) continue;
        const readable = JSON_ROUTES.has(route.id) ? b.type === "application/json" : false;
        if (!readable) expect(res.status, `${route.id} ${b.type}`).toBe(415);
      }
    }
    // Broken bodies of the right type: 400.
    const brokenJson = await fetch(`${server.url}/auth/passkey/login`, { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"step":' });
    expect(brokenJson.status).toBe(400);
    const noBoundary = await fetch(`${server.url}/login`, { method: "POST", headers: { "Content-Type": "multipart/form-data" }, body: "phone=1" });
    expect(noBoundary.status).toBe(400);
    const brokenMultipart = await fetch(`${server.url}/login`, {
      method: "POST",
      headers: { "Content-Type": "multipart/form-data; boundary=xyz" },
      body: '--xyz\r\nContent-Disposition: form-data; name="phone"\r\n\r\n138',
    });
    expect(brokenMultipart.status).toBe(400);
    // A form with files that is not the multipart it says it is: 400 from the form's own reading, not a server error.
    const brokenFileForm = await fetch(`${server.url}/register/company`, {
      method: "POST",
      headers: { "Content-Type": "multipart/form-data; boundary=xyz" },
      body: "--xyz\r\nbroken headers\r\n\r\nx\r\n--xyz--\r\n",
    });
    expect(brokenFileForm.status).toBe(400);
    const cutFileForm = await fetch(`${server.url}/register/company`, {
      method: "POST",
      headers: { "Content-Type": "multipart/form-data; boundary=xyz" },
      body: '--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\n138',
    });
    expect(cutFileForm.status).toBe(400);
    // Any other method is held to the same size limit.
    const other = await flood({ path: "/set-text-size", headers: { ...form, "Transfer-Encoding": "chunked" }, total: 2 * MB, chunked: true, method: "PROPFIND" });
    expect(other.status).toBe(413);
    // A form to a JSON endpoint is refused the same way.
    const formToJson = await fetch(`${server.url}/auth/passkey/login`, { method: "POST", headers: form, body: "step=options" });
    expect(formToJson.status).toBe(415);
    // Nothing of it reached the log.
    expect(server.output().slice(logged)).toBe("");
  }, 300_000);

  it("still takes the forms and JSON the pages send", async () => {
    const login = await fetch(`${server.url}/login`, { method: "POST", headers: form, body: "phone=13800000000&password=x", redirect: "manual" });
    expect([400, 401, 429]).toContain(login.status);
    const options = await fetch(`${server.url}/auth/passkey/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json; charset=utf-8" },
      body: JSON.stringify({ step: "options" }),
    });
    expect(options.status).toBe(200);
    expect(((await options.json()) as { options?: unknown }).options).toBeTruthy();
    // A page's own data request (single fetch) goes through the same edge.
    const data = await fetch(`${server.url}/set-locale.data`, { method: "POST", headers: form, body: "lng=en&redirectTo=/notices", redirect: "manual" });
    expect(data.status).toBeLessThan(500);
    expect(data.status).not.toBe(415);
  });
});

describe("a GET to a route that only takes posts", () => {
  it("is answered 405 with Allow: POST, quietly", async () => {
    const postOnly = Object.values(build.routes).filter((r) => actionOnly(r.module as never));
    expect(postOnly.map((r) => r.id).sort()).toEqual(
      [
        "routes/auth.passkey.login",
        "routes/auth.passkey.opening-key",
        "routes/auth.passkey.register",
        "routes/evaluations.$id_.sign",
        "routes/notices.$id_.award_.sign",
        "routes/notices.$id_.bid_.seal",
        "routes/notices.$id_.hall_.sign",
      ].sort(),
    );
    const logged = server.output().length;
    for (const r of actionRoutes().filter((x) => postOnly.some((p) => p.id === x.id))) {
      for (const suffix of ["", ".data"]) {
        const res = await fetch(`${server.url}${r.path}${suffix}`);
        expect(res.status, r.path + suffix).toBe(405);
        expect(res.headers.get("Allow")).toBe("POST");
      }
      const head = await fetch(`${server.url}${r.path}`, { method: "HEAD" });
      expect(head.status).toBe(405);
    }
    expect(server.output().slice(logged)).toBe("");
  });
});

describe("development switches on an origin others reach", () => {
  it("stop the server at start with a clear message and exit code 1", async () => {
    const refused = await startServerProcess({ PUBLIC_ORIGIN: "https://cyz.example.gov.cn", DEV_MAILBOX: "true", TEST_CLOCK: "1" }, { wait: false });
    try {
      expect(await refused.exited).toBe(1);
      expect(refused.output()).toMatch(/环境变量配置错误[\s\S]*DEV_MAILBOX: only on a local origin/);
      expect(refused.output()).toMatch(/TEST_CLOCK: only on a local origin \(localhost, 127\.0\.0\.1 or ::1\), not https:\/\/cyz\.example\.gov\.cn/);
    } finally {
      await refused.stop();
    }
  }, 120_000);
});
