/**
 * The production HTTP server (server.mjs calls startServer with the built app): Express in front of
 * the Remix app. It validates the environment, opens (and migrates) the database once, refuses
 * cross-site form posts, limits and checks request bodies before any action reads them
 * (http-edge.server.ts), serves static files, and shuts down cleanly so the embedded database is
 * never left half-written. Tests start the same server from the route modules' sources.
 */
import crypto from "node:crypto";
import type { Server } from "node:http";
import path from "node:path";
import type { AppLoadContext, ServerBuild } from "@remix-run/node";
import compression from "compression";
import express, { type Request as ExpressRequest, type Response as ExpressResponse } from "express";
import { DEFAULT_COUNTY_SETTINGS, countySettingsSchema } from "~/models/county-settings";
import { createAppContext, type Running } from "./bootstrap.server";
import { checkSameOrigin } from "./csrf.server";
import { schema } from "./db.server";
import { EnvError, parseEnv, type Env } from "./env.server";
import { edgeGuards, remixHandler } from "./http-edge.server";
import { securityHeadersMiddleware } from "./security-headers.server";
import { directUploadPieces } from "./tus-direct.server";

/** The largest per-file limit any county on this installation allows, in bytes. */
export async function largestFileBytes(db: AppLoadContext["db"]): Promise<number> {
  const rows = await db.select({ values: schema.countySettings.values }).from(schema.countySettings);
  const megabytes = rows.map((r) => countySettingsSchema.safeParse(r.values)).map((r) => (r.success ? r.data.uploadMaxMegabytes : 0));
  return Math.max(DEFAULT_COUNTY_SETTINGS.uploadMaxMegabytes, ...megabytes) * 1024 * 1024;
}

/** The Express app: every layer a request passes before the Remix route answers it. */
export function createHttpApp(opts: { build: ServerBuild; env: Env; ready: Promise<Running>; publicDir: string; mode?: string }) {
  const { build, env, ready, publicDir } = opts;
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", env.TRUST_PROXY);

  // Event streams must not be buffered by compression, or live pages never update.
  app.use(
    compression({
      filter: (req, res) => !String(res.getHeader("Content-Type") ?? "").startsWith("text/event-stream") && compression.filter(req, res),
    }),
  );

  // A long-lived random device cookie, kept with bids and decryptions for the collusion checks (two companies, one device).
  app.use((req, res, next) => {
    if (!/(?:^|;\s*)cyz_device=[0-9a-f-]{36}(?:;|$)/.test(req.headers.cookie ?? "")) {
      const id = crypto.randomUUID();
      res.append("Set-Cookie", `cyz_device=${id}; Path=/; Max-Age=63072000; HttpOnly; SameSite=Lax${env.PUBLIC_ORIGIN.startsWith("https:") ? "; Secure" : ""}`);
      req.headers.cookie = req.headers.cookie ? `${req.headers.cookie}; cyz_device=${id}` : `cyz_device=${id}`;
    }
    next();
  });

  // Content-Security-Policy (with this response's nonce), nosniff, framing, referrer: security-headers.server.ts.
  app.use(securityHeadersMiddleware({ https: env.PUBLIC_ORIGIN.startsWith("https:") }));

  app.use("/build", express.static(path.join(publicDir, "build"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(publicDir, { maxAge: "1h" }));

  // Cross-site form posts are refused before any action runs (docs/decisions/0004-csrf-origin-check.md).
  app.use((req, res, next) => {
    const own = `${req.protocol}://${req.get("host")}`;
    const verdict = checkSameOrigin(req.method, (name) => req.get(name), [env.PUBLIC_ORIGIN, own]);
    if (verdict.ok) return next();
    res.status(403).type("text/plain; charset=utf-8").send("请求来源不被接受。请从本站页面提交。\nRequest refused: it did not come from this site's pages.\n");
  });

  const loadContext = async (req: ExpressRequest, res: ExpressResponse): Promise<AppLoadContext> => ({
    ...(await ready).context,
    ip: req.ip ?? null,
    cspNonce: res.locals.cspNonce,
  });

  // Upload pieces (tus PATCH) go straight to the same code, without the page router (tus-direct.server.ts).
  app.use(directUploadPieces(loadContext));

  // Post-only routes, body types and sizes, before Remix reads anything (http-edge.server.ts).
  app.use(edgeGuards({ build, largestFileBytes: async () => largestFileBytes((await ready).context.db) }));

  app.all("*", remixHandler(build, opts.mode ?? process.env.NODE_ENV ?? "production", loadContext));
  return app;
}

/**
 * Start the server: parse the environment (a wrong value, or a development switch on an origin
 * others reach, stops it with a clear message and exit code 1), open the database, listen, and
 * close cleanly on SIGINT/SIGTERM.
 */
export async function startServer(opts: { build: ServerBuild; publicDir: string; source?: Record<string, string | undefined> }): Promise<Server> {
  let env: Env;
  try {
    env = parseEnv(opts.source ?? process.env);
  } catch (e) {
    if (e instanceof EnvError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }

  const ready = createAppContext(env);
  ready.catch((e) => {
    console.error("数据库无法打开 / cannot open the database:", e);
    process.exit(1);
  });

  const app = createHttpApp({ build: opts.build, env, ready, publicDir: opts.publicDir });
  // Announced once the database is open; a database that cannot open has already stopped the process (above).
  const server = app.listen(env.PORT, () => {
    ready.then(
      () => console.log(`村易招 listening on http://localhost:${env.PORT} — database: ${env.DATABASE_URL ? "PostgreSQL" : `PGlite (${path.resolve(env.DATA_DIR)})`}`),
      () => {},
    );
  });

  let closing = false;
  async function shutdown(signal: string) {
    if (closing) return;
    closing = true;
    console.log(`${signal}: closing…`);
    server.close();
    server.closeAllConnections?.();
    try {
      const running = await ready;
      await running.close();
    } catch (e) {
      console.error(e);
    }
    process.exit(0);
  }
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  return server;
}
