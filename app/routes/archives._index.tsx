import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/utils/i18n";
import { ARCHIVE_STATES, listArchives } from "~/models/archive.server";
import { listOrgsInCounty } from "~/models/org.server";
import { forbidden, requireRole } from "~/utils/auth.server";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.archives"));
export const handle = { hydrate: false, i18n: ["projects"] };

/** The electronic archives a county administrator, a township supervisor or a village committee may see, searchable. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["county_admin", "supervisor", "committee"]);
  const url = new URL(request.url);
  const q = url.searchParams;
  const filter = {
    q: q.get("q") ?? "",
    townshipId: q.get("township") ?? "",
    villageId: q.get("village") ?? "",
    year: Number(q.get("year")) || undefined,
    state: q.get("state") ?? "",
  };
  const viewer = { userId: auth.user.id, role: auth.membership.role, orgId: auth.membership.org.id };
  const rows = await listArchives(context.db, viewer, filter);
  if (!rows) throw forbidden("county_admin|supervisor|committee");
  const org = auth.membership.org;
  const countyId = org.kind === "county" ? org.id : (org.countyId ?? "");
  const townships = viewer.role === "county_admin" ? await listOrgsInCounty(context.db, countyId, "township") : [];
  const villages =
    viewer.role === "committee" ? [] : (await listOrgsInCounty(context.db, countyId, "village")).filter((v) => viewer.role === "county_admin" || v.townshipId === org.id);
  return {
    filter,
    states: [...ARCHIVE_STATES],
    role: viewer.role,
    townships: townships.map((t) => ({ id: t.id, name: t.name })),
    villages: villages.map((v) => ({ id: v.id, name: v.name })),
    rows: rows.map((r) => ({
      projectId: r.a.projectId,
      name: r.name,
      village: r.village,
      year: r.a.year,
      state: r.a.finalState,
      archivedAt: formatBeijing(r.a.createdAt),
      retainUntil: r.a.retainUntil,
      files: r.a.manifest.length,
      zipMb: (r.a.zipSize / 1024 / 1024).toFixed(1),
    })),
  };
}

export default function Archives() {
  const d = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("archive.title")}</h1>
        <p className="muted">{t("archive.intro")}</p>
        <Form method="get" className="filters" role="search">
          <label htmlFor="q">{t("archive.search")}</label>
          <input id="q" name="q" type="search" defaultValue={d.filter.q} />
          {d.townships.length > 0 && (
            <>
              <label htmlFor="township">{t("archive.township")}</label>
              <select id="township" name="township" defaultValue={d.filter.townshipId}>
                <option value="">{t("archive.all")}</option>
                {d.townships.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            </>
          )}
          {d.villages.length > 0 && (
            <>
              <label htmlFor="village">{t("archive.village")}</label>
              <select id="village" name="village" defaultValue={d.filter.villageId}>
                <option value="">{t("archive.all")}</option>
                {d.villages.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            </>
          )}
          <label htmlFor="year">{t("archive.year")}</label>
          <input id="year" name="year" inputMode="numeric" pattern="[0-9]{4}" defaultValue={d.filter.year ?? ""} />
          <label htmlFor="state">{t("archive.state")}</label>
          <select id="state" name="state" defaultValue={d.filter.state}>
            <option value="">{t("archive.all")}</option>
            {d.states.map((s) => (
              <option key={s} value={s}>
                {t(`project.states.${s}`)}
              </option>
            ))}
          </select>
          <button type="submit">{t("archive.filter")}</button>
        </Form>
      </section>
      <section className="card">
        {d.rows.length === 0 ? (
          <p>{t("archive.none")}</p>
        ) : (
          <table className="cards" data-testid="archive-list">
            <thead>
              <tr>
                <th>{t("archive.project")}</th>
                <th>{t("archive.village")}</th>
                <th>{t("archive.state")}</th>
                <th>{t("archive.archivedAt")}</th>
                <th>{t("archive.retainUntil")}</th>
                <th>{t("archive.download")}</th>
              </tr>
            </thead>
            <tbody>
              {d.rows.map((r) => (
                <tr key={r.projectId}>
                  <td data-label={t("archive.project")}>
                    <Link to={`/projects/${r.projectId}`}>{r.name}</Link>
                  </td>
                  <td data-label={t("archive.village")}>{r.village}</td>
                  <td data-label={t("archive.state")}>{t(`project.states.${r.state}`)}</td>
                  <td data-label={t("archive.archivedAt")}>{r.archivedAt}</td>
                  <td data-label={t("archive.retainUntil")}>{r.retainUntil}</td>
                  <td data-label={t("archive.download")}>
                    <a href={`/archives/${r.projectId}/pdf`} data-testid="archive-pdf">
                      {t("archive.pdf")}
                    </a>{" "}
                    · <a href={`/archives/${r.projectId}/zip`}>{t("archive.zip", { files: r.files, mb: r.zipMb })}</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="muted small">{t("archive.verifyHint")}</p>
      </section>
    </div>
  );
}
