/**
 * zod, for the server's side of a page: route actions and loaders parse with it, the browser never
 * needs it. Routes import `z` from here rather than from "zod", so the browser build (which leaves
 * `*.server` modules out) carries none of zod's ~90 KB; their schemas are declared
 * `/* @__PURE__ *\/ z.lazy(() => …)` so that a page's module can be loaded without evaluating them.
 */
export { z } from "zod";
