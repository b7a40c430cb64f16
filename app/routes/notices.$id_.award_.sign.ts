import type { ActionFunctionArgs } from "@remix-run/node";
import { completeAwardSignature, requestAwardSignature } from "~/models/award.server";
import { DomainError } from "~/models/errors";
import { actorOf, requireRole } from "~/utils/auth.server";
import { parseJson, signatureStepSchema } from "~/utils/forms";

/**
 * The village committee signs the award notice (中标通知书) with its passkey:
 * `options` renders the notice and returns a WebAuthn request whose challenge
 * is its digest; `verify` checks the approval, seals and signs it (PAdES +
 * timestamp), and the project is awarded. The model checks the village.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, ["committee"]);
  const parsed = await parseJson(request, signatureStepSchema);
  const body = parsed.success ? parsed.data : null;
  const actor = { ...actorOf(request, context, auth), userId: auth.user.id };
  const orgId = auth.membership.org.id;
  const tenderId = params.id ?? "";
  try {
    if (body?.step === "options")
      return Response.json(await requestAwardSignature(context.db, { clock: context.clock, store: context.files, rp: context.rp, actor, actingOrgId: orgId, tenderId }));
    if (body?.step !== "verify") return Response.json({ error: "errors.invalidInput" }, { status: 400 });
    const signed = await completeAwardSignature(context.db, {
      clock: context.clock,
      store: context.files,
      rp: context.rp,
      actor,
      actingOrgId: orgId,
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
