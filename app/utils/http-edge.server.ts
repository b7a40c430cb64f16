/**
 * The HTTP edge in front of the Remix app (server.mjs → http-app.server.ts): what a request may be
 * before any loader or action sees it, decided from the route it goes to.
 *
 * - A GET or HEAD to a route that only takes posts (passkey steps, signing, sealing) is answered
 *   405 with `Allow: POST`, quietly, instead of Remix's logged "no loader" error.
 * - A body is counted as its bytes arrive (a Content-Length, chunked, or neither) and refused with
 *   413 as soon as it passes the route's limit, without reading on: 1 MB for forms and JSON; for the
 *   forms that carry files, the form's file fields times the largest per-file limit any county
 *   allows, plus 1 MB of text (each file is still held to its own county's limit as it streams);
 *   the signature check's own limit for /verify. Pieces of a resumable upload (tus PATCH) are
 *   counted by the upload code against the length declared when the upload was created.
 * - The body must be of a type the route reads: forms (urlencoded or multipart with a boundary)
 *   everywhere but the JSON endpoints listed here, which take JSON only; anything else is 415, and
 *   a body that does not parse as its declared type is 400. So no action meets a body it cannot read.
 *
 * Small bodies are read here in full and handed to Remix as bytes; file forms are handed over as a
 * counted stream.
 */
import { Readable, Transform } from "node:stream";
import type { AppLoadContext, ServerBuild } from "@remix-run/node";
import { createRequestHandler as createRemixHandler, writeReadableStreamToWritable } from "@remix-run/node";
import { matchRoutes } from "@remix-run/react";
import type { NextFunction, Request as ExpressRequest, Response as ExpressResponse } from "express";
import { VERIFY_MAX_BYTES } from "~/models/signature.server";

/** Forms, JSON and anything not listed below. */
export const SMALL_BODY_BYTES = 1024 * 1024;

/** Routes whose actions read JSON (the browser's passkey, sealing, signing and decryption scripts; the test clock). */
export const JSON_ROUTES: ReadonlySet<string> = new Set([
  "routes/auth.passkey.login",
  "routes/auth.passkey.register",
  "routes/auth.passkey.opening-key",
  "routes/evaluations.$id_.sign",
  "routes/notices.$id_.award_.sign",
  "routes/notices.$id_.bid_.seal",
  "routes/notices.$id_.hall_.sign",
  "routes/notices.$id_.hall_.decrypt",
  "routes/test-clock",
]);

/** The tus resumable-upload endpoints: their own protocol, no form body (pieces are checked by the upload code). */
export const TUS_ROUTES: ReadonlySet<string> = new Set(["routes/uploads", "routes/uploads.$id"]);

/** Forms that carry files (multipart), with how many file fields each has. */
export const FILE_FORMS: Readonly<Record<string, number>> = {
  "routes/projects.new": 5,
  "routes/projects.$id_.edit": 5,
  "routes/projects.$id_.publish": 2,
  "routes/company": 2,
  "routes/register.company": 2,
};

/** /verify reads one signed PDF, up to the signature check's own limit. */
const VERIFY_ROUTE = "routes/verify";
const VERIFY_BODY_BYTES = VERIFY_MAX_BYTES + 64 * 1024;

/** Methods whose body an action reads: its type must suit the route. Any other method but GET and HEAD is still held to the size limit. */
const TYPED_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export type BodyRule = { limit: number; accepts: "form" | "json" | "any"; stream: boolean };

/** The body a route's actions may be sent: how large, of which type, and whether it is handed over as it streams. */
export function bodyRule(routeId: string | null, largestFileBytes: number): BodyRule {
  if (routeId === null || TUS_ROUTES.has(routeId)) return { limit: SMALL_BODY_BYTES, accepts: "any", stream: false };
  if (JSON_ROUTES.has(routeId)) return { limit: SMALL_BODY_BYTES, accepts: "json", stream: false };
  if (routeId === VERIFY_ROUTE) return { limit: VERIFY_BODY_BYTES, accepts: "form", stream: true };
  const files = FILE_FORMS[routeId];
  if (files) return { limit: files * largestFileBytes + SMALL_BODY_BYTES, accepts: "form", stream: true };
  return { limit: SMALL_BODY_BYTES, accepts: "form", stream: false };
}

type RouteModule = { action?: unknown; loader?: unknown; default?: unknown };

