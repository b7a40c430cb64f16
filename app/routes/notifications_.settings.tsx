import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "~/utils/zod.server";
import { pageTitle } from "~/utils/i18n";
import { FieldError, FormError, Notice } from "~/components/forms";
import { activeChannels, channelPreferences, messagesOf, saveChannelPreferences, saveContact } from "~/models/outbox.server";
import { CHANNELS } from "~/models/transports.server";
import { actorOf, requireAuth } from "~/utils/auth.server";
import { formText, parseForm, refusal, type FormErrors } from "~/utils/forms";
import { maskPhone } from "~/utils/phone";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.messageSettings"));
export const handle = { hydrate: false, i18n: ["errors"] };

/** The signed-in user's own channels and choices; nobody else's are ever read or written here. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireAuth(request, context);
  const [prefs, messages] = await Promise.all([channelPreferences(context.db, auth.user.id), messagesOf(context.db, auth.user.id)]);
  const active = activeChannels();
  return {
    contact: { phone: maskPhone(auth.user.phone), email: auth.user.email ?? "", wechatOpenId: auth.user.wechatOpenId ?? "" },
    channels: CHANNELS.map((c) => ({ channel: c, active: active.has(c), given: c === "sms" || (c === "email" ? Boolean(auth.user.email) : Boolean(auth.user.wechatOpenId)) })),
    prefs,
    messages: messages.map((m) => ({ ...m, createdAt: formatBeijing(m.createdAt), sentAt: m.sentAt ? formatBeijing(m.sentAt) : null })),
  };
}

/** The contact form, or the channel switches (`on:<kind>:<channel>` checkboxes, each one named). */
const settingsFormSchema = /* @__PURE__ */ z.lazy(() =>
  z.discriminatedUnion("intent", [z.object({ intent: z.literal("contact"), email: formText, wechatOpenId: formText }), z.looseObject({ intent: z.literal("channels") })]),
);

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireAuth(request, context);
  const actor = { ...actorOf(request, context, auth), userId: auth.user.id };
  const form = await parseForm(request, settingsFormSchema);
  if (!form.ok) return data({ done: undefined, errors: { form: "errors.invalidInput" } as FormErrors }, { status: 400 });
  const f = form.data;
  try {
    if (f.intent === "contact") {
      await saveContact(context.db, context.clock, actor, { email: f.email, wechatOpenId: f.wechatOpenId });
      return { done: "outbox.contactSaved", errors: undefined };
    }
    await saveChannelPreferences(context.db, context.clock, actor, f);
    return { done: "outbox.prefsSaved", errors: undefined };
  } catch (e) {
    const refused = refusal(e);
    return data({ done: undefined, errors: refused.errors }, { status: refused.status });
  }
}

export default function NotificationSettings() {
  const { t } = useTranslation();
  const { contact, channels, prefs, messages } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="stack">
      <section className="card stack">
        <h1>{t("outbox.title")}</h1>
        <p>{t("outbox.intro")}</p>
        {result?.done && <Notice>{t(result.done)}</Notice>}
        <FormError errors={result?.errors} />
        <p>
          <Link to="/notifications">{t("outbox.backToNotifications")}</Link>
        </p>
      </section>
      <section className="card stack" aria-labelledby="contact-h">
        <h2 id="contact-h">{t("outbox.contactTitle")}</h2>
        <Form method="post" className="stack">
          <input type="hidden" name="intent" value="contact" />
          <p>{t("outbox.line", { channel: t("channels.sms"), value: contact.phone })}</p>
          <label htmlFor="email">{t("outbox.email")}</label>
          <input id="email" name="email" type="email" autoComplete="email" defaultValue={contact.email} aria-describedby="email-error" maxLength={200} />
          <FieldError id="email-error" errors={result?.errors} name="email" />
          <label htmlFor="wechatOpenId">{t("outbox.wechat")}</label>
          <input id="wechatOpenId" name="wechatOpenId" defaultValue={contact.wechatOpenId} aria-describedby="wechat-hint wechatOpenId-error" maxLength={64} autoCapitalize="off" />
          <p id="wechat-hint" className="hint">
            {t("outbox.wechatHint")}
          </p>
          <FieldError id="wechatOpenId-error" errors={result?.errors} name="wechatOpenId" />
          <button type="submit">{t("outbox.saveContact")}</button>
        </Form>
        <ul>
          {channels.map((c) => (
            <li key={c.channel}>
              {t("outbox.line", {
                channel: t(`channels.${c.channel}`),
                value: !c.active ? t("outbox.channelOff") : c.given ? t("outbox.channelOn") : t("outbox.channelNoAddress"),
              })}
            </li>
          ))}
        </ul>
      </section>
      <section className="card stack" aria-labelledby="prefs-h">
        <h2 id="prefs-h">{t("outbox.prefsTitle")}</h2>
        <p>{t("outbox.prefsIntro")}</p>
        <Form method="post" className="stack">
          <input type="hidden" name="intent" value="channels" />
          <div className="table-wrap">
            <table className="channel-prefs" data-testid="channel-prefs">
              <caption className="sr-only">{t("outbox.prefsTitle")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("outbox.kind")}</th>
                  {channels.map((c) => (
                    <th scope="col" key={c.channel}>
                      {t(`channels.${c.channel}`)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {prefs.map((p) => (
                  <tr key={p.kind}>
                    <th scope="row">
                      {t(`kindNames.${p.kind}`)}
                      {p.locked && <small className="hint"> · {t("outbox.locked")}</small>}
                    </th>
                    {channels.map((c) => (
                      <td key={c.channel}>
                        <input
                          type="checkbox"
                          name={`on:${p.kind}:${c.channel}`}
                          defaultChecked={p.channels[c.channel]}
                          disabled={p.locked}
                          aria-label={`${t(`kindNames.${p.kind}`)} · ${t(`channels.${c.channel}`)}`}
                        />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <button type="submit" className="primary">
            {t("outbox.savePrefs")}
          </button>
        </Form>
      </section>
      <section className="card stack" aria-labelledby="sent-h">
        <h2 id="sent-h">{t("outbox.sentTitle")}</h2>
        {messages.length === 0 ? (
          <p>{t("outbox.noneSent")}</p>
        ) : (
          <ul className="list" data-testid="sent-messages">
            {messages.map((m) => (
              <li key={m.id}>
                <div>
                  <strong>{t(m.kind.startsWith("auth.") && !m.kind.startsWith("auth.locked") ? `outbox.codeNames.${m.kind}` : `kindNames.${m.kind}`)}</strong>
                  <small>
                    {" "}
                    · {t(`channels.${m.channel}`)} · {m.createdAt} · {t(`outbox.status.${m.status}`)}
                    {m.sentAt ? ` ${m.sentAt}` : ""}
                    {m.status !== "sent" && m.attempts > 0 ? ` · ${t("outbox.attempts", { count: m.attempts })}` : ""}
                  </small>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
