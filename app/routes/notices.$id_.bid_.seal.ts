import type { ActionFunctionArgs } from "@remix-run/node";
import { receiptView } from "~/models/bid-rules";
import { resealBid, submitBid } from "~/models/bid.server";
import { DomainError } from "~/models/errors";
import { actorOf, requireRole } from "~/utils/auth.server";

/**
 * JSON from the sealing page (public/seal/v1.js did the sealing): `submit` a
 * sealed bid whose ciphertext is already uploaded, or `reseal` the current one.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, ["contractor"]);
  const actor = { ...actorOf(request, context, auth), userId: auth.user.id };
  const companyId = auth.membership.org.id;
  const tenderId = params.id ?? "";
  const body = (await request.json().catch(() => null)) as { intent?: string } | null;
  try {
    if (body?.intent === "submit") {
      return Response.json({ receipt: receiptView(await submitBid(context.db, context.clock, context.files, actor, companyId, tenderId, body)) });
    }
    if (body?.intent === "reseal") return Response.json(await resealBid(context.db, context.clock, actor, companyId, tenderId, body));
    return Response.json({ error: "errors.invalidInput" }, { status: 400 });
  } catch (e) {
    if (e instanceof DomainError) return Response.json({ error: e.key }, { status: e.options.status ?? 400 });
    throw e;
  }
}