/** Find the route (the deepest match) a path goes to, as Remix does; single-fetch data requests (`/x.data`) included. */
export function routeMatcher(build: Pick<ServerBuild, "routes">) {
  type Node = { id: string; path?: string; index?: boolean; caseSensitive?: boolean; children: Node[] };
  const nodes = new Map<string, Node>();
  for (const r of Object.values(build.routes)) nodes.set(r.id, { id: r.id, path: r.path, index: r.index, caseSensitive: r.caseSensitive, children: [] });
  const roots: Node[] = [];
  for (const r of Object.values(build.routes)) {
    const node = nodes.get(r.id)!;
    const parent = r.parentId ? nodes.get(r.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const prune = (n: Node): Node => (n.children.length ? { ...n, children: n.children.map(prune) } : { ...n, children: undefined as never });
  const tree = roots.map(prune);
  return (pathname: string, search = ""): { id: string; module: RouteModule } | null => {
    let path = pathname;
    if (path === "/_root.data") path = "/";
    else if (path.endsWith(".data")) path = path.slice(0, -".data".length);
    const matches = matchRoutes(tree as never, path);
    if (!matches?.length) return null;
    // `?index` asks for the index route when both a layout and its index match; otherwise the deepest match answers.
    const wantsIndex = new URLSearchParams(search).has("index");
    const leaf = [...matches].reverse().find((m) => wantsIndex || !(m.route as Node).index) ?? matches[matches.length - 1];
    const id = (leaf.route as Node).id;
    return { id, module: build.routes[id].module as RouteModule };
  };
}

/** A route that only takes posts: an action, no loader and no page. */
export function actionOnly(module: RouteModule): boolean {
  return Boolean(module.action) && !module.loader && !module.default;
}

const mediaType = (header: string | undefined) => (header ?? "").split(";")[0].trim().toLowerCase();

/** Whether a body of this Content-Type suits the route; null when it does, else the status and reason. */
export function contentTypeRefusal(accepts: BodyRule["accepts"], header: string | undefined): { status: 400 | 415; reason: string } | null {
  if (accepts === "any") return null;
  const type = mediaType(header);
  if (accepts === "json") return type === "application/json" ? null : { status: 415, reason: "application/json only" };
  if (type === "application/x-www-form-urlencoded") return null;
  if (type === "multipart/form-data") return /;\s*boundary=("?)[^";]{1,200}\1\s*(;|$)/i.test(header ?? "") ? null : { status: 400, reason: "multipart without a boundary" };
  return { status: 415, reason: "a form (application/x-www-form-urlencoded or multipart/form-data) only" };
}

/** Whether a fully read body parses as its type (a multipart form is parsed the way Remix will). */
async function malformed(accepts: BodyRule["accepts"], header: string | undefined, body: Buffer): Promise<boolean> {
  const type = mediaType(header);
  if (accepts === "json") {
    try {
      JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
      return false;
    } catch {
      return true;
    }
  }
  if (accepts === "form" && type === "multipart/form-data") {
    try {
      await new Response(bytesOf(body), { headers: { "Content-Type": header ?? "" } }).formData();
      return false;
    } catch {
      return true;
    }
  }
  return false;
}

const bytesOf = (b: Buffer) => new Uint8Array(b.buffer as ArrayBuffer, b.byteOffset, b.byteLength);

function refuse(res: ExpressResponse, status: number, text: string, headers: Record<string, string> = {}) {
  res
    .status(status)
    .set({ "Cache-Control": "no-store", ...headers })
    .type("text/plain; charset=utf-8")
    .send(text);
}

const TOO_LARGE = "请求内容过大。\nRequest body too large.\n";

/** How long a refused connection stays half-open (nothing more read) so the client can read the 413 before it is closed. */
const LINGER_MS = 1000;

/**
 * Answer 413 and close the connection without reading any more of the body: our side is shut
 * after the answer, and the socket closed a moment later (closing at once, with the client's
 * bytes still unread, would reset the connection and could lose the answer on the way).
 */
function tooLarge(req: ExpressRequest, res: ExpressResponse) {
  // A file form already handed to Remix: its action stops reading, and Remix stays quiet about a request whose signal is aborted.
  (req as WithBody)[ABORT]?.abort();
  req.unpipe();
  req.pause();
  const socket = req.socket;
  if (res.headersSent) {
    socket.destroy();
    return;
  }
  res.once("finish", () => {
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  });
  refuse(res, 413, TOO_LARGE);
}

/** Read a body up to `limit` bytes; "tooLarge" as soon as it passes it (nothing more is read), null if the client went away. */
function readBody(req: ExpressRequest, limit: number): Promise<Buffer | "tooLarge" | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = (value: Buffer | "tooLarge" | null) => {
      if (settled) return;
      settled = true;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onGone);
      req.off("close", onGone);
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        done("tooLarge");
      } else chunks.push(chunk);
    };
    const onEnd = () => done(Buffer.concat(chunks, size));
    const onGone = () => done(null);
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onGone);
    req.on("close", onGone);
  });
}

/** What the edge hands the Remix handler: the body, read or counted. */
type Body = { kind: "bytes"; bytes: Buffer } | { kind: "stream"; stream: Readable };
const BODY = Symbol("cyz.body");
const ABORT = Symbol("cyz.abort");
type WithBody = ExpressRequest & { [BODY]?: Body; [ABORT]?: AbortController };

export interface EdgeOptions {
  build: ServerBuild;
  /** The largest file any county accepts (bytes): file forms may carry that much per file field. */
  largestFileBytes: () => Promise<number>;
}

