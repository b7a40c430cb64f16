import type { ActionFunctionArgs } from "@remix-run/node";
import { DomainError } from "~/models/errors";
import { completeRecordSignature, requestRecordSignature } from "~/models/opening-record.server";
import { actorOf, forbidden } from "~/utils/auth.server";
import { parseJson, signatureStepSchema } from "~/utils/forms";
import { requireHall } from "~/utils/hall.server";

/**
 * The host signs the opening record (开标记录) with their passkey: `options`
 * renders and prepares the PDF and returns a WebAuthn request whose challenge
 * is its digest; `verify` checks the approval, signs (PAdES + timestamp) and
 * publishes the record.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const { auth, role, tenderId } = await requireHall(request, context, params.id ?? "");
  if (role !== "host") throw forbidden("committee|agent");
  const parsed = await parseJson(request, signatureStepSchema);
  const body = parsed.success ? parsed.data : null;
  const actor = { ...actorOf(request, context, auth), userId: auth.user.id };
  try {
    if (body?.step === "options")
      return Response.json(
        await requestRecordSignature(context.db, { clock: context.clock, store: context.files, rp: context.rp, actor, actingOrgId: auth.membership.org.id, tenderId }),
      );
    if (body?.step !== "verify") return Response.json({ error: "errors.invalidInput" }, { status: 400 });
    const signed = await completeRecordSignature(context.db, {
      clock: context.clock,
      store: context.files,
      rp: context.rp,
      actor,
      actingOrgId: auth.membership.org.id,
      tenderId,
      requestId: body.requestId,
      response: body.response,
    });
    return Response.json({ ok: true, sha256: signed.sha256 });
  } catch (e) {
    if (e instanceof DomainError) return Response.json({ error: e.key }, { status: e.options.status ?? 400 });
    throw e;
  }
}
