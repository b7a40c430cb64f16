import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/utils/i18n";
import { PasskeyRegister } from "~/components/passkey-register";
import { requireAuth, safeRedirect } from "~/utils/auth.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.passkeyRequired"));
export const handle = { i18n: ["account", "errors"] };

/**
 * Before any other page, an official who hosts or supervises openings registers a passkey
 * (ADR 0034). Once one is registered — the component revalidates this loader — they go on to the
 * page they asked for; anyone who does not need one is sent there at once.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireAuth(request, context);
  const redirectTo = safeRedirect(new URL(request.url).searchParams.get("redirectTo"));
  if (!auth.passkeyMissing) throw redirect(redirectTo);
  return { name: auth.user.name };
}

export default function PasskeyRequired() {
  const { t } = useTranslation();
  const { name } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <section className="card narrow stack" data-testid="passkey-required">
        <h1>{t("passkeyRequired.title")}</h1>
        <p>{t("passkeyRequired.intro", { name })}</p>
        <p>{t("passkeyRequired.why")}</p>
        <PasskeyRegister />
        <p>{t("passkeyRequired.noDevice")}</p>
        <Form method="post" action="/logout">
          <button type="submit" className="link">
            {t("nav.logout")}
          </button>
        </Form>
      </section>
    </div>
  );
}