/** The edge's middleware: 405 for GET to post-only routes, then the body's type and size (see the top of this file). */
export function edgeGuards({ build, largestFileBytes }: EdgeOptions) {
  const routeOf = routeMatcher(build);
  const handle = async (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    try {
      const url = new URL(req.originalUrl, "http://x.invalid");
      const route = routeOf(url.pathname, url.search);
      if ((req.method === "GET" || req.method === "HEAD") && route && actionOnly(route.module)) {
        return refuse(res, 405, "只接受 POST 请求。\nThis address only takes POST requests.\n", { Allow: "POST" });
      }
      if (req.method === "GET" || req.method === "HEAD") return next();
      const rule = bodyRule(route?.id ?? null, route && (FILE_FORMS[route.id] ?? 0) > 0 ? await largestFileBytes() : 0);
      if (!TYPED_METHODS.has(req.method)) rule.accepts = "any";
      const declared = req.headers["content-length"];
      if (declared !== undefined && Number(declared) > rule.limit) return tooLarge(req, res);
      // No type at all (e.g. a bare `curl -X POST`) is refused like any other body the route cannot read.
      const refusal = contentTypeRefusal(rule.accepts, req.headers["content-type"]);
      if (refusal) return refuse(res, refusal.status, `不支持的请求内容：${refusal.reason}\nUnsupported request body: ${refusal.reason}\n`);
      if (rule.stream) {
        let seen = 0;
        const counted = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            seen += chunk.length;
            if (seen > rule.limit) {
              tooLarge(req, res);
              return callback(new Error("request body too large"));
            }
            callback(null, chunk);
          },
        });
        req.pipe(counted);
        (req as WithBody)[BODY] = { kind: "stream", stream: counted };
        return next();
      }
      const bytes = await readBody(req, rule.limit);
      if (bytes === null) return; // the client went away
      if (bytes === "tooLarge") return tooLarge(req, res);
      if (await malformed(rule.accepts, req.headers["content-type"], bytes)) return refuse(res, 400, "请求内容格式错误。\nMalformed request body.\n");
      (req as WithBody)[BODY] = { kind: "bytes", bytes };
      next();
    } catch (e) {
      next(e);
    }
  };
  // Express 4 does not wait for a middleware's promise: the handler catches its own errors and passes them to next().
  return (req: ExpressRequest, res: ExpressResponse, next: NextFunction): void => void handle(req, res, next);
}

/** The request Remix sees: the URL as the browser addressed this server, its headers, and the body the edge read or counted. */
function remixRequest(req: ExpressRequest, res: ExpressResponse): { request: Request } {
  // The port the client used (Host, or X-Forwarded-Host from a trusted proxy, as req.hostname decides).
  const port = (req.get("X-Forwarded-Host") ?? req.get("Host") ?? "").split(":")[1];
  const url = new URL(`${req.protocol}://${req.hostname}${port && /^\d+$/.test(port) ? `:${port}` : ""}${req.originalUrl}`);
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    else if (value !== undefined) headers.set(key, value);
  }
  const controller = new AbortController();
  (req as WithBody)[ABORT] = controller;
  let finished = false;
  res.on("finish", () => (finished = true));
  res.on("close", () => {
    if (!finished) controller.abort();
  });
  const body = (req as WithBody)[BODY];
  const init: RequestInit & { duplex?: "half" } = { method: req.method, headers, signal: controller.signal };
  if (req.method !== "GET" && req.method !== "HEAD") {
    if (body?.kind === "bytes") init.body = bytesOf(body.bytes);
    else if (body?.kind === "stream") {
      init.body = Readable.toWeb(body.stream) as ReadableStream<Uint8Array>;
      init.duplex = "half";
    } else {
      init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
      init.duplex = "half";
    }
  }
  return { request: new Request(url, init) };
}

/** The Remix request handler behind the edge. A request the edge already answered (413 mid-stream) gets nothing more. */
export function remixHandler(build: ServerBuild, mode: string, getLoadContext: (req: ExpressRequest, res: ExpressResponse) => Promise<AppLoadContext>) {
  const handle = createRemixHandler(build, mode);
  const respond = async (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    try {
      const { request } = remixRequest(req, res);
      const response = await handle(request, await getLoadContext(req, res)).catch((e) => {
        if (res.headersSent) return null;
        throw e;
      });
      if (!response) return;
      if (res.headersSent) {
        await response.body?.cancel().catch(() => undefined);
        return;
      }
      await sendResponse(res, response);
    } catch (e) {
      next(e);
    }
  };
  return (req: ExpressRequest, res: ExpressResponse, next: NextFunction): void => void respond(req, res, next);
}

/** Write Remix's answer: status, every header (each Set-Cookie kept), then the body as it comes (event streams flushed at once). */
async function sendResponse(res: ExpressResponse, response: Response) {
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [key, value] of response.headers.entries()) res.append(key, value);
  if (/text\/event-stream/i.test(response.headers.get("Content-Type") ?? "")) res.flushHeaders();
  if (response.body) await writeReadableStreamToWritable(response.body, res);
  else res.end();
}
