import type { ActionFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "~/utils/zod.server";
import { pageTitle } from "~/utils/i18n";
import { FieldError, FormError, Notice } from "~/components/forms";
import { DevCopy } from "~/components/dev-copy";
import { deliverDue, devMailbox } from "~/models/outbox.server";
import { forgotSchema, requestResetByChannel } from "~/models/reset-code.server";
import { devMailboxOn } from "~/models/transports.server";
import { KNOWN_DEVICE_COOKIE, knownDeviceFor } from "~/models/known-device.server";
import { actorOf, readCookie } from "~/utils/auth.server";
import { formText, parseForm, refusal } from "~/utils/forms";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.forgotPassword"));
export const handle = { hydrate: false, i18n: ["account", "errors"] };

/** Public: a one-time code to the account's own channels. The answer never says whether the number is registered. */
/** The number as typed: the model reads it (and refuses a wrong one beside the field). */
const forgotFormSchema = /* @__PURE__ */ z.lazy(() => z.object({ phone: formText }));

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await parseForm(request, forgotFormSchema);
  const phone = form.values.phone ?? "";
  if (!form.ok) return data({ errors: form.errors, phone, sent: false, devCopy: null }, { status: 400 });
  const since = context.clock.now();
  try {
    // A device this number signed in from before asks on its own allowance: others' requests never use it up.
    const device = await knownDeviceFor(context.db, context.clock, readCookie(request, KNOWN_DEVICE_COOKIE), phone);
    await requestResetByChannel(context.db, { clock: context.clock, actor: actorOf(request, context, null), raw: { phone }, opts: { device } });
  } catch (e) {
    const refused = refusal(e);
    return data({ errors: refused.errors, phone, sent: false, devCopy: null }, { status: refused.status });
  }
  // Sent now rather than at the deliverer's next round; a failure stays queued for its retries.
  await deliverDue(context.db, { clock: context.clock, transports: context.transports, origin: context.env.PUBLIC_ORIGIN }).catch(() => undefined);
  // A developer's machine without any real transport: this page shows the code it just sent (there is no mailbox to read).
  const number = forgotSchema.safeParse(form.data);
  const devCopy = devMailboxOn(context.env) && number.success ? await devMailbox(context.db, { phone: number.data.phone }, { since }) : null;
  return { errors: undefined, phone, sent: true, devCopy };
}

export default function ForgotPassword() {
  const { t } = useTranslation();
  const result = useActionData<typeof action>();
  return (
    <div className="stack">
      <section className="card stack">
        <h1>{t("forgot.title")}</h1>
        <p>{t("forgot.intro")}</p>
        {result?.sent ? <Notice>{t("forgot.sent")}</Notice> : null}
        <DevCopy messages={result?.devCopy} />
        <Form method="post" className="stack">
          <FormError errors={result?.errors} />
          <label htmlFor="phone">{t("login.phone")}</label>
          <input id="phone" name="phone" inputMode="numeric" autoComplete="username" required defaultValue={result?.phone} aria-describedby="phone-error" />
          <FieldError id="phone-error" errors={result?.errors} name="phone" />
          <button type="submit" className="primary">
            {t("forgot.submit")}
          </button>
        </Form>
        <p>
          <Link to={result?.phone ? `/reset-password?phone=${encodeURIComponent(result.phone)}` : "/reset-password"}>{t("forgot.haveCode")}</Link>
        </p>
      </section>
      <section className="card stack">
        <h2>{t("forgot.noChannelTitle")}</h2>
        <p>{t("forgot.noChannel")}</p>
      </section>
    </div>
  );
}
