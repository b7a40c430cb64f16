import type { ActionFunctionArgs } from "@remix-run/node";
import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { DomainError } from "~/models/errors";
import { enrollOpeningKey, openingKeyOptions } from "~/models/passkey.server";
import { actorOf, requireAuth } from "~/utils/auth.server";

/**
 * Prepare the signed-in user's passkey for sealed bids. `options` issues a
 * challenge for their PRF-capable passkeys; `verify` takes the assertion and
 * the X25519 public key the sealing script derived from the PRF secret (the
 * secret itself never comes here).
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireAuth(request, context);
  const body = (await request.json().catch(() => null)) as { step?: string; response?: AuthenticationResponseJSON; publicKey?: string } | null;
  try {
    if (body?.step === "options") return Response.json({ options: await openingKeyOptions(context.db, context.clock, context.rp, auth.user.id) });
    if (body?.step !== "verify" || !body.response || typeof body.response !== "object") return Response.json({ error: "errors.invalidInput" }, { status: 400 });
    const actor = { ...actorOf(request, context, auth), userId: auth.user.id };
    const done = await enrollOpeningKey(context.db, { clock: context.clock, rp: context.rp, actor, input: { response: body.response, publicKey: String(body.publicKey ?? "") } });
    return Response.json({ ok: true, id: done.id });
  } catch (e) {
    if (e instanceof DomainError) return Response.json({ error: e.key }, { status: e.options.status ?? 400 });
    throw e;
  }
}
