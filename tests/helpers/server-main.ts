// The production server (app/utils/http-app.server.ts, what server.mjs starts) run from the route
// modules' sources instead of `remix build`: `node --import tsx tests/helpers/server-main.ts`.
// The environment configures it exactly as it configures server.mjs. A stylesheet import becomes
// its address, as the Remix compiler makes it.
import { register } from "node:module";
import path from "node:path";

register(
  "data:text/javascript," +
    encodeURIComponent(
      `export async function load(url, context, next) {
        if (/\\.css(\\?|$)/.test(url)) return { format: "module", shortCircuit: true, source: "export default '/build/app.css';" };
        return next(url, context);
      }`,
    ),
);

const { startServer } = await import("~/utils/http-app.server");
const { sourceBuild } = await import("./source-build");
await startServer({ build: await sourceBuild(), publicDir: path.resolve("public") });
