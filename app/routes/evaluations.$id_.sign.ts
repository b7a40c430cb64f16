import type { ActionFunctionArgs } from "@remix-run/node";
import { DomainError } from "~/models/errors";
import { completeReportSignature, requestReportSignature } from "~/models/evaluation-report.server";
import { actorOf, requireRole } from "~/utils/auth.server";
import { parseJson, signatureStepSchema } from "~/utils/forms";

/**
 * A panel member signs the evaluation report (评标报告) with their passkey:
 * `options` prepares the report's current revision and returns a WebAuthn
 * request whose challenge is its digest; `verify` checks the approval and
 * signs. A signature prepared on an older revision comes back as
 * errors.signature.stale and the browser asks again.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, ["expert"]);
  const tenderId = params.id ?? "";
  if (!/^[0-9a-f-]{36}$/.test(tenderId)) return Response.json({ error: "errors.notFound" }, { status: 404 });
  const parsed = await parseJson(request, signatureStepSchema);
  const body = parsed.success ? parsed.data : null;
  const actor = { ...actorOf(request, context, auth), userId: auth.user.id };
  try {
    if (body?.step === "options") return Response.json(await requestReportSignature(context.db, { clock: context.clock, store: context.files, rp: context.rp, actor, tenderId }));
    if (body?.step !== "verify") return Response.json({ error: "errors.invalidInput" }, { status: 400 });
    const signed = await completeReportSignature(context.db, {
      clock: context.clock,
      store: context.files,
      rp: context.rp,
      actor,
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
