import type { ActionFunctionArgs } from "@remix-run/node";
import { receiptView } from "~/models/bid-rules";
import { bidActOptions, resealBid, submitBid } from "~/models/bid.server";
import { DomainError } from "~/models/errors";
import { actorOf, requireRole } from "~/utils/auth.server";

/**
 * JSON from the sealing page (public/seal/v1.js did the sealing): `submit` a
 * sealed bid whose ciphertext is already uploaded (replacing the bid in force
 * carries the passkey's `approval`, unless the session proved a step-up code),
 * `reseal` the current one, or `approve-options`: the single-use challenge for
 * the passkey to approve a withdrawal or a replacement.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, ["contractor"]);
  const actor = { ...actorOf(request, context, auth), userId: auth.user.id };
  const companyId = auth.membership.org.id;
  const tenderId = params.id ?? "";
  const body = (await request.json().catch(() => null)) as { intent?: string; act?: string; approval?: unknown } | null;
  try {
    if (body?.intent === "submit") {
      const proof = { sessionId: auth.session.id, rp: context.rp, approval: body.approval ?? undefined };
      return Response.json({ receipt: receiptView(await submitBid(context.db, { clock: context.clock, store: context.files, actor, companyId, tenderId, raw: body, proof })) });
    }
    if (body?.intent === "reseal") return Response.json(await resealBid(context.db, { clock: context.clock, actor, companyId, tenderId, raw: body }));
    if (body?.intent === "approve-options" && (body.act === "withdraw" || body.act === "replace")) {
      return Response.json({ options: await bidActOptions(context.db, { clock: context.clock, rp: context.rp, userId: auth.user.id, act: body.act }) });
    }
    return Response.json({ error: "errors.invalidInput" }, { status: 400 });
  } catch (e) {
    if (e instanceof DomainError) return Response.json({ error: e.key, ...(e.options.values ? { values: e.options.values } : {}) }, { status: e.options.status ?? 400 });
    throw e;
  }
}
