import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { DomainError } from "~/models/errors";
import { createUpload } from "~/models/resumable-upload.server";
import { parseMetadata, tusError, tusHeaders, tusOptions, uploader, uploadLimit, wrongVersion } from "~/utils/tus.server";

/** OPTIONS: what this tus server supports. */
export async function loader({ request }: LoaderFunctionArgs) {
  if (request.method === "OPTIONS") return tusOptions();
  return new Response(null, { status: 405, headers: tusHeaders({ Allow: "OPTIONS, POST" }) });
}

/** POST: create an upload of Upload-Length bytes (at most the county's limit) for the signed-in user. */
export async function action({ request, context }: ActionFunctionArgs) {
  if (request.method !== "POST") return new Response(null, { status: 405, headers: tusHeaders({ Allow: "OPTIONS, POST" }) });
  const version = wrongVersion(request);
  if (version) return version;
  const auth = await uploader(request, context);
  if (auth instanceof Response) return auth;
  const declared = request.headers.get("Upload-Length") ?? "";
  if (!/^\d{1,15}$/.test(declared)) return tusError("errors.upload.length", 400);
  const meta = parseMetadata(request.headers.get("Upload-Metadata"));
  const kind = meta.kind === "sealed" ? "sealed" : "pdf";
  try {
    const rec = await createUpload(context.files, context.clock, {
      owner: auth.user.id,
      length: Number(declared),
      name: meta.filename ?? "",
      kind,
      maxBytes: await uploadLimit(context, auth, kind),
    });
    return new Response(null, {
      status: 201,
      headers: tusHeaders({ Location: `/uploads/${rec.id}`, "Upload-Expires": new Date(rec.expiresAt).toUTCString() }),
    });
  } catch (e) {
    if (e instanceof DomainError) return tusError(e.key, e.options.status ?? 400);
    throw e;
  }
}
