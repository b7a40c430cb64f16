// The sealing script run as the browser runs it, and a tus upload of its output, for the tests.
export { loadSeal, SEAL_SCRIPT, type Seal, type Sealed, type Wrap } from "~/demo/seal-runner.server";

export const pdfBytes = (text: string) => new TextEncoder().encode(`%PDF-1.4\n% ${text}\n%%EOF\n`);

import type { AppLoadContext } from "@remix-run/node";
import { appendToUpload, createUpload } from "~/models/resumable-upload.server";

/** Put sealed bytes into the store the way the browser does: a tus upload of kind "sealed". Returns the upload id. */
export async function uploadSealed(ctx: AppLoadContext, ownerUserId: string, bytes: Uint8Array, opts: { complete?: boolean } = {}) {
  const rec = await createUpload(ctx.files, ctx.clock, { owner: ownerUserId, length: bytes.length, name: "bid.sealed", maxBytes: 10 * 1024 * 1024, kind: "sealed" });
  const part = opts.complete === false ? bytes.subarray(0, Math.floor(bytes.length / 2)) : bytes;
  await appendToUpload(ctx.files, {
    clock: ctx.clock,
    upload: rec,
    offset: 0,
    body: (async function* () {
      yield part;
    })(),
  });
  return rec.id;
}
