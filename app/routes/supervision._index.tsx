import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/utils/i18n";
import { BarChart } from "~/components/bar-chart";
import { ReviewState, SeverityTag } from "~/components/risk-flags";
import { BIDDER_BUCKETS, type Figures } from "~/models/dashboard";
import { dashboardFor, parseDashboardFilter, supervisionScope } from "~/models/dashboard.server";
import { DomainError } from "~/models/errors";
import { PROJECT_STATES } from "~/models/lifecycle";
import { flagView, scanRisks, SEVERITIES } from "~/models/risk.server";
import { forbidden, requireRole, notFound } from "~/utils/auth.server";
import { formatFen, formatFenCompact } from "~/utils/money";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.supervision"));
export const handle = { hydrate: false, i18n: ["award", "supervision", "errors"] };

/**
 * The supervision dashboard (监管统计): a township supervisor sees their
 * township, the county administrator the county with a row per township and
 * a township filter; both filter by year and download the same figures as CSV.
 * Read-only, no script: the charts are SVG drawn here, each with its table.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["supervisor", "county_admin"]);
  const scope = supervisionScope(auth.membership.role, auth.membership.org);
  if (!scope) throw forbidden("supervisor|county_admin");
  const q = new URL(request.url).searchParams;
  let d;
  try {
    d = await dashboardFor(context.db, context.clock, scope, parseDashboardFilter(q));
  } catch (e) {
    if (e instanceof DomainError && e.options.status === 404) throw notFound();
    if (e instanceof DomainError && e.options.status === 403) throw forbidden("supervisor|county_admin");
    throw e;
  }
  // 风险提示 of the same scope (the township filter applies): the unreviewed ones first, most severe first.
  const scan = await scanRisks(context.db, context.clock, d.filter.townshipId ? { ...scope, townshipId: d.filter.townshipId } : scope);
  const unreviewed = scan.flags.filter((f) => !f.review);
  const rank = (sev: string) => SEVERITIES.indexOf(sev as (typeof SEVERITIES)[number]);
  const topFlags = [...unreviewed].sort((a, b) => rank(a.severity) - rank(b.severity) || b.at.getTime() - a.at.getTime()).slice(0, 10);
  const exportQuery = new URLSearchParams();
  if (d.filter.year) exportQuery.set("year", String(d.filter.year));
  if (d.filter.townshipId) exportQuery.set("township", d.filter.townshipId);
  return {
    scopeName: auth.membership.org.name,
    county: scope.townshipId === null,
    filter: { year: d.filter.year, townshipId: d.filter.townshipId ?? "" },
    years: d.years,
    townshipChoices: d.townshipChoices,
    total: d.total,
    states: d.states,
    townships: d.townships.map(({ states: _, ...f }) => f),
    complaints: d.complaints.map((c) => ({
      id: c.id,
      tenderId: c.tenderId,
      project: c.project,
      township: c.township,
      company: c.company,
      state: c.state,
      filedAt: formatBeijing(c.filedAt),
      dueAt: c.dueAt ? formatBeijing(c.dueAt) : null,
      overdue: c.overdue,
    })),
    risks: {
      all: scan.flags.length,
      unreviewed: Object.fromEntries(SEVERITIES.map((sev) => [sev, unreviewed.filter((f) => f.severity === sev).length])) as Record<(typeof SEVERITIES)[number], number>,
      top: topFlags.map(flagView),
      href: `/supervision/flags${d.filter.townshipId ? `?township=${d.filter.townshipId}` : ""}`,
    },
    generatedAt: formatBeijing(d.generatedAt),
    exportHref: `/supervision/export.csv${exportQuery.toString() ? `?${exportQuery}` : ""}`,
  };
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;

const percent = (bp: number | null) => (bp === null ? "—" : `${(bp / 100).toFixed(2)}%`);

function useFormat() {
  const { t, i18n } = useTranslation();
  return {
    percent,
    compact: (fen: number) => formatFenCompact(fen, i18n.language),
    days: (d: number | null) => (d === null ? "—" : t("supervision.daysValue", { days: d.toFixed(1) })),
    bidders: (n: number | null) => (n === null ? "—" : n.toFixed(1)),
  };
}

function Filters({ d }: { d: Data }) {
  const { t } = useTranslation();
  return (
    <Form method="get" className="filters" role="search" aria-label={t("supervision.filter.label")}>
      <div className="row">
        <label htmlFor="year">{t("supervision.filter.year")}</label>
        <select id="year" name="year" defaultValue={d.filter.year ?? ""}>
          <option value="">{t("supervision.filter.allYears")}</option>
          {d.years.map((y) => (
            <option key={y} value={y}>
              {t("supervision.filter.yearValue", { year: y })}
            </option>
          ))}
        </select>
        {d.county && (
          <>
            <label htmlFor="township">{t("supervision.filter.township")}</label>
            <select id="township" name="township" defaultValue={d.filter.townshipId}>
              <option value="">{t("supervision.filter.allTownships")}</option>
              {d.townshipChoices.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </>
        )}
        <button type="submit">{t("supervision.filter.apply")}</button>
      </div>
    </Form>
  );
}

function KeyFigures({ f }: { f: Figures }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const items: { key: string; value: string; note?: string }[] = [
    { key: "projects", value: String(f.projects) },
    { key: "tendered", value: formatFen(f.tenderedFen), note: t("supervision.kpi.projectsCount", { count: f.tendered }) },
    { key: "awarded", value: formatFen(f.awardedFen), note: t("supervision.kpi.projectsCount", { count: f.awarded }) },
    { key: "savings", value: formatFen(f.savingsFen), note: t("supervision.kpi.savingsRate", { rate: fmt.percent(f.savingsRateBp) }) },
    { key: "reduction", value: fmt.percent(f.reductionBp) },
    { key: "medianDays", value: fmt.days(f.medianDaysToAward) },
    { key: "avgBidders", value: fmt.bidders(f.avgBidders), note: t("supervision.kpi.openedCount", { count: f.opened }) },
    { key: "failed", value: String(f.failed), note: t("supervision.kpi.failedRate", { rate: fmt.percent(f.failedRateBp) }) },
  ];
  return (
    <dl className="kpis" data-testid="kpis">
      {items.map((i) => (
        <div key={i.key} className="kpi" data-kpi={i.key}>
          <dt>{t(`supervision.kpi.${i.key}`)}</dt>
          <dd>
            <strong>{i.value}</strong>
            {i.note && <small>{i.note}</small>}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function TownshipTable({ d }: { d: Data }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const cols = ["township", "projects", "tendered", "awarded", "savings", "reduction", "medianDays", "avgBidders", "failed"] as const;
  const rows = [
    ...d.townships.map((r) => ({ ...r, total: false })),
    ...(d.townships.length > 1 ? [{ ...d.total, name: t("supervision.table.total"), townshipId: "total", total: true }] : []),
  ];
  return (
    <div className="table-wrap">
      <table className="cards" data-testid="township-table">
        <thead>
          <tr>
            {cols.map((c) => (
              <th key={c} scope="col">
                {t(`supervision.table.${c}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.townshipId} data-testid="township-row" className={r.total ? "total" : undefined}>
              <th scope="row" data-label={t("supervision.table.township")}>
                {r.name}
              </th>
              <td data-label={t("supervision.table.projects")}>{r.projects}</td>
              <td data-label={t("supervision.table.tendered")}>
                {formatFen(r.tenderedFen)} <span className="muted">{t("supervision.table.count", { count: r.tendered })}</span>
              </td>
              <td data-label={t("supervision.table.awarded")}>
                {formatFen(r.awardedFen)} <span className="muted">{t("supervision.table.count", { count: r.awarded })}</span>
              </td>
              <td data-label={t("supervision.table.savings")}>{formatFen(r.savingsFen)}</td>
              <td data-label={t("supervision.table.reduction")}>{fmt.percent(r.reductionBp)}</td>
              <td data-label={t("supervision.table.medianDays")}>{fmt.days(r.medianDaysToAward)}</td>
              <td data-label={t("supervision.table.avgBidders")}>{fmt.bidders(r.avgBidders)}</td>
              <td data-label={t("supervision.table.failed")}>
                {r.failed} <span className="muted">{t("supervision.table.share", { rate: fmt.percent(r.failedRateBp) })}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Complaints({ d }: { d: Data }) {
  const { t } = useTranslation();
  if (d.complaints.length === 0) return <p className="muted">{t("supervision.complaints.none")}</p>;
  return (
    <ul className="list" data-testid="open-complaints">
      {d.complaints.map((c) => (
        <li key={c.id} data-testid="open-complaint" data-overdue={c.overdue ? "true" : undefined}>
          <div>
            <Link to={`/notices/${c.tenderId}/publicity`}>{c.project}</Link>
            <small>
              {d.county && `${c.township} · `}
              {t("supervision.complaints.from", { company: c.company })} · {t("supervision.complaints.filedAt", { at: c.filedAt })}
            </small>
          </div>
          <div>
            <span className="tag">{t(`publicity.complaintState.${c.state}`)}</span>
            {c.dueAt && <small>{t(c.state === "filed" ? "supervision.complaints.acceptDue" : "supervision.complaints.decideDue", { at: c.dueAt })}</small>}
            {c.overdue && <strong className="tag warn overdue">{t("supervision.complaints.overdue")}</strong>}
          </div>
        </li>
      ))}
    </ul>
  );
}

export default function SupervisionDashboard() {
  const d = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const fmt = useFormat();
  const stateGroups = PROJECT_STATES.filter((s) => d.states[s] > 0).map((s) => ({ label: t(`project.states.${s}`), values: [{ value: d.states[s], text: String(d.states[s]) }] }));
  const moneyGroups = d.townships.map((r) => ({
    label: r.name,
    values: [
      { value: r.tenderedFen, text: fmt.compact(r.tenderedFen) },
      { value: r.awardedFen, text: fmt.compact(r.awardedFen) },
    ],
  }));
  const bidderGroups = d.total.opened
    ? BIDDER_BUCKETS.map((b) => ({ label: t(`supervision.bidders.${b}`), values: [{ value: d.total.bidderSpread[b], text: String(d.total.bidderSpread[b]) }] }))
    : [];
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("supervision.title", { scope: d.scopeName })}</h1>
        <p className="muted">{t(d.county ? "supervision.introCounty" : "supervision.introTownship")}</p>
        <Filters d={d} />
        <p className="row">
          <a href={d.exportHref} download data-testid="export-csv">
            {t("supervision.export")}
          </a>
          <span className="muted">{t("supervision.generatedAt", { at: d.generatedAt })}</span>
        </p>
      </section>

      <section className="card" aria-labelledby="kpi-h">
        <h2 id="kpi-h">{d.filter.year ? t("supervision.figuresYear", { year: d.filter.year }) : t("supervision.figuresAll")}</h2>
        <KeyFigures f={d.total} />
      </section>

      <section className="card" aria-labelledby="risks-h" data-testid="dashboard-risks">
        <h2 id="risks-h">{t("risk.projectTitle")}</h2>
        <p>{t("risk.totals", { all: d.risks.all, high: d.risks.unreviewed.high, medium: d.risks.unreviewed.medium, low: d.risks.unreviewed.low })}</p>
        {d.risks.top.length > 0 && (
          <ol className="plain-ol">
            {d.risks.top.map((f) => (
              <li key={f.fingerprint} data-testid="dashboard-risk" data-rule={f.rule}>
                <SeverityTag severity={f.severity} /> <Link to={f.href}>{t(`risk.rules.${f.rule}`)}</Link> · {f.projectName} <ReviewState review={f.review} />{" "}
                <span className="muted small">{f.at}</span>
              </li>
            ))}
          </ol>
        )}
        <p className="small">
          <Link to={d.risks.href}>{t("risk.allFlags")}</Link>
        </p>
      </section>

      <section className="card" aria-labelledby="complaints-h">
        <h2 id="complaints-h">{t("supervision.complaints.title", { count: d.complaints.length })}</h2>
        <p className="muted">{t("supervision.complaints.hint")}</p>
        <Complaints d={d} />
      </section>

      <section className="card">
        <BarChart
          id="states"
          title={t("supervision.chart.states")}
          series={[{ label: t("supervision.chart.projects") }]}
          groups={stateGroups}
          firstColumn={t("supervision.chart.state")}
        />
      </section>

      <section className="card">
        <BarChart
          id="money"
          title={t("supervision.chart.money")}
          description={t("supervision.chart.moneyDesc")}
          series={[{ label: t("supervision.chart.tendered") }, { label: t("supervision.chart.awarded") }]}
          groups={moneyGroups}
          firstColumn={t("supervision.table.township")}
        />
      </section>

      <section className="card">
        <BarChart
          id="bidders"
          title={t("supervision.chart.bidders")}
          series={[{ label: t("supervision.chart.tenders") }]}
          groups={bidderGroups}
          firstColumn={t("supervision.chart.bidderCount")}
        />
      </section>

      {d.county && (
        <section className="card" aria-labelledby="townships-h">
          <h2 id="townships-h">{t("supervision.table.title")}</h2>
          <TownshipTable d={d} />
        </section>
      )}

      <section className="card">
        <details>
          <summary>{t("supervision.definitions.title")}</summary>
          <ul className="definitions">
            {(["year", "states", "tendered", "awarded", "savings", "reduction", "medianDays", "bidders", "failed", "complaints"] as const).map((k) => (
              <li key={k}>{t(`supervision.definitions.${k}`)}</li>
            ))}
          </ul>
        </details>
      </section>
    </div>
  );
}
