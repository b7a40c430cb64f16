import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Readable } from "node:stream";
import { z } from "~/utils/zod.server";
import { DomainError } from "~/models/errors";
import { decryptionMaterial, newIncidentRef, recordIncident, submitDataKey } from "~/models/opening.server";
import { actorOf, forbidden } from "~/utils/auth.server";
import { parseJson } from "~/utils/forms";
import { requireHall } from "~/utils/hall.server";

/**
 * A bidder's decryption, during the window only. GET: its wrapped keys and
 * receipt (what the browser needs to open the data key); ?file=1: the
 * ciphertext itself, to check against the receipt before handing the key
 * over. POST { dataKey }: the data key, which the server uses to open the bid.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { auth, role, tenderId } = await requireHall(request, context, params.id ?? "");
  if (role !== "bidder") throw forbidden("contractor");
  const material = await decryptionMaterial(context.db, context.clock, auth.membership.org.id, tenderId);
  if (!material) return Response.json({ error: "errors.opening.notNow" }, { status: 409 });
  if (new URL(request.url).searchParams.get("file") === "1") {
    return new Response(Readable.toWeb(context.files.get(material.ciphertextSha256)) as ReadableStream, {
      headers: { "Content-Type": "application/octet-stream", "Cache-Control": "no-store" },
    });
  }
  return Response.json(material, { headers: { "Cache-Control": "no-store" } });
}

/** The data key the bidder's browser unwrapped with its passkey (the model checks it against the sealed bid). */
const dataKeyBodySchema = /* @__PURE__ */ z.lazy(() => z.object({ dataKey: z.unknown().optional() }));

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { auth, role, tenderId } = await requireHall(request, context, params.id ?? "");
  if (role !== "bidder") throw forbidden("contractor");
  const parsed = await parseJson(request, dataKeyBodySchema);
  const body = parsed.success ? parsed.data : null;
  const actor = { ...actorOf(request, context, auth), userId: auth.user.id };
  try {
    const result = await submitDataKey(context.db, { clock: context.clock, store: context.files, actor, companyId: auth.membership.org.id, tenderId, rawKey: body?.dataKey });
    return Response.json(result, { status: result.ok ? 200 : 400 });
  } catch (e) {
    if (e instanceof DomainError) return Response.json({ error: e.key }, { status: e.options.status ?? 400 });
    // The platform failed during the window (nothing a bidder sealed gets here): logged for the host, who
    // must then extend it. The hall and the bidder get a reference; the details go to the server's log only.
    const ref = newIncidentRef();
    console.error(`opening incident ${ref} (tender ${tenderId}, decrypt):`, e);
    await recordIncident(context.db, context.clock, tenderId, ref).catch((failed) => console.error(`opening incident ${ref}: not recorded in the hall:`, failed));
    return Response.json({ error: "errors.opening.incident", ref }, { status: 500, headers: { "Cache-Control": "no-store" } });
  }
}
