import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { z } from "~/utils/zod.server";
import { safeRedirect } from "~/utils/auth.server";
import { parseForm } from "~/utils/forms";
import { LOCALE_COOKIE, LOCALES } from "~/utils/i18n";

export async function loader() {
  throw redirect("/");
}

/** Switch the interface language: a plain form post, so it works without JavaScript. */
const localeFormSchema = /* @__PURE__ */ z.lazy(() => z.object({ lng: z.enum(LOCALES) }));

export async function action({ request }: ActionFunctionArgs) {
  const form = await parseForm(request, localeFormSchema);
  const to = safeRedirect(form.values.redirectTo, "/");
  if (!form.ok) throw redirect(to);
  const { lng } = form.data;
  throw redirect(to, {
    headers: { "Set-Cookie": `${LOCALE_COOKIE}=${encodeURIComponent(lng)}; Path=/; Max-Age=31536000; SameSite=Lax` },
  });
}
