import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/utils/i18n";
import { listProjects } from "~/models/project.server";
import { requireRole } from "~/utils/auth.server";
import { formatFen } from "~/utils/money";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.projects"));
export const handle = { i18n: ["projects"] };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["committee", "agent", "supervisor", "county_admin"]);
  const scope = { role: auth.membership.role, orgId: auth.membership.org.id };
  const rows = await listProjects(context.db, scope);
  const view = (r: (typeof rows)[number]) => ({
    id: r.project.id,
    name: r.project.name,
    village: r.villageName,
    type: r.project.type,
    estimate: formatFen(r.project.estimateFen),
    state: r.project.state,
    splitting: Boolean(r.project.splitting),
    updatedAt: formatBeijing(r.project.updatedAt),
  });
  return {
    role: auth.membership.role,
    org: auth.membership.org.name,
    // The supervisor's approval queue comes first, oldest submission first.
    queue:
      auth.membership.role === "supervisor"
        ? rows
            .filter((r) => r.project.state === "submitted")
            .reverse()
            .map(view)
        : [],
    projects: rows.map(view),
  };
}

function ProjectTable({ rows }: { rows: ReturnType<typeof useLoaderData<typeof loader>>["projects"] }) {
  const { t } = useTranslation();
  return (
    <div className="table-wrap">
      <table className="cards">
        <thead>
          <tr>
            <th>{t("project.fields.name")}</th>
            <th>{t("project.village")}</th>
            <th>{t("project.fields.estimate")}</th>
            <th>{t("project.state")}</th>
            <th>{t("project.updatedAt")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => (
            <tr key={p.id}>
              <td data-label={t("project.fields.name")}>
                <Link to={`/projects/${p.id}`}>{p.name}</Link>
                {p.splitting && <span className="tag warn">{t("project.splitting.tag")}</span>}
              </td>
              <td data-label={t("project.village")}>{p.village}</td>
              <td data-label={t("project.fields.estimate")}>{p.estimate}</td>
              <td data-label={t("project.state")}>{t(`project.states.${p.state}`)}</td>
              <td data-label={t("project.updatedAt")}>{p.updatedAt}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export default function Projects() {
  const { t } = useTranslation();
  const { role, org, queue, projects } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("project.listTitle")}</h1>
        <p className="muted">{org}</p>
        {role === "committee" && (
          <Link to="/projects/new" className="button">
            {t("project.newTitle")}
          </Link>
        )}
      </section>
      {role === "supervisor" && (
        <section className="card" aria-labelledby="queue-h">
          <h2 id="queue-h">{t("project.queueTitle", { count: queue.length })}</h2>
          {queue.length === 0 ? <p>{t("project.queueEmpty")}</p> : <ProjectTable rows={queue} />}
        </section>
      )}
      <section className="card">
        <h2>{t("project.allTitle")}</h2>
        {projects.length === 0 ? <p>{t("project.none")}</p> : <ProjectTable rows={projects} />}
      </section>
    </div>
  );
}
