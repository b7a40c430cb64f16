import type { ActionFunctionArgs } from "@remix-run/node";
import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { z } from "~/utils/zod.server";
import { DomainError } from "~/models/errors";
import { enrollOpeningKey, openingKeyOptions } from "~/models/passkey.server";
import { actorOf, requireAuth } from "~/utils/auth.server";
import { parseJson, passkeyResponse } from "~/utils/forms";

/**
 * Prepare the signed-in user's passkey for sealed bids. `options` issues a
 * challenge for their PRF-capable passkeys; `verify` takes the assertion and
 * the X25519 public key the sealing script derived from the PRF secret (the
 * secret itself never comes here).
 */
/** Ask for the challenge, then send the passkey's answer with the opening key's public half. */
const openingKeyBodySchema = /* @__PURE__ */ z.lazy(() =>
  z.discriminatedUnion("step", [
    z.object({ step: z.literal("options") }),
    z.object({
      step: z.literal("verify"),
      response: passkeyResponse<AuthenticationResponseJSON>(),
      publicKey: z
        .unknown()
        .optional()
        .transform((v) => String(v ?? "")),
    }),
  ]),
);

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireAuth(request, context);
  const parsed = await parseJson(request, openingKeyBodySchema);
  const body = parsed.success ? parsed.data : null;
  try {
    if (body?.step === "options") return Response.json({ options: await openingKeyOptions(context.db, context.clock, context.rp, auth.user.id) });
    if (body?.step !== "verify") return Response.json({ error: "errors.invalidInput" }, { status: 400 });
    const actor = { ...actorOf(request, context, auth), userId: auth.user.id };
    const done = await enrollOpeningKey(context.db, { clock: context.clock, rp: context.rp, actor, input: { response: body.response, publicKey: body.publicKey } });
    return Response.json({ ok: true, id: done.id });
  } catch (e) {
    if (e instanceof DomainError) return Response.json({ error: e.key }, { status: e.options.status ?? 400 });
    throw e;
  }
}
