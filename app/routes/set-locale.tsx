import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { safeRedirect } from "~/utils/auth.server";
import { isLocale, LOCALE_COOKIE } from "~/utils/i18n";

export async function loader() {
  throw redirect("/");
}

/** Switch the interface language: a plain form post, so it works without JavaScript. */
export async function action({ request }: ActionFunctionArgs) {
  const form = await request.formData();
  const lng = form.get("lng");
  const to = safeRedirect(form.get("redirectTo"), "/");
  if (!isLocale(lng)) throw redirect(to);
  throw redirect(to, {
    headers: { "Set-Cookie": `${LOCALE_COOKIE}=${encodeURIComponent(lng)}; Path=/; Max-Age=31536000; SameSite=Lax` },
  });
}
