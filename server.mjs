// 村易招 production server: Express in front of the Remix build (app/utils/http-app.server.ts).
// Validates the environment (a wrong value, or DEV_MAILBOX/TEST_CLOCK on an origin others reach,
// stops it with exit code 1), opens (and migrates) the database once, refuses cross-site form
// posts, limits and checks request bodies before any action reads them, serves static files, and
// shuts down cleanly so the embedded database is never left half-written.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.dirname(fileURLToPath(import.meta.url));
const build = await import(pathToFileURL(path.join(root, "build/index.js")).href);
await build.entry.module.startServer({ build, publicDir: path.join(root, "public") });
