/**
 * The tus 1.0.0 resumable-upload protocol (https://tus.io/protocols/resumable-upload),
 * core plus the creation, expiration and termination extensions, as spoken by
 * app/routes/uploads.ts and uploads.$id.ts. State lives in
 * app/models/resumable-upload.server.ts.
 */
import { sealedBidMaxBytes } from "~/models/bid-rules";
import type { UploadKind } from "~/models/resumable-upload.server";
import type { AppLoadContext } from "@remix-run/node";
import { countyOf } from "~/models/org.server";
import { getCountySettings } from "~/models/county-settings.server";
import { DEFAULT_COUNTY_SETTINGS } from "~/models/county-settings";
import { appendToUpload, findUpload, type UploadRecord } from "~/models/resumable-upload.server";
import { DomainError } from "~/models/errors";
import { getAuth, sessionUserId, type Auth } from "./auth.server";

export const TUS_VERSION = "1.0.0";

export function tusHeaders(extra: Record<string, string> = {}): Headers {
  return new Headers({ "Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store", ...extra });
}

/** The server's capabilities (OPTIONS). */
export function tusOptions(): Response {
  return new Response(null, {
    status: 204,
    headers: tusHeaders({ "Tus-Version": TUS_VERSION, "Tus-Extension": "creation,expiration,termination" }),
  });
}

/** A refusal with a translation key the browser script shows in the user's language. */
export function tusError(key: string, status: number, extra: Record<string, string> = {}): Response {
  const headers = tusHeaders({ ...extra, "Content-Type": "application/json; charset=utf-8" });
  return new Response(JSON.stringify({ error: key }), { status, headers });
}

/** Every request but OPTIONS must say which protocol version it speaks. */
export function wrongVersion(request: { headers: Headers }): Response | null {
  if (request.headers.get("Tus-Resumable") === TUS_VERSION) return null;
  return new Response(null, { status: 412, headers: tusHeaders({ "Tus-Version": TUS_VERSION }) });
}

/** Upload-Metadata: comma-separated "key base64value" pairs. */
export function parseMetadata(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (header ?? "").split(",")) {
    const [key, value] = pair.trim().split(" ");
    if (key) out[key] = value ? Buffer.from(value, "base64").toString("utf8") : "";
  }
  return out;
}

/** The signed-in user's id alone (one query, for every piece of an upload), or a 401. */
export async function uploaderId(request: { headers: Headers }, context: AppLoadContext): Promise<string | Response> {
  return (await sessionUserId(request, context)) ?? tusError("errors.upload.signIn", 401);
}

/** The signed-in user, or a 401 (a script cannot follow a redirect to the login page). */
export async function uploader(request: Request, context: AppLoadContext): Promise<Auth | Response> {
  return (await getAuth(request, context)) ?? tusError("errors.upload.signIn", 401);
}

/** The largest upload of this kind the user's county accepts (a sealed bid holds several files). */
export async function uploadLimit(context: AppLoadContext, auth: Auth, kind: UploadKind = "pdf"): Promise<number> {
  const countyId = auth.membership ? countyOf(auth.membership.org) : null;
  const settings = countyId ? await getCountySettings(context.db, countyId) : DEFAULT_COUNTY_SETTINGS;
  const perFile = settings.uploadMaxMegabytes * 1024 * 1024;
  return kind === "sealed" ? sealedBidMaxBytes(perFile) : perFile;
}

export function offsetHeaders(rec: UploadRecord, offset: number): Headers {
  return tusHeaders({
    "Upload-Offset": String(offset),
    "Upload-Length": String(rec.length),
    "Upload-Expires": new Date(rec.expiresAt).toUTCString(),
  });
}

/** The signed-in user's own upload, or the tus response that refuses the request. */
export async function ownUpload(request: { headers: Headers }, context: AppLoadContext, id: string | undefined): Promise<UploadRecord | Response> {
  const version = wrongVersion(request);
  if (version) return version;
  const userId = await uploaderId(request, context);
  if (userId instanceof Response) return userId;
  const rec = await findUpload(context.files, context.clock, id ?? "", userId);
  // Someone else's upload is answered exactly like one that does not exist.
  return rec ?? tusError("errors.upload.unknown", 404);
}

/**
 * PATCH /uploads/:id: append the body at Upload-Offset. Spoken by the route (app/routes/uploads.$id.ts)
 * and by the server's direct path for upload pieces (server.mjs), which hands the socket's bytes over
 * as they come instead of through a web stream.
 */
export async function patchUpload(
  context: AppLoadContext,
  id: string | undefined,
  request: { headers: Headers; body: AsyncIterable<Uint8Array> | null; signal?: AbortSignal },
): Promise<Response> {
  const rec = await ownUpload(request, context, id);
  if (rec instanceof Response) return rec;
  if (request.headers.get("Content-Type") !== "application/offset+octet-stream") return tusError("errors.upload.contentType", 415);
  const offset = request.headers.get("Upload-Offset") ?? "";
  if (!/^\d{1,15}$/.test(offset)) return tusError("errors.upload.offset", 400);
  try {
    const result = await appendToUpload(context.files, { clock: context.clock, upload: rec, offset: Number(offset), body: request.body, signal: request.signal });
    if (!result.ok) return tusError("errors.upload.offset", 409, { "Upload-Offset": String(result.offset) });
    return new Response(null, { status: 204, headers: offsetHeaders(result.record, result.offset) });
  } catch (e) {
    if (e instanceof DomainError) return tusError(e.key, e.options.status ?? 400);
    throw e;
  }
}
