import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { DomainError } from "~/models/errors";
import { appendToUpload, deleteUpload, findUpload, uploadOffset } from "~/models/resumable-upload.server";
import { offsetHeaders, tusError, tusHeaders, tusOptions, uploaderId, wrongVersion } from "~/utils/tus.server";

/** HEAD: how many bytes the server holds, so the client resumes from there. Only the uploader may ask. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  if (request.method === "OPTIONS") return tusOptions();
  const rec = await ownUpload(request, context, params.id);
  if (rec instanceof Response) return rec;
  return new Response(null, { status: 200, headers: offsetHeaders(rec, await uploadOffset(context.files, rec)) });
}

/** PATCH: append bytes at Upload-Offset. DELETE: give the upload up. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  if (request.method !== "PATCH" && request.method !== "DELETE") {
    return new Response(null, { status: 405, headers: tusHeaders({ Allow: "OPTIONS, HEAD, PATCH, DELETE" }) });
  }
  const rec = await ownUpload(request, context, params.id);
  if (rec instanceof Response) return rec;
  if (request.method === "DELETE") {
    await deleteUpload(context.files, rec);
    return new Response(null, { status: 204, headers: tusHeaders() });
  }
  if (request.headers.get("Content-Type") !== "application/offset+octet-stream") return tusError("errors.upload.contentType", 415);
  const offset = request.headers.get("Upload-Offset") ?? "";
  if (!/^\d{1,15}$/.test(offset)) return tusError("errors.upload.offset", 400);
  try {
    const result = await appendToUpload(context.files, context.clock, rec, Number(offset), request.body ? chunksOf(request.body) : null, request.signal);
    if (!result.ok) return tusError("errors.upload.offset", 409, { "Upload-Offset": String(result.offset) });
    return new Response(null, { status: 204, headers: offsetHeaders(result.record, result.offset) });
  } catch (e) {
    if (e instanceof DomainError) return tusError(e.key, e.options.status ?? 400);
    throw e;
  }
}

/** The signed-in user's own upload, or the tus response that refuses the request. */
async function ownUpload(request: Request, context: LoaderFunctionArgs["context"], id: string | undefined) {
  const version = wrongVersion(request);
  if (version) return version;
  const userId = await uploaderId(request, context);
  if (userId instanceof Response) return userId;
  const rec = await findUpload(context.files, context.clock, id ?? "", userId);
  // Someone else's upload is answered exactly like one that does not exist.
  return rec ?? tusError("errors.upload.unknown", 404);
}

async function* chunksOf(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) yield r.value;
  } finally {
    await reader.cancel().catch(() => {});
  }
}
