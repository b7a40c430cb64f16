import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/utils/i18n";
import { devMailbox } from "~/models/outbox.server";
import { devMailboxOn } from "~/models/transports.server";
import { requireAuth, notFound } from "~/utils/auth.server";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction = ({ matches }) => [...pageTitle(matches, (t) => t("titles.devMailbox")), { name: "robots", content: "noindex" }];
export const handle = { hydrate: false, i18n: [] };

/**
 * The development transport's mailbox: what the platform would have sent to the signed-in person
 * by SMS, e-mail or WeChat — their own messages, never anyone else's. It exists only with
 * DEV_MAILBOX on a local origin (the demo county on a developer's machine); elsewhere it is 404.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  if (!devMailboxOn(context.env)) throw notFound();
  const auth = await requireAuth(request, context);
  const rows = await devMailbox(context.db, { userId: auth.user.id });
  return { messages: rows.map((m) => ({ ...m, sentAt: m.sentAt ? formatBeijing(m.sentAt, "yyyy-MM-dd HH:mm:ss") : "" })) };
}

export default function DevMailbox() {
  const { t } = useTranslation();
  const { messages } = useLoaderData<typeof loader>();
  return (
    <section className="card stack">
      <h1>{t("devMailbox.title")}</h1>
      <p className="notice warn">{t("devMailbox.intro")}</p>
      {messages.length === 0 && <p>{t("devMailbox.none")}</p>}
      <ol className="list" data-testid="dev-mailbox">
        {messages.map((m) => (
          <li key={m.id}>
            <div>
              <strong>
                {t(`channels.${m.channel}`)} → {m.address}
              </strong>
              <small> · {m.sentAt}</small>
              <p>{m.subject}</p>
              <p className="prewrap">{m.body}</p>
              {m.link && (
                <p>
                  <a href={m.link} className="prewrap">
                    {m.link}
                  </a>
                </p>
              )}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
