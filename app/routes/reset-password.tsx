import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "~/utils/zod.server";
import { pageTitle } from "~/utils/i18n";
import { FieldError, FormError } from "~/components/forms";
import { KNOWN_DEVICE_COOKIE, rememberDevice } from "~/models/known-device.server";
import { resetPasswordWithCode } from "~/models/reset-code.server";
import { actorOf, knownDeviceCookie, readCookie } from "~/utils/auth.server";
import { formText, parseForm, refusal } from "~/utils/forms";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.resetPassword"));
export const handle = { hydrate: false, i18n: ["account", "errors"] };

/** The link in a reset message carries the phone and the code: the form comes filled in. */
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  return { phone: (url.searchParams.get("phone") ?? "").slice(0, 20), code: (url.searchParams.get("code") ?? "").slice(0, 40) };
}

/** Public: set a new password with a reset code (sent to the person, or issued by an official). */
const resetFormSchema = /* @__PURE__ */ z.lazy(() => z.object({ phone: formText, code: formText, password: formText, password2: formText }));

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await parseForm(request, resetFormSchema);
  const phone = form.values.phone ?? "";
  if (!form.ok) return data({ errors: form.errors, phone }, { status: 400 });
  const actor = actorOf(request, context, null);
  let userId: string;
  try {
    ({ userId } = await resetPasswordWithCode(context.db, context.clock, actor, form.data));
  } catch (e) {
    const refused = refusal(e);
    return data({ errors: refused.errors, phone }, { status: refused.status });
  }
  // The device the reset was made on is the account's known device from now on (the reset forgot the others).
  const token = await rememberDevice(context.db, { clock: context.clock, actor, userId, presented: readCookie(request, KNOWN_DEVICE_COOKIE) });
  throw redirect("/login?reset=1", { headers: { "Set-Cookie": knownDeviceCookie(context, token) } });
}

export default function ResetPassword() {
  const { t } = useTranslation();
  const result = useActionData<typeof action>();
  const given = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("reset.title")}</h1>
        <p>{t("reset.intro")}</p>
        <Form method="post" className="stack">
          <FormError errors={result?.errors} />
          <label htmlFor="phone">{t("login.phone")}</label>
          <input id="phone" name="phone" inputMode="numeric" autoComplete="username" required defaultValue={result?.phone ?? given.phone} aria-describedby="phone-error" />
          <FieldError id="phone-error" errors={result?.errors} name="phone" />
          <label htmlFor="code">{t("reset.code")}</label>
          <input id="code" name="code" autoComplete="one-time-code" autoCapitalize="characters" required defaultValue={given.code} aria-describedby="code-error" />
          <FieldError id="code-error" errors={result?.errors} name="code" />
          <label htmlFor="password">{t("reset.newPassword")}</label>
          <input id="password" name="password" type="password" autoComplete="new-password" required minLength={8} aria-describedby="password-error" />
          <FieldError id="password-error" errors={result?.errors} name="password" />
          <label htmlFor="password2">{t("reset.repeatPassword")}</label>
          <input id="password2" name="password2" type="password" autoComplete="new-password" required minLength={8} aria-describedby="password2-error" />
          <FieldError id="password2-error" errors={result?.errors} name="password2" />
          <button type="submit" className="primary">
            {t("reset.submit")}
          </button>
        </Form>
        <p>
          <Link to="/forgot-password">{t("reset.askCode")}</Link>
        </p>
      </section>
    </div>
  );
}
