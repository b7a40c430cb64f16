import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { endSession } from "~/models/session.server";
import { actorOf, clearSessionCookie, getAuth } from "~/utils/auth.server";

export async function loader() {
  // Logging out changes state: only by POST, so a link on another site cannot do it.
  throw redirect("/");
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await getAuth(request, context);
  if (auth) await endSession(context.db, { clock: context.clock, actor: actorOf(request, context, auth), sessionId: auth.session.id, reason: "logout" });
  throw redirect("/", { headers: { "Set-Cookie": clearSessionCookie(context) } });
}
