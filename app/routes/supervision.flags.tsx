import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/utils/i18n";
import { ReviewState, SeverityTag } from "~/components/risk-flags";
import { listOrgsInCounty } from "~/models/org.server";
import { flagView, RISK_RULES, riskScopeOf, scanRisks, SEVERITIES } from "~/models/risk.server";
import { forbidden, requireRole } from "~/utils/auth.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.flags"));
export const handle = { hydrate: false, i18n: ["supervision"] };

const PAGE_SIZE = 50;

/**
 * Risk flags (风险提示): a township supervisor sees their township's, the
 * county administrator the county's (optionally one township). Filter by
 * rule, severity and whether reviewed; each flag links to its evidence.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["supervisor", "county_admin"]);
  const scope = await riskScopeOf(context.db, { role: auth.membership.role, orgId: auth.membership.org.id });
  if (!scope) throw forbidden("supervisor|county_admin");
  const q = new URL(request.url).searchParams;
  const county = !scope.townshipId;
  const townships = county ? await listOrgsInCounty(context.db, scope.countyId, "township") : [];
  const township = county && townships.some((o) => o.id === q.get("township")) ? q.get("township")! : "";
  const rule = (RISK_RULES as readonly string[]).includes(q.get("rule") ?? "") ? q.get("rule")! : "";
  const severity = (SEVERITIES as readonly string[]).includes(q.get("severity") ?? "") ? q.get("severity")! : "";
  const reviewed = q.get("reviewed") === "yes" || q.get("reviewed") === "no" ? q.get("reviewed")! : "";
  const scan = await scanRisks(context.db, context.clock, township ? { ...scope, townshipId: township } : scope);
  const matching = scan.flags.filter((f) => (!rule || f.rule === rule) && (!severity || f.severity === severity) && (!reviewed || (reviewed === "yes") === (f.review !== null)));
  const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
  const page = Math.min(pages, Math.max(1, Math.trunc(Number(q.get("page"))) || 1));
  const count = (list: typeof scan.flags) =>
    Object.fromEntries(SEVERITIES.map((s) => [s, list.filter((f) => f.severity === s).length])) as Record<(typeof SEVERITIES)[number], number>;
  return {
    scopeName: auth.membership.org.name,
    county,
    rules: [...RISK_RULES],
    severities: [...SEVERITIES],
    townships: townships.map((o) => ({ id: o.id, name: o.name })),
    filter: { township, rule, severity, reviewed },
    totals: { all: scan.flags.length, unreviewed: count(scan.flags.filter((f) => !f.review)) },
    matching: matching.length,
    page,
    pages,
    rows: matching.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map(flagView),
  };
}

export default function RiskFlags() {
  const d = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const pageHref = (page: number) => {
    const q = new URLSearchParams(Object.entries({ ...d.filter, page: String(page) }).filter(([, v]) => v));
    return `?${q.toString()}`;
  };
  return (
    <div className="stack">
      <section className="card">
        <h1>
          {t("risk.title")} · {d.scopeName}
        </h1>
        <p className="muted">{t("risk.intro")}</p>
        <p data-testid="risk-totals">{t("risk.totals", { all: d.totals.all, high: d.totals.unreviewed.high, medium: d.totals.unreviewed.medium, low: d.totals.unreviewed.low })}</p>
        <Form method="get" className="filters" role="search">
          {d.county && (
            <>
              <label htmlFor="township">{t("risk.filter.township")}</label>
              <select id="township" name="township" defaultValue={d.filter.township}>
                <option value="">{t("risk.filter.all")}</option>
                {d.townships.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            </>
          )}
          <label htmlFor="rule">{t("risk.filter.rule")}</label>
          <select id="rule" name="rule" defaultValue={d.filter.rule}>
            <option value="">{t("risk.filter.all")}</option>
            {d.rules.map((r) => (
              <option key={r} value={r}>
                {t(`risk.rules.${r}`)}
              </option>
            ))}
          </select>
          <label htmlFor="severity">{t("risk.filter.severity")}</label>
          <select id="severity" name="severity" defaultValue={d.filter.severity}>
            <option value="">{t("risk.filter.all")}</option>
            {d.severities.map((s) => (
              <option key={s} value={s}>
                {t(`risk.severity.${s}`)}
              </option>
            ))}
          </select>
          <label htmlFor="reviewed">{t("risk.filter.reviewed")}</label>
          <select id="reviewed" name="reviewed" defaultValue={d.filter.reviewed}>
            <option value="">{t("risk.filter.all")}</option>
            <option value="no">{t("risk.unreviewed")}</option>
            <option value="yes">{t("risk.reviewed")}</option>
          </select>
          <button type="submit">{t("risk.filter.apply")}</button>
        </Form>
      </section>
      <section className="card">
        {d.rows.length === 0 ? (
          <p data-testid="risk-none">{t("risk.none")}</p>
        ) : (
          <table className="cards" data-testid="risk-flags">
            <thead>
              <tr>
                <th>{t("risk.cols.severity")}</th>
                <th>{t("risk.cols.rule")}</th>
                <th>{t("risk.cols.project")}</th>
                <th>{t("risk.cols.at")}</th>
                <th>{t("risk.cols.review")}</th>
                <th>{t("risk.cols.evidence")}</th>
              </tr>
            </thead>
            <tbody>
              {d.rows.map((f) => (
                <tr key={f.fingerprint} data-testid="risk-flag" data-rule={f.rule} data-fingerprint={f.fingerprint}>
                  <td data-label={t("risk.cols.severity")}>
                    <SeverityTag severity={f.severity} />
                  </td>
                  <td data-label={t("risk.cols.rule")}>{t(`risk.rules.${f.rule}`)}</td>
                  <td data-label={t("risk.cols.project")}>
                    <Link to={`/projects/${f.projectId}`}>{f.projectName}</Link>
                  </td>
                  <td data-label={t("risk.cols.at")}>{f.at}</td>
                  <td data-label={t("risk.cols.review")}>
                    <ReviewState review={f.review} />
                  </td>
                  <td data-label={t("risk.cols.evidence")}>
                    <Link to={f.href} data-testid="flag-link">
                      {t("risk.viewEvidence")}
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {d.pages > 1 && (
          <nav className="row" aria-label={t("risk.pages")}>
            {d.page > 1 && <Link to={pageHref(d.page - 1)}>{t("risk.previous")}</Link>}
            <span>{t("risk.pageOf", { page: d.page, pages: d.pages, count: d.matching })}</span>
            {d.page < d.pages && <Link to={pageHref(d.page + 1)}>{t("risk.next")}</Link>}
          </nav>
        )}
      </section>
    </div>
  );
}
