import type { ActionFunctionArgs } from "@remix-run/node";
import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { z } from "~/utils/zod.server";
import { appendAudit } from "~/models/audit.server";
import { DomainError } from "~/models/errors";
import { countAttempt, settleAttempt } from "~/models/login-throttle.server";
import { authenticateWithPasskey, passkeyLoginOptions } from "~/models/passkey.server";
import { startSession } from "~/models/session.server";
import { actorOf, safeRedirect, sessionCookie } from "~/utils/auth.server";
import { parseJson, passkeyResponse } from "~/utils/forms";

/** Two steps: `options` issues a single-use challenge; `verify` checks the assertion and starts a session. */
/** Ask for the sign-in options, then send the passkey's answer (and where to go afterwards). */
const loginBodySchema = /* @__PURE__ */ z.lazy(() =>
  z.discriminatedUnion("step", [
    z.object({ step: z.literal("options") }),
    z.object({ step: z.literal("verify"), response: passkeyResponse<AuthenticationResponseJSON>(), redirectTo: z.string().optional().catch(undefined) }),
  ]),
);

export async function action({ request, context }: ActionFunctionArgs) {
  if (request.method !== "POST") return Response.json({ error: "errors.invalidInput" }, { status: 405 });
  const parsed = await parseJson(request, loginBodySchema);
  const body = parsed.success ? parsed.data : null;
  const actor = actorOf(request, context, null);
  if (body?.step === "options") {
    // Options name no account yet: only the client address is limited (each call stores a challenge).
    const counted = await countAttempt(context.db, context.clock, { ip: context.ip, account: null, kind: "passkey_options" });
    if (counted.refusal) return Response.json({ error: counted.refusal }, { status: 429 });
    return Response.json({ options: await passkeyLoginOptions(context.db, context.clock, context.rp) });
  }
  if (body?.step !== "verify") {
    return Response.json({ error: "errors.invalidInput" }, { status: 400 });
  }
  const credential = typeof body.response.id === "string" ? body.response.id.slice(0, 100) : "";
  const counted = await countAttempt(context.db, context.clock, { ip: context.ip, account: `credential:${credential}`, kind: "passkey_verify" });
  if (counted.refusal) return Response.json({ error: counted.refusal }, { status: 429 });
  try {
    const userId = await authenticateWithPasskey(context.db, context.clock, context.rp, body.response);
    await settleAttempt(context.db, { clock: context.clock, actor, ticket: counted.ticket, outcome: { failed: false } });
    const { token } = await startSession(context.db, context.clock, actor, {
      userId,
      method: "passkey",
      days: context.env.SESSION_DAYS,
    });
    return Response.json({ ok: true, redirectTo: safeRedirect(body.redirectTo) }, { headers: { "Set-Cookie": sessionCookie(context, token, context.env.SESSION_DAYS) } });
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    await settleAttempt(context.db, { clock: context.clock, actor, ticket: counted.ticket, outcome: { failed: true } });
    await appendAudit(context.db, context.clock, actor, {
      action: "auth.login_failed",
      objectType: "passkey",
      objectId: typeof body.response.id === "string" ? body.response.id.slice(0, 100) : null,
      detail: { method: "passkey", reason: e.key },
    });
    return Response.json({ error: e.key }, { status: 401 });
  }
}
