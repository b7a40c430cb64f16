import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/utils/i18n";
import { listCounties, listOrgsInCounty } from "~/models/org.server";
import { PROJECT_TYPES } from "~/models/project-rules";
import { listPublicNotices, type NoticeFilter } from "~/models/tender.server";
import { formatFen, parseYuanToFen } from "~/utils/money";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.notices"));
export const handle = { hydrate: false, i18n: ["public", "projects"] };

const UUID = /^[0-9a-f-]{36}$/;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const q = url.searchParams;
  const filter: NoticeFilter = {};
  if (q.get("q")?.trim()) filter.q = q.get("q")!.trim().slice(0, 50);
  if (UUID.test(q.get("township") ?? "")) filter.townshipId = q.get("township")!;
  if (UUID.test(q.get("village") ?? "")) filter.villageId = q.get("village")!;
  const type = q.get("type");
  if ((PROJECT_TYPES as readonly string[]).includes(type ?? "")) filter.type = type as NoticeFilter["type"];
  const status = q.get("status");
  if (status === "open" || status === "closed" || status === "cancelled") filter.status = status;
  const min = parseYuanToFen(q.get("min") ?? "");
  const max = parseYuanToFen(q.get("max") ?? "");
  if (min !== null) filter.minFen = min;
  if (max !== null) filter.maxFen = max;
  const rows = await listPublicNotices(context.db, context.clock, filter);
  const counties = await listCounties(context.db);
  const townships = (await Promise.all(counties.map((c) => listOrgsInCounty(context.db, c.id, "township")))).flat();
  const villages = (await Promise.all(counties.map((c) => listOrgsInCounty(context.db, c.id, "village")))).flat();
  return {
    params: Object.fromEntries(q.entries()),
    townships: townships.map((t) => ({ id: t.id, name: t.name })),
    villages: villages.map((v) => ({ id: v.id, name: v.name })),
    notices: rows.map((r) => ({
      id: r.tender.id,
      name: r.project.name,
      village: r.village,
      type: r.project.type,
      ceiling: formatFen(r.project.ceilingFen),
      deadline: formatBeijing(r.tender.deadline),
      publishedAt: formatBeijing(r.tender.publishedAt),
      state: r.state,
      round: r.tender.round,
    })),
  };
}

export default function Notices() {
  const { t } = useTranslation();
  const { params, townships, villages, notices } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("notices.title")}</h1>
        <Form method="get" className="filters">
          <div className="field">
            <label htmlFor="q">{t("notices.search")}</label>
            <input id="q" name="q" type="search" defaultValue={params.q} />
          </div>
          <div className="row">
            <select name="township" aria-label={t("notices.township")} defaultValue={params.township ?? ""}>
              <option value="">{t("notices.allTownships")}</option>
              {townships.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
            <select name="village" aria-label={t("notices.village")} defaultValue={params.village ?? ""}>
              <option value="">{t("notices.allVillages")}</option>
              {villages.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
            <select name="type" aria-label={t("project.fields.type")} defaultValue={params.type ?? ""}>
              <option value="">{t("notices.allTypes")}</option>
              {PROJECT_TYPES.map((x) => (
                <option key={x} value={x}>
                  {t(`project.types.${x}`)}
                </option>
              ))}
            </select>
            <select name="status" aria-label={t("notices.status")} defaultValue={params.status ?? ""}>
              <option value="">{t("notices.allStatuses")}</option>
              {(["open", "closed", "cancelled"] as const).map((x) => (
                <option key={x} value={x}>
                  {t(`notices.statuses.${x}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="row">
            <input name="min" inputMode="decimal" placeholder={t("notices.min")} aria-label={t("notices.min")} defaultValue={params.min} />
            <input name="max" inputMode="decimal" placeholder={t("notices.max")} aria-label={t("notices.max")} defaultValue={params.max} />
            <button type="submit">{t("notices.filter")}</button>
          </div>
        </Form>
      </section>
      <section className="card" aria-live="polite">
        {notices.length === 0 ? (
          <p>{t("notices.none")}</p>
        ) : (
          <ul className="list notices">
            {notices.map((n) => (
              <li key={n.id}>
                <div>
                  <Link to={`/notices/${n.id}`}>
                    <strong>{n.name}</strong>
                  </Link>
                  {n.round > 1 && <span className="tag">{t("notices.round", { n: n.round })}</span>}
                  <small>
                    {n.village} · {t(`project.types.${n.type}`)} · {t("notices.ceiling")} {n.ceiling}
                  </small>
                  <small>
                    {t("notices.deadline")} {n.deadline}
                  </small>
                </div>
                <span className={`state state-${n.state}`}>{t(`project.states.${n.state}`)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
