import type { ActionFunctionArgs } from "@remix-run/node";
import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import { z } from "~/utils/zod.server";
import { DomainError } from "~/models/errors";
import { countAttempt } from "~/models/login-throttle.server";
import { passkeyRegistrationOptions, registerPasskey } from "~/models/passkey.server";
import { assertMayChangePasskeys, renewStepUp } from "~/models/reset-code.server";
import { actorOf, requireAuth } from "~/utils/auth.server";
import { parseJson, passkeyResponse } from "~/utils/forms";

/** Two steps for the signed-in user: `options` issues a challenge bound to them; `verify` stores the passkey. */
/** Ask for the registration options, then send the new passkey with the name its owner gave it. */
const registerBodySchema = /* @__PURE__ */ z.lazy(() =>
  z.discriminatedUnion("step", [
    z.object({ step: z.literal("options") }),
    z.object({ step: z.literal("verify"), response: passkeyResponse<RegistrationResponseJSON>(), name: z.string().catch("").default("") }),
  ]),
);

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireAuth(request, context);
  const parsed = await parseJson(request, registerBodySchema);
  const body = parsed.success ? parsed.data : null;
  const counted = await countAttempt(context.db, context.clock, { ip: context.ip, account: `user:${auth.user.id}`, kind: "passkey_register" });
  if (counted.refusal) return Response.json({ error: counted.refusal }, { status: 429 });
  try {
    // A password session of someone who already has passkeys proves a second factor first (account page).
    await assertMayChangePasskeys(context.db, context.clock, auth.session);
    if (body?.step === "options") {
      return Response.json({ options: await passkeyRegistrationOptions(context.db, context.clock, context.rp, auth.user.id) });
    }
    if (body?.step !== "verify") {
      return Response.json({ error: "errors.invalidInput" }, { status: 400 });
    }
    const actor = { ...actorOf(request, context, auth), userId: auth.user.id };
    const passkey = await registerPasskey(context.db, {
      clock: context.clock,
      rp: context.rp,
      actor,
      input: {
        response: body.response,
        name: body.name,
      },
    });
    await renewStepUp(context.db, context.clock, auth.session.id);
    return Response.json({ ok: true, id: passkey.id, prfEnabled: passkey.prfEnabled });
  } catch (e) {
    if (e instanceof DomainError) return Response.json({ error: e.key }, { status: e.options.status ?? 400 });
    throw e;
  }
}
