import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "~/utils/zod.server";
import { pageTitle } from "~/utils/i18n";
import { listNotifications, markRead } from "~/models/notification.server";
import { requireAuth } from "~/utils/auth.server";
import { parseForm } from "~/utils/forms";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.notifications"));
export const handle = { i18n: ["workspace", "errors"] };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireAuth(request, context);
  const rows = await listNotifications(context.db, auth.user.id);
  return {
    items: rows.map((n) => ({ id: n.id, kind: n.kind, params: n.params, link: n.link, at: formatBeijing(n.createdAt), unread: !n.readAt })),
  };
}

/** Mark one notification, or all, read — only the signed-in user's own. */
/** One notification by id, or (no id) all of them. */
const markReadFormSchema = /* @__PURE__ */ z.lazy(() => z.object({ id: z.string().optional() }));

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireAuth(request, context);
  const form = await parseForm(request, markReadFormSchema);
  // No id (or an unreadable one): mark them all read, as the "all read" button asks.
  await markRead(context.db, context.clock, auth.user.id, form.ok ? form.data.id || undefined : undefined);
  return { ok: true };
}

export default function Notifications() {
  const { t } = useTranslation();
  const { items } = useLoaderData<typeof loader>();
  const unread = items.filter((n) => n.unread).length;
  return (
    <section className="card stack">
      <h1>{t("notifications.title")}</h1>
      <p>
        <Link to="/notifications/settings" reloadDocument>
          {t("notifications.settings")}
        </Link>
      </p>
      <p>{unread ? t("notifications.unreadCount", { count: unread }) : t("notifications.allRead")}</p>
      {unread > 0 && (
        <Form method="post">
          <button type="submit" className="secondary">
            {t("notifications.markAll")}
          </button>
        </Form>
      )}
      {items.length === 0 && <p className="muted">{t("notifications.none")}</p>}
      <ul className="notification-list">
        {items.map((n) => (
          <li key={n.id} className={n.unread ? "unread" : undefined}>
            <p>
              {n.unread && <span className="tag">{t("notifications.new")}</span>} {t(`notifications.kinds.${n.kind}`, n.params)}
            </p>
            <p className="muted row">
              <span>{n.at}</span>
              {n.link && <a href={n.link}>{t("notifications.open")}</a>}
              {n.unread && (
                <Form method="post" className="inline">
                  <input type="hidden" name="id" value={n.id} />
                  <button type="submit" className="link">
                    {t("notifications.markRead")}
                  </button>
                </Form>
              )}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
