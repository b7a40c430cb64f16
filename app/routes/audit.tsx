import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/utils/i18n";
import { appendAudit, listAudit, verifyAuditChain } from "~/models/audit.server";
import { actorOf, requireRole } from "~/utils/auth.server";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.audit"));
export const handle = { i18n: ["supervision", "errors"] };

const PAGE = 50;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["county_admin", "supervisor"]);
  const org = auth.membership.org;
  const before = Number(new URL(request.url).searchParams.get("before"));
  // A county administrator reads the whole county; a supervisor only their own township.
  const scope = auth.membership.role === "county_admin" ? { countyId: org.id } : { townshipId: org.id };
  const rows = await listAudit(context.db, { ...scope, beforeId: Number.isInteger(before) && before > 0 ? before : undefined, limit: PAGE }, context.clock.now());
  return {
    scope: { county: auth.membership.role === "county_admin", org: org.name, orgId: org.id },
    paged: Number.isInteger(before) && before > 0,
    rows: rows.map((r) => ({
      id: r.id,
      at: formatBeijing(r.at, "yyyy-MM-dd HH:mm:ss"),
      actor: r.actorName,
      role: r.actorRole,
      action: r.action,
      object: `${r.objectType}${r.objectId ? ` ${r.objectId.slice(0, 12)}` : ""}`,
      ip: r.ip,
      summary: JSON.stringify(r.summary),
    })),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, ["county_admin", "supervisor"]);
  const report = await verifyAuditChain(context.db);
  // Checking is itself worth recording: who looked, and what they were told.
  await appendAudit(context.db, context.clock, actorOf(request, context, auth), {
    action: "audit.verify_chain",
    objectType: "audit_log",
    countyId: auth.membership.org.countyId ?? auth.membership.org.id,
    townshipId: auth.membership.role === "supervisor" ? auth.membership.org.id : null,
    detail: { ok: report.ok, checked: report.checked, firstBrokenId: report.firstBrokenId, reason: report.reason },
  });
  return report;
}

export default function Audit() {
  const { t } = useTranslation();
  const { scope, rows, paged } = useLoaderData<typeof loader>();
  const report = useActionData<typeof action>();
  const last = rows.at(-1);
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("audit.title")}</h1>
        <p className="muted">{scope.county ? t("audit.scopeCounty", { org: scope.org }) : t("audit.scopeTownship", { org: scope.org })}</p>
        <Form method="post">
          <button type="submit" className="secondary">
            {t("audit.verify")}
          </button>
        </Form>
        {!scope.county && (
          <p>
            <a href={`/audit/export?township=${scope.orgId}`} data-testid="audit-export">
              {t("audit.exportTownship")}
            </a>
          </p>
        )}
        {report &&
          (report.ok ? (
            <p className="notice ok" role="status" data-testid="chain-report">
              {t("audit.chainOk", { count: report.checked, heads: report.headsChecked })}
            </p>
          ) : (
            <p className="notice bad" role="alert" data-testid="chain-report">
              {t("audit.chainBroken", { id: report.firstBrokenId, reason: t(`audit.reasons.${report.reason}`) })}
            </p>
          ))}
      </section>
      <section className="card">
        {rows.length === 0 ? (
          <p>{t("audit.empty")}</p>
        ) : (
          <div className="table-wrap">
            <table className="cards">
              <thead>
                <tr>
                  {(["id", "at", "actor", "action", "object", "ip", "summary"] as const).map((c) => (
                    <th key={c}>{t(`audit.cols.${c}`)}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.id}>
                    <td data-label={t("audit.cols.id")}>{r.id}</td>
                    <td data-label={t("audit.cols.at")}>{r.at}</td>
                    <td data-label={t("audit.cols.actor")}>
                      {r.actor ?? t("audit.system")}
                      {r.role && <small className="muted"> · {t(`roles.${r.role}`, { defaultValue: r.role })}</small>}
                    </td>
                    <td data-label={t("audit.cols.action")} className="mono">
                      {r.action}
                    </td>
                    <td data-label={t("audit.cols.object")} className="mono">
                      {r.object}
                    </td>
                    <td data-label={t("audit.cols.ip")}>{r.ip ?? "-"}</td>
                    <td data-label={t("audit.cols.summary")} className="mono">
                      {r.summary}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p className="row">
          {paged && <a href="/audit">{t("audit.newest")}</a>}
          {last && rows.length === 50 && <a href={`/audit?before=${last.id}`}>{t("audit.older")}</a>}
        </p>
      </section>
    </div>
  );
}
