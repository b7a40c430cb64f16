/**
 * The direct path for upload pieces (PATCH /uploads/:id): at a bid deadline hundreds of bidders send
 * their sealed files in 512 KB pieces at once, and each piece going through the page router and a
 * web stream costs the one event loop more than storing it. server.mjs mounts this just before the
 * Remix handler, after the same security headers and origin check; it answers with the same code as
 * the route (tus.server.ts patchUpload), feeding it the socket's bytes as they arrive.
 */
import type { AppLoadContext } from "@remix-run/node";
import type { NextFunction, Request as ExpressRequest, Response as ExpressResponse } from "express";
import { patchUpload } from "./tus.server";

const PIECE = /^\/uploads\/([A-Za-z0-9_-]{22})$/;

export function directUploadPieces(loadContext: (req: ExpressRequest, res: ExpressResponse) => Promise<AppLoadContext>) {
  const handle = async (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    const m = req.method === "PATCH" ? PIECE.exec(req.path) : null;
    if (!m) return next();
    // A client that goes away mid-piece: stop, keeping what arrived (it resumes from the server's offset).
    const gone = new AbortController();
    res.on("close", () => {
      if (!res.writableEnded) gone.abort();
    });
    try {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const reply = await patchUpload(await loadContext(req, res), m[1], { headers, body: req, signal: gone.signal });
      res.status(reply.status);
      reply.headers.forEach((v, k) => res.setHeader(k, v));
      res.end(reply.body ? Buffer.from(await reply.arrayBuffer()) : undefined);
    } catch (e) {
      next(e);
    }
  };
  // Express 4 does not wait for a middleware's promise: the handler catches its own errors and passes them to next().
  return (req: ExpressRequest, res: ExpressResponse, next: NextFunction): void => void handle(req, res, next);
}
