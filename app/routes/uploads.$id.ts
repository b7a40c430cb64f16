import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { deleteUpload, uploadOffset } from "~/models/resumable-upload.server";
import { offsetHeaders, ownUpload, patchUpload, tusHeaders, tusOptions } from "~/utils/tus.server";

/** HEAD: how many bytes the server holds, so the client resumes from there. Only the uploader may ask. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  if (request.method === "OPTIONS") return tusOptions();
  const rec = await ownUpload(request, context, params.id);
  if (rec instanceof Response) return rec;
  return new Response(null, { status: 200, headers: offsetHeaders(rec, await uploadOffset(context.files, rec)) });
}

/** PATCH: append bytes at Upload-Offset (server.mjs usually answers it first, with the same code). DELETE: give the upload up. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  if (request.method === "PATCH") return patchUpload(context, params.id, { headers: request.headers, body: request.body ? chunksOf(request.body) : null, signal: request.signal });
  if (request.method !== "DELETE") return new Response(null, { status: 405, headers: tusHeaders({ Allow: "OPTIONS, HEAD, PATCH, DELETE" }) });
  const rec = await ownUpload(request, context, params.id);
  if (rec instanceof Response) return rec;
  await deleteUpload(context.files, rec);
  return new Response(null, { status: 204, headers: tusHeaders() });
}

async function* chunksOf(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) yield r.value;
  } finally {
    await reader.cancel().catch(() => {});
  }
}
