import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { maySendSealedBids } from "~/models/bid.server";
import { DEFAULT_COUNTY_SETTINGS } from "~/models/county-settings";
import { getCountySettings } from "~/models/county-settings.server";
import { DomainError } from "~/models/errors";
import { countyOf } from "~/models/org.server";
import { createUpload, dailyLimitFor } from "~/models/resumable-upload.server";
import { parseMetadata, tusError, tusHeaders, tusOptions, uploader, uploadLimit, wrongVersion } from "~/utils/tus.server";

/** OPTIONS: what this tus server supports. */
export async function loader({ request }: LoaderFunctionArgs) {
  if (request.method === "OPTIONS") return tusOptions();
  return new Response(null, { status: 405, headers: tusHeaders({ Allow: "OPTIONS, POST" }) });
}

/**
 * POST: create an upload of Upload-Length bytes (at most the county's limit) for the signed-in user,
 * within the county's daily limit on finished uploads. A sealed bid is only for a contractor of a
 * company that may bid (admitted to a pool), and is not counted against the daily limit.
 */
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
  if (kind === "sealed" && !(auth.membership?.role === "contractor" && (await maySendSealedBids(context.db, auth.membership.org.id)))) {
    return tusError("errors.upload.sealedNotBidder", 403);
  }
  const countyId = auth.membership ? countyOf(auth.membership.org) : null;
  const settings = countyId ? await getCountySettings(context.db, countyId) : DEFAULT_COUNTY_SETTINGS;
  try {
    const rec = await createUpload(context.files, context.clock, {
      owner: auth.user.id,
      length: Number(declared),
      name: meta.filename ?? "",
      kind,
      maxBytes: await uploadLimit(context, auth, kind),
      daily: dailyLimitFor(kind, settings),
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
