// 村易招 production server: Express in front of the Remix build.
// Validates the environment, opens (and migrates) the database once, refuses
// cross-site form posts, serves static files, and shuts down cleanly so the
// embedded database is never left half-written.
import crypto from "node:crypto";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import compression from "compression";
import express from "express";

const root = path.dirname(fileURLToPath(import.meta.url));
const build = await import(pathToFileURL(path.join(root, "build/index.js")).href);
const { createAppContext, parseEnv, EnvError, checkSameOrigin, securityHeadersMiddleware, directUploadPieces } = build.entry.module;

let env;
try {
  env = parseEnv(process.env);
} catch (e) {
  if (e instanceof EnvError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}

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

// Content-Security-Policy (with this response's nonce), nosniff, framing, referrer: app/utils/security-headers.server.ts.
app.use(securityHeadersMiddleware({ https: env.PUBLIC_ORIGIN.startsWith("https:") }));

app.use("/build", express.static(path.join(root, "public/build"), { immutable: true, maxAge: "1y" }));
app.use(express.static(path.join(root, "public"), { maxAge: "1h" }));

// Cross-site form posts are refused before any action runs (docs/decisions/0004-csrf-origin-check.md).
app.use((req, res, next) => {
  const own = `${req.protocol}://${req.get("host")}`;
  const verdict = checkSameOrigin(req.method, (name) => req.get(name), [env.PUBLIC_ORIGIN, own]);
  if (verdict.ok) return next();
  res.status(403).type("text/plain; charset=utf-8").send("请求来源不被接受。请从本站页面提交。\nRequest refused: it did not come from this site's pages.\n");
});

const ready = createAppContext(env);
ready.catch((e) => {
  console.error("数据库无法打开 / cannot open the database:", e);
  process.exit(1);
});

const loadContext = async (req, res) => ({ ...(await ready).context, ip: req.ip ?? null, cspNonce: res.locals.cspNonce });

// Upload pieces (tus PATCH) go straight to the same code, without the page router (app/utils/tus-direct.server.ts).
app.use(directUploadPieces(loadContext));

app.all(
  "*",
  createRequestHandler({
    build,
    mode: process.env.NODE_ENV ?? "production",
    getLoadContext: loadContext,
  }),
);

const server = app.listen(env.PORT, async () => {
  await ready;
  const where = env.DATABASE_URL ? "PostgreSQL" : `PGlite (${path.resolve(env.DATA_DIR)})`;
  console.log(`村易招 listening on http://localhost:${env.PORT} — database: ${where}`);
});

let closing = false;
async function shutdown(signal) {
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
