import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { z } from "~/utils/zod.server";
import { setLargeText } from "~/models/user.server";
import { actorOf, getAuth, safeRedirect } from "~/utils/auth.server";
import { parseForm } from "~/utils/forms";
import { TEXT_SIZE_COOKIE } from "~/utils/text-size";

export async function loader() {
  throw redirect("/");
}

/**
 * Switch large text (大字模式) on or off: a plain form post, so it works without JavaScript. A
 * signed-in user's choice is kept with their account (audited), so it follows them to any phone;
 * a visitor's in a cookie.
 */
const textSizeFormSchema = /* @__PURE__ */ z.lazy(() => z.object({ size: z.enum(["large", "normal"]) }));

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await parseForm(request, textSizeFormSchema);
  const to = safeRedirect(form.values.redirectTo, "/");
  if (!form.ok) throw redirect(to);
  const { size } = form.data;
  const auth = await getAuth(request, context);
  if (auth) await setLargeText(context.db, context.clock, { ...actorOf(request, context, auth), userId: auth.user.id }, size === "large");
  throw redirect(to, {
    headers: { "Set-Cookie": `${TEXT_SIZE_COOKIE}=${size}; Path=/; Max-Age=31536000; SameSite=Lax` },
  });
}
