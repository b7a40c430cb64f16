import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "~/utils/zod.server";
import { receiptView } from "~/models/bid-rules";
import { bidActOptions, resealBid, submitBid } from "~/models/bid.server";
import { DomainError } from "~/models/errors";
import { actorOf, requireRole } from "~/utils/auth.server";
import { parseJson } from "~/utils/forms";

/**
 * JSON from the sealing page (public/seal/v1.js did the sealing): `submit` a
 * sealed bid whose ciphertext is already uploaded (replacing the bid in force
 * carries the passkey's `approval`, unless the session proved a step-up code),
 * `reseal` the current one, or `approve-options`: the single-use challenge for
 * the passkey to approve a withdrawal or a replacement.
 */
/** Submit a sealed bid, re-seal one to another passkey, or ask for the options to approve a withdrawal or replacement; the bid's own fields are the model's to check. */
const sealBodySchema = /* @__PURE__ */ z.lazy(() =>
  z.discriminatedUnion("intent", [
    z.looseObject({ intent: z.literal("submit"), approval: z.unknown().optional() }),
    z.looseObject({ intent: z.literal("reseal") }),
    z.object({ intent: z.literal("approve-options"), act: z.enum(["withdraw", "replace"]) }),
  ]),
);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, ["contractor"]);
  const actor = { ...actorOf(request, context, auth), userId: auth.user.id };
  const companyId = auth.membership.org.id;
  const tenderId = params.id ?? "";
  const parsed = await parseJson(request, sealBodySchema);
  if (!parsed.success) return Response.json({ error: "errors.invalidInput" }, { status: 400 });
  const body = parsed.data;
  try {
    if (body.intent === "submit") {
      const proof = { sessionId: auth.session.id, rp: context.rp, approval: body.approval ?? undefined };
      return Response.json({ receipt: receiptView(await submitBid(context.db, { clock: context.clock, store: context.files, actor, companyId, tenderId, raw: body, proof })) });
    }
    if (body.intent === "reseal") return Response.json(await resealBid(context.db, { clock: context.clock, actor, companyId, tenderId, raw: body }));
    return Response.json({ options: await bidActOptions(context.db, { clock: context.clock, rp: context.rp, userId: auth.user.id, act: body.act }) });
  } catch (e) {
    if (e instanceof DomainError) return Response.json({ error: e.key, ...(e.options.values ? { values: e.options.values } : {}) }, { status: e.options.status ?? 400 });
    throw e;
  }
}
