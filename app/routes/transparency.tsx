import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/utils/i18n";
import { listAuditHeads } from "~/models/audit.server";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.transparency"));

/** Public, no login, no JavaScript: anyone can copy today's head and compare it later. */
export const handle = { hydrate: false, i18n: ["public"] };

export async function loader({ context }: LoaderFunctionArgs) {
  const heads = await listAuditHeads(context.db, 90);
  return {
    heads: heads.map((h) => ({ day: h.day, lastId: h.lastId, rowCount: h.rowCount, hash: h.hash, publishedAt: formatBeijing(h.publishedAt) })),
  };
}

export default function Transparency() {
  const { t } = useTranslation();
  const { heads } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("transparency.title")}</h1>
        <p>{t("transparency.intro")}</p>
        <p>
          <Link to="/sealing">{t("sealing.title")}</Link> · <Link to="/verify">{t("verify.title")}</Link>
        </p>
      </section>
      <section className="card">
        {heads.length === 0 ? (
          <p>{t("transparency.empty")}</p>
        ) : (
          <div className="table-wrap">
            <table className="cards">
              <thead>
                <tr>
                  {(["day", "lastId", "rows", "hash", "published"] as const).map((c) => (
                    <th key={c}>{t(`transparency.cols.${c}`)}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {heads.map((h) => (
                  <tr key={h.day}>
                    <td data-label={t("transparency.cols.day")}>{h.day}</td>
                    <td data-label={t("transparency.cols.lastId")}>{h.lastId}</td>
                    <td data-label={t("transparency.cols.rows")}>{h.rowCount}</td>
                    <td data-label={t("transparency.cols.hash")} className="mono">
                      {h.hash}
                    </td>
                    <td data-label={t("transparency.cols.published")}>{h.publishedAt}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
