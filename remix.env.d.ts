/// <reference types="@remix-run/dev" />
/// <reference types="@remix-run/node" />

// React's web-stream server renderer, which runs on Node too (app/entry.server.tsx says why it is used).
declare module "react-dom/server.browser" {
  export { renderToReadableStream } from "react-dom/server";
}
